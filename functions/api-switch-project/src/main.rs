//! `api-switch-project`: POST /v1/auth/switch-project

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::SWITCH_PROJECT, &[]).await
}
