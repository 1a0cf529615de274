//! `api-get-project`: GET /v1/project

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_PROJECT, &[]).await
}
