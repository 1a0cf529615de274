//! `api-list-destinations`: GET /v1/destinations

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-destinations").await
}
