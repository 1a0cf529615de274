//! `api-get-project`: GET /v1/project

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-project").await
}
