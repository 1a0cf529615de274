//! `api-update-report`: PATCH /v1/reports/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::UPDATE_REPORT, &[]).await
}
