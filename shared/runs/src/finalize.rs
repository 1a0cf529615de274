//! Load and finalize: once extraction has finished and every chunk is accounted
//! for, commit the staged Parquet to the data mart's table (append, replace or
//! merge on the unique key), run the SQL hooks, actualize the schema, save the
//! connector state, and mark the run succeeded. Until then the message comes back
//! after a short delay and looks again.
//!
//! The commit only writes keys made of the run and chunk ids and deletes what it
//! replaces after everything new is written, so doing it twice lands the same
//! table.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use sluice_app::records;
use sluice_domain::entities::{
    ChunkTally, ConnectorDefinition, DataMart, ErrorPolicy, MAX_ERROR_LOG, Meta, RowError, Run,
    RunCounters, RunKind, RunStatus, StageState, ValidationRule, WriteMode, actualize_schema,
};
use sluice_domain::pipeline::{
    Chunk, ChunkStatus, ConnectorState, FINALIZE_QUEUE, Message, Step, objects,
};
use sluice_domain::ports::{RunEventKind, TableRef};
use sluice_domain::{Id, Kind};
use sluice_engine::datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch};
use sluice_engine::datafusion::arrow::compute::filter_record_batch;
use sluice_engine::datafusion::arrow::datatypes::DataType;
use sluice_engine::datafusion::arrow::row::{OwnedRow, RowConverter, SortField};
use sluice_engine::datafusion::parquet::arrow::parquet_to_arrow_schema;
use sluice_engine::datafusion::parquet::file::metadata::ParquetMetaDataReader;
use sluice_engine::transform::{ParquetJoin, decode, write_parquet};

use crate::{Fault, Machine};

