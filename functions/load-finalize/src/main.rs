//! `load-finalize`: commits a run's staged chunks to its data mart's table; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_stage::<sluice_lambda::stage::Finalize>(
        "load-finalize",
        sluice_domain::pipeline::FINALIZE_QUEUE.to_string(),
    )
    .await
}
