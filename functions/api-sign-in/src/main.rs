//! `api-sign-in`: POST /v1/auth/sign-in

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::SIGN_IN, &[]).await
}
