//! `api-query-data-mart`: POST /v1/data-marts/{id}/query

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-query-data-mart").await
}
