//! `extract-postgres`: extracts steps of `postgres` streams (tables read by binary COPY into Parquet chunks); fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("postgres", sluice_lambda::stage::extractors::postgres).await
}
