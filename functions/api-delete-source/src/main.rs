//! `api-delete-source`: DELETE /v1/sources/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_SOURCE, &[]).await
}
