//! `api-query-data-mart`: POST /v1/data-marts/{id}/query

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(
        &routes::QUERY_DATA_MART,
        &[parts::objects, parts::warehouse],
    )
    .await
}
