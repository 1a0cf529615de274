//! `api-resume-run`: POST /v1/runs/{id}/resume

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::RESUME_RUN, &[parts::queue]).await
}
