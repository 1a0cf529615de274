//! Transform: one chunk through the compiled mapping into staged Parquet, under a
//! key made of the run and chunk ids. The chunk record moves `extracted` →
//! `transformed` (or `failed`) by compare-and-swap, so a redelivered message finds
//! the work done.

use std::time::Instant;

use sluice_app::records;
use sluice_domain::Id;
use sluice_domain::entities::{ErrorPolicy, MAX_ERROR_LOG, RowError, RunStatus};
use sluice_domain::pipeline::{Chunk, ChunkStatus, objects};
use sluice_domain::ports::RunEventKind;
use sluice_engine::datafusion::arrow::array::RecordBatch;
use sluice_engine::transform as engine;

use crate::{Fault, Machine, leases};

pub(crate) async fn handle(
    m: &Machine,
    project: &Id,
    run_id: &Id,
    chunk_id: &Id,
    last_try: bool,
) -> Result<(), Fault> {
    let store = m.deps.store.as_ref();
    let Some(chunk) = records::get::<Chunk>(store, project, chunk_id).await? else {
        return Ok(());
    };
    if chunk.status != ChunkStatus::Extracted {
        return Ok(());
    }
    let Some(ctx) = m.context(project, run_id).await? else {
        return Ok(());
    };
    if ctx.run.status() != RunStatus::Running {
        // Paused: resume enqueues it again. Final: nothing to do.
        return Ok(());
    }
    let policy = ctx.def.pipeline.error_policy;
    // At most `parallelism` chunks of this run in flight: waiting in this process
    // first, then a lease counted across every process.
    let parallelism = ctx.def.pipeline.parallelism;
    let slots = m.slots(run_id, parallelism);
    let _slot = slots
        .acquire()
        .await
        .map_err(|_| Fault::Transient("the transform slots were closed".into()))?;
    if !leases::take(m, project, run_id, chunk_id, parallelism).await? {
        return Err(Fault::Later(leases::wait_for(chunk_id)));
    }
    let result = transform(m, &ctx, &chunk).await;
    let result = finish(m, project, run_id, &chunk, policy, last_try, result).await;
    leases::release(m, project, run_id, chunk_id).await;
    // Live views read the run again (they follow the viewers, not every event).
    sluice_app::services::runs::publish(&m.deps, RunEventKind::RunProgressed, &ctx.run).await;
    result
}

/// Records what the transform of `chunk` came to.
pub(crate) async fn finish(
    m: &Machine,
    project: &Id,
    run_id: &Id,
    chunk: &Chunk,
    policy: ErrorPolicy,
    last_try: bool,
    result: Result<Done, Fault>,
) -> Result<(), Fault> {
    let store = m.deps.store.as_ref();
    let chunk_id = &chunk.meta.id;
    let now = m.now();
    match result {
        Ok(done) => {
            let failed_fast = policy == ErrorPolicy::FailFast && done.rows_failed > 0;
            let first = done.errors.first().cloned();
            let updated = records::update::<Chunk>(store, project, chunk_id, now, |c| {
                if c.status != ChunkStatus::Extracted {
                    return false;
                }
                c.status = if failed_fast {
                    ChunkStatus::Failed
                } else {
                    ChunkStatus::Transformed
                };
                c.staged_key = done.staged_key.clone();
                c.rows_written = done.rows_written;
                c.rows_failed = done.rows_failed;
                c.rows_skipped = done.rows_skipped;
                c.errors = done.errors.clone();
                c.transform_ms = done.ms;
                c.transformed_at = Some(now);
                c.attempts += 1;
                true
            })
            .await?;
            if failed_fast && updated.is_some_and(|c| c.status == ChunkStatus::Failed) {
                let reason = match first {
                    Some(e) => format!(
                        "chunk {}: row {}{}: {} (error policy fail_fast)",
                        e.chunk,
                        e.row.map(|r| r.to_string()).unwrap_or_default(),
                        e.column
                            .map(|c| format!(", column `{c}`"))
                            .unwrap_or_default(),
                        e.reason
                    ),
                    None => "a row failed (error policy fail_fast)".into(),
                };
                m.fail_run(project, run_id, &reason, Some(done.errors))
                    .await;
            }
            Ok(())
        }
        Err(Fault::Transient(reason)) if last_try => {
            mark_failed(m, project, chunk_id, &reason).await?;
            Err(Fault::Transient(reason))
        }
        Err(Fault::Permanent(reason)) if policy == ErrorPolicy::SkipAndLog => {
            // The whole chunk is unreadable: its rows are skipped, with the reason.
            records::update::<Chunk>(store, project, chunk_id, now, |c| {
                if c.status != ChunkStatus::Extracted {
                    return false;
                }
                c.status = ChunkStatus::Transformed;
                c.rows_skipped = c.rows_in;
                c.errors = vec![RowError {
                    stream: c.stream_name.clone(),
                    chunk: c.label(),
                    row: None,
                    column: None,
                    reason: reason.clone(),
                }];
                c.transformed_at = Some(now);
                c.attempts += 1;
                true
            })
            .await?;
            Ok(())
        }
        Err(Fault::Permanent(reason)) => {
            mark_failed(m, project, chunk_id, &reason).await?;
            if policy == ErrorPolicy::FailFast {
                return Err(Fault::Permanent(format!(
                    "chunk {}: {reason}",
                    chunk.label()
                )));
            }
            Ok(())
        }
        Err(other) => Err(other),
    }
}

