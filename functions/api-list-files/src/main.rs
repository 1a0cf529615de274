//! `api-list-files`: GET /v1/files

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::LIST_FILES, &[parts::objects]).await
}
