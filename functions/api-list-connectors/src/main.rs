//! `api-list-connectors`: GET /v1/connectors

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-list-connectors").await
}
