//! `api-create-source`: POST /v1/sources

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-source").await
}
