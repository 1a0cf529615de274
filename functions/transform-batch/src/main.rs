//! `transform-batch`: maps one raw chunk into a staged Parquet chunk; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_stage::<sluice_lambda::stage::Transform>(
        "transform-batch",
        sluice_domain::pipeline::TRANSFORM_QUEUE.to_string(),
    )
    .await
}
