//! `api-create-invitation`: POST /v1/invitations

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_INVITATION, &[]).await
}
