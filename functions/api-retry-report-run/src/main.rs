//! `api-retry-report-run`: POST /v1/report-runs/{id}/retry

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::RETRY_REPORT_RUN, &[parts::queue]).await
}
