//! `api-create-trigger`: POST /v1/triggers

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_TRIGGER, &[]).await
}
