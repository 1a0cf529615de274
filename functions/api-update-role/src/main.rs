//! `api-update-role`: PATCH /v1/roles/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::UPDATE_ROLE, &[]).await
}
