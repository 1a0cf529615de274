//! `api-list-projects`: GET /v1/projects

use sluice_lambda::routes;

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_PROJECTS, &[]).await
}
