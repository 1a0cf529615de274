//! `api-list-report-runs`: GET /v1/reports/{id}/runs

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_REPORT_RUNS, &[]).await
}
