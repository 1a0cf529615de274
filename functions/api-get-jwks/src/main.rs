//! `api-get-jwks`: GET /.well-known/jwks.json

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::GET_JWKS, &[]).await
}
