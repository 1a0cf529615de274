//! `api-get-run`: GET /v1/runs/{id}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-get-run").await
}
