//! `api-get-trigger`: GET /v1/triggers/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_TRIGGER, &[]).await
}
