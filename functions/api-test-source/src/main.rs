//! `api-test-source`: POST /v1/sources/{id}/test. The source is tried by the engine
//! function, which links every connector, reached over Lambda Invoke; this binary
//! links its client only.

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::TEST_SOURCE, &[parts::engine]).await
}
