//! `api-retry-run`: POST /v1/runs/{id}/retry

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::RETRY_RUN, &[parts::queue, parts::bus]).await
}
