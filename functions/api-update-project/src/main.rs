//! `api-update-project`: PATCH /v1/project

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-update-project").await
}
