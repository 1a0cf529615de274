//! `deliver-google-sheets`: writes a report run's rows into a sheet of a Google spreadsheet; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_delivery(
        "google_sheets",
        sluice_lambda::stage::writers::google_sheets,
    )
    .await
}
