//! `api-list-connectors`: GET /v1/connectors

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_CONNECTORS, &[]).await
}
