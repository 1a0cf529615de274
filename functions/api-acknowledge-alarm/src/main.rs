//! `api-acknowledge-alarm`: POST /v1/alarms/{id}/acknowledge

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::ACKNOWLEDGE_ALARM, &[]).await
}