pub(crate) async fn handle(m: &Machine, project: &Id, run_id: &Id) -> Result<(), Fault> {
    let Some(ctx) = m.context(project, run_id).await? else {
        return Ok(());
    };
    let run = &ctx.run;
    if run.status() != RunStatus::Running || run.stages.extract.state != StageState::Succeeded {
        // Paused: resume enqueues the finalize again. Final: done.
        return Ok(());
    }
    let store = m.deps.store.as_ref();
    let chunks: Vec<Chunk> = records::list_all(store, project, run_id).await?;
    let pending = chunks.iter().any(|c| c.status == ChunkStatus::Extracted);
    if pending || (chunks.len() as u64) < run.chunks_total.unwrap_or(0) {
        let again = Message::Finalize {
            project: project.clone(),
            run: run_id.clone(),
        };
        m.queue()
            .send(FINALIZE_QUEUE, &again.to_json(), m.limits.finalize_poll)
            .await?;
        return Ok(());
    }
    let tally = ChunkTally {
        total: chunks.len() as u64,
        failed: chunks
            .iter()
            .filter(|c| c.status == ChunkStatus::Failed)
            .count() as u64,
        waiting: 0,
    };
    let mut counters = RunCounters::default();
    let mut log: Vec<RowError> = vec![];
    for c in &chunks {
        counters.rows_read += c.rows_in;
        counters.rows_written += c.rows_written;
        counters.rows_failed += c.rows_failed;
        counters.rows_skipped += c.rows_skipped;
        log.extend(c.errors.iter().cloned());
    }
    log.truncate(MAX_ERROR_LOG);
    let failed: Vec<&Chunk> = chunks
        .iter()
        .filter(|c| c.status == ChunkStatus::Failed)
        .collect();
    if let Some(first) = failed.first() {
        let why = first
            .last_error
            .clone()
            .or_else(|| first.errors.first().map(|e| e.reason.clone()))
            .unwrap_or_else(|| "unknown".into());
        let reason = format!(
            "{} chunk(s) failed; first, chunk {}: {why}. Retry the run once the cause is fixed.",
            failed.len(),
            first.label()
        );
        m.fail_run_counted(project, run_id, &reason, Some(log), Some(counters))
            .await;
        return Ok(());
    }
    if ctx.def.pipeline.error_policy == ErrorPolicy::Continue && counters.rows_failed > 0 {
        let reason = format!(
            "{} row(s) failed validation (error policy `continue`: all rows were checked, nothing was committed); see the error log",
            counters.rows_failed
        );
        m.fail_run_counted(project, run_id, &reason, Some(log), Some(counters))
            .await;
        return Ok(());
    }

    // Load.
    let now = m.now();
    let loading = records::update::<Run>(store, project, run_id, now, |r| {
        if r.stages.load.state == StageState::Running {
            return false;
        }
        r.stages.transform.finish(StageState::Succeeded, now);
        r.stages.transform.busy_ms = chunks.iter().map(|c| c.transform_ms).sum();
        r.stages.load.start(now);
        true
    })
    .await?;
    if let Some(run) = &loading {
        sluice_app::services::runs::publish(&m.deps, RunEventKind::RunProgressed, run).await;
    }
    let load_started = Instant::now();
    let table = sluice_app::services::runs::table_of(&m.deps, &ctx.mart).await?;
    hooks(m, project, &table, &ctx.def.pipeline.pre_sql, "pre_sql").await?;
    let landed = match commit(m, &ctx.def, &ctx.mart.meta.id, run_id, &table, &chunks).await {
        Ok(landed) => landed,
        Err(e) => {
            // A repeat of this message finalizing at the same time may have
            // committed first and dropped the staged chunks this one reads: a
            // run that ended meanwhile is done, whatever failed here.
            let now_final = records::get::<Run>(store, project, run_id)
                .await?
                .is_some_and(|r| r.status() != RunStatus::Running);
            if now_final {
                return Ok(());
            }
            return Err(e);
        }
    };
    hooks(m, project, &table, &ctx.def.pipeline.post_sql, "post_sql").await?;
    let load_ms = load_started.elapsed().as_millis() as u64;

    // Finalize: schema, connector state, the run.
    let now = m.now();
    if let Some(fields) = landed {
        records::update::<DataMart>(store, project, &ctx.mart.meta.id, now, |d| {
            let next = actualize_schema(&d.schema, &fields);
            if next == d.schema {
                return false;
            }
            d.schema = next;
            true
        })
        .await?;
    }
    if run.kind == RunKind::Incremental {
        save_state(m, &ctx, run_id).await?;
    }
    let done = records::update::<Run>(store, project, run_id, now, |r| {
        if r.succeed(tally, now).is_err() {
            return false;
        }
        r.counters = counters;
        r.error_log = log.clone();
        r.stages.load.finish(StageState::Succeeded, now);
        r.stages.load.busy_ms = load_ms;
        r.stages.finalize.start(now);
        r.stages.finalize.finish(StageState::Succeeded, now);
        if let Some(started) = r.started_at {
            let secs = (now - started).num_milliseconds().max(1) as f64 / 1000.0;
            r.progress.rows_per_second = (counters.rows_written as f64 / secs).round();
        }
        true
    })
    .await?;
    if let Some(r) = done.filter(|r| r.status() == RunStatus::Succeeded) {
        tracing::info!(run_id = %run_id, rows = counters.rows_written, "Run succeeded.");
        sluice_app::services::runs::publish(&m.deps, RunEventKind::RunSucceeded, &r).await;
        // The run's raw and staged objects are no longer needed.
        sluice_app::services::runs::drop_run_objects(&m.deps, project, run_id).await;
    }
    Ok(())
}

async fn hooks(
    m: &Machine,
    project: &Id,
    table: &TableRef,
    hooks: &[String],
    name: &str,
) -> Result<(), Fault> {
    if hooks.is_empty() {
        return Ok(());
    }
    let warehouse = m.querying()?.warehouse;
    let exists = m
        .objects()
        .list(&table.location)
        .await?
        .iter()
        .any(|o| o.key.ends_with(".parquet"));
    let tables: Vec<TableRef> = if exists { vec![table.clone()] } else { vec![] };
    for (i, sql) in hooks.iter().enumerate() {
        let sql = sql.replace(sluice_app::services::runs::TABLE_MACRO, &table.name);
        warehouse
            .query(project, &tables, &sql, 1, None)
            .await
            .map_err(|e| Fault::Permanent(format!("pipeline.{name}[{i}] failed: {e}")))?;
    }
    Ok(())
}

