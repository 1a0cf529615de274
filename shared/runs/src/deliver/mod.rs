//! Report delivery: a `Deliver` message takes one report run, reads the
//! report's rows from the warehouse page by page, and hands them to its
//! destination kind's writer. The whole delivery is redone when the message
//! comes again; each writer makes that safe (an export rewrites the same
//! object; a webhook sends the same delivery id, for its receiver to drop a
//! repeat; a mail carries it as its Message-ID; a database records the
//! delivery id in the transaction that writes the rows, and writes nothing for
//! an id it has; a sheet gets the same values in the same cells).

#[cfg(feature = "database")]
mod database;
mod email;
mod export;
#[cfg(feature = "google_sheets")]
mod google_sheets;
mod webhook;

use std::future::Future;
use std::pin::Pin;

use serde_json::{Map, Value};
use sluice_app::records;
use sluice_domain::Id;
use sluice_domain::entities::{DataMart, Delivered, Destination, Report, ReportRun};
use sluice_domain::ports::{ColumnInfo, QueryPage, RowStream, WarehouseError};
use sluice_domain::rows::RowFormat;

use crate::{Fault, Machine};

/// What a writer delivered, and the object it wrote, if any (taken back when
/// the run was cancelled while it delivered).
type Written<'a> =
    Pin<Box<dyn Future<Output = Result<(Outcome, Option<String>), Fault>> + Send + 'a>>;

type Write = for<'a> fn(&'a Machine, Job<'a>) -> Written<'a>;

/// The form the warehouse writes the rows in as they go out, for a writer
/// that sends them on as they are (an export's file, a database's COPY), by
/// the destination's settings.
type Formats = fn(&Map<String, Value>) -> Option<RowFormat>;

/// A destination kind's writer.
#[derive(Clone, Copy)]
pub struct Writer {
    write: Write,
    row_format: Formats,
}

/// Finds the writer of a destination kind: every writer of the build
/// ([`writers::all`]), or a delivery function's own (one of [`writers`]), so
/// its binary links that writer alone.
pub type MakeWriter = fn(&str) -> Option<Writer>;

/// One function per destination kind, each finding its own writer only, and
/// [`writers::all`].
pub mod writers {
    use super::{Job, Machine, Writer, Written};

    fn rows_as_they_are(
        _: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<super::RowFormat> {
        None
    }

    /// A writer's future that writes no object.
    fn no_object<'a>(
        delivered: impl std::future::Future<Output = Result<super::Outcome, super::Fault>> + Send + 'a,
    ) -> Written<'a> {
        Box::pin(async move { Ok((delivered.await?, None)) })
    }

    /// `kind`'s writer when it is `own`.
    fn own(
        kind: &str,
        own: &str,
        write: super::Write,
        row_format: super::Formats,
    ) -> Option<Writer> {
        (kind == own).then_some(Writer { write, row_format })
    }

    pub fn object_export(kind: &str) -> Option<Writer> {
        fn write<'a>(m: &'a Machine, job: Job<'a>) -> Written<'a> {
            Box::pin(super::export::deliver(m, job))
        }
        own(kind, "object_export", write, super::export::row_format)
    }

    pub fn webhook(kind: &str) -> Option<Writer> {
        fn write<'a>(m: &'a Machine, job: Job<'a>) -> Written<'a> {
            no_object(super::webhook::deliver(m, job))
        }
        own(kind, "webhook", write, rows_as_they_are)
    }

    pub fn email(kind: &str) -> Option<Writer> {
        fn write<'a>(m: &'a Machine, job: Job<'a>) -> Written<'a> {
            no_object(super::email::deliver(m, job))
        }
        own(kind, "email", write, rows_as_they_are)
    }

    #[cfg(feature = "database")]
    pub fn database(kind: &str) -> Option<Writer> {
        fn write<'a>(m: &'a Machine, job: Job<'a>) -> Written<'a> {
            no_object(super::database::deliver(m, job))
        }
        // COPY's text form, written by the warehouse.
        own(kind, "database", write, |_| {
            Some(super::RowFormat::PostgresText)
        })
    }

    #[cfg(feature = "google_sheets")]
    pub fn google_sheets(kind: &str) -> Option<Writer> {
        fn write<'a>(m: &'a Machine, job: Job<'a>) -> Written<'a> {
            no_object(super::google_sheets::deliver(m, job))
        }
        own(kind, "google_sheets", write, rows_as_they_are)
    }

    /// Every writer of the build.
    pub fn all(kind: &str) -> Option<Writer> {
        let each: &[super::MakeWriter] = &[
            object_export,
            webhook,
            email,
            #[cfg(feature = "database")]
            database,
            #[cfg(feature = "google_sheets")]
            google_sheets,
        ];
        each.iter().find_map(|w| w(kind))
    }

    /// No writer: the machine of a stage that delivers nothing.
    pub fn none(_: &str) -> Option<Writer> {
        None
    }
}

