//! `api-list-data-mart-runs`: GET /v1/data-marts/{id}/runs

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_DATA_MART_RUNS, &[]).await
}
