//! `api-get-backfill`: GET /v1/backfills/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-backfill").await
}
