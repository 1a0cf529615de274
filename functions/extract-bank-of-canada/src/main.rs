//! `extract-bank-of-canada`: extracts steps of `bank_of_canada` streams (Bank of Canada Valet series observations) through the REST connector kit; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("bank_of_canada", sluice_lambda::stage::extractors::rest)
        .await
}
