//! `extract-http-json`: extracts steps of `http_json` streams into raw chunks; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_extract("http_json", sluice_lambda::stage::extractors::http_json)
        .await
}
