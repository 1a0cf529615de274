//! `extract-mysql`: extracts steps of `mysql` streams (MySQL and MariaDB tables read by prepared statements into Parquet chunks); fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("mysql", sluice_lambda::stage::extractors::mysql).await
}
