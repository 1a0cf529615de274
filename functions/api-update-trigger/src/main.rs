//! `api-update-trigger`: PATCH /v1/triggers/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-update-trigger").await
}
