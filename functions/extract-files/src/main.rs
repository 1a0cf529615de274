//! `extract-files`: extracts steps of `files` streams into raw chunks; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_stage::<sluice_lambda::stage::Extract>(
        "extract-files",
        sluice_domain::pipeline::extract_queue("files"),
    )
    .await
}
