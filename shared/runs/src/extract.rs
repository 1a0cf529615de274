//! Extract: one bounded step of one stream. Writes raw chunks to the object store,
//! records the chunks and the step, then enqueues one transform per chunk and the
//! next step (or, after the last stream, the finalize check). A database source's
//! chunks are typed columns already: the step maps and stages them itself, so
//! they are never written raw only to be read back, and no transform follows.
//!
//! A redelivered step finds its step record and only enqueues its successors
//! again; the record is written after the chunks, so a step that died halfway is
//! extracted again from the same position and overwrites the same keys.

use std::time::{Duration, Instant};

use serde_json::Value;
use sluice_app::records;
use sluice_connectors::{Budget, StreamRequest};
use sluice_domain::entities::{Meta, RowError, Run, RunKind, RunStatus, StageState};
use sluice_domain::pipeline::{
    Chunk, ChunkStatus, FINALIZE_QUEUE, Message, Step, TRANSFORM_QUEUE, extract_queue, objects,
};
use sluice_domain::ports::RunEventKind;
use sluice_domain::{Id, Kind};

use sluice_engine::datafusion::arrow::array::RecordBatch;

use crate::transform::{self, Rows};
use crate::{Fault, Machine};

/// The longest a message may be delayed on a queue (SQS's limit).
const MAX_DELAY: Duration = Duration::from_secs(900);

pub(crate) async fn handle(m: &Machine, msg: &Message) -> Result<(), Fault> {
    let Message::Extract {
        project,
        run: run_id,
        stream,
        step,
        position,
        chunks_before,
    } = msg
    else {
        return Ok(());
    };
    let (stream, step, chunks_before) = (*stream, *step, *chunks_before);
    let Some(ctx) = m.context(project, run_id).await? else {
        return Ok(());
    };
    if !matches!(ctx.run.status(), RunStatus::Queued | RunStatus::Running) {
        // Paused: resume enqueues this step again. Final: nothing to do.
        return Ok(());
    }
    start_run(m, project, run_id).await?;
    let store = m.deps.store.as_ref();
    let step_id = Step::id_for(run_id, stream, step);
    let done = match records::get::<Step>(store, project, &step_id).await? {
        Some(existing) => existing,
        None => extract_step(m, &ctx, stream, step, position.as_ref()).await?,
    };
    // Successors: the transforms (unless the step mapped its chunks itself),
    // then the next step, stream or the finalize.
    if !done.mapped {
        for chunk in &done.chunks {
            let t = Message::Transform {
                project: project.clone(),
                run: run_id.clone(),
                chunk: chunk.clone(),
            };
            m.queue()
                .send(TRANSFORM_QUEUE, &t.to_json(), Duration::ZERO)
                .await?;
        }
    }
    let chunks_so_far = chunks_before + done.chunks.len() as u64;
    // A rate limit that resets later than a step may sleep: the next step
    // waits for it on the queue (at most SQS's longest delay).
    let delay = Duration::from_millis(done.wait_ms.unwrap_or(0)).min(MAX_DELAY);
    let next = match (&done.next, stream + 1 < ctx.def.streams.len() as u32) {
        (Some(next), _) => Some((stream, step + 1, Some(next.clone()))),
        (None, true) => Some((stream + 1, 0, None)),
        (None, false) => None,
    };
    match next {
        Some((stream, step, position)) => {
            let e = Message::Extract {
                project: project.clone(),
                run: run_id.clone(),
                stream,
                step,
                position,
                chunks_before: chunks_so_far,
            };
            m.queue()
                .send(&extract_queue(&ctx.source.connector), &e.to_json(), delay)
                .await?;
        }
        None => {
            let now = m.now();
            records::update::<Run>(store, project, run_id, now, |r| {
                if r.stages.extract.state == StageState::Succeeded {
                    return false;
                }
                r.stages.extract.finish(StageState::Succeeded, now);
                r.stages.transform.start(now);
                r.chunks_total = Some(chunks_so_far);
                true
            })
            .await?;
            let f = Message::Finalize {
                project: project.clone(),
                run: run_id.clone(),
            };
            m.queue()
                .send(FINALIZE_QUEUE, &f.to_json(), Duration::ZERO)
                .await?;
        }
    }
    Ok(())
}

