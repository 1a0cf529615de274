//! `api-get-destination`: GET /v1/destinations/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_DESTINATION, &[]).await
}
