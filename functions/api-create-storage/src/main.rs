//! `api-create-storage`: POST /v1/storages

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-storage").await
}
