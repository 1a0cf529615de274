//! `api-create-trigger`: POST /v1/triggers

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-trigger").await
}
