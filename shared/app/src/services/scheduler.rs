//! The scheduler: a tick finds what is due through the due index (trigger fires,
//! retries, stuck runs, SLA deadlines, backfill windows) and acts on it; run events
//! fire the triggers that wait on upstream data marts and move backfills on.
//!
//! Exactly once under concurrency: a tick claims a trigger's fires with a
//! conditional write (the loser of two ticks, or a tick racing an edit, does
//! nothing), and each fire's run id is derived from the trigger and the fire, so
//! a fire started twice (a tick that stopped half-way, retried) finds its run.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt as _;
use serde::Serialize;
use sluice_domain::entities::{
    Alarm, AlarmKind, Backfill, BackfillStatus, DataMart, Fire, FireOutcome, PendingFire, Project,
    ReportRun, Run, RunKind, RunStatus, RunWindow, Stalled, TargetKind, Trigger, WhenBusy,
};
use sluice_domain::pipeline::{Message, dead_letter_queue, stage_queues};
use sluice_domain::ports::{DueCursor, DueQuery, ListQuery, Queue, Record, RunEvent, RunEventKind};
use sluice_domain::{Id, Kind};

use super::runs::{Launch, Launched, launch, publish, reconcile, retry_failed};
use crate::error::{ServiceError, ServiceResult};
use crate::records;
use crate::{Deps, MissingPart};

/// What the scheduler is given (the `scheduler-*` functions, the local server's
/// timer and bus): the process's parts, and the stage queues it starts runs on,
/// taken when it is built.
#[derive(Clone)]
pub struct Scheduler {
    pub deps: Deps,
    pub queue: Arc<dyn Queue>,
}

impl Scheduler {
    /// The scheduler over `deps`, which must carry the stage queues.
    pub fn new(deps: Deps) -> Result<Scheduler, MissingPart> {
        let queue = deps.take_queue()?;
        Ok(Scheduler { deps, queue })
    }
}

/// Records one tick handles at most; the rest wait for the next tick.
pub const MAX_PER_TICK: usize = 10_000;
/// Due records handled at once.
const CONCURRENCY: usize = 16;
/// How soon a fire waiting for a run slot, or a running backfill, is looked at again.
pub const RECHECK_SECONDS: i64 = 30;
const PAGE: u32 = 500;

/// What one tick did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct TickReport {
    /// Records the due index returned.
    pub due: usize,
    /// Runs started by trigger fires.
    pub started: usize,
    /// Fires skipped (busy target, missed while down, target not runnable).
    pub skipped: usize,
    /// Fires left waiting for a run slot.
    pub waiting: usize,
    /// Failed runs retried by their trigger's policy.
    pub retried: usize,
    /// Stuck runs resumed (or failed after too many stalls).
    pub resumed: usize,
    /// `RunSlaMissed` raised.
    pub sla_missed: usize,
    /// Backfills moved on.
    pub backfills: usize,
    /// Messages found in the stages' dead-letter queues (each raises an alarm).
    pub dead_letters: usize,
    /// Records that could not be handled (logged; tried again next tick).
    pub errors: usize,
}

impl TickReport {
    fn add(&mut self, o: &TickReport) {
        self.due += o.due;
        self.started += o.started;
        self.skipped += o.skipped;
        self.waiting += o.waiting;
        self.retried += o.retried;
        self.resumed += o.resumed;
        self.sla_missed += o.sla_missed;
        self.backfills += o.backfills;
        self.dead_letters += o.dead_letters;
        self.errors += o.errors;
    }
}

/// One scheduler tick at `now`. Cheap when nothing is due: one index query.
pub async fn tick(s: &Scheduler, now: DateTime<Utc>) -> TickReport {
    let span = tracing::info_span!("tick", at = %now.to_rfc3339());
    tracing::Instrument::instrument(tick_now(&s.deps, &s.queue, now), span).await
}

