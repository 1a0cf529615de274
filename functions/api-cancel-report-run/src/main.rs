//! `api-cancel-report-run`: POST /v1/report-runs/{id}/cancel

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CANCEL_REPORT_RUN, &[]).await
}
