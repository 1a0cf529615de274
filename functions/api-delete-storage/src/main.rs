//! `api-delete-storage`: DELETE /v1/storages/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-delete-storage").await
}
