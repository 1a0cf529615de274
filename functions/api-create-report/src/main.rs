//! `api-create-report`: POST /v1/reports

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_REPORT, &[]).await
}
