//! `api-get-storage`: GET /v1/storages/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-storage").await
}
