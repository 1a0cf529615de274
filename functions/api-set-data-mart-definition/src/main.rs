//! `api-set-data-mart-definition`: PUT /v1/data-marts/{id}/definition

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-set-data-mart-definition").await
}
