//! `api-delete-data-mart`: DELETE /v1/data-marts/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_DATA_MART, &[]).await
}
