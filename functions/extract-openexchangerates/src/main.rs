//! `extract-openexchangerates`: extracts steps of `openexchangerates` streams (Open Exchange Rates historical rates) through the REST connector kit; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("openexchangerates", sluice_lambda::stage::extractors::rest)
        .await
}
