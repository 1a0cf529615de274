//! `api-create-data-mart`: POST /v1/data-marts

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_DATA_MART, &[]).await
}
