//! The embedded warehouse: DataFusion reading the same Parquet layout Athena reads
//! (a table is the Parquet files under an object-store prefix). Pure Rust and
//! Arrow-native, like the transform path.
//!
//! Each query runs inside its project's wall and the deployment's limits: a session
//! of its own that knows only the tables it was given (no information schema, no
//! file paths as tables, no statements), a memory pool of its own (no spilling to
//! disk), and a time limit. It runs on threads of its own, so a heavy query never
//! starves the server's tasks, and a query past its time is dropped (DataFusion's
//! operators yield, so it stops at its next batch).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::json::ArrayWriter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::options::ParquetReadOptions;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SQLOptions, SessionConfig, SessionContext};
use serde_json::Value;
use sluice_domain::Id;
use sluice_domain::entities::is_identifier;
use sluice_domain::ports::{
    ColumnInfo, Materialized, QueryLimit, QueryLimits, QueryPage, RowStream, TableRef, Warehouse,
    WarehouseError, check_materialize_target, check_object_key, check_tables_of,
};
use sluice_domain::rows::{RowEncoder, RowFormat};

/// Size a materialized table's files grow to before the next one starts.
pub const MATERIALIZE_PART_BYTES: usize = 128 << 20;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// The embedded warehouse over the object store's directory.
pub struct DataFusionWarehouse {
    root: PathBuf,
    limits: QueryLimits,
    /// Worker threads of one query (and DataFusion's partitions).
    threads: usize,
    /// Queries running at once; one waiting for a slot spends its own time.
    slots: Arc<Semaphore>,
}

impl DataFusionWarehouse {
    /// A warehouse whose table locations are prefixes under `root` (the object
    /// store's directory), with the default limits.
    pub fn new(root: &Path) -> DataFusionWarehouse {
        DataFusionWarehouse::with_limits(root, QueryLimits::default())
    }

    /// As [`DataFusionWarehouse::new`], each query held to `limits`.
    pub fn with_limits(root: &Path, limits: QueryLimits) -> DataFusionWarehouse {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        DataFusionWarehouse {
            root: root.to_path_buf(),
            limits,
            threads: cores.clamp(1, 4),
            slots: Arc::new(Semaphore::new((2 * cores).max(4))),
        }
    }
}

impl DataFusionWarehouse {
    /// A query over `tables`, from row `offset`, `size` rows (a page; 0 for a stream).
    fn job(&self, tables: &[TableRef], sql: &str, offset: usize, size: usize) -> Job {
        Job {
            root: self.root.clone(),
            tables: tables.to_vec(),
            sql: sql.to_string(),
            offset,
            size,
            memory_mb: self.limits.memory_mb,
            threads: self.threads,
        }
    }

    /// A query slot, waited for until `deadline` (the query's time limit).
    async fn slot(
        &self,
        deadline: tokio::time::Instant,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, WarehouseError> {
        tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| WarehouseError::LimitExceeded(self.limits.time_limit()))?
            .map_err(backend)
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> WarehouseError {
    WarehouseError::Backend(Box::new(e))
}

/// Name and Arrow type name of each field, as query results describe columns.
pub fn column_infos(fields: &datafusion::arrow::datatypes::Fields) -> Vec<ColumnInfo> {
    fields
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            kind: f.data_type().to_string(),
        })
        .collect()
}

/// Rows of `batches` as JSON values, column by column in schema order.
pub fn to_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<Value>>, WarehouseError> {
    let mut writer = ArrayWriter::new(Vec::new());
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    writer.write_batches(&refs).map_err(backend)?;
    writer.finish().map_err(backend)?;
    let bytes = writer.into_inner();
    let objects: Vec<serde_json::Map<String, Value>> = if bytes.is_empty() {
        vec![]
    } else {
        serde_json::from_slice(&bytes).map_err(backend)?
    };
    let Some(schema) = batches.first().map(|b| b.schema()) else {
        return Ok(vec![]);
    };
    Ok(objects
        .into_iter()
        .map(|mut o| {
            schema
                .fields()
                .iter()
                .map(|f| o.remove(f.name()).unwrap_or(Value::Null))
                .collect()
        })
        .collect())
}

/// One query, with all it needs to run on threads of its own.
struct Job {
    root: PathBuf,
    tables: Vec<TableRef>,
    sql: String,
    offset: usize,
    size: usize,
    memory_mb: u64,
    threads: usize,
}

