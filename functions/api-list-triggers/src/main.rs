//! `api-list-triggers`: GET /v1/triggers

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-triggers").await
}
