//! `api-list-destination-kinds`: GET /v1/destination-kinds

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_DESTINATION_KINDS, &[]).await
}
