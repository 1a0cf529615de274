//! `api-list-audit`: GET /v1/audit

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_AUDIT, &[]).await
}
