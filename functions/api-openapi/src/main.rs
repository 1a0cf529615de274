//! `api-openapi`: GET /openapi.json

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-openapi").await
}
