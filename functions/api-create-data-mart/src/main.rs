//! `api-create-data-mart`: POST /v1/data-marts

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-data-mart").await
}
