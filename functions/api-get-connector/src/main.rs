//! `api-get-connector`: GET /v1/connectors/{name}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-connector").await
}
