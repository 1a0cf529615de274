//! `api-list-data-marts`: GET /v1/data-marts

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-data-marts").await
}