impl Job {
    /// A session that sees exactly the job's tables, in a memory pool of its own:
    /// one per query, so no query reads a table another one registered.
    async fn session(&self) -> Result<SessionContext, WarehouseError> {
        let bytes =
            usize::try_from(self.memory_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX);
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(bytes, 1.0)
            // Over the pool is an error, never spill files on the laptop's disk.
            .with_disk_manager_builder(
                DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled),
            )
            .build_arc()
            .map_err(backend)?;
        // No information schema (SHOW TABLES, information_schema.*) and no file
        // paths as tables (URL tables stay off): the registered tables are all a
        // query can name. The table functions left (generate_series, range)
        // read nothing.
        let config = SessionConfig::new()
            .with_information_schema(false)
            .with_target_partitions(self.threads);
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        for t in &self.tables {
            if !is_identifier(&t.name) {
                return Err(WarehouseError::Query(format!(
                    "`{}` is not a table name",
                    t.name
                )));
            }
            let location = t.location.trim_end_matches('/');
            check_object_key(location).map_err(|e| WarehouseError::Query(e.to_string()))?;
            let path = format!("{}/", self.root.join(location).display());
            ctx.register_parquet(&t.name, &path, ParquetReadOptions::default())
                .await
                .map_err(|e| self.error(e))?;
        }
        Ok(ctx)
    }

    /// The query's plan in its session, refused unless it only reads.
    async fn plan(&self) -> Result<datafusion::dataframe::DataFrame, WarehouseError> {
        let ctx = self.session().await?;
        // Read-only: no CREATE/DROP, no INSERT or COPY, no SET.
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let df = ctx
            .sql_with_options(&self.sql, options)
            .await
            .map_err(|e| self.error(e))?;
        if matches!(
            df.logical_plan(),
            datafusion::logical_expr::LogicalPlan::Explain(_)
                | datafusion::logical_expr::LogicalPlan::Analyze(_)
        ) {
            return Err(WarehouseError::Query(
                "EXPLAIN is not available here; send the query itself".into(),
            ));
        }
        Ok(df)
    }

    async fn run(self) -> Result<QueryPage, WarehouseError> {
        let df = self.plan().await?;
        let columns = column_infos(df.schema().fields());
        let batches = df
            .limit(self.offset, Some(self.size + 1))
            .map_err(|e| self.error(e))?
            .collect()
            .await
            .map_err(|e| self.error(e))?;
        let mut rows = to_rows(&batches)?;
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        Ok(QueryPage {
            columns,
            rows,
            next_page: more.then(|| (self.offset + self.size).to_string()),
        })
    }

    /// Writes the whole result as Parquet files `{target}{stem}-{n}.parquet`
    /// of about [`MATERIALIZE_PART_BYTES`] each, a batch at a time: each file
    /// is written beside its name and renamed into place when complete, and
    /// files of the same stem left by an earlier try beyond the last are removed.
    async fn materialize(
        self,
        target: String,
        stem: String,
    ) -> Result<Materialized, WarehouseError> {
        use datafusion::parquet::arrow::ArrowWriter;
        let df = self.plan().await?;
        let columns = column_infos(df.schema().fields());
        let schema = Arc::new(df.schema().as_arrow().clone());
        let mut stream = df.execute_stream().await.map_err(|e| self.error(e))?;
        let dir = self.root.join(target.trim_end_matches('/'));
        std::fs::create_dir_all(&dir).map_err(backend)?;
        let mut files = vec![];
        let mut rows = 0u64;
        let mut writer: Option<(ArrowWriter<std::fs::File>, PathBuf, PathBuf)> = None;
        let close = |w: (ArrowWriter<std::fs::File>, PathBuf, PathBuf),
                     files: &mut Vec<String>|
         -> Result<(), WarehouseError> {
            let (w, part, done) = w;
            w.close().map_err(backend)?;
            std::fs::rename(&part, &done).map_err(backend)?;
            let name = done
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(format!("{target}{name}"));
            Ok(())
        };
        while let Some(batch) = futures_util::StreamExt::next(&mut stream).await {
            let batch = batch.map_err(|e| self.error(e))?;
            if batch.num_rows() == 0 {
                continue;
            }
            if writer.is_none() {
                let n = files.len();
                let done = dir.join(format!("{stem}-{n:04}.parquet"));
                let part = dir.join(format!("{stem}-{n:04}.parquet.part"));
                let file = std::fs::File::create(&part).map_err(backend)?;
                let props = crate::transform::writer_properties(&batch);
                let w = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(backend)?;
                writer = Some((w, part, done));
            }
            if let Some((w, _, _)) = writer.as_mut() {
                w.write(&batch).map_err(backend)?;
                rows += batch.num_rows() as u64;
                if w.bytes_written() + w.in_progress_size() >= MATERIALIZE_PART_BYTES
                    && let Some(full) = writer.take()
                {
                    close(full, &mut files)?;
                }
            }
        }
        match writer.take() {
            Some(last) => close(last, &mut files)?,
            // No rows: one empty file keeps the table's columns.
            None => {
                let done = dir.join(format!("{stem}-0000.parquet"));
                let part = dir.join(format!("{stem}-0000.parquet.part"));
                let file = std::fs::File::create(&part).map_err(backend)?;
                let w = ArrowWriter::try_new(file, schema.clone(), None).map_err(backend)?;
                close((w, part, done), &mut files)?;
            }
        }
        let kept: std::collections::HashSet<&str> =
            files.iter().filter_map(|f| f.rsplit('/').next()).collect();
        for entry in std::fs::read_dir(&dir).map_err(backend)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!("{stem}-")) && !kept.contains(name.as_str()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Materialized {
            columns,
            rows: Some(rows),
            files,
        })
    }

    /// A DataFusion error as the caller sees it: over the memory pool is the
    /// memory limit, anything else a query error.
    fn error(&self, e: DataFusionError) -> WarehouseError {
        match e.find_root() {
            DataFusionError::ResourcesExhausted(_) => {
                WarehouseError::LimitExceeded(QueryLimit::Memory {
                    megabytes: self.memory_mb,
                })
            }
            _ => WarehouseError::Query(crate::mapping::clean_df_error(&e.to_string())),
        }
    }

    /// Sends the query's columns on `opened`, then its rows a record batch at a
    /// time on `rows` (written as `format` where [`Written::encoder_for`] can,
    /// else as JSON values), until the last or until the receiver is gone.
    async fn stream(
        self,
        format: Option<RowFormat>,
        opened: oneshot::Sender<Result<Vec<ColumnInfo>, WarehouseError>>,
        rows: mpsc::Sender<Result<Piece, WarehouseError>>,
    ) {
        let started = async {
            let df = self.plan().await?;
            let columns = column_infos(df.schema().fields());
            let written = format.and_then(|f| Written::encoder_for(f, df.schema()));
            let stream = df.execute_stream().await.map_err(|e| self.error(e))?;
            Ok::<_, WarehouseError>((columns, written, stream))
        }
        .await;
        let (written, mut stream) = match started {
            Ok((columns, written, stream)) => {
                if opened.send(Ok(columns)).is_err() {
                    return;
                }
                (written, stream)
            }
            Err(e) => {
                let _ = opened.send(Err(e));
                return;
            }
        };
        loop {
            // A consumer that is gone stops the query, even inside a long
            // operator (a sort, a join's build side).
            let batch = tokio::select! {
                b = futures_util::StreamExt::next(&mut stream) => b,
                () = rows.closed() => return,
            };
            let Some(batch) = batch else { return };
            let converted = match batch {
                Ok(b) if b.num_rows() == 0 => continue,
                Ok(b) => match written {
                    Some(w) => w.write(&b).map(|bytes| Piece::Written {
                        bytes,
                        rows: b.num_rows() as u64,
                    }),
                    None => to_rows(std::slice::from_ref(&b)).map(Piece::Rows),
                },
                Err(e) => Err(self.error(e)),
            };
            let failed = converted.is_err();
            if rows.send(converted).await.is_err() || failed {
                return;
            }
        }
    }
}

