//! `api-rotate-destination-key`: POST /v1/destinations/{id}/rotate-key

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::ROTATE_DESTINATION_KEY, &[]).await
}
