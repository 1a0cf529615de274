//! `api-accept-invitation`: POST /v1/auth/accept-invitation

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::ACCEPT_INVITATION, &[]).await
}
