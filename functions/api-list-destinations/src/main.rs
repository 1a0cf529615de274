//! `api-list-destinations`: GET /v1/destinations

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_DESTINATIONS, &[]).await
}
