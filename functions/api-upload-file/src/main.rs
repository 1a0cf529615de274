//! `api-upload-file`: PUT /v1/files/{path+}

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::run_api("api-upload-file").await
}
