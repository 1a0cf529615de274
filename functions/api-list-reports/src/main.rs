//! `api-list-reports`: GET /v1/reports

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-reports").await
}