/// Writes the staged chunks into the table; returns the landed columns.
async fn commit(
    m: &Machine,
    def: &ConnectorDefinition,
    mart: &Id,
    run_id: &Id,
    table: &TableRef,
    chunks: &[Chunk],
) -> Result<Option<Vec<(String, String)>>, Fault> {
    let project = chunks.first().map(|c| c.meta.project_id.clone());
    let Some(project) = project else {
        return Ok(None);
    };
    let mine = format!("{}{run_id}-", table.location);
    let staged: Vec<&Chunk> = chunks.iter().filter(|c| c.staged_key.is_some()).collect();
    let mut schema = None;
    let key: Option<Vec<String>> = def.streams.iter().find_map(|s| {
        s.mapping.rules.iter().find_map(|r| match r {
            ValidationRule::UniqueKey { columns } => Some(columns.clone()),
            _ => None,
        })
    });
    match def.pipeline.write_mode {
        WriteMode::Append | WriteMode::Replace => {
            // The chunks in their order. A staged file of at least `link_bytes`
            // is a table file as it is: the store copies it (a link in the
            // directory, a copy inside the bucket on S3) and nothing reads it
            // here. Smaller ones are joined into parts of up to `part_bytes`.
            // The same parts (names, bytes) every time it is done.
            let sizes: HashMap<String, u64> = m
                .objects()
                .list(&objects::staged(&project, run_id))
                .await?
                .into_iter()
                .map(|o| (o.key, o.size))
                .collect();
            let mut part = ParquetJoin::default();
            let mut parts = 0usize;
            for c in &staged {
                let from = c.staged_key.as_deref().unwrap_or_default();
                let missing = || Fault::Transient(format!("staged chunk {} is missing", c.label()));
                let size = *sizes.get(from).ok_or_else(missing)?;
                if size >= m.limits.link_bytes as u64 {
                    if schema.is_none() {
                        let footer = read_footer(m, from, size).await?.ok_or_else(missing)?;
                        schema = Some(footer_columns(&footer)?);
                    }
                    let full = std::mem::take(&mut part);
                    write_part(m, &project, mart, run_id, &mut parts, full).await?;
                    let to =
                        objects::table_file(&project, mart, run_id, &format!("part-{parts:05}"));
                    if !m.objects().copy(from, &to).await? {
                        return Err(missing());
                    }
                    parts += 1;
                    continue;
                }
                let bytes = m.objects().get(from).await?.ok_or_else(missing)?;
                if schema.is_none() {
                    schema = Some(footer_columns(&bytes)?);
                }
                if part.len() + bytes.len() > m.limits.part_bytes && !part.is_empty() {
                    let full = std::mem::take(&mut part);
                    write_part(m, &project, mart, run_id, &mut parts, full).await?;
                }
                let refused = part
                    .push(bytes)
                    .map_err(|e| Fault::Permanent(e.to_string()))?;
                if let Some(bytes) = refused {
                    // Another schema (a column the mapping leaves untyped came
                    // out differently): a part of its own.
                    let full = std::mem::take(&mut part);
                    write_part(m, &project, mart, run_id, &mut parts, full).await?;
                    part.push(bytes)
                        .map_err(|e| Fault::Permanent(e.to_string()))?;
                }
            }
            write_part(m, &project, mart, run_id, &mut parts, part).await?;
            if def.pipeline.write_mode == WriteMode::Replace {
                for o in m.objects().list(&table.location).await? {
                    if !o.key.starts_with(&mine) {
                        m.objects().delete(&o.key).await?;
                    }
                }
            }
        }
        WriteMode::Merge => {
            let key = key.ok_or_else(|| {
                Fault::Permanent("write mode `merge` needs a `unique_key` rule".into())
            })?;
            let target = Target {
                project: &project,
                mart,
                run_id,
                table,
                mine: &mine,
            };
            schema = merge(m, &target, &staged, &key).await?;
        }
    }
    Ok(schema)
}

/// Writes the `parts`-th part of the run's table files, when it holds anything.
async fn write_part(
    m: &Machine,
    project: &Id,
    mart: &Id,
    run_id: &Id,
    parts: &mut usize,
    part: ParquetJoin,
) -> Result<(), Fault> {
    let Some(bytes) = part.finish().map_err(|e| Fault::Permanent(e.to_string()))? else {
        return Ok(());
    };
    let to = objects::table_file(project, mart, run_id, &format!("part-{:05}", *parts));
    m.objects().put(&to, bytes).await?;
    *parts += 1;
    Ok(())
}

