//! `materialize`: runs a data mart no connector feeds (a `sql` mart's query written as its table; a `table`, `table_pattern` or `view` mart checked and described); fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_stage::<sluice_lambda::stage::Materialize>(
        "materialize",
        sluice_domain::pipeline::MATERIALIZE_QUEUE.to_string(),
    )
    .await
}
