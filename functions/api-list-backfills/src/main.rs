//! `api-list-backfills`: GET /v1/backfills

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_BACKFILLS, &[]).await
}