async fn mark_failed(m: &Machine, project: &Id, chunk_id: &Id, reason: &str) -> Result<(), Fault> {
    let now = m.now();
    records::update::<Chunk>(m.deps.store.as_ref(), project, chunk_id, now, |c| {
        if c.status != ChunkStatus::Extracted {
            return false;
        }
        c.status = ChunkStatus::Failed;
        c.last_error = Some(reason.to_string());
        c.rows_failed = c.rows_in;
        c.attempts += 1;
        c.errors = vec![RowError {
            stream: c.stream_name.clone(),
            chunk: c.label(),
            row: None,
            column: None,
            reason: reason.to_string(),
        }];
        true
    })
    .await?;
    Ok(())
}

pub(crate) struct Done {
    staged_key: Option<String>,
    rows_written: u64,
    rows_failed: u64,
    rows_skipped: u64,
    errors: Vec<RowError>,
    ms: u64,
}

async fn transform(m: &Machine, ctx: &crate::RunContext, chunk: &Chunk) -> Result<Done, Fault> {
    let raw = m.objects().get(&chunk.raw_key).await?.ok_or_else(|| {
        Fault::Transient(format!(
            "raw rows of chunk {} are missing from the object store ({})",
            chunk.label(),
            chunk.raw_key
        ))
    })?;
    stage(m, ctx, chunk, Rows::Raw(raw)).await
}

/// The rows of a chunk as the transform gets them.
pub(crate) enum Rows {
    /// The raw object's bytes, in the chunk's format.
    Raw(Vec<u8>),
    /// Columns a database source decoded, mapped by the extract step that read
    /// them.
    Columns(RecordBatch),
}

/// Maps `rows` (the rows of `chunk`) and stages the result as Parquet under a
/// key made of the run and chunk ids; [`finish`] records it.
pub(crate) async fn stage(
    m: &Machine,
    ctx: &crate::RunContext,
    chunk: &Chunk,
    rows: Rows,
) -> Result<Done, Fault> {
    let started = Instant::now();
    let project = &ctx.run.meta.project_id;
    let mapping = m
        .mapping(project, &ctx.run.meta.id, chunk.stream, &ctx.def)
        .await?;
    let extract_errors: Vec<(u64, String)> = chunk
        .errors
        .iter()
        .filter_map(|e| e.row.map(|r| (r, e.reason.clone())))
        .collect();
    let format = chunk.format;
    let policy = ctx.def.pipeline.error_policy;
    let out = tokio::task::spawn_blocking(move || match rows {
        Rows::Raw(raw) => engine::transform_chunk(&mapping, format, &raw, &extract_errors, policy),
        Rows::Columns(batch) => {
            let out = engine::transform_batch(&mapping, batch.clone(), &extract_errors, policy);
            // Written: its buffers are the next chunk's to fill.
            sluice_connectors::buffers::give_back(batch);
            out
        }
    })
    .await
    .map_err(|e| Fault::Transient(format!("transform task failed: {e}")))?
    .map_err(|e| Fault::Permanent(e.to_string()))?;
    let staged_key = match out.parquet {
        Some(bytes) => {
            let key = objects::staged_chunk(project, &ctx.run.meta.id, &chunk.meta.id);
            m.objects().put(&key, bytes).await?;
            Some(key)
        }
        None => None,
    };
    let label = chunk.label();
    let errors = out
        .failures
        .iter()
        .take(MAX_ERROR_LOG)
        .map(|f| RowError {
            stream: chunk.stream_name.clone(),
            chunk: label.clone(),
            row: Some(f.row),
            column: f.column.clone(),
            reason: f.reason.clone(),
        })
        .collect();
    Ok(Done {
        staged_key,
        rows_written: out.rows_written,
        rows_failed: out.rows_failed,
        rows_skipped: out.rows_skipped,
        errors,
        ms: started.elapsed().as_millis() as u64,
    })
}
