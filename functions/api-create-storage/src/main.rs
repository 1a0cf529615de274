//! `api-create-storage`: POST /v1/storages

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_STORAGE, &[]).await
}
