//! `api-list-files`: GET /v1/files

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-files").await
}
