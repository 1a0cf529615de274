//! `extract-github`: extracts steps of `github` streams (GitHub repositories, issues, pull requests, commits, releases and workflow runs) through the REST connector kit; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("github", sluice_lambda::stage::extractors::rest).await
}
