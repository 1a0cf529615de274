//! Runs: start one, follow it, pause, resume, cancel, retry; query the table it
//! landed; preview a mapping. The stages themselves run in the run machinery
//! (`sluice-runs`); this module only writes records and enqueues claim checks, so
//! the API functions link no engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use sluice_domain::entities::{
    DataMart, DataMartStatus, Definition, Run, RunCounters, RunKind, RunProgress, StageState,
    StartRun, Storage,
};
use sluice_domain::pipeline::{
    Chunk, ChunkStatus, ConnectorState, FINALIZE_QUEUE, MATERIALIZE_QUEUE, Message, Step,
    TRANSFORM_QUEUE, extract_queue, objects,
};
use sluice_domain::ports::{Queue, QueueError, RunEvent, RunEventKind, StoreError, TableRef};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, List, Page, list_page, load, load_any};
use crate::error::{ServiceError, ServiceResult};
use crate::ports::{Preview, PreviewRequest, Previewer, QueryResult};
use crate::records;
use crate::{Deps, Querying};

/// `page.parent`: only the runs of this data mart.
pub async fn list(ctx: &Ctx<'_>, page: &Page) -> ServiceResult<List<Run>> {
    list_page::<Run>(ctx, page).await
}

/// `GET /v1/data-marts/{id}/runs`: that data mart's runs, newest first (a
/// deleted data mart's too).
pub async fn list_of_data_mart(
    ctx: &Ctx<'_>,
    mart_id: &IdOf<DataMart>,
    page: Page,
) -> ServiceResult<List<Run>> {
    let mart = load_any::<DataMart>(ctx, mart_id).await?;
    let page = Page {
        parent: Some(mart.meta.id),
        ..page
    };
    list_page::<Run>(ctx, &page).await
}

pub async fn get(ctx: &Ctx<'_>, id: &IdOf<Run>) -> ServiceResult<Run> {
    let run = load::<Run>(ctx, id).await?;
    with_progress(ctx.deps, run, ctx.now).await
}

/// The run with counters, progress and throughput computed from its chunks.
pub async fn with_progress(
    deps: &Deps,
    mut run: Run,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Run> {
    if run.status().is_final() && run.progress.chunks_total > 0 {
        return Ok(run);
    }
    let chunks: Vec<Chunk> =
        records::list_all(deps.store.as_ref(), &run.meta.project_id, &run.meta.id).await?;
    let mut counters = RunCounters::default();
    let mut progress = RunProgress {
        chunks_total: run
            .chunks_total
            .unwrap_or(chunks.len() as u64)
            .max(chunks.len() as u64),
        ..RunProgress::default()
    };
    let mut busy = 0;
    for c in &chunks {
        counters.rows_read += c.rows_in;
        match c.status {
            ChunkStatus::Transformed => {
                progress.chunks_done += 1;
                counters.rows_written += c.rows_written;
                counters.rows_failed += c.rows_failed;
                counters.rows_skipped += c.rows_skipped;
                busy += c.transform_ms;
            }
            ChunkStatus::Failed => {
                progress.chunks_failed += 1;
                counters.rows_failed +=
                    c.rows_failed.max(c.rows_in - c.rows_written.min(c.rows_in));
            }
            ChunkStatus::Extracted => {}
        }
    }
    if progress.chunks_total > 0 {
        progress.fraction = progress.chunks_done as f64 / progress.chunks_total as f64;
    }
    if let Some(started) = run.started_at {
        let end = run.finished_at.unwrap_or(now);
        let secs = (end - started).num_milliseconds().max(1) as f64 / 1000.0;
        progress.rows_per_second = (counters.rows_written as f64 / secs).round();
    }
    if !run.status().is_final() {
        run.counters = counters;
        run.stages.transform.busy_ms = busy;
        if progress.chunks_done > 0 && run.stages.transform.state == StageState::Pending {
            run.stages.transform.state = StageState::Running;
        }
    }
    run.progress = progress;
    Ok(run)
}

/// `POST /v1/data-marts/{id}/runs`
pub async fn start(
    ctx: &Ctx<'_>,
    queue: &Arc<dyn Queue>,
    mart_id: &IdOf<DataMart>,
    body: StartRun,
) -> ServiceResult<Run> {
    let (kind, window) = body.validate()?;
    let mart = load::<DataMart>(ctx, mart_id).await?;
    mart.ensure_live()?;
    let spec = Launch {
        run_id: Id::generate(Kind::Run, ctx.now.timestamp_millis().max(0) as u64),
        kind,
        window,
        created_by: ctx.principal.subject.clone(),
        trigger: None,
        backfill_id: None,
        retry_policy: None,
        sla_seconds: None,
    };
    match launch(ctx.deps, queue, &mart, spec, ctx.now).await? {
        Launched::Started(run) => Ok(*run),
        Launched::Busy(holder) => Err(ServiceError::Conflict(format!(
            "data mart {} already runs its limit of {} run(s) (run {holder}); wait for it, or cancel it",
            mart.meta.id,
            max_active_runs(&mart)
        ))),
        Launched::Exists(id) => Err(ServiceError::Conflict(format!("run {id} exists already"))),
    }
}

/// What starts a run: the API, a trigger fire, a backfill window.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Derived from the fire or window for scheduled runs, so a second start of the
    /// same fire finds the first.
    pub run_id: Id,
    pub kind: RunKind,
    pub window: Option<sluice_domain::entities::RunWindow>,
    pub created_by: String,
    /// The trigger and the fire time.
    pub trigger: Option<(Id, chrono::DateTime<chrono::Utc>)>,
    pub backfill_id: Option<Id>,
    pub retry_policy: Option<sluice_domain::entities::RetryPolicy>,
    pub sla_seconds: Option<u32>,
}