/// A batch of a query's rows as the thread running it sends them: JSON
/// values, or already written for the reader.
enum Piece {
    Rows(Vec<Vec<Value>>),
    Written { bytes: Vec<u8>, rows: u64 },
}

/// How the query's thread writes batches for a reader of a [`RowFormat`]:
/// CSV lines, or NDJSON lines (which the JSON formats frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Csv,
    JsonLines,
    PostgresText,
}

impl Written {
    /// The writer for `format` over `fields`; `None` where the rows go as
    /// values (CSV of nested or binary columns, which Arrow's CSV writer does
    /// not write as the row encoder does).
    fn encoder_for(format: RowFormat, schema: &datafusion::common::DFSchema) -> Option<Written> {
        let flat = schema.fields().iter().all(|f| {
            !f.data_type().is_nested()
                && !matches!(
                    f.data_type(),
                    DataType::Binary
                        | DataType::LargeBinary
                        | DataType::BinaryView
                        | DataType::FixedSizeBinary(_)
                )
        });
        match format {
            RowFormat::Csv => flat.then_some(Written::Csv),
            RowFormat::PostgresText => flat.then_some(Written::PostgresText),
            RowFormat::Ndjson | RowFormat::Json | RowFormat::JsonWithSchema => {
                Some(Written::JsonLines)
            }
        }
    }

    /// `batch` as CSV lines (CRLF, nulls empty, quoted where needed) or NDJSON
    /// lines (every column a key, nulls written): what [`RowEncoder::row`]
    /// writes of the values [`to_rows`] makes of it.
    fn write(self, batch: &RecordBatch) -> Result<Vec<u8>, WarehouseError> {
        let mut out = Vec::with_capacity(batch.get_array_memory_size());
        match self {
            Written::Csv => {
                let mut w = datafusion::arrow::csv::WriterBuilder::new()
                    .with_header(false)
                    .with_line_terminator(datafusion::arrow::csv::writer::Terminator::CRLF)
                    .build(&mut out);
                w.write(batch).map_err(backend)?;
            }
            Written::JsonLines => {
                let mut w = datafusion::arrow::json::WriterBuilder::new()
                    .with_explicit_nulls(true)
                    .build::<_, datafusion::arrow::json::writer::LineDelimited>(&mut out);
                w.write(batch).map_err(backend)?;
                w.finish().map_err(backend)?;
            }
            Written::PostgresText => postgres_text(batch, &mut out)?,
        }
        Ok(out)
    }
}

