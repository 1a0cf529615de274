//! `api-delete-trigger`: DELETE /v1/triggers/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-delete-trigger").await
}
