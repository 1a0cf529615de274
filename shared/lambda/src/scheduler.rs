//! The scheduler functions: `scheduler-tick`, invoked every minute by one
//! EventBridge cron rule, and `scheduler-react`, invoked by the rules on the
//! run-event bus (`RunSucceeded`, `RunFailed`). Both run the services the local
//! server runs on its timer and its in-process bus.

use std::sync::Arc;

use lambda_http::{LambdaEvent, service_fn};
use serde_json::Value;
use sluice_app::services::scheduler::{self, Scheduler, TickReport};
use sluice_domain::ports::RunEvent;

/// The scheduler: `SLUICE_TABLE`, the queues (to start runs, required) and the
/// bus (to announce them), a webhook notifier for SLA misses.
pub async fn init() -> Result<Scheduler, crate::InitError> {
    let mut deps = crate::worker_deps().await?;
    deps.notifier = Some(Arc::new(sluice_connectors::webhook::WebhookNotifier::new(
        &deps.egress,
    )));
    Ok(Scheduler::new(deps)?)
}

async fn with_scheduler(name: &str) -> Result<Arc<Scheduler>, lambda_http::Error> {
    crate::init_tracing();
    match init().await {
        Ok(s) => Ok(Arc::new(s)),
        Err(e) => {
            crate::report_init_error(&format!("{name}: {e}"));
            Err(e.into())
        }
    }
}

/// `scheduler-tick`: the event (a scheduled event) only says it is time.
pub async fn run_tick() -> Result<(), lambda_http::Error> {
    let scheduler = with_scheduler("scheduler-tick").await?;
    lambda_http::lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let scheduler = scheduler.clone();
        async move { Ok::<_, lambda_http::Error>(tick(&scheduler).await) }
    }))
    .await
}

/// One tick at the clock's now; the report is the function's result.
pub async fn tick(scheduler: &Scheduler) -> TickReport {
    let report = scheduler::tick(scheduler, scheduler.deps.clock.now()).await;
    tracing::info!(?report, "Scheduler tick.");
    report
}

/// `scheduler-react`: an EventBridge event whose `detail` is a run event.
pub async fn run_react() -> Result<(), lambda_http::Error> {
    let scheduler = with_scheduler("scheduler-react").await?;
    lambda_http::lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let scheduler = scheduler.clone();
        async move { react(&scheduler, event.payload).await }
    }))
    .await
}

/// Handles one EventBridge event. A malformed one is logged and dropped (EventBridge
/// would only retry it); a store failure is an error, so EventBridge retries.
pub async fn react(scheduler: &Scheduler, event: Value) -> Result<TickReport, lambda_http::Error> {
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    let run_event: RunEvent = match serde_json::from_value(detail) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "Not a run event; dropped.");
            return Ok(TickReport::default());
        }
    };
    scheduler::on_event(scheduler, &run_event)
        .await
        .map_err(|e| lambda_http::Error::from(format!("reacting to {:?}: {e}", run_event.kind)))
}
