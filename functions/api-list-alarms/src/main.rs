//! `api-list-alarms`: GET /v1/alarms

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_ALARMS, &[]).await
}
