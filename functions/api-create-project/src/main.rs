//! `api-create-project`: POST /v1/projects

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_PROJECT, &[]).await
}