#[derive(Debug)]
pub enum Launched {
    Started(Box<Run>),
    /// The data mart runs its `max_active_runs`; this run holds one of them.
    Busy(Id),
    /// A run with this id was started before (by another tick).
    Exists(Id),
}

pub fn max_active_runs(mart: &DataMart) -> u32 {
    match &mart.definition {
        Some(Definition::Connector(def)) => def.pipeline.max_active_runs.max(1),
        _ => 1,
    }
}

/// Starts a run of `mart`: takes one of its run slots, writes the run, queues its
/// first extraction and announces it. A conflict (no connector definition, a
/// draft, a deleted source) says why the mart cannot run.
pub async fn launch(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    mart: &DataMart,
    spec: Launch,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Launched> {
    let project = &mart.meta.project_id;
    let store = deps.store.as_ref();
    let Some(definition) = &mart.definition else {
        return Err(ServiceError::Conflict(format!(
            "data mart {} has no definition yet; set one and publish it before running it",
            mart.meta.id
        )));
    };
    if mart.status != DataMartStatus::Published {
        return Err(ServiceError::Conflict(format!(
            "data mart {} is a draft; publish it before running it",
            mart.meta.id
        )));
    }
    // Where the run's first message goes, and what it says.
    let (first_queue, connector) = match definition {
        Definition::Connector(def) => {
            let connector = connector_of(deps, project, &def.source_id).await?;
            (extract_queue(&connector), Some(connector))
        }
        _ => {
            if spec.window.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "data mart {} is read by a query, not extracted: it has no windows to backfill",
                    mart.meta.id
                )));
            }
            (MATERIALIZE_QUEUE.to_string(), None)
        }
    };
    if let Some(holder) = super::slots::take(deps, mart, &spec.run_id, now).await? {
        return Ok(Launched::Busy(holder));
    }
    let start_state = match spec.kind {
        RunKind::Incremental if connector.is_some() => {
            records::get::<ConnectorState>(store, project, &ConnectorState::id_for(&mart.meta.id))
                .await?
                .map(|s| s.cursors)
                .unwrap_or_default()
        }
        _ => Default::default(),
    };
    let mut meta = sluice_domain::entities::Meta::new(Kind::Run, project, &spec.created_by, now);
    meta.id = spec.run_id.clone();
    let mut run = Run::queued(meta, IdOf::of_record(mart), spec.kind);
    run.window = spec.window;
    run.start_state = start_state;
    run.trigger_id = spec.trigger.as_ref().map(|(t, _)| t.clone());
    run.scheduled_for = spec.trigger.map(|(_, at)| at);
    run.backfill_id = spec.backfill_id;
    run.retry_policy = spec.retry_policy;
    run.sla_seconds = spec.sla_seconds;
    run.heartbeat_at = Some(now);
    if !records::insert_once(store, &run).await? {
        return Ok(Launched::Exists(run.meta.id));
    }
    let first = match connector {
        Some(_) => Message::Extract {
            project: project.clone(),
            run: run.meta.id.clone(),
            stream: 0,
            step: 0,
            position: None,
            chunks_before: 0,
        },
        None => Message::Materialize {
            project: project.clone(),
            run: run.meta.id.clone(),
        },
    };
    let sent = queue
        .send(&first_queue, &first.to_json(), std::time::Duration::ZERO)
        .await;
    if let Err(e) = sent {
        // Nothing will move the run: it ends failed, so it holds no slot and no
        // one waits on it, and the caller hears why.
        let (reason, err) = match e {
            QueueError::NoSuchQueue(_) => {
                let reason = match &connector {
                    Some(c) => format!(
                        "connector `{c}` has no extraction in this deployment; its data marts cannot run"
                    ),
                    None => "this deployment has no materialize queue; data marts read by a query cannot run".to_string(),
                };
                (reason.clone(), ServiceError::Conflict(reason))
            }
            other => (
                "the run could not be queued; start it again".to_string(),
                ServiceError::from(other),
            ),
        };
        records::update::<Run>(store, project, &run.meta.id, now, |r| {
            r.fail(&reason, now).is_ok()
        })
        .await?;
        return Err(err);
    }
    publish(deps, RunEventKind::RunQueued, &run).await;
    Ok(Launched::Started(Box::new(run)))
}

