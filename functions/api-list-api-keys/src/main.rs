//! `api-list-api-keys`: GET /v1/api-keys

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_API_KEYS, &[]).await
}
