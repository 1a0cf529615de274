//! `api-set-data-mart-definition`: PUT /v1/data-marts/{id}/definition. Links the transform
//! engine: a definition is checked by planning its mappings as a run would.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api_with("api-set-data-mart-definition", |mut deps| {
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps
    })
    .await
}
