//! `api-update-data-mart`: PATCH /v1/data-marts/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::UPDATE_DATA_MART, &[]).await
}
