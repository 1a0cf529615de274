//! `api-preview-data-mart`: POST /v1/data-marts/{id}/preview. The transform engine is the
//! engine function's, reached over Lambda Invoke (a preview runs the mapping on sample rows);
//! this binary links its client only.

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::PREVIEW_DATA_MART, &[parts::engine]).await
}
