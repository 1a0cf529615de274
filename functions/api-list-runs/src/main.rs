//! `api-list-runs`: GET /v1/runs

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_RUNS, &[]).await
}
