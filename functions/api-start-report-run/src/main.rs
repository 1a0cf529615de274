//! `api-start-report-run`: POST /v1/reports/{id}/runs

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::START_REPORT_RUN, &[parts::queue]).await
}
