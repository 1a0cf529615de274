//! `api-preview-data-mart`: POST /v1/data-marts/{id}/preview. Links the transform
//! engine: a preview runs the mapping on sample rows.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api_with("api-preview-data-mart", |mut deps| {
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps
    })
    .await
}
