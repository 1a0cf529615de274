//! `api-get-source`: GET /v1/sources/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-source").await
}
