//! `api-delete-file`: DELETE /v1/files/{path+}

use sluice_lambda::{parts, routes};

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api(&routes::DELETE_FILE, &[parts::objects]).await
}