/// The last bytes of a Parquet file, its footer within them (a staged chunk's
/// footer is a few kilobytes; a longer one is read whole).
async fn read_footer(m: &Machine, key: &str, size: u64) -> Result<Option<Vec<u8>>, Fault> {
    const TAIL: u64 = 64 << 10;
    let start = size.saturating_sub(TAIL);
    let Some(tail) = m.objects().get_range(key, start, TAIL).await? else {
        return Ok(None);
    };
    match footer(&tail) {
        Some(_) => Ok(Some(tail)),
        None => Ok(m.objects().get(key).await?),
    }
}

/// The footer (metadata) of a Parquet file `tail` ends with, when `tail` holds
/// all of it after the file's `PAR1` magic and length.
fn footer(tail: &[u8]) -> Option<&[u8]> {
    let (rest, end) = tail.split_at(tail.len().checked_sub(8)?);
    let (len, magic) = end.split_at(4);
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    (magic == b"PAR1").then_some(&rest[rest.len().checked_sub(len)?..])
}

/// The landed columns of a Parquet file, from its footer alone (`tail` ends with
/// the footer: the whole file or its last bytes).
fn footer_columns(tail: &[u8]) -> Result<Vec<(String, String)>, Fault> {
    let bad = |e: String| Fault::Permanent(format!("a staged chunk does not read: {e}"));
    let footer = footer(tail).ok_or_else(|| bad("no Parquet footer at its end".into()))?;
    let metadata =
        ParquetMetaDataReader::decode_metadata(footer).map_err(|e| bad(e.to_string()))?;
    let file = metadata.file_metadata();
    let schema = parquet_to_arrow_schema(file.schema_descr(), file.key_value_metadata())
        .map_err(|e| bad(e.to_string()))?;
    Ok(schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), type_name(f.data_type())))
        .collect())
}

/// The mapping's word for an Arrow type.
pub(crate) fn type_name(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => "int".into(),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => "float".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => match u8::try_from(*s) {
            Ok(scale) => sluice_domain::entities::CastType::Decimal {
                precision: *p,
                scale,
            }
            .to_string(),
            Err(_) => format!("decimal({p},{s})"),
        },
        DataType::Boolean => "bool".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(..) => "timestamp".into(),
        other => other.to_string().to_lowercase(),
    }
}

fn key_rows(batch: &RecordBatch, key: &[String]) -> Result<Vec<OwnedRow>, Fault> {
    let mut arrays: Vec<ArrayRef> = vec![];
    for k in key {
        arrays.push(batch.column_by_name(k).cloned().ok_or_else(|| {
            Fault::Permanent(format!("merge key column `{k}` is not in the table"))
        })?);
    }
    let converter = RowConverter::new(
        arrays
            .iter()
            .map(|a| SortField::new(a.data_type().clone()))
            .collect(),
    )
    .map_err(|e| Fault::Permanent(format!("merge key: {e}")))?;
    let rows = converter
        .convert_columns(&arrays)
        .map_err(|e| Fault::Permanent(format!("merge key: {e}")))?;
    Ok(rows.iter().map(|r| r.owned()).collect())
}

/// Where a run's files land: the mart's table, and the file-name prefix that marks
/// files as this run's (`mine`).
#[derive(Clone, Copy)]
struct Target<'a> {
    project: &'a Id,
    mart: &'a Id,
    run_id: &'a Id,
    table: &'a TableRef,
    mine: &'a str,
}

