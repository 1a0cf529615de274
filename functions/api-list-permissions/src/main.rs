//! `api-list-permissions`: GET /v1/permissions

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_PERMISSIONS, &[]).await
}