/// queued → running, once.
async fn start_run(m: &Machine, project: &Id, run_id: &Id) -> Result<(), Fault> {
    let now = m.now();
    let mut started = false;
    let run = records::update::<Run>(m.deps.store.as_ref(), project, run_id, now, |r| {
        started = r.start(now).is_ok();
        started
    })
    .await?;
    if let (true, Some(run)) = (started, run) {
        sluice_app::services::runs::publish(&m.deps, RunEventKind::RunStarted, &run).await;
    }
    Ok(())
}

async fn extract_step(
    m: &Machine,
    ctx: &crate::RunContext,
    stream: u32,
    step: u32,
    position: Option<&Value>,
) -> Result<Step, Fault> {
    let started = Instant::now();
    let run = &ctx.run;
    let project = &run.meta.project_id;
    let selection =
        ctx.def.streams.get(stream as usize).ok_or_else(|| {
            Fault::Permanent(format!("the definition no longer has stream {stream}"))
        })?;
    let extractor = (m.extractors)(&ctx.source.connector, &m.deps.egress).ok_or_else(|| {
        Fault::Permanent(format!(
            "connector `{}` cannot extract in this build",
            ctx.source.connector
        ))
    })?;
    let config = m.source_config(&ctx.source).await?;
    let creds = crate::credentials::SourceCredentials::of(&m.deps.secrets, &ctx.source);
    let cursor = match run.kind {
        RunKind::Incremental => run.start_state.get(&selection.name).cloned(),
        RunKind::Backfill => None,
    };
    let req = StreamRequest {
        credentials: Some(&creds),
        stream: &selection.name,
        config: &config,
        cursor: cursor.as_ref(),
        lookback: Duration::from_secs(u64::from(ctx.def.pipeline.lookback_days) * 86_400),
        window: run.window,
        batch_size: ctx.def.pipeline.batch_size as usize,
        parallelism: ctx.def.pipeline.parallelism as usize,
        files: m.deps.file_access(project),
    };
    let budget = Budget::new(m.limits.step_chunks, m.limits.step_time);
    let out = extractor.step(&req, position, budget).await.map_err(|e| {
        let reason = format!("extracting stream `{}`: {e}", selection.name);
        if e.retryable() {
            Fault::Transient(reason)
        } else {
            Fault::Permanent(reason)
        }
    })?;
    let now = m.now();
    let mut chunk_ids = vec![];
    let mut rows = 0;
    let mut columns = vec![];
    for (index, raw) in out.chunks.into_iter().enumerate() {
        let id = Chunk::id_for(&run.meta.id, stream, step, index as u32);
        let batch = raw.batch;
        let (key, raw_bytes) = match &batch {
            // Mapped below, where it is: nothing raw is written.
            Some(_) => (String::new(), 0),
            None => {
                let key = objects::raw_chunk(project, &run.meta.id, &id, raw.format.extension());
                let raw_bytes = raw.bytes.len() as u64;
                m.objects().put(&key, raw.bytes).await?;
                (key, raw_bytes)
            }
        };
        let mut meta = Meta::new(Kind::Chunk, project, "sluice", now);
        meta.id = id.clone();
        let chunk = Chunk {
            meta,
            run_id: run.meta.id.clone(),
            stream,
            stream_name: selection.name.clone(),
            step,
            index: index as u32,
            format: raw.format,
            raw_key: key,
            raw_bytes,
            rows_in: raw.rows,
            status: ChunkStatus::Extracted,
            staged_key: None,
            rows_written: 0,
            rows_failed: 0,
            rows_skipped: 0,
            errors: raw
                .errors
                .iter()
                .map(|e| RowError {
                    stream: selection.name.clone(),
                    chunk: format!("{stream}.{step}.{index}"),
                    row: Some(e.row),
                    column: None,
                    reason: e.reason.clone(),
                })
                .collect(),
            last_error: None,
            attempts: 0,
            transform_ms: 0,
            transformed_at: None,
        };
        // A chunk written by an earlier delivery keeps its state (it may be
        // transformed already): the raw rows are the same.
        let inserted = records::insert_once(m.deps.store.as_ref(), &chunk).await?;
        rows += raw.rows;
        chunk_ids.push(id);
        if let Some(batch) = batch {
            columns.push((chunk, inserted, batch));
        }
    }
    let mapped = !columns.is_empty();
    map_columns(m, ctx, columns).await?;
    if out.next.is_none() {
        // The stream is read (its last step may have read no rows): the
        // buffers its decoders filled are not kept for it.
        sluice_connectors::buffers::release();
    }
    let mut meta = Meta::new(Kind::Step, project, "sluice", now);
    meta.id = Step::id_for(&run.meta.id, stream, step);
    let record = Step {
        meta,
        run_id: run.meta.id.clone(),
        stream,
        step,
        next: out.next,
        cursor: out.cursor,
        chunks: chunk_ids,
        rows,
        elapsed_ms: started.elapsed().as_millis() as u64,
        wait_ms: out.wait.map(|w| w.as_millis() as u64),
        log: out.log,
        mapped,
    };
    if !records::insert_once(m.deps.store.as_ref(), &record).await? {
        // Another delivery finished first: its record is the one successors follow.
        if let Some(existing) =
            records::get::<Step>(m.deps.store.as_ref(), project, &record.meta.id).await?
        {
            return Ok(existing);
        }
    }
    let elapsed = record.elapsed_ms;
    records::update::<Run>(m.deps.store.as_ref(), project, &run.meta.id, now, |r| {
        r.stages.extract.busy_ms += elapsed;
        r.note(now, &selection.name, &record.log);
        true
    })
    .await?;
    tracing::info!(run_id = %run.meta.id, stream, step, rows, chunks = record.chunks.len(), "Step extracted.");
    sluice_app::services::runs::publish(&m.deps, RunEventKind::RunProgressed, run).await;
    Ok(record)
}

