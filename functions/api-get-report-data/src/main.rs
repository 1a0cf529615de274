//! `api-get-report-data`: GET /v1/reports/{id}/data (a data key, not a user token)

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(
        &routes::GET_REPORT_DATA,
        &[parts::objects, parts::warehouse],
    )
    .await
}
