//! `api-create-api-key`: POST /v1/api-keys

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_API_KEY, &[]).await
}
