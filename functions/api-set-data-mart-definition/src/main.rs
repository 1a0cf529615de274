//! `api-set-data-mart-definition`: PUT /v1/data-marts/{id}/definition. The transform engine is the
//! engine function's, reached over Lambda Invoke (a definition is checked by planning its mappings as a run would);
//! this binary links its client only.

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(
        &routes::SET_DATA_MART_DEFINITION,
        &[parts::engine, parts::objects, parts::warehouse],
    )
    .await
}
