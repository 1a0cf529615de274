//! Local workers: the queue consumers `sluice` runs in-process, one poll loop per
//! stage queue, each handling a few messages at once. In AWS the same
//! [`Machine::handle`] runs inside the stage functions, fed by SQS.

use std::sync::Arc;
use std::time::Duration;

use sluice_app::records;
use sluice_domain::Id;
use sluice_domain::Kind;
use sluice_domain::entities::{Run, RunStatus};
use sluice_domain::pipeline::{
    FINALIZE_QUEUE, MATERIALIZE_QUEUE, MAX_RECEIVES, TRANSFORM_QUEUE, stage_queues,
};
use sluice_domain::ports::{ListQuery, Queue};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::{Machine, Outcome};

/// How long a received message stays hidden while a worker handles it.
pub const VISIBILITY: Duration = Duration::from_secs(60);

/// Every stage queue with its receive limit, for opening a local queue store.
pub fn queues() -> Vec<(String, u32)> {
    stage_queues()
        .into_iter()
        .map(|q| (q, MAX_RECEIVES))
        .collect()
}

/// Running poll loops; [`Workers::stop`] ends them after their current messages.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Workers {
    /// Starts one loop per stage queue; transforms run up to `transforms` at once.
    pub fn spawn(machine: Arc<Machine>, transforms: usize) -> Workers {
        let (stop, rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for c in sluice_domain::connectors::registry() {
            tasks.spawn(poll(machine.clone(), c.queue(), 2, rx.clone()));
        }
        tasks.spawn(poll(
            machine.clone(),
            TRANSFORM_QUEUE.to_string(),
            transforms.clamp(1, 10),
            rx.clone(),
        ));
        tasks.spawn(poll(
            machine.clone(),
            FINALIZE_QUEUE.to_string(),
            2,
            rx.clone(),
        ));
        tasks.spawn(poll(
            machine.clone(),
            MATERIALIZE_QUEUE.to_string(),
            2,
            rx.clone(),
        ));
        for d in sluice_domain::connectors::deliveries() {
            tasks.spawn(poll(machine.clone(), d.queue(), 2, rx.clone()));
        }
        Workers { stop, tasks }
    }

    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

async fn poll(
    machine: Arc<Machine>,
    queue: String,
    at_once: usize,
    mut stop: watch::Receiver<bool>,
) {
    let q: Arc<dyn Queue> = machine.queue().clone();
    let mut idle = Duration::from_millis(10);
    loop {
        if *stop.borrow() {
            return;
        }
        let messages = match q.receive(&queue, at_once as u32, VISIBILITY).await {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(queue = %queue, error = %e, "Receive failed.");
                Vec::new()
            }
        };
        if messages.is_empty() {
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = stop.changed() => return,
            }
            idle = (idle * 2).min(Duration::from_millis(200));
            continue;
        }
        idle = Duration::from_millis(10);
        let mut batch = JoinSet::new();
        for msg in messages {
            let (machine, q, queue) = (machine.clone(), q.clone(), queue.clone());
            batch.spawn(async move {
                match machine.handle(&msg).await {
                    Outcome::Done => {
                        if let Err(e) = q.ack(&queue, &msg.receipt).await {
                            tracing::warn!(queue = %queue, error = %e, "Ack failed; the message will come again.");
                        }
                    }
                    Outcome::Retry(_) => {
                        // Back off: 1 s, 2 s, 4 s, … rather than the whole visibility timeout.
                        let wait = Duration::from_secs(1 << msg.receive_count.min(5).saturating_sub(1));
                        let _ = q.set_visibility(&queue, &msg.receipt, wait).await;
                    }
                    Outcome::Later(wait) => {
                        if machine.put_back(&queue, &msg, wait).await {
                            let _ = q.ack(&queue, &msg.receipt).await;
                        }
                    }
                }
            });
        }
        while batch.join_next().await.is_some() {}
    }
}

/// After a restart: every run of `project` that was queued or running when the
/// process stopped is marked interrupted, then resumed from its records. Returns
/// the runs resumed.
pub async fn recover(machine: &Machine, project: &Id) -> Vec<Id> {
    let store = machine.deps.store.as_ref();
    let page = match store
        .list(&ListQuery {
            project: project.clone(),
            kind: Kind::Run,
            parent: None,
            after: None,
            limit: 200,
        })
        .await
    {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "Could not look for interrupted runs.");
            return vec![];
        }
    };
    let mut resumed = vec![];
    for r in &page.records {
        let Ok(run) = records::from_record::<Run>(r) else {
            continue;
        };
        if !matches!(
            run.status(),
            RunStatus::Running | RunStatus::Queued | RunStatus::Interrupted
        ) {
            continue;
        }
        let now = machine.now();
        let marked = records::update::<Run>(store, project, &run.meta.id, now, |r| {
            // Interrupted already (a restart during the last restart) counts too.
            r.status() == RunStatus::Interrupted || r.interrupt().is_ok()
        })
        .await;
        let Ok(Some(run)) = marked else { continue };
        tracing::info!(run_id = %run.meta.id, "Run interrupted by a restart; resuming.");
        let back =
            records::update::<Run>(store, project, &run.meta.id, now, |r| r.resume(now).is_ok())
                .await;
        if let Ok(Some(run)) = back
            && sluice_app::services::runs::reconcile(&machine.deps, machine.queue(), &run)
                .await
                .is_ok()
        {
            resumed.push(run.meta.id.clone());
        }
    }
    resumed
}
