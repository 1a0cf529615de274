//! `api-list-sources`: GET /v1/sources

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-sources").await
}
