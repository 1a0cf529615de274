//! `deliver-database`: writes a report run's rows into a PostgreSQL table, once per delivery; fed by its SQS queue.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::stage::run_delivery("database", sluice_lambda::stage::writers::database).await
}
