//! `api-update-storage`: PATCH /v1/storages/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-update-storage").await
}
