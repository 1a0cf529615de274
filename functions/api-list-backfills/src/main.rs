//! `api-list-backfills`: GET /v1/backfills

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-backfills").await
}
