//! `api-delete-report`: DELETE /v1/reports/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-delete-report").await
}