/// Maps and stages the chunks a database source read as columns, as many at once
/// as the machine has cores, and records each as the transform would. Each comes
/// with whether this delivery inserted its record: one an earlier delivery of the
/// step recorded is read again, and not mapped again once transformed (one left
/// `extracted` is: its staged key is the same).
async fn map_columns(
    m: &Machine,
    ctx: &crate::RunContext,
    columns: Vec<(Chunk, bool, RecordBatch)>,
) -> Result<(), Fault> {
    let project = &ctx.run.meta.project_id;
    let store = m.deps.store.as_ref();
    let at_once = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut pending = columns.into_iter().peekable();
    while pending.peek().is_some() {
        let group: Vec<(Chunk, bool, RecordBatch)> = pending.by_ref().take(at_once).collect();
        let mapped = futures_util::future::join_all(group.into_iter().map(
            |(chunk, inserted, batch)| async move {
                let chunk = if inserted {
                    chunk
                } else {
                    match records::get::<Chunk>(store, project, &chunk.meta.id).await? {
                        Some(recorded) => recorded,
                        None => return Ok(()),
                    }
                };
                if chunk.status != ChunkStatus::Extracted {
                    return Ok(());
                }
                let result = transform::stage(m, ctx, &chunk, Rows::Columns(batch)).await;
                let policy = ctx.def.pipeline.error_policy;
                transform::finish(m, project, &ctx.run.meta.id, &chunk, policy, false, result).await
            },
        ))
        .await;
        mapped.into_iter().collect::<Result<Vec<()>, Fault>>()?;
    }
    Ok(())
}
