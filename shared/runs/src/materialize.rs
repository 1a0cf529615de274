//! Runs of the data marts no connector feeds. A `sql` mart's query is resolved
//! in its project (`sluice_app::services::relations`) and its whole result
//! written by the warehouse as the mart's table, which then holds exactly those
//! files. A `table`, `table_pattern` or `view` mart is read as it is: its run
//! plans a read of it, so a table gone missing or a view that no longer plans
//! fails the run, and its schema follows what it reads now. Either way the
//! schema is actualized and the run's success announced (report triggers and
//! dependent marts follow it).
//!
//! The files a run writes are named after the run, so a redelivered message
//! writes the same names again; the table's other files are removed only after
//! every new one is in place.

use std::time::Instant;

use sluice_app::records;
use sluice_app::services::relations;
use sluice_domain::Id;
use sluice_domain::entities::{
    ChunkTally, DataMart, Definition, Run, RunStatus, StageState, actualize_schema,
};
use sluice_domain::pipeline::objects;
use sluice_domain::ports::{RunEventKind, WarehouseError};

use crate::{Fault, Machine};

pub(crate) async fn handle(m: &Machine, project: &Id, run_id: &Id) -> Result<(), Fault> {
    let store = m.deps.store.as_ref();
    let Some(run) = records::get::<Run>(store, project, run_id).await? else {
        return Ok(());
    };
    match run.status() {
        RunStatus::Queued => {
            let now = m.now();
            records::update::<Run>(store, project, run_id, now, |r| r.start(now).is_ok()).await?;
        }
        // A redelivery, or the first try's process died: do it again.
        RunStatus::Running => {}
        // Paused (resume sends the message again), or over.
        _ => return Ok(()),
    }
    let mart = records::get::<DataMart>(store, project, &run.data_mart_id)
        .await?
        .filter(|d| d.meta.deleted_at.is_none())
        .ok_or_else(|| Fault::Permanent(format!("data mart {} was deleted", run.data_mart_id)))?;
    let querying = m.querying()?;
    let started = Instant::now();
    let (columns, rows) = match &mart.definition {
        Some(Definition::Sql { query }) => {
            let storage = relations::storage_of(&m.deps, &mart).await?;
            let read =
                relations::resolve(&m.deps, &querying.objects, project, storage, query).await?;
            let target = objects::table(project, &mart.meta.id);
            let stem = run_id.as_str().to_ascii_lowercase();
            let mine = format!("{target}{stem}");
            // What a first try wrote under this run's names goes first (Athena's
            // UNLOAD writes only into an empty folder).
            for o in m.objects().list(&mine).await? {
                m.objects().delete(&o.key).await?;
            }
            let out = querying
                .warehouse
                .materialize(project, &read.tables, &read.sql, &target, &stem)
                .await
                .map_err(warehouse_fault)?;
            // The table is now this run's files alone.
            for o in m.objects().list(&target).await? {
                if !o.key.starts_with(&mine) {
                    m.objects().delete(&o.key).await?;
                }
            }
            (out.columns, out.rows)
        }
        Some(
            Definition::Table { .. } | Definition::TablePattern { .. } | Definition::View { .. },
        ) => (
            relations::columns_of(&m.deps, &querying, &mart).await?,
            None,
        ),
        Some(Definition::Connector(_)) | None => {
            return Err(Fault::Permanent(format!(
                "data mart {} is not materialized by a query; start a new run",
                mart.meta.id
            )));
        }
    };
    let busy_ms = started.elapsed().as_millis() as u64;
    let now = m.now();
    let landed: Vec<(String, String)> = columns.into_iter().map(|c| (c.name, c.kind)).collect();
    records::update::<DataMart>(store, project, &mart.meta.id, now, |d| {
        let next = actualize_schema(&d.schema, &landed);
        if next == d.schema {
            return false;
        }
        d.schema = next;
        true
    })
    .await?;
    let done = records::update::<Run>(store, project, run_id, now, |r| {
        if r.status() != RunStatus::Running {
            return false;
        }
        r.stages.extract.finish(StageState::Succeeded, now);
        r.stages.extract.busy_ms = busy_ms;
        for s in [
            &mut r.stages.transform,
            &mut r.stages.load,
            &mut r.stages.finalize,
        ] {
            s.start(now);
            s.finish(StageState::Succeeded, now);
        }
        if r.succeed(ChunkTally::default(), now).is_err() {
            return false;
        }
        if let Some(n) = rows {
            r.counters.rows_read = n;
            r.counters.rows_written = n;
            let secs = busy_ms.max(1) as f64 / 1000.0;
            r.progress.rows_per_second = (n as f64 / secs).round();
        }
        true
    })
    .await?;
    if let Some(r) = done.filter(|r| r.status() == RunStatus::Succeeded) {
        tracing::info!(run_id = %run_id, rows = ?rows, "Run succeeded.");
        sluice_app::services::runs::publish(&m.deps, RunEventKind::RunSucceeded, &r).await;
    }
    Ok(())
}

/// A query that is wrong or too big will be so again; an outage may pass.
fn warehouse_fault(e: WarehouseError) -> Fault {
    match e {
        WarehouseError::Backend(_) => Fault::Transient(e.to_string()),
        other => Fault::Permanent(format!("the query does not run: {other}")),
    }
}
