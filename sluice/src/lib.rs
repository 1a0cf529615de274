//! The local platform: opens the embedded parts under one data directory and serves
//! the same API, through the same handlers, as the Lambda functions.

pub mod console;
pub mod data_dir;
pub mod server;

use std::sync::Arc;
use std::time::Duration;

pub use data_dir::DataDir;
pub use server::{Server, Site, listen, serve};
use sluice_app::Deps;
use sluice_app::services::scheduler::{self, Scheduler};
use sluice_domain::Id;
use sluice_domain::ports::{EventBus, EventBusError, RunEvent};
use sluice_runs::worker::Workers;
use sluice_runs::{Limits, Machine};
use tokio::sync::mpsc;

/// The process's bus as the live run views' feed (`GET /v1/runs/{id}/events`).
pub struct BusFeed(pub Arc<sluice_local::LocalBus>);

impl sluice_app::RunFeed for BusFeed {
    fn subscribe(&self) -> tokio::sync::broadcast::Receiver<RunEvent> {
        self.0.subscribe()
    }
}

/// Gives a process whose bus is elsewhere (EventBridge) live run views too: its
/// events go to that bus and to an in-process one the views follow. A process
/// with a feed already keeps it.
pub fn with_live_feed(deps: &mut Deps) {
    if deps.feed.is_some() {
        return;
    }
    let local = Arc::new(sluice_local::LocalBus::new(1024));
    deps.feed = Some(Arc::new(BusFeed(local.clone())));
    deps.bus = Some(Arc::new(TeeBus {
        first: deps.bus.clone(),
        local,
    }));
}

/// Publishes to a bus (when there is one), then to the process's own.
struct TeeBus {
    first: Option<Arc<dyn EventBus>>,
    local: Arc<sluice_local::LocalBus>,
}

#[async_trait::async_trait]
impl EventBus for TeeBus {
    async fn publish(&self, event: &RunEvent) -> Result<(), EventBusError> {
        let _ = self.local.publish(event).await;
        match &self.first {
            Some(bus) => bus.publish(event).await,
            None => Ok(()),
        }
    }
}

/// How often the local scheduler ticks (the cloud's cron rule ticks every minute);
/// `SLUICE_TICK_SECONDS` changes it.
const TICK: Duration = Duration::from_secs(10);

/// The run machinery of a local process: the stage workers polling the queues, and
/// the scheduler (a tick on a timer, reactions to run events).
pub struct Engine {
    pub machine: Arc<Machine>,
    workers: Workers,
    scheduler: tokio::task::JoinHandle<()>,
}

/// The bus the engine publishes on: every event goes to the process's bus and to
/// the scheduler's reactions (what EventBridge rules do in the cloud).
struct ReactingBus {
    inner: Option<Arc<dyn EventBus>>,
    reactions: mpsc::UnboundedSender<RunEvent>,
}

#[async_trait::async_trait]
impl EventBus for ReactingBus {
    async fn publish(&self, event: &RunEvent) -> Result<(), EventBusError> {
        let _ = self.reactions.send(event.clone());
        match &self.inner {
            Some(bus) => bus.publish(event).await,
            None => Ok(()),
        }
    }
}

impl Engine {
    /// Starts the workers and the scheduler, then resumes the runs of `project` a
    /// previous process left queued or running.
    pub async fn start(deps: &Deps, project: &Id) -> anyhow::Result<Engine> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut deps = deps.clone();
        deps.bus = Some(Arc::new(ReactingBus {
            inner: deps.bus.clone(),
            reactions: tx,
        }));
        if deps.notifier.is_none() {
            deps.notifier = Some(Arc::new(sluice_connectors::webhook::WebhookNotifier::new(
                &deps.egress,
            )));
        }
        let tick_every = std::env::var("SLUICE_TICK_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(TICK, Duration::from_secs);
        let reacting = Scheduler::new(deps.clone())?;
        let scheduler = tokio::spawn(async move {
            let deps = &reacting.deps;
            let mut timer = tokio::time::interval(tick_every);
            timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = timer.tick() => {
                        let report = scheduler::tick(&reacting, deps.clock.now()).await;
                        if report.due > 0 {
                            tracing::debug!(?report, "Scheduler tick.");
                        }
                    }
                    Some(event) = rx.recv() => {
                        if let Err(e) = scheduler::on_event(&reacting, &event).await {
                            tracing::warn!(run_id = %event.run_id, error = %e, "Reaction to a run event failed; the next tick picks it up.");
                        }
                    }
                }
            }
        });
        let deps = &deps;
        let machine = Arc::new(Machine::new(deps.clone(), Limits::default())?);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = Workers::spawn(machine.clone(), cores * 2);
        let resumed = sluice_runs::worker::recover(&machine, project).await;
        if !resumed.is_empty() {
            tracing::info!(
                runs = resumed.len(),
                "Resumed runs interrupted by the last stop."
            );
        }
        Ok(Engine {
            machine,
            workers,
            scheduler,
        })
    }

    pub async fn stop(self) {
        self.scheduler.abort();
        self.workers.stop().await;
    }
}
