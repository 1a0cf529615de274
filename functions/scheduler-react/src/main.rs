//! `scheduler-react`: on `RunSucceeded` and `RunFailed` (rules on the run-event
//! bus), fires the triggers waiting on upstream data marts and starts the backfill
//! windows and waiting fires the finished run made room for.

#[tokio::main]
async fn main() -> Result<(), sluice_lambda::Error> {
    sluice_lambda::scheduler::run_react().await
}
