//! `api-get-source`: GET /v1/sources/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_SOURCE, &[]).await
}
