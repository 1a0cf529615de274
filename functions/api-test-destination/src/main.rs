//! `api-test-destination`: POST /v1/destinations/{id}/test

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(
        &routes::TEST_DESTINATION,
        &[parts::objects, parts::connections],
    )
    .await
}
