//! `deliver-webhook`: posts a report run's rows, signed, to the destination's URL; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_delivery("webhook", sluice_lambda::stage::writers::webhook).await
}