async fn tick_now(deps: &Deps, queue: &Arc<dyn Queue>, now: DateTime<Utc>) -> TickReport {
    let mut report = TickReport::default();
    let mut after: Option<DueCursor> = None;
    while report.due < MAX_PER_TICK {
        let page = match deps
            .store
            .due(&DueQuery {
                until: now.timestamp_millis(),
                after: after.clone(),
                limit: PAGE,
            })
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "Scheduler tick could not read the due index.");
                report.errors += 1;
                break;
            }
        };
        let Some(last) = page.last() else { break };
        after = DueCursor::of(last);
        let full = page.len() as u32 == PAGE;
        report.due += page.len();
        let results: Vec<TickReport> = futures_util::stream::iter(page)
            .map(|r| handle_due(deps, queue, r, now))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for r in &results {
            report.add(r);
        }
        if !full {
            break;
        }
    }
    report.add(&dead_letters(deps, queue, now).await);
    report
}

/// Messages each dead-letter queue is read for at most, each tick.
const DEAD_LETTERS_PER_QUEUE: u32 = 10;

/// Reads each stage's dead-letter queue without taking its messages (they are
/// visible again after a minute, for the operator to redrive or drop): each
/// message raises a `dead_letters` alarm on the data mart (or the report)
/// whose run it carries, counted once per run, so the project sees it in
/// `GET /v1/alarms` and hears of it as the alarm opens.
async fn dead_letters(deps: &Deps, queue: &Arc<dyn Queue>, now: DateTime<Utc>) -> TickReport {
    let mut report = TickReport::default();
    let store = deps.store.as_ref();
    for stage in stage_queues() {
        let dlq = dead_letter_queue(&stage);
        let messages = match queue
            .receive(
                &dlq,
                DEAD_LETTERS_PER_QUEUE,
                std::time::Duration::from_secs(60),
            )
            .await
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(queue = %dlq, error = %e, "A dead-letter queue could not be read.");
                report.errors += 1;
                continue;
            }
        };
        for m in messages {
            report.dead_letters += 1;
            let Ok(message) = serde_json::from_str::<Message>(&m.body) else {
                tracing::warn!(queue = %dlq, message_id = %m.id, "A dead letter that is no stage message.");
                continue;
            };
            let (project, run) = (message.project(), message.run());
            let subject = match Id::kind_of(run.as_str()) {
                Some(Kind::Run) => records::get::<Run>(store, project, run)
                    .await
                    .ok()
                    .flatten()
                    .map(|r| r.data_mart_id.as_id().clone()),
                Some(Kind::ReportRun) => records::get::<ReportRun>(store, project, run)
                    .await
                    .ok()
                    .flatten()
                    .map(|r| r.report_id.as_id().clone()),
                _ => None,
            };
            let Some(subject) = subject else { continue };
            let what = serde_json::to_value(&message)
                .ok()
                .and_then(|v| v["type"].as_str().map(str::to_string))
                .unwrap_or_default();
            super::alarms::raise(
                deps,
                Alarm::raised(
                    project,
                    AlarmKind::DeadLetters,
                    &subject,
                    Some(run),
                    &format!(
                        "the {what} step of run {run} is in the dead-letter queue {dlq} after its tries: retry the run, or redrive the message once its cause is fixed"
                    ),
                    now,
                ),
            )
            .await;
        }
    }
    report
}

async fn handle_due(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    record: Record,
    now: DateTime<Utc>,
) -> TickReport {
    let mut report = TickReport::default();
    let result = match record.kind {
        Kind::Trigger => {
            fire_trigger(deps, queue, &record.project, &record.id, now, &mut report).await
        }
        Kind::Run => check_run(deps, queue, &record.project, &record.id, now, &mut report).await,
        Kind::Backfill => {
            report.backfills += 1;
            advance_backfill(deps, queue, &record.project, &record.id, now).await
        }
        Kind::ReportRun => expire_report_run(deps, &record.project, &record.id, now).await,
        other => {
            tracing::warn!(kind = other.noun(), id = %record.id, "A record of this kind is never due; ignored.");
            Ok(())
        }
    };
    if let Err(e) = result {
        report.errors += 1;
        tracing::error!(kind = record.kind.noun(), id = %record.id, error = %e, "Scheduler could not handle a due record; next tick tries again.");
    }
    report
}

