//! `api-start-run`: POST /v1/data-marts/{id}/runs

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::START_RUN, &[parts::queue, parts::bus]).await
}
