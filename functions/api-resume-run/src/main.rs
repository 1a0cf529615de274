//! `api-resume-run`: POST /v1/runs/{id}/resume

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-resume-run").await
}