/// Merge on `key`: the run's rows win (the last of equal keys within the run);
/// every older row whose key the run brings is dropped. One chunk or table file
/// is in memory at a time, besides the run's keys. Old files holding none of the
/// run's keys stay as they are; the others are rewritten as `{run}-base-{name}`
/// before any is deleted, so a repeat finds either the old file (and rewrites
/// the same base) or only the base.
async fn merge(
    m: &Machine,
    target: &Target<'_>,
    staged: &[&Chunk],
    key: &[String],
) -> Result<Option<Vec<(String, String)>>, Fault> {
    let Target {
        project,
        mart,
        run_id,
        table,
        mine,
    } = *target;
    let parquet = |bytes: &[u8]| {
        decode(sluice_domain::pipeline::ChunkFormat::Parquet, bytes, None)
            .map(|d| d.batch)
            .map_err(|e| Fault::Permanent(e.to_string()))
    };
    // Newest chunk first: keep the first time each key is seen.
    let mut seen: HashSet<OwnedRow> = HashSet::new();
    let mut schema = None;
    for c in staged.iter().rev() {
        let bytes = m
            .objects()
            .get(c.staged_key.as_deref().unwrap_or_default())
            .await?
            .ok_or_else(|| Fault::Transient(format!("staged chunk {} is missing", c.label())))?;
        let batch = parquet(&bytes)?;
        let rows = key_rows(&batch, key)?;
        let keep: Vec<bool> = rows.into_iter().map(|r| seen.insert(r)).collect();
        if schema.is_none() {
            schema = Some(
                batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| (f.name().clone(), type_name(f.data_type())))
                    .collect::<Vec<_>>(),
            );
        }
        let out = objects::table_file(project, mart, run_id, c.meta.id.as_str());
        if keep.iter().all(|k| *k) {
            m.objects().put(&out, bytes).await?;
            continue;
        }
        let kept = filter_record_batch(&batch, &BooleanArray::from(keep))
            .map_err(|e| Fault::Permanent(e.to_string()))?;
        if kept.num_rows() > 0 {
            let bytes = write_parquet(&kept).map_err(|e| Fault::Permanent(e.to_string()))?;
            m.objects().put(&out, bytes).await?;
        }
    }
    let old: Vec<String> = m
        .objects()
        .list(&table.location)
        .await?
        .into_iter()
        .map(|o| o.key)
        .filter(|k| !k.starts_with(mine))
        .collect();
    let mut replaced = vec![];
    for key_name in &old {
        let Some(bytes) = m.objects().get(key_name).await? else {
            continue;
        };
        let batch = parquet(&bytes)?;
        let rows = key_rows(&batch, key)?;
        let keep: Vec<bool> = rows.iter().map(|r| !seen.contains(r)).collect();
        if keep.iter().all(|k| *k) {
            // None of the run's keys: the file stands as it is.
            continue;
        }
        let kept = filter_record_batch(&batch, &BooleanArray::from(keep))
            .map_err(|e| Fault::Permanent(e.to_string()))?;
        if kept.num_rows() > 0 {
            let name = key_name
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".parquet");
            let out = objects::table_file(project, mart, run_id, &format!("base-{name}"));
            m.objects()
                .put(
                    &out,
                    write_parquet(&kept).map_err(|e| Fault::Permanent(e.to_string()))?,
                )
                .await?;
        }
        replaced.push(key_name);
    }
    for key_name in replaced {
        m.objects().delete(key_name).await?;
    }
    Ok(schema)
}

async fn save_state(m: &Machine, ctx: &crate::RunContext, run_id: &Id) -> Result<(), Fault> {
    let store = m.deps.store.as_ref();
    let project = &ctx.run.meta.project_id;
    let mut steps: Vec<Step> = records::list_all(store, project, run_id).await?;
    steps.sort_by_key(|s| (s.stream, s.step));
    let mut cursors = serde_json::Map::new();
    for s in &steps {
        if let (Some(c), Some(sel)) = (&s.cursor, ctx.def.streams.get(s.stream as usize)) {
            cursors.insert(sel.name.clone(), c.clone());
        }
    }
    if cursors.is_empty() {
        return Ok(());
    }
    let now = m.now();
    let id = ConnectorState::id_for(&ctx.mart.meta.id);
    let updated = records::update::<ConnectorState>(store, project, &id, now, |s| {
        s.cursors.extend(cursors.clone());
        s.run_id = Some(run_id.clone());
        true
    })
    .await?;
    if updated.is_none() {
        let mut meta = Meta::new(Kind::State, project, "sluice", now);
        meta.id = id;
        let state = ConnectorState {
            meta,
            data_mart_id: ctx.mart.meta.id.clone(),
            cursors,
            run_id: Some(run_id.clone()),
        };
        if !records::insert_once(store, &state).await? {
            return Err(Fault::Transient(
                "connector state was created meanwhile; trying again".into(),
            ));
        }
    }
    Ok(())
}
