//! `api-start-run`: POST /v1/data-marts/{id}/runs

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-start-run").await
}
