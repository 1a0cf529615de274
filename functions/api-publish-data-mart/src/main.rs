//! `api-publish-data-mart`: POST /v1/data-marts/{id}/publish

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-publish-data-mart").await
}
