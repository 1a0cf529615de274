//! `api-get-report`: GET /v1/reports/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-report").await
}
