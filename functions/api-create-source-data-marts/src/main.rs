//! `api-create-source-data-marts`: POST /v1/sources/{id}/data-marts. The source is
//! discovered, and each mapping planned, by the engine function, which links every
//! connector, reached over Lambda Invoke; this binary links its client only.

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::CREATE_SOURCE_DATA_MARTS, &[parts::engine]).await
}