/// `batch` in PostgreSQL's COPY text format: each value as Arrow displays it
/// (ISO dates and times, decimals with their scale), escaped, `\N` for NULL.
fn postgres_text(batch: &RecordBatch, out: &mut Vec<u8>) -> Result<(), WarehouseError> {
    use datafusion::arrow::array::Array;
    use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
    use std::fmt::Write as _;
    let options = FormatOptions::default();
    let columns = batch.columns();
    let formatters = columns
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    let mut text = String::new();
    for row in 0..batch.num_rows() {
        for (i, (column, f)) in columns.iter().zip(&formatters).enumerate() {
            if i > 0 {
                out.push(b'\t');
            }
            if column.is_null(row) {
                out.extend_from_slice(b"\\N");
                continue;
            }
            text.clear();
            write!(text, "{}", f.value(row)).map_err(backend)?;
            sluice_domain::rows::postgres_text_field(out, &text).map_err(backend)?;
        }
        out.push(b'\n');
    }
    Ok(())
}

/// A query's rows as the thread running it sends them.
struct BatchStream {
    columns: Vec<ColumnInfo>,
    rows: mpsc::Receiver<Result<Piece, WarehouseError>>,
    /// Time the engine may take to produce one batch.
    limit: std::time::Duration,
    over_time: QueryLimit,
}

#[async_trait]
impl RowStream for BatchStream {
    fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    async fn next_batch(&mut self) -> Result<Option<Vec<Vec<Value>>>, WarehouseError> {
        match self.next_piece().await? {
            Some(Piece::Rows(rows)) => Ok(Some(rows)),
            Some(Piece::Written { .. }) => Err(WarehouseError::Backend(
                "a stream opened for a writer was read as values".into(),
            )),
            None => Ok(None),
        }
    }

    async fn write_next(
        &mut self,
        encoder: &mut RowEncoder,
        out: &mut Vec<u8>,
    ) -> Result<Option<u64>, WarehouseError> {
        match self.next_piece().await? {
            Some(Piece::Rows(rows)) => {
                for row in &rows {
                    encoder.row(out, row).map_err(backend)?;
                }
                Ok(Some(rows.len() as u64))
            }
            Some(Piece::Written { bytes, rows }) => {
                encoder.append_encoded(out, &bytes, rows);
                Ok(Some(rows))
            }
            None => Ok(None),
        }
    }
}

impl BatchStream {
    async fn next_piece(&mut self) -> Result<Option<Piece>, WarehouseError> {
        match tokio::time::timeout(self.limit, self.rows.recv()).await {
            Ok(Some(Ok(piece))) => Ok(Some(piece)),
            Ok(Some(Err(e))) => Err(e),
            Ok(None) => Ok(None),
            Err(_) => Err(WarehouseError::LimitExceeded(self.over_time)),
        }
    }
}

/// A runtime of a query's own: this thread and `threads` workers.
fn query_runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("sluice-query")
        .enable_all()
        .build()
}

/// Runs `work` on a runtime of its own (this thread and `threads` workers)
/// until it ends or `cancel` fires (or its sender is dropped: the caller gave up).
fn run_on_own_runtime<T: Send + 'static>(
    threads: usize,
    work: impl std::future::Future<Output = Result<T, WarehouseError>> + Send + 'static,
    cancel: oneshot::Receiver<()>,
) -> Result<T, WarehouseError> {
    let runtime = query_runtime(threads).map_err(backend)?;
    let mut task = runtime.spawn(work);
    let result = runtime.block_on(async {
        tokio::select! {
            joined = &mut task => joined.unwrap_or_else(|e| {
                Err(WarehouseError::Backend(format!("the query stopped: {e}").into()))
            }),
            _ = cancel => {
                task.abort();
                Err(WarehouseError::Backend("the query was cancelled".into()))
            }
        }
    });
    // Whatever still runs is dropped at its next yield; nothing waits for it.
    runtime.shutdown_background();
    result
}

impl DataFusionWarehouse {
    /// Runs `work` (made from the job) in a query slot on threads of its own,
    /// within the query time limit; dropping the future stops it.
    async fn on_own_threads<T, F>(
        &self,
        job: Job,
        work: impl FnOnce(Job) -> F + Send + 'static,
    ) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, WarehouseError>> + Send + 'static,
    {
        let deadline = tokio::time::Instant::now() + self.limits.timeout;
        let slot = self.slot(deadline).await?;
        let (answer, answered) = oneshot::channel();
        // Dropped when this future ends or is dropped, which stops the query.
        let (_cancel, cancelled) = oneshot::channel::<()>();
        let threads = job.threads;
        std::thread::Builder::new()
            .name("sluice-query".into())
            .spawn(move || {
                let _slot = slot;
                let _ = answer.send(run_on_own_runtime(threads, work(job), cancelled));
            })
            .map_err(backend)?;
        match tokio::time::timeout_at(deadline, answered).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(WarehouseError::Backend(
                "the query's thread ended without an answer".into(),
            )),
            Err(_) => Err(WarehouseError::LimitExceeded(self.limits.time_limit())),
        }
    }
}

