//! `api-preview-data-mart`: POST /v1/data-marts/{id}/preview. Links the transform
//! engine: a preview runs the mapping on sample rows.

use sluice_lambda::{parts, routes};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api_with(&routes::PREVIEW_DATA_MART, &[parts::objects], |mut deps| {
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps
    })
    .await
}
