//! `extract-files`: extracts steps of `files` streams into raw chunks; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("files", sluice_lambda::stage::extractors::files).await
}
