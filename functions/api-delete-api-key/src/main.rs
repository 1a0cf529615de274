//! `api-delete-api-key`: DELETE /v1/api-keys/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_API_KEY, &[]).await
}
