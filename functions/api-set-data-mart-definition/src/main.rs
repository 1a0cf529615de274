//! `api-set-data-mart-definition`: PUT /v1/data-marts/{id}/definition. Links the transform
//! engine: a definition is checked by planning its mappings as a run would.

use sluice_lambda::routes;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api_with(&routes::SET_DATA_MART_DEFINITION, &[], |mut deps| {
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps
    })
    .await
}
