//! `api-list-members`: GET /v1/members

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_MEMBERS, &[]).await
}
