//! `scheduler-tick`: every minute (one EventBridge cron rule), fires the triggers
//! that are due, retries failed runs whose backoff is over, resumes stuck runs,
//! raises SLA misses and moves backfills on.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::scheduler::run_tick().await
}
