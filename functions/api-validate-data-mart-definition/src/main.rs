//! `api-validate-data-mart-definition`: POST /v1/data-marts/{id}/definition/validate

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-validate-data-mart-definition").await
}
