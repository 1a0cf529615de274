//! `api-get-report-run`: GET /v1/report-runs/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_REPORT_RUN, &[]).await
}
