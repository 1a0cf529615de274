//! `api-list-value-maps`: GET /v1/value-maps

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_VALUE_MAPS, &[]).await
}
