//! `api-cancel-backfill`: POST /v1/backfills/{id}/cancel

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CANCEL_BACKFILL, &[]).await
}