/// Publishes a run event; a bus outage never fails the run.
pub async fn publish(deps: &Deps, kind: RunEventKind, run: &Run) {
    if let Some(bus) = &deps.bus {
        let event = RunEvent {
            kind,
            project_id: run.meta.project_id.clone(),
            run_id: run.meta.id.clone(),
            data_mart_id: run.data_mart_id.as_id().clone(),
            at: deps.clock.now(),
        };
        if let Err(e) = bus.publish(&event).await {
            tracing::warn!(run_id = %run.meta.id, error = %e, "Run event not published.");
        }
    }
}

/// Applies one transition of the run machine to the stored run (again on every
/// compare-and-swap try); a 409 saying why when its status refuses it.
async fn transition(
    deps: &Deps,
    run: &Run,
    now: chrono::DateTime<chrono::Utc>,
    apply: impl Fn(&mut Run) -> Result<(), sluice_domain::DomainError>,
) -> ServiceResult<Run> {
    transition_of(deps, &run.meta.project_id, &run.meta.id, now, apply).await
}

/// Applies one state change of record `id` (a run, a report run) to the stored
/// record, again on every compare-and-swap try; a 409 saying why when its
/// state refuses it.
pub(crate) async fn transition_of<T: sluice_domain::entities::Entity>(
    deps: &Deps,
    project: &Id,
    id: &Id,
    now: chrono::DateTime<chrono::Utc>,
    apply: impl Fn(&mut T) -> Result<(), sluice_domain::DomainError>,
) -> ServiceResult<T> {
    let mut refused = None;
    let updated = records::update::<T>(deps.store.as_ref(), project, id, now, |r| {
        refused = apply(r).err();
        refused.is_none()
    })
    .await?
    .ok_or_else(|| ServiceError::not_found(T::KIND, id.as_str()))?;
    match refused {
        Some(e) => Err(e.into()),
        None => Ok(updated),
    }
}

