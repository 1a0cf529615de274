//! `api-refresh-session`: POST /v1/auth/refresh

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::REFRESH_SESSION, &[]).await
}
