//! `extract-jira`: extracts steps of `jira` streams (Jira Cloud issues, their changelog and the project's reference lists) through the REST connector kit; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("jira", sluice_lambda::stage::extractors::rest).await
}
