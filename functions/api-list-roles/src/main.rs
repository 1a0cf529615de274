//! `api-list-roles`: GET /v1/roles

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_ROLES, &[]).await
}
