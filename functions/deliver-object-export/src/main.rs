//! `deliver-object-export`: writes a report run's rows as a file into the project's exports; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_delivery(
        "object_export",
        sluice_lambda::stage::writers::object_export,
    )
    .await
}
