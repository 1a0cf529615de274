//! The scheduler functions: `scheduler-tick`, invoked every minute by one
//! EventBridge cron rule, and `scheduler-react`, invoked by the rules on the
//! run-event bus (`RunSucceeded`, `RunFailed`). Both run the services the local
//! server runs on its timer and its in-process bus.

use std::sync::Arc;

use lambda_http::{LambdaEvent, service_fn};
use serde_json::Value;
use sluice_app::Deps;
use sluice_app::services::scheduler::{self, TickReport};
use sluice_domain::ports::RunEvent;

/// The scheduler's dependencies: `SLUICE_TABLE`, the queues (to start runs) and
/// the bus (to announce them), a webhook notifier for SLA misses.
pub async fn init() -> Result<Deps, crate::InitError> {
    let mut deps = crate::worker_deps().await?;
    deps.check(&[sluice_app::routes::Part::Queue])?;
    deps.notifier = Some(Arc::new(sluice_connectors::webhook::WebhookNotifier::new(
        &deps.egress,
    )));
    Ok(deps)
}

async fn with_deps(name: &str) -> Result<Arc<Deps>, lambda_http::Error> {
    crate::init_tracing();
    match init().await {
        Ok(d) => Ok(Arc::new(d)),
        Err(e) => {
            crate::report_init_error(&format!("{name}: {e}"));
            Err(e.into())
        }
    }
}

/// `scheduler-tick`: the event (a scheduled event) only says it is time.
pub async fn run_tick() -> Result<(), lambda_http::Error> {
    let deps = with_deps("scheduler-tick").await?;
    lambda_http::lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| {
        let deps = deps.clone();
        async move { Ok::<_, lambda_http::Error>(tick(&deps).await) }
    }))
    .await
}

/// One tick at the clock's now; the report is the function's result.
pub async fn tick(deps: &Deps) -> TickReport {
    let report = scheduler::tick(deps, deps.clock.now()).await;
    tracing::info!(?report, "Scheduler tick.");
    report
}

/// `scheduler-react`: an EventBridge event whose `detail` is a run event.
pub async fn run_react() -> Result<(), lambda_http::Error> {
    let deps = with_deps("scheduler-react").await?;
    lambda_http::lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let deps = deps.clone();
        async move { react(&deps, event.payload).await }
    }))
    .await
}

/// Handles one EventBridge event. A malformed one is logged and dropped (EventBridge
/// would only retry it); a store failure is an error, so EventBridge retries.
pub async fn react(deps: &Deps, event: Value) -> Result<TickReport, lambda_http::Error> {
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    let run_event: RunEvent = match serde_json::from_value(detail) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "Not a run event; dropped.");
            return Ok(TickReport::default());
        }
    };
    scheduler::on_event(deps, &run_event)
        .await
        .map_err(|e| lambda_http::Error::from(format!("reacting to {:?}: {e}", run_event.kind)))
}
