//! `api-list-storages`: GET /v1/storages

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-storages").await
}
