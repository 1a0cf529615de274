//! `api-list-runs`: GET /v1/runs

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-runs").await
}
