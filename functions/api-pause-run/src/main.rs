//! `api-pause-run`: POST /v1/runs/{id}/pause

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-pause-run").await
}
