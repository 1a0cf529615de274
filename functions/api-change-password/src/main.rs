//! `api-change-password`: POST /v1/auth/password

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CHANGE_PASSWORD, &[]).await
}