/// `POST /v1/runs/{id}/pause`: workers stop taking its chunks; resume continues.
pub async fn pause(ctx: &Ctx<'_>, id: &IdOf<Run>) -> ServiceResult<Run> {
    let run = load::<Run>(ctx, id).await?;
    let run = transition(ctx.deps, &run, ctx.now, Run::pause).await?;
    publish(ctx.deps, RunEventKind::RunPaused, &run).await;
    Ok(run)
}

/// `POST /v1/runs/{id}/resume`
pub async fn resume(ctx: &Ctx<'_>, queue: &Arc<dyn Queue>, id: &IdOf<Run>) -> ServiceResult<Run> {
    let run = load::<Run>(ctx, id).await?;
    let run = transition(ctx.deps, &run, ctx.now, |r| r.resume(ctx.now)).await?;
    reconcile(ctx.deps, queue, &run).await?;
    publish(ctx.deps, RunEventKind::RunResumed, &run).await;
    Ok(run)
}

/// `POST /v1/runs/{id}/cancel`: nothing more is committed; staged data is dropped.
pub async fn cancel(ctx: &Ctx<'_>, id: &IdOf<Run>) -> ServiceResult<Run> {
    let run = load::<Run>(ctx, id).await?;
    cancel_run(ctx.deps, &run, ctx.now).await
}

