//! `api-get-value-map`: GET /v1/value-maps/{id}

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_VALUE_MAP, &[]).await
}