/// What a writer delivered.
pub(crate) struct Outcome {
    pub rows: u64,
    pub bytes: u64,
    /// Lines for the run's log (a webhook's tries).
    pub log: Vec<String>,
    pub delivered: Delivered,
}

/// The report's rows, a batch at a time, as the warehouse streams them: memory
/// holds a batch or two whatever the report's size.
pub(crate) struct Pages {
    stream: Box<dyn RowStream>,
    started: bool,
}

/// A warehouse error while a report is read: a backend's is worth a retry, any
/// other is the report's own (its SQL, a limit) and fails the run.
fn read_fault(e: WarehouseError) -> Fault {
    match e {
        WarehouseError::Backend(_) => Fault::Transient(format!("warehouse: {e}")),
        other => Fault::Permanent(format!("the report's query: {other}")),
    }
}

impl Pages {
    pub fn columns(&self) -> &[sluice_domain::ports::ColumnInfo] {
        self.stream.columns()
    }

    /// Writes the next batch with `encoder` into `out`; the rows written,
    /// `None` after the last.
    pub async fn write_next(
        &mut self,
        encoder: &mut sluice_domain::rows::RowEncoder,
        out: &mut Vec<u8>,
    ) -> Result<Option<u64>, Fault> {
        self.started = true;
        self.stream
            .write_next(encoder, out)
            .await
            .map_err(read_fault)
    }

    /// The next batch; the first carries the columns even when the report has
    /// no rows. `None` after the last.
    pub async fn next(&mut self) -> Result<Option<QueryPage>, Fault> {
        let rows = match self.stream.next_batch().await.map_err(read_fault)? {
            Some(rows) => rows,
            None if !self.started => vec![],
            None => return Ok(None),
        };
        self.started = true;
        Ok(Some(QueryPage {
            columns: self.stream.columns().to_vec(),
            rows,
            next_page: None,
        }))
    }
}

/// Everything a writer is given.
pub(crate) struct Job<'a> {
    pub run: &'a ReportRun,
    pub report: &'a Report,
    pub config: Map<String, Value>,
    pub pages: Pages,
}

