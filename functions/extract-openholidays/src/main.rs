//! `extract-openholidays`: extracts steps of `openholidays` streams (OpenHolidays public and school holidays) through the REST connector kit; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("openholidays", sluice_lambda::stage::extractors::rest).await
}
