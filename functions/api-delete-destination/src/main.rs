//! `api-delete-destination`: DELETE /v1/destinations/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-delete-destination").await
}
