//! `api-list-data-marts`: GET /v1/data-marts

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_DATA_MARTS, &[]).await
}
