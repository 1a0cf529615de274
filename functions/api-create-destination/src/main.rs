//! `api-create-destination`: POST /v1/destinations

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-create-destination").await
}
