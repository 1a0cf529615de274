//! `api-cancel-run`: POST /v1/runs/{id}/cancel

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CANCEL_RUN, &[parts::bus]).await
}
