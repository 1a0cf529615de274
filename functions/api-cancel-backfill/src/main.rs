//! `api-cancel-backfill`: POST /v1/backfills/{id}/cancel

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-cancel-backfill").await
}