impl Job<'_> {
    pub fn str(&self, key: &str, default: &'static str) -> String {
        self.config
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    }

    /// The strings of a list field (an email's `to`, a table's `key_columns`);
    /// empty when it is not there.
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.config
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub(crate) async fn handle(m: &Machine, project: &Id, run_id: &Id) -> Result<(), Fault> {
    let store = m.deps.store.as_ref();
    let now = m.now();
    // A run delivered, failed or cancelled already refuses to start: a repeat
    // of its message, with nothing to do.
    let Some(run) =
        records::update::<ReportRun>(store, project, run_id, now, |r| r.start(now).is_ok()).await?
    else {
        tracing::warn!(report_run_id = %run_id, "No such report run; message dropped.");
        return Ok(());
    };
    if run.status() != sluice_domain::entities::ReportRunStatus::Running {
        return Ok(());
    }
    let report = records::get::<Report>(store, project, run.report_id.as_id())
        .await?
        .filter(|r| r.meta.deleted_at.is_none())
        .ok_or_else(|| Fault::Permanent(format!("report {} was deleted", run.report_id)))?;
    let destination = records::get::<Destination>(store, project, run.destination_id.as_id())
        .await?
        .filter(|d| d.meta.deleted_at.is_none())
        .ok_or_else(|| {
            Fault::Permanent(format!("destination {} was deleted", run.destination_id))
        })?;
    if destination.kind != run.destination_kind {
        return Err(Fault::Permanent(format!(
            "destination {} is now of kind `{}`; start a new run",
            destination.meta.id, destination.kind
        )));
    }
    let mart = records::get::<DataMart>(store, project, &report.data_mart_id)
        .await?
        .filter(|d| d.meta.deleted_at.is_none())
        .ok_or_else(|| {
            Fault::Permanent(format!("data mart {} was deleted", report.data_mart_id))
        })?;
    let sluice_app::Querying { objects, warehouse } = m.querying()?;
    let sql = sluice_app::services::reports::report_sql(&report, &mart, &run.parameters)?;
    let read = sluice_app::services::relations::reading(&m.deps, &objects, &mart, &sql).await?;
    let writer = (m.writers)(&run.destination_kind).ok_or_else(|| {
        Fault::Permanent(format!(
            "destinations of kind `{}` do not deliver in this version",
            run.destination_kind
        ))
    })?;
    let config = crate::config_with_secrets(
        &m.deps,
        &destination.settings,
        "destination",
        &destination.meta.id,
    )
    .await?;
    // An export of rows, and a database's COPY, have the warehouse write the
    // rows as they go out.
    let stream = match (writer.row_format)(&config) {
        Some(format) => {
            warehouse
                .clone()
                .stream_as(project, &read.tables, &read.sql, format)
                .await
        }
        None => {
            warehouse
                .clone()
                .stream(project, &read.tables, &read.sql)
                .await
        }
    }
    .map_err(read_fault)?;
    let job = Job {
        run: &run,
        report: &report,
        config,
        pages: Pages {
            stream,
            started: false,
        },
    };
    let (done, written_key) = (writer.write)(m, job).await?;
    let now = m.now();
    let (rows, bytes) = (done.rows, done.bytes);
    let recorded = records::update::<ReportRun>(store, project, run_id, now, |r| {
        for line in &done.log {
            r.note(now, line.clone());
        }
        r.succeed(now, rows, bytes, done.delivered.clone()).is_ok()
    })
    .await?;
    match recorded {
        Some(r) if r.status() == sluice_domain::entities::ReportRunStatus::Succeeded => {
            tracing::info!(report_run_id = %run_id, rows, bytes, "Report delivered.");
            sluice_app::services::report_runs::announce(
                &m.deps,
                sluice_domain::ports::RunEventKind::ReportRunSucceeded,
                &r,
            )
            .await;
        }
        _ => {
            // Cancelled while it ran: an export is taken back; a webhook was
            // sent and a database delivery committed.
            if let Some(key) = written_key {
                m.objects().delete(&key).await?;
            }
            tracing::info!(report_run_id = %run_id, "Report run cancelled while it delivered.");
        }
    }
    Ok(())
}

/// Marks a report run failed with `reason` (once; a final run stays as it is).
pub(crate) async fn fail(m: &Machine, project: &Id, run_id: &Id, reason: &str) {
    let now = m.now();
    let res = records::update::<ReportRun>(m.deps.store.as_ref(), project, run_id, now, |r| {
        r.fail(now, reason).is_ok()
    })
    .await;
    match res {
        Ok(Some(r))
            if r.status() == sluice_domain::entities::ReportRunStatus::Failed
                && r.error.as_deref() == Some(reason) =>
        {
            tracing::warn!(report_run_id = %run_id, reason = %reason, "Report run failed.");
            sluice_app::services::report_runs::announce(
                &m.deps,
                sluice_domain::ports::RunEventKind::ReportRunFailed,
                &r,
            )
            .await;
        }
        Ok(_) => {}
        Err(e) => {
            tracing::error!(report_run_id = %run_id, error = %e, "Could not mark the report run failed.")
        }
    }
}

/// A row as a JSON object of its columns.
pub(crate) fn row_object(columns: &[ColumnInfo], row: Vec<Value>) -> Map<String, Value> {
    columns.iter().map(|c| c.name.clone()).zip(row).collect()
}

#[cfg(all(test, feature = "database", feature = "google_sheets"))]
mod tests {
    /// Each registered delivery is written by exactly one of the writers a
    /// delivery function may name alone, and [`super::writers::all`] has it.
    #[test]
    fn each_delivery_is_one_writers_own() {
        use super::writers as w;
        let each: [(&str, super::MakeWriter); 5] = [
            ("object_export", w::object_export),
            ("webhook", w::webhook),
            ("email", w::email),
            ("database", w::database),
            ("google_sheets", w::google_sheets),
        ];
        for d in sluice_domain::connectors::deliveries() {
            let writers: Vec<&str> = each
                .iter()
                .filter(|(_, make)| make(d.kind).is_some())
                .map(|(n, _)| *n)
                .collect();
            assert_eq!(writers, [d.kind], "{}", d.kind);
            assert!(w::all(d.kind).is_some(), "{}", d.kind);
            assert!(w::none(d.kind).is_none(), "{}", d.kind);
        }
        assert!(w::all("ftp").is_none());
    }
}
