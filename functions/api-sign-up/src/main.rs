//! `api-sign-up`: POST /v1/auth/sign-up

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::SIGN_UP, &[]).await
}
