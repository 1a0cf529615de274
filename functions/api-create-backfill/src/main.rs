//! `api-create-backfill`: POST /v1/data-marts/{id}/backfills

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-backfill").await
}
