//! `api-list-data-mart-runs`: GET /v1/data-marts/{id}/runs

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-data-mart-runs").await
}
