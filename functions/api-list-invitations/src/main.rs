//! `api-list-invitations`: GET /v1/invitations

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_INVITATIONS, &[]).await
}
