//! `api-create-value-map`: POST /v1/value-maps

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_VALUE_MAP, &[]).await
}
