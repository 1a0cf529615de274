//! `api-validate-data-mart-definition`: POST /v1/data-marts/{id}/definition/validate. Links the transform
//! engine: a definition is checked by planning its mappings as a run would.

use sluice_lambda::routes;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api_with(&routes::VALIDATE_DATA_MART_DEFINITION, &[], |mut deps| {
        deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
        deps
    })
    .await
}
