//! `api-cancel-run`: POST /v1/runs/{id}/cancel

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-cancel-run").await
}