#[async_trait]
impl Warehouse for DataFusionWarehouse {
    async fn query(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError> {
        check_tables_of(project, tables)?;
        let offset: usize = match page {
            Some(p) => p.parse().map_err(|_| WarehouseError::BadPageToken)?,
            None => 0,
        };
        let job = self.job(tables, sql, offset, page_size.clamp(1, 10_000) as usize);
        self.on_own_threads(job, Job::run).await
    }

    async fn describe(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
    ) -> Result<Vec<ColumnInfo>, WarehouseError> {
        check_tables_of(project, tables)?;
        let job = self.job(tables, sql, 0, 0);
        self.on_own_threads(job, |job| async move {
            let df = job.plan().await?;
            Ok(column_infos(df.schema().fields()))
        })
        .await
    }

    /// The object directory is there, and the engine plans `SELECT 1`.
    async fn check(&self) -> Result<(), WarehouseError> {
        std::fs::metadata(&self.root).map_err(|e| WarehouseError::Backend(Box::new(e)))?;
        let job = self.job(&[], "SELECT 1", 0, 0);
        self.on_own_threads(job, |job| async move { job.plan().await.map(|_| ()) })
            .await
    }

    async fn materialize(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        target: &str,
        stem: &str,
    ) -> Result<Materialized, WarehouseError> {
        check_tables_of(project, tables)?;
        check_materialize_target(project, target, stem)?;
        let job = self.job(tables, sql, 0, 0);
        let (target, stem) = (target.to_string(), stem.to_string());
        self.on_own_threads(job, move |job| job.materialize(target, stem))
            .await
    }

    async fn stream(
        self: Arc<Self>,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
    ) -> Result<Box<dyn RowStream>, WarehouseError> {
        self.open_stream(project, tables, sql, None).await
    }

    async fn stream_as(
        self: Arc<Self>,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        format: RowFormat,
    ) -> Result<Box<dyn RowStream>, WarehouseError> {
        self.open_stream(project, tables, sql, Some(format)).await
    }
}

impl DataFusionWarehouse {
    /// A stream of `sql`'s rows, written as `format` on the query's thread
    /// where it can be.
    async fn open_stream(
        self: Arc<Self>,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        format: Option<RowFormat>,
    ) -> Result<Box<dyn RowStream>, WarehouseError> {
        check_tables_of(project, tables)?;
        let job = self.job(tables, sql, 0, 0);
        let deadline = tokio::time::Instant::now() + self.limits.timeout;
        let over_time = || WarehouseError::LimitExceeded(self.limits.time_limit());
        let slot = self.slot(deadline).await?;
        let (opened, answered) = oneshot::channel();
        // Two batches in flight: the engine works on the next while the
        // consumer writes one.
        let (rows, received) = mpsc::channel(2);
        let threads = self.threads;
        std::thread::Builder::new()
            .name("sluice-query".into())
            .spawn(move || {
                let _slot = slot;
                let Ok(runtime) = query_runtime(threads) else {
                    return;
                };
                runtime.block_on(job.stream(format, opened, rows));
                runtime.shutdown_background();
            })
            .map_err(backend)?;
        let columns = match tokio::time::timeout_at(deadline, answered).await {
            Ok(Ok(result)) => result?,
            Ok(Err(_)) => {
                return Err(WarehouseError::Backend(
                    "the query's thread ended without an answer".into(),
                ));
            }
            Err(_) => return Err(over_time()),
        };
        Ok(Box::new(BatchStream {
            columns,
            rows: received,
            limit: self.limits.timeout,
            over_time: self.limits.time_limit(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::arrow::ArrowWriter;
    use sluice_domain::Kind;
    use sluice_domain::pipeline::objects;

    /// A fresh objects directory with one table of `rows` rows for each project.
    struct Lake {
        root: PathBuf,
        tables: Vec<(Id, TableRef)>,
    }

    impl Drop for Lake {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }

    fn lake(projects: usize, rows: i64) -> Lake {
        let now = 1_700_000_000_000;
        let root = std::env::temp_dir().join(format!(
            "sluice-engine-{}",
            Id::generate(Kind::Run, now).as_str().to_ascii_lowercase()
        ));
        let mut tables = vec![];
        for i in 0..projects {
            let project = Id::generate(Kind::Project, now + i as u64);
            let mart = Id::generate(Kind::DataMart, now + i as u64);
            let location = objects::table(&project, &mart);
            let dir = root.join(&location);
            std::fs::create_dir_all(&dir).expect("table dir");
            let schema = Arc::new(Schema::new(vec![
                Field::new("id", DataType::Int64, false),
                Field::new("secret", DataType::Utf8, false),
            ]));
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(Int64Array::from_iter_values(0..rows)),
                    Arc::new(StringArray::from_iter_values(
                        (0..rows).map(|r| format!("{project}-{r}")),
                    )),
                ],
            )
            .expect("batch");
            let file = std::fs::File::create(dir.join("part-0.parquet")).expect("file");
            let mut writer = ArrowWriter::try_new(file, schema, None).expect("writer");
            writer.write(&batch).expect("write");
            writer.close().expect("close");
            let table = TableRef {
                name: objects::table_name(&mart),
                location,
                columns: vec![],
                storage: None,
            };
            tables.push((project, table));
        }
        Lake { root, tables }
    }

    #[tokio::test]
    async fn a_stream_hands_every_row_over_once_in_order_and_its_wall_holds() {
        let lake = lake(2, 50_000);
        let (mine, table) = &lake.tables[0];
        let (_, theirs) = &lake.tables[1];
        let w = Arc::new(DataFusionWarehouse::new(&lake.root));
        let sql = format!("select id, secret from {} order by id", table.name);
        let mut stream = w
            .clone()
            .stream(mine, std::slice::from_ref(table), &sql)
            .await
            .expect("a stream");
        let names: Vec<&str> = stream.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "secret"]);
        let (mut next, mut batches) = (0i64, 0);
        while let Some(rows) = stream.next_batch().await.expect("a batch") {
            assert!(!rows.is_empty());
            batches += 1;
            for row in rows {
                assert_eq!(row[0], serde_json::json!(next));
                next += 1;
            }
        }
        assert_eq!(next, 50_000, "every row, once");
        assert!(batches > 1, "in batches, not whole");
        // Another project's table, a bad query: refused before a row.
        let refused = w
            .clone()
            .stream(mine, std::slice::from_ref(theirs), "select 1")
            .await;
        assert!(refused.is_err());
        let bad = w
            .clone()
            .stream(mine, std::slice::from_ref(table), "select nope from x")
            .await;
        assert!(matches!(bad, Err(WarehouseError::Query(_))));
        // A stream dropped midway frees its slot: as many again run after it.
        for _ in 0..(2 * 4 + 1) {
            let mut s = w
                .clone()
                .stream(mine, std::slice::from_ref(table), &sql)
                .await
                .expect("a stream");
            assert!(s.next_batch().await.expect("a batch").is_some());
        }
    }

    #[tokio::test]
    async fn a_result_is_materialized_whole_under_its_tables_and_buckets_cut_in_their_zone() {
        let lake = lake(1, 10_000);
        let (mine, table) = &lake.tables[0];
        let w = DataFusionWarehouse::new(&lake.root);
        let target = format!("{}dm_out/", objects::tables_of(mine));
        let sql = format!("select id * 2 as twice from {}", table.name);
        let out = w
            .materialize(mine, std::slice::from_ref(table), &sql, &target, "run_a")
            .await
            .expect("materialized");
        assert_eq!(out.rows, Some(10_000));
        assert_eq!(out.files, [format!("{target}run_a-0000.parquet")]);
        assert_eq!(out.columns[0].name, "twice");
        let written = TableRef {
            name: "dm_out".into(),
            location: target.clone(),
            columns: vec![],
            storage: None,
        };
        let sum = w
            .query(mine, &[written], "select sum(twice) from dm_out", 1, None)
            .await
            .expect("read back");
        assert_eq!(sum.rows[0][0], serde_json::json!(9_999 * 10_000));
        // Nowhere but under the project's tables.
        for elsewhere in ["projects/x/", "warehouse/prj_other/x/"] {
            assert!(
                w.materialize(mine, std::slice::from_ref(table), &sql, elsewhere, "run_a")
                    .await
                    .is_err(),
                "{elsewhere}"
            );
        }
        // 23:30 UTC on 30 November is 1 December in Berlin.
        let at = "arrow_cast('2026-11-30T23:30:00Z', 'Timestamp(Microsecond, Some(\"UTC\"))')";
        let day = w
            .query(
                mine,
                &[],
                &format!("select date_trunc('day', {at} AT TIME ZONE 'Europe/Berlin')"),
                1,
                None,
            )
            .await
            .expect("a bucket");
        let cut = day.rows[0][0].as_str().unwrap_or_default().to_string();
        assert!(cut.starts_with("2026-12-01T00:00:00"), "{cut}");
    }

    #[tokio::test]
    async fn a_query_reads_its_own_tables_and_no_other_table_listing_or_file() {
        let lake = lake(2, 3);
        let (mine, table) = &lake.tables[0];
        let (_, theirs) = &lake.tables[1];
        let w = DataFusionWarehouse::new(&lake.root);
        let tables = std::slice::from_ref(table);
        let n = w
            .query(
                mine,
                tables,
                &format!("select count(*) from {}", table.name),
                10,
                None,
            )
            .await
            .expect("own table");
        assert_eq!(n.rows, vec![vec![serde_json::json!(3)]]);
        let their_file = lake.root.join(&theirs.location).join("part-0.parquet");
        for sql in [
            format!("select * from {}", theirs.name),
            format!("select * from public.{}", theirs.name),
            format!("select * from datafusion.public.{}", theirs.name),
            "select * from information_schema.tables".into(),
            "select * from information_schema.columns".into(),
            "show tables".into(),
            "show columns from x".into(),
            format!("select * from '{}'", their_file.display()),
            format!("select * from '{}part-0.parquet'", theirs.location),
            format!("select * from read_parquet('{}')", their_file.display()),
            format!("select * from parquet_scan('{}')", their_file.display()),
            format!("select * from read_csv('{}')", their_file.display()),
            format!(
                "create external table x stored as parquet location '{}'",
                their_file.display()
            ),
            "copy (select 1) to '/tmp/sluice-copy-escape.csv'".into(),
            "set datafusion.catalog.information_schema = true".into(),
        ] {
            match w.query(mine, tables, &sql, 10, None).await {
                Err(WarehouseError::Query(_)) => {}
                other => panic!("{sql}: {other:?}"),
            }
        }
        // Handed another project's table, the engine refuses to register it.
        assert!(matches!(
            w.query(mine, std::slice::from_ref(theirs), "select 1", 1, None)
                .await,
            Err(WarehouseError::Backend(_))
        ));
    }

    #[tokio::test]
    async fn explain_is_refused_in_words_and_engine_internals_never_ask_for_a_bug_report() {
        let lake = lake(1, 3);
        let (mine, table) = &lake.tables[0];
        let w = DataFusionWarehouse::new(&lake.root);
        let tables = std::slice::from_ref(table);
        for sql in [
            format!("explain select * from {}", table.name),
            format!("explain analyze select * from {}", table.name),
        ] {
            match w.query(mine, tables, &sql, 10, None).await {
                Err(WarehouseError::Query(m)) => {
                    assert!(m.contains("EXPLAIN is not available"), "{sql}: {m}");
                }
                other => panic!("{sql}: {other:?}"),
            }
        }
        let got = w
            .query(
                mine,
                tables,
                &format!(
                    "select coalesce(id, 0) + 1 as n from {} order by n",
                    table.name
                ),
                10,
                None,
            )
            .await
            .expect("coalesce runs");
        assert_eq!(got.rows.len(), 3);
        assert!(!crate::mapping::clean_df_error(
            "Internal error: x should have been simplified. This issue was likely caused by a bug in DataFusion's code. Please help us to resolve this by filing a bug report"
        )
        .contains("bug report"));
    }

    #[tokio::test]
    async fn a_query_over_the_time_limit_stops_while_a_light_one_answers() {
        let lake = lake(1, 3_000);
        let (project, table) = &lake.tables[0];
        let limits = QueryLimits {
            timeout: std::time::Duration::from_secs(3),
            ..QueryLimits::default()
        };
        let w = DataFusionWarehouse::with_limits(&lake.root, limits);
        let tables = std::slice::from_ref(table);
        let name = &table.name;
        // Summed, not counted: a count of a cross join is answered from the
        // tables' statistics without reading a row.
        let heavy = format!(
            "select sum(a.id + b.id + c.id) from {name} a cross join {name} b cross join {name} c"
        );
        let light = format!("select count(*) from {name}");
        let (heavy, light) = tokio::join!(
            w.query(project, tables, &heavy, 10, None),
            w.query(project, tables, &light, 10, None)
        );
        assert!(
            matches!(
                heavy,
                Err(WarehouseError::LimitExceeded(QueryLimit::Time {
                    seconds: 3
                }))
            ),
            "{heavy:?}"
        );
        assert_eq!(
            light.expect("light").rows,
            vec![vec![serde_json::json!(3_000)]]
        );
    }

    #[tokio::test]
    async fn a_query_over_the_memory_limit_is_a_memory_limit_error() {
        let lake = lake(1, 3_000);
        let (project, table) = &lake.tables[0];
        let limits = QueryLimits {
            timeout: std::time::Duration::from_secs(600),
            memory_mb: 16,
        };
        let w = DataFusionWarehouse::with_limits(&lake.root, limits);
        let name = &table.name;
        // Nine million distinct keys: far over 16 MB of hash table.
        let sql = format!(
            "select count(*) from (select distinct a.id * 100000 + b.id as k \
             from {name} a cross join {name} b)"
        );
        let got = w
            .query(project, std::slice::from_ref(table), &sql, 10, None)
            .await;
        assert!(
            matches!(
                got,
                Err(WarehouseError::LimitExceeded(QueryLimit::Memory {
                    megabytes: 16
                }))
            ),
            "{got:?}"
        );
    }
}

#[cfg(test)]
mod written_tests {
    use super::*;
    use datafusion::arrow::array::{
        BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray,
        TimestampMicrosecondArray,
    };
    use datafusion::arrow::datatypes::{Field, Schema, TimeUnit};
    use sluice_domain::rows::RowEncoder;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("ratio", DataType::Float64, true),
            Field::new("amount", DataType::Decimal128(12, 2), true),
            Field::new("say \"hi\"", DataType::Utf8, true),
            Field::new("flag", DataType::Boolean, true),
            Field::new("day", DataType::Date32, true),
            Field::new("at", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(-3)])),
                Arc::new(Float64Array::from(vec![Some(0.1), Some(2.5e-7), None])),
                Arc::new(
                    Decimal128Array::from(vec![Some(1250), None, Some(-5)])
                        .with_precision_and_scale(12, 2)
                        .expect("decimal"),
                ),
                Arc::new(StringArray::from(vec![
                    Some("plain"),
                    Some("a, \"quoted\"\nline"),
                    None,
                ])),
                Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
                Arc::new(Date32Array::from(vec![Some(20_454), None, Some(0)])),
                Arc::new(TimestampMicrosecondArray::from(vec![
                    Some(1_767_225_600_000_000),
                    Some(1_767_225_600_123_456),
                    None,
                ])),
            ],
        )
        .expect("a batch")
    }

    /// Writes `batch` in `format` both ways: from the JSON values, and as the
    /// query's thread writes it for a reader.
    fn both(format: RowFormat) -> (String, String) {
        let b = batch();
        let columns = column_infos(b.schema().fields());
        let mut by_values = vec![];
        let mut e = RowEncoder::new(format, &columns);
        e.start(&mut by_values).expect("start");
        for row in to_rows(std::slice::from_ref(&b)).expect("rows") {
            e.row(&mut by_values, &row).expect("row");
        }
        e.finish(&mut by_values).expect("finish");
        let mut written = vec![];
        let mut w = RowEncoder::new(format, &columns);
        w.start(&mut written).expect("start");
        let schema = datafusion::common::DFSchema::try_from(b.schema()).expect("schema");
        let writer = Written::encoder_for(format, &schema).expect("written");
        w.append_encoded(&mut written, &writer.write(&b).expect("writes"), 3);
        w.finish(&mut written).expect("finish");
        assert_eq!(e.rows(), w.rows());
        (
            String::from_utf8(by_values).expect("utf-8"),
            String::from_utf8(written).expect("utf-8"),
        )
    }

    /// The rows a reader gets are the same values whichever way they were
    /// written; only a decimal's trailing zeros differ (the values way reads
    /// it as a float).
    #[test]
    fn rows_written_from_columns_read_as_the_values_would() {
        for format in [
            RowFormat::Ndjson,
            RowFormat::Json,
            RowFormat::JsonWithSchema,
        ] {
            let (values, written) = both(format);
            let parse = |text: &str| -> Vec<Value> {
                text.lines()
                    .map(|l| serde_json::from_str::<Value>(l).expect("json"))
                    .collect()
            };
            assert_eq!(parse(&values), parse(&written), "{format:?}\n{written}");
        }
        let (values, written) = both(RowFormat::PostgresText);
        let lines = |t: &str| -> Vec<Vec<String>> {
            t.lines()
                .map(|l| l.split('\t').map(str::to_string).collect())
                .collect()
        };
        for (a, b) in lines(&values)
            .iter()
            .flatten()
            .zip(lines(&written).iter().flatten())
        {
            let same_number = matches!(
                (a.parse::<f64>(), b.parse::<f64>()),
                (Ok(x), Ok(y)) if x == y
            );
            assert!(a == b || same_number, "{a} / {b}\n{values}\n{written}");
        }
        assert!(written.contains("a, \"quoted\"\\nline\t"), "{written}");
        assert_eq!(written.matches("\\N").count(), 7, "{written}");
        let (values, written) = both(RowFormat::Csv);
        // Field by field: the same text, or the same number.
        let fields = |t: &str| -> Vec<String> {
            t.split("\r\n")
                .flat_map(|l| l.split(','))
                .map(str::to_string)
                .collect()
        };
        for (a, b) in fields(&values).iter().zip(fields(&written).iter()) {
            let same_number = matches!(
                (a.parse::<f64>(), b.parse::<f64>()),
                (Ok(x), Ok(y)) if x == y
            );
            assert!(a == b || same_number, "{a} / {b}\n{values}\n{written}");
        }
        assert_eq!(fields(&values).len(), fields(&written).len());
        assert!(written.contains("\"a, \"\"quoted\"\"\nline\""), "{written}");
        assert!(written.ends_with("\r\n"));
        assert_eq!(
            written.matches("\r\n").count(),
            4,
            "a header and three rows"
        );
    }

    #[test]
    fn csv_of_nested_or_binary_columns_goes_as_values() {
        let schema = Schema::new(vec![Field::new("b", DataType::Binary, true)]);
        let df = datafusion::common::DFSchema::try_from(schema).expect("schema");
        assert_eq!(Written::encoder_for(RowFormat::Csv, &df), None);
        assert_eq!(
            Written::encoder_for(RowFormat::Ndjson, &df),
            Some(Written::JsonLines)
        );
    }
}
