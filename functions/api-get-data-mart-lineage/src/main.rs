//! `api-get-data-mart-lineage`: GET /v1/data-marts/{id}/lineage

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_DATA_MART_LINEAGE, &[]).await
}