/// Cancels a run that is not over (the API's cancel, a cancelled backfill's
/// runs): its staged data is dropped and its end announced.
pub async fn cancel_run(
    deps: &Deps,
    run: &Run,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Run> {
    let run = transition(deps, run, now, |r| r.cancel(now)).await?;
    drop_run_objects(deps, &run.meta.project_id, &run.meta.id).await;
    publish(deps, RunEventKind::RunFailed, &run).await;
    Ok(run)
}

/// Removes a run's raw and staged chunks (after it succeeded, or was cancelled).
/// Best effort: in AWS the bucket's lifecycle rule removes what is left after 14
/// days; a stage still in flight for a cancelled run may write one more object.
pub async fn drop_run_objects(deps: &Deps, project: &Id, run: &Id) {
    let Some(objects) = &deps.objects else { return };
    let prefix = objects::run(project, run);
    match objects.list(&prefix).await {
        Ok(list) => {
            for o in list {
                if let Err(e) = objects.delete(&o.key).await {
                    tracing::warn!(run_id = %run, error = %e, "A run object was not removed.");
                }
            }
        }
        Err(e) => tracing::warn!(run_id = %run, error = %e, "Run objects not listed for removal."),
    }
}

/// `POST /v1/runs/{id}/retry`: a failed run starts again from its failed chunks
/// (and from where extraction stopped), keeping what already succeeded.
pub async fn retry(ctx: &Ctx<'_>, queue: &Arc<dyn Queue>, id: &IdOf<Run>) -> ServiceResult<Run> {
    let run = load::<Run>(ctx, id).await?;
    retry_failed(ctx.deps, queue, &run, ctx.now).await
}

/// Starts the next attempt of a failed run: its failed chunks go back to the
/// transform, the attempt that failed is filed in `attempts`. The API's retry
/// and the scheduler's (a trigger's retry policy) both come here.
pub async fn retry_failed(
    deps: &Deps,
    queue: &Arc<dyn Queue>,
    run: &Run,
    now: chrono::DateTime<chrono::Utc>,
) -> ServiceResult<Run> {
    let id = &run.meta.id;
    let project = &run.meta.project_id;
    let store = deps.store.as_ref();
    // Refused here already, before a slot is taken or a chunk is touched.
    run.clone().retry(now)?;
    // A run whose retry is not pending gave its slot back: take one again.
    if run.next_retry_at.is_none() {
        let mart = records::get::<DataMart>(store, project, &run.data_mart_id)
            .await?
            .ok_or_else(|| {
                ServiceError::Conflict(format!("data mart {} is gone", run.data_mart_id))
            })?;
        if let Some(holder) = super::slots::take(deps, &mart, id, now).await? {
            return Err(ServiceError::Conflict(format!(
                "data mart {} already runs its limit of {} run(s) (run {holder}); retry when it is done",
                mart.meta.id,
                max_active_runs(&mart)
            )));
        }
    }
    // Failed chunks go back to the transform, as they were extracted.
    let chunks: Vec<Chunk> = records::list_all(store, project, id).await?;
    for c in chunks.iter().filter(|c| c.status == ChunkStatus::Failed) {
        records::update::<Chunk>(store, project, &c.meta.id, now, |c| {
            if c.status != ChunkStatus::Failed {
                return false;
            }
            c.status = ChunkStatus::Extracted;
            c.attempts = 0;
            c.last_error = None;
            c.errors.clear();
            c.rows_failed = 0;
            c.rows_skipped = 0;
            c.rows_written = 0;
            true
        })
        .await?;
    }
    let run = transition(deps, run, now, |r| r.retry(now)).await?;
    reconcile(deps, queue, &run).await?;
    publish(deps, RunEventKind::RunStarted, &run).await;
    Ok(run)
}

/// Enqueues every piece of outstanding work of a run from its durable records:
/// the next extraction step, each chunk still waiting for its transform, and the
/// finalize check. Every stage is idempotent, so enqueueing something twice costs
/// a little time and never a duplicate row.
pub async fn reconcile(deps: &Deps, queue: &Arc<dyn Queue>, run: &Run) -> ServiceResult<()> {
    let project = &run.meta.project_id;
    let store = deps.store.as_ref();
    let mart = records::get::<DataMart>(store, project, &run.data_mart_id)
        .await?
        .ok_or_else(|| ServiceError::Conflict(format!("data mart {} is gone", run.data_mart_id)))?;
    let def = match &mart.definition {
        Some(Definition::Connector(def)) => def,
        Some(_) => {
            // Its one message does the whole run again.
            let m = Message::Materialize {
                project: project.clone(),
                run: run.meta.id.clone(),
            };
            queue
                .send(MATERIALIZE_QUEUE, &m.to_json(), std::time::Duration::ZERO)
                .await?;
            return Ok(());
        }
        None => {
            return Err(ServiceError::Conflict(format!(
                "data mart {} has no definition",
                mart.meta.id
            )));
        }
    };
    let source = records::get::<sluice_domain::entities::Source>(store, project, &def.source_id)
        .await?
        .ok_or_else(|| ServiceError::Conflict(format!("source {} is gone", def.source_id)))?;
    let steps: Vec<Step> = records::list_all(store, project, &run.meta.id).await?;
    let mut by_stream: BTreeMap<u32, Vec<&Step>> = BTreeMap::new();
    let mut chunks_before = 0;
    for s in &steps {
        by_stream.entry(s.stream).or_default().push(s);
    }
    let mut extraction_done = true;
    for stream in 0..def.streams.len() as u32 {
        let mut mine = by_stream.remove(&stream).unwrap_or_default();
        mine.sort_by_key(|s| s.step);
        chunks_before += mine.iter().map(|s| s.chunks.len() as u64).sum::<u64>();
        let last = mine.last();
        let (step, position) = match last {
            None => (0, None),
            Some(s) if s.next.is_some() => (s.step + 1, s.next.clone()),
            Some(_) => continue,
        };
        extraction_done = false;
        let m = Message::Extract {
            project: project.clone(),
            run: run.meta.id.clone(),
            stream,
            step,
            position,
            chunks_before,
        };
        queue
            .send(
                &extract_queue(&source.connector),
                &m.to_json(),
                std::time::Duration::ZERO,
            )
            .await?;
        break;
    }
    let chunks: Vec<Chunk> = records::list_all(store, project, &run.meta.id).await?;
    for c in chunks.iter().filter(|c| c.status == ChunkStatus::Extracted) {
        let m = Message::Transform {
            project: project.clone(),
            run: run.meta.id.clone(),
            chunk: c.meta.id.clone(),
        };
        queue
            .send(TRANSFORM_QUEUE, &m.to_json(), std::time::Duration::ZERO)
            .await?;
    }
    if extraction_done {
        let m = Message::Finalize {
            project: project.clone(),
            run: run.meta.id.clone(),
        };
        queue
            .send(FINALIZE_QUEUE, &m.to_json(), std::time::Duration::ZERO)
            .await?;
    }
    Ok(())
}

/// `POST /v1/data-marts/{id}/query`
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    /// Read-only SQL; `${DATA_MART_TABLE}` names this data mart's table.
    pub sql: String,
    /// Rows per page, 1-10,000 (default 100).
    #[serde(default)]
    pub page_size: Option<u32>,
    /// The `next_page` of the previous page.
    #[serde(default)]
    pub page: Option<String>,
}

