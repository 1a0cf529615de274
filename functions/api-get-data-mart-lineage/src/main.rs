//! `api-get-data-mart-lineage`: GET /v1/data-marts/{id}/lineage

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-data-mart-lineage").await
}
