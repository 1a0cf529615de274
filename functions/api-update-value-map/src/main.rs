//! `api-update-value-map`: PATCH /v1/value-maps/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::UPDATE_VALUE_MAP, &[]).await
}