pub const TABLE_MACRO: &str = "${DATA_MART_TABLE}";

/// The data mart's table with the settings of the storage it names, so the
/// warehouse works in that storage's place (Athena: its region, database,
/// workgroup and result location).
pub async fn table_of(deps: &Deps, mart: &DataMart) -> Result<TableRef, StoreError> {
    let mut table = objects::table_ref(mart);
    let storage =
        records::get::<Storage>(deps.store.as_ref(), &mart.meta.project_id, &mart.storage_id)
            .await?;
    table.storage = storage.map(|s| s.config);
    Ok(table)
}

pub async fn query(
    ctx: &Ctx<'_>,
    querying: &Querying,
    mart_id: &IdOf<DataMart>,
    body: QueryRequest,
) -> ServiceResult<QueryResult> {
    let mart = load::<DataMart>(ctx, mart_id).await?;
    if body.sql.trim().is_empty() {
        return Err(ServiceError::invalid("sql", "must not be empty"));
    }
    if body.sql.len() > 100_000 {
        return Err(ServiceError::invalid(
            "sql",
            "must be at most 100000 characters",
        ));
    }
    let page_size = body.page_size.unwrap_or(100);
    if !(1..=10_000).contains(&page_size) {
        return Err(ServiceError::invalid(
            "page_size",
            "must be from 1 to 10000",
        ));
    }
    let read = super::relations::reading(ctx.deps, &querying.objects, &mart, &body.sql).await?;
    let page = querying
        .warehouse
        .query(
            ctx.project(),
            &read.tables,
            &read.sql,
            page_size,
            body.page.as_deref(),
        )
        .await?;
    Ok(QueryResult {
        columns: page.columns,
        rows: page.rows,
        next_page: page.next_page,
    })
}

pub async fn preview(
    ctx: &Ctx<'_>,
    engine: &dyn Previewer,
    mart_id: &IdOf<DataMart>,
    body: PreviewRequest,
) -> ServiceResult<Preview> {
    let mart = load::<DataMart>(ctx, mart_id).await?;
    let definition = match &body.definition {
        Some(v) => {
            let d = Definition::from_json(v.clone())?;
            if let Some(p) = d.problems().into_iter().next() {
                return Err(ServiceError::invalid(p.field, p.reason));
            }
            d
        }
        None => mart.definition.clone().ok_or_else(|| {
            ServiceError::invalid(
                "definition",
                "the data mart has no definition yet; send one to preview",
            )
        })?,
    };
    if !matches!(definition, Definition::Connector(_)) {
        return Err(ServiceError::invalid(
            "definition.kind",
            "previews are for connector definitions",
        ));
    }
    if let Some(l) = body.limit
        && !(1..=1000).contains(&l)
    {
        return Err(ServiceError::invalid("limit", "must be from 1 to 1000"));
    }
    engine.preview(ctx.deps, &mart, definition, &body).await
}

async fn connector_of(deps: &Deps, project: &Id, source_id: &Id) -> ServiceResult<String> {
    records::get::<sluice_domain::entities::Source>(deps.store.as_ref(), project, source_id)
        .await?
        .filter(|s| s.meta.deleted_at.is_none())
        .map(|s| s.connector)
        .ok_or_else(|| {
            ServiceError::Conflict(format!("source {source_id} of this data mart is gone"))
        })
}
