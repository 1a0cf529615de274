//! `api-sign-out-everywhere`: POST /v1/auth/sign-out-everywhere

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::SIGN_OUT_EVERYWHERE, &[]).await
}
