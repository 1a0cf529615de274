//! `api-download-report-run`: GET /v1/report-runs/{id}/download

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DOWNLOAD_REPORT_RUN, &[parts::objects]).await
}