/// Claims a due trigger's fires and starts them.
async fn fire_trigger(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    project: &Id,
    id: &Id,
    now: DateTime<Utc>,
    report: &mut TickReport,
) -> ServiceResult<()> {
    let store = deps.store.as_ref();
    // The index may be stale: act on the trigger as it is now.
    let Some(mut t) = records::get::<Trigger>(store, project, id).await? else {
        return Ok(());
    };
    if t.due().is_none_or(|d| d > now) {
        return Ok(());
    }
    if t.claim_due(now).is_some() {
        match records::replace(store, &mut t, now).await {
            Ok(()) => {}
            // Another tick claimed it, or someone edited it: theirs is the version
            // that counts.
            Err(sluice_domain::ports::StoreError::VersionConflict) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
    start_pending(deps, queue, t, now, report).await
}

/// Starts a trigger's pending fires in order; a busy target keeps them waiting
/// (`when_busy: wait`) or skips them.
async fn start_pending(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    t: Trigger,
    now: DateTime<Utc>,
    report: &mut TickReport,
) -> ServiceResult<()> {
    let mut handled: Vec<(String, Fire)> = vec![];
    for fire in &t.pending {
        let (outcome, run_id, detail) = match start_fire(deps, queue, &t, fire, now).await? {
            FireStart::Started(id) => {
                report.started += 1;
                (FireOutcome::Started, Some(id), None)
            }
            // Another tick started it (or this one, before it stopped half-way).
            FireStart::Exists(id) => (FireOutcome::Started, Some(id), None),
            FireStart::Busy(holder) if t.when_busy == WhenBusy::Skip => {
                report.skipped += 1;
                (
                    FireOutcome::SkippedBusy,
                    None,
                    Some(format!("run {holder} was still running (when_busy: skip)")),
                )
            }
            FireStart::Busy(_) => {
                report.waiting += t.pending.len() - handled.len();
                break;
            }
            FireStart::NotRunnable(why) => {
                report.skipped += 1;
                (FireOutcome::NotRunnable, None, Some(why))
            }
        };
        handled.push((
            fire.key.clone(),
            Fire {
                scheduled_for: fire.scheduled_for,
                fired_at: now,
                cause: fire.cause,
                outcome,
                run_id,
                detail,
            },
        ));
    }
    let apply = |t: &mut Trigger| {
        let mut changed = false;
        for (key, fire) in &handled {
            // Recorded once: a second tick that started the same fire finds it gone.
            if let Some(i) = t.pending.iter().position(|p| &p.key == key) {
                t.pending.remove(i);
                t.record(fire.clone());
                changed = true;
            }
        }
        let wake = (!t.pending.is_empty()).then(|| now + Duration::seconds(RECHECK_SECONDS));
        if wake != t.wake_at {
            t.wake_at = wake;
            changed = true;
        }
        changed
    };
    // The trigger as read is usually still current: write it without reading again.
    let mut current = t;
    if !apply(&mut current) {
        return Ok(());
    }
    match records::replace(deps.store.as_ref(), &mut current, now).await {
        Ok(()) => {}
        Err(sluice_domain::ports::StoreError::VersionConflict) => {
            let (project, id) = (current.meta.project_id.clone(), current.meta.id.clone());
            records::update::<Trigger>(deps.store.as_ref(), &project, &id, now, apply).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

enum FireStart {
    Started(Id),
    Exists(Id),
    Busy(Id),
    NotRunnable(String),
}

async fn start_fire(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    t: &Trigger,
    fire: &PendingFire,
    now: DateTime<Utc>,
) -> ServiceResult<FireStart> {
    let project = &t.meta.project_id;
    if t.target_kind == TargetKind::Report {
        let spec = super::report_runs::ReportLaunch {
            run_id: Id::derived_at(
                Kind::ReportRun,
                fire.scheduled_for.timestamp_millis().max(0) as u64,
                &[t.meta.id.as_str(), &fire.key],
            ),
            created_by: format!("trigger:{}", t.meta.id),
            trigger_id: Some(t.meta.id.clone()),
            parameters: Default::default(),
        };
        use super::report_runs::Launched as Delivery;
        return match super::report_runs::launch(deps, queue, project, &t.target_id, spec, now).await
        {
            Ok(Delivery::Started(run)) => Ok(FireStart::Started(run.meta.id)),
            Ok(Delivery::Exists(id)) => Ok(FireStart::Exists(id)),
            Err(ServiceError::Conflict(why)) => Ok(FireStart::NotRunnable(why)),
            Err(e) => Err(e),
        };
    }
    let Some(mart) = records::get::<DataMart>(deps.store.as_ref(), project, &t.target_id)
        .await?
        .filter(|m| m.meta.deleted_at.is_none())
    else {
        return Ok(FireStart::NotRunnable(format!(
            "data mart {} is deleted",
            t.target_id
        )));
    };
    let run_id = Id::derived_at(
        Kind::Run,
        fire.scheduled_for.timestamp_millis().max(0) as u64,
        &[t.meta.id.as_str(), &fire.key],
    );
    let spec = Launch {
        run_id,
        kind: RunKind::Incremental,
        window: None,
        created_by: format!("trigger:{}", t.meta.id),
        trigger: Some((t.meta.id.clone(), fire.scheduled_for)),
        backfill_id: None,
        retry_policy: (t.retry.max_retries > 0).then(|| t.retry.clone()),
        sla_seconds: t.sla_seconds,
    };
    match launch(deps, queue, &mart, spec, now).await {
        Ok(Launched::Started(run)) => Ok(FireStart::Started(run.meta.id)),
        Ok(Launched::Exists(id)) => Ok(FireStart::Exists(id)),
        Ok(Launched::Busy(holder)) => Ok(FireStart::Busy(holder)),
        Err(ServiceError::Conflict(why)) => Ok(FireStart::NotRunnable(why)),
        Err(e) => Err(e),
    }
}

/// A report run past its deadline: failed, with why and what to do.
async fn expire_report_run(
    deps: &Deps,
    project: &Id,
    id: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let expired = records::update::<sluice_domain::entities::ReportRun>(
        deps.store.as_ref(),
        project,
        id,
        now,
        |r| r.expire(now) == Ok(true),
    )
    .await?;
    if let Some(r) = expired
        && r.status() == sluice_domain::entities::ReportRunStatus::Failed
    {
        tracing::warn!(report_run_id = %id, "Report run stopped past its deadline; failed.");
    }
    Ok(())
}

/// A due run: its SLA ran out, its retry is due, or its lease expired.
async fn check_run(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    project: &Id,
    id: &Id,
    now: DateTime<Utc>,
    report: &mut TickReport,
) -> ServiceResult<()> {
    let store = deps.store.as_ref();
    let Some(run) = records::get::<Run>(store, project, id).await? else {
        return Ok(());
    };
    if run.due().is_none_or(|d| d > now) {
        return Ok(());
    }
    if run.sla_missed_at.is_none()
        && let Some(deadline) = run.sla_deadline()
        && now >= deadline
        && (!run.status().is_final() || run.finished_at.is_some_and(|f| f > deadline))
    {
        let mut won = false;
        let marked = records::update::<Run>(store, project, id, now, |r| {
            won = r.sla_missed_at.is_none();
            if won {
                r.sla_missed_at = Some(now);
            }
            won
        })
        .await?;
        if won && let Some(r) = marked {
            report.sla_missed += 1;
            publish(deps, RunEventKind::RunSlaMissed, &r).await;
            notify_sla(deps, &r, deadline).await;
            let message = format!(
                "run {} was not done {} s after it was due",
                r.meta.id,
                r.sla_seconds.unwrap_or_default()
            );
            let mart = r.data_mart_id.as_id();
            super::alarms::raise(
                deps,
                Alarm::raised(
                    project,
                    AlarmKind::SlaMissed,
                    mart,
                    Some(&r.meta.id),
                    &message,
                    now,
                ),
            )
            .await;
        }
    }
    if run.status() == RunStatus::Failed && run.next_retry_at.is_some_and(|t| t <= now) {
        retry_failed(deps, queue, &run, now).await?;
        report.retried += 1;
        tracing::info!(run_id = %id, attempt = run.attempt + 1, "Run retried by its trigger's policy.");
        return Ok(());
    }
    if run.lease_expires().is_some_and(|l| l <= now) {
        resume_stuck(deps, queue, &run, now).await?;
        report.resumed += 1;
    }
    Ok(())
}

/// A live run nobody moved for a lease: resumed from its records, or failed after
/// `MAX_STALLS` leases in a row without progress.
async fn resume_stuck(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    run: &Run,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    use sluice_domain::entities::{MAX_STALLS, RUN_LEASE_SECONDS};
    let store = deps.store.as_ref();
    let project = &run.meta.project_id;
    let reason = format!(
        "no progress for {} minutes, {MAX_STALLS} times in a row: the run is stuck (its workers stopped, or its messages were lost)",
        RUN_LEASE_SECONDS / 60
    );
    let mut stalled = None;
    let updated = records::update::<Run>(store, project, &run.meta.id, now, |r| {
        stalled = r.stall(&reason, now).ok();
        stalled.is_some()
    })
    .await?;
    let (Some(r), Some(stalled)) = (updated, stalled) else {
        return Ok(());
    };
    let message = if stalled == Stalled::Failed {
        format!(
            "run {} made no progress for {} leases and failed",
            r.meta.id, r.stalls
        )
    } else {
        format!(
            "run {} made no progress for a lease ({} in a row); resumed from its records",
            r.meta.id, r.stalls
        )
    };
    // Each stall of a run counts: the run is no key to skip a repeat here (the
    // stall's compare-and-swap above already happened once).
    super::alarms::raise(
        deps,
        Alarm::raised(
            project,
            AlarmKind::StuckRunResumed,
            r.data_mart_id.as_id(),
            None,
            &message,
            now,
        ),
    )
    .await;
    if stalled == Stalled::Failed {
        tracing::warn!(run_id = %r.meta.id, "Stuck run failed.");
        if r.next_retry_at.is_none() {
            publish(deps, RunEventKind::RunFailed, &r).await;
        }
    } else {
        tracing::warn!(run_id = %r.meta.id, stalls = r.stalls, "Run made no progress for a lease; resuming it from its records.");
        reconcile(deps, queue, &r).await?;
    }
    Ok(())
}

/// Posts an SLA miss to the project's webhook, if it has one. Best effort: the
/// event is on the bus either way.
async fn notify_sla(deps: &Deps, run: &Run, deadline: DateTime<Utc>) {
    let Some(notifier) = &deps.notifier else {
        return;
    };
    let project = &run.meta.project_id;
    let webhook = match records::get::<Project>(deps.store.as_ref(), project, project).await {
        Ok(Some(p)) => p.webhook,
        _ => None,
    };
    let Some(webhook) = webhook else { return };
    let url = match deps.secrets.get(&webhook.secret_ref).await {
        Ok(Some(v)) => serde_json::from_str::<serde_json::Value>(v.expose())
            .ok()
            .and_then(|v| v.get("url").and_then(|u| u.as_str()).map(str::to_string)),
        _ => None,
    };
    let Some(url) = url else {
        tracing::warn!(project_id = %project, "The project's webhook secret is missing; SLA notification not sent.");
        return;
    };
    let payload = serde_json::json!({
        "event": "RunSlaMissed",
        "project_id": project,
        "run_id": run.meta.id,
        "data_mart_id": run.data_mart_id,
        "trigger_id": run.trigger_id,
        "sla_seconds": run.sla_seconds,
        "deadline": deadline,
        "status": run.status(),
        "started_at": run.started_at,
    });
    if let Err(e) = notifier.notify(&url, &payload).await {
        tracing::warn!(run_id = %run.meta.id, origin = %webhook.origin, error = %e, "SLA notification not delivered.");
    }
}

/// Starts a backfill's next windows while its data mart has free run slots, and
/// closes it when every window's run is over.
pub async fn advance_backfill(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    project: &Id,
    id: &Id,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let store = deps.store.as_ref();
    let Some(mut b) = records::get::<Backfill>(store, project, id).await? else {
        return Ok(());
    };
    if b.status() != BackfillStatus::Running {
        return Ok(());
    }
    for w in b.windows.iter_mut() {
        if let Some(run_id) = &w.run_id
            && !w.status.is_some_and(RunStatus::is_final)
            && let Some(run) = records::get::<Run>(store, project, run_id).await?
        {
            w.status = Some(run.status());
        }
    }
    let mart = records::get::<DataMart>(store, project, &b.data_mart_id)
        .await?
        .filter(|m| m.meta.deleted_at.is_none());
    let mut blocked = None;
    match &mart {
        None => blocked = Some(format!("data mart {} is deleted", b.data_mart_id)),
        Some(mart) => {
            for i in 0..b.windows.len() {
                if b.windows[i].run_id.is_some() {
                    continue;
                }
                let spec = Launch {
                    run_id: b.run_id_for(i),
                    kind: RunKind::Backfill,
                    window: Some(RunWindow {
                        from: b.windows[i].from,
                        to: b.windows[i].to,
                    }),
                    created_by: b.meta.created_by.clone(),
                    trigger: None,
                    backfill_id: Some(b.meta.id.clone()),
                    retry_policy: None,
                    sla_seconds: None,
                };
                match launch(deps, queue, mart, spec, now).await {
                    Ok(Launched::Started(run)) => {
                        b.windows[i].run_id = Some(run.meta.id);
                        b.windows[i].status = Some(RunStatus::Queued);
                    }
                    Ok(Launched::Exists(id)) => {
                        b.windows[i].run_id = Some(id);
                        b.windows[i].status.get_or_insert(RunStatus::Queued);
                    }
                    Ok(Launched::Busy(_)) => break,
                    Err(ServiceError::Conflict(why)) => {
                        blocked = Some(why);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    if b.settle(blocked.as_deref(), now) == BackfillStatus::Failed
        && let Some(why) = &blocked
    {
        tracing::warn!(backfill_id = %b.meta.id, reason = %why, "Backfill cannot go on.");
    }
    b.wake_at = Some(now + Duration::seconds(RECHECK_SECONDS));
    match records::replace(store, &mut b, now).await {
        // Another tick moved it on; its windows' runs exist, ours found them.
        Ok(()) | Err(sluice_domain::ports::StoreError::VersionConflict) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reacts to a run event: upstream success fires dependants; any end of a run
/// moves its data mart's backfills and waiting fires on. Idempotent: an event
/// delivered twice fires nothing twice.
pub async fn on_event(s: &Scheduler, event: &RunEvent) -> ServiceResult<TickReport> {
    let span = tracing::info_span!(
        "run_event",
        kind = ?event.kind,
        project = %event.project_id,
        run_id = %event.run_id,
    );
    tracing::Instrument::instrument(react(&s.deps, &s.queue, event), span).await
}

async fn react(deps: &Deps, queue: &Arc<dyn Queue>, event: &RunEvent) -> ServiceResult<TickReport> {
    let mut report = TickReport::default();
    let now = deps.clock.now();
    let store = deps.store.as_ref();
    let project = &event.project_id;
    match event.kind {
        RunEventKind::RunSucceeded | RunEventKind::RunFailed => {
            super::notifications::run_ended(deps, event).await;
        }
        RunEventKind::ReportRunSucceeded | RunEventKind::ReportRunFailed => {
            super::notifications::run_ended(deps, event).await;
            if event.kind == RunEventKind::ReportRunFailed {
                raise_delivery_failing(deps, event, now).await?;
            }
            return Ok(report);
        }
        _ => return Ok(report),
    }
    if event.kind == RunEventKind::RunFailed
        && let Some(run) = records::get::<Run>(store, project, &event.run_id).await?
        && run.status() == RunStatus::Failed
        && run.next_retry_at.is_none()
    {
        let message = run.error.as_deref().unwrap_or("the run failed");
        let mart = run.data_mart_id.as_id();
        super::alarms::raise(
            deps,
            Alarm::raised(
                project,
                AlarmKind::RunFailed,
                mart,
                Some(&run.meta.id),
                message,
                now,
            ),
        )
        .await;
    }
    if event.kind == RunEventKind::RunSucceeded {
        for t in project_triggers(deps, project).await? {
            let Some(up) = &t.upstream else { continue };
            if !t.enabled || !up.data_mart_ids.contains(&event.data_mart_id) {
                continue;
            }
            let mut fired = false;
            let updated = records::update::<Trigger>(store, project, &t.meta.id, now, |t| {
                let new = !t.upstream_seen.contains(&event.run_id);
                fired = t
                    .upstream_succeeded(&event.data_mart_id, &event.run_id, event.at)
                    .is_some();
                // Counted now (and maybe fired); a run seen before changes nothing.
                new && t.upstream_seen.contains(&event.run_id)
            })
            .await?;
            if let Some(t) = updated.filter(|t| !t.pending.is_empty()) {
                if fired {
                    tracing::info!(trigger_id = %t.meta.id, upstream = %event.data_mart_id, "Upstream succeeded; firing.");
                }
                start_pending(deps, queue, t, now, &mut report).await?;
            }
        }
    }
    // The run gave its slot back: what waits for this data mart may start.
    let backfills: Vec<Backfill> = records::list_all(store, project, &event.data_mart_id).await?;
    for b in backfills
        .iter()
        .filter(|b| b.status() == BackfillStatus::Running)
    {
        advance_backfill(deps, queue, project, &b.meta.id, now).await?;
        report.backfills += 1;
    }
    let waiting: Vec<Trigger> = records::list_all(store, project, &event.data_mart_id).await?;
    for t in waiting.into_iter().filter(|t| !t.pending.is_empty()) {
        start_pending(deps, queue, t, now, &mut report).await?;
    }
    Ok(report)
}

/// A report run that failed raises its report's `delivery_failing` alarm.
async fn raise_delivery_failing(
    deps: &Deps,
    event: &RunEvent,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let project = &event.project_id;
    let Some(run) = records::get::<ReportRun>(deps.store.as_ref(), project, &event.run_id).await?
    else {
        return Ok(());
    };
    let message = run.error.as_deref().unwrap_or("the delivery failed");
    super::alarms::raise(
        deps,
        Alarm::raised(
            project,
            AlarmKind::DeliveryFailing,
            run.report_id.as_id(),
            Some(&run.meta.id),
            message,
            now,
        ),
    )
    .await;
    Ok(())
}

/// Every live trigger of a project (the dependency graph is made of them).
pub async fn project_triggers(deps: &Deps, project: &Id) -> ServiceResult<Vec<Trigger>> {
    let mut out = vec![];
    let mut after = None;
    loop {
        let page = deps
            .store
            .list(&ListQuery {
                project: project.clone(),
                kind: Kind::Trigger,
                parent: None,
                after,
                limit: 1000,
            })
            .await?;
        for r in &page.records {
            out.push(records::from_record::<Trigger>(r)?);
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}
