//! `api-delete-invitation`: DELETE /v1/invitations/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_INVITATION, &[]).await
}
