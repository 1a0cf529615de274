//! `api-create-backfill`: POST /v1/data-marts/{id}/backfills

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_BACKFILL, &[parts::queue, parts::bus]).await
}
