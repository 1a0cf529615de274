//! `api-delete-member`: DELETE /v1/members/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_MEMBER, &[]).await
}
