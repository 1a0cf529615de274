//! `api-list-source-streams`: GET /v1/sources/{id}/streams. The source is read by the
//! engine function, which links every connector, reached over Lambda Invoke; this
//! binary links its client only.

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_SOURCE_STREAMS, &[parts::engine]).await
}
