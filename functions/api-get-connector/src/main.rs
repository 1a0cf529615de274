//! `api-get-connector`: GET /v1/connectors/{name}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_CONNECTOR, &[]).await
}
