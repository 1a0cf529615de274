//! `api-retry-run`: POST /v1/runs/{id}/retry

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-retry-run").await
}
