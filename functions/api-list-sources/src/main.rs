//! `api-list-sources`: GET /v1/sources

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_SOURCES, &[]).await
}
