//! `api-pause-run`: POST /v1/runs/{id}/pause

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::PAUSE_RUN, &[]).await
}
