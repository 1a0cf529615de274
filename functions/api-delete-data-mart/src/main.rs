//! `api-delete-data-mart`: DELETE /v1/data-marts/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-delete-data-mart").await
}
