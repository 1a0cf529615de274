//! `api-get-data-mart`: GET /v1/data-marts/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-data-mart").await
}
