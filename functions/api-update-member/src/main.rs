//! `api-update-member`: PATCH /v1/members/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::UPDATE_MEMBER, &[]).await
}
