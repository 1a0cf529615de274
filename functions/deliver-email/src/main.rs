//! `deliver-email`: mails a report run's rows (a CSV attachment, the first rows
//! inline) through SES from the deployment's sender; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_delivery("email", sluice_lambda::stage::writers::email).await
}
