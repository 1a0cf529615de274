//! `object_export`: the report as a CSV, NDJSON or JSON file (optionally
//! gzipped), or a Parquet file of typed columns, in the project's exports area
//! of the object store. The file is written to local disk page by page, so
//! memory holds one page (a Parquet row group is written every 64k rows), then
//! put whole: a reader sees the old file or the new one. A repeated delivery
//! writes the same key again.

use std::io::Write;

use sluice_domain::entities::{Delivered, export_file_name, export_folder};
use sluice_domain::pipeline::objects;
use sluice_domain::rows::{RowEncoder, RowFormat};

use super::{Job, Outcome};
use crate::{Fault, Machine};

/// A file format an export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileFormat {
    Rows(RowFormat),
    Parquet,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Rows(f) => f.extension(),
            FileFormat::Parquet => "parquet",
        }
    }
}

fn parse_format(s: &str) -> Result<FileFormat, Fault> {
    match s {
        "csv" => Ok(FileFormat::Rows(RowFormat::Csv)),
        "ndjson" => Ok(FileFormat::Rows(RowFormat::Ndjson)),
        "json" => Ok(FileFormat::Rows(RowFormat::Json)),
        "parquet" => Ok(FileFormat::Parquet),
        other => Err(Fault::Permanent(format!(
            "the destination's format `{other}` is not csv, ndjson, json or parquet"
        ))),
    }
}

/// The file being written, plain or gzipped.
enum Sink {
    Plain(std::io::BufWriter<std::fs::File>),
    Gzip(Box<flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Ends the file: the gzip trailer written, every buffer flushed, errors told.
    fn finish(self) -> std::io::Result<()> {
        let mut buffered = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => (*w).finish()?,
        };
        buffered.flush()?;
        buffered
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
    }
}

fn io(e: std::io::Error) -> Fault {
    Fault::Transient(format!("writing the export file: {e}"))
}

/// The row format an export destination's `config` writes, if it writes rows
/// (not Parquet): the stream is opened for it.
pub(crate) fn row_format(config: &serde_json::Map<String, serde_json::Value>) -> Option<RowFormat> {
    let format = config
        .get("format")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("csv");
    match parse_format(format) {
        Ok(FileFormat::Rows(f)) => Some(f),
        _ => None,
    }
}

pub(crate) async fn deliver(
    m: &Machine,
    mut job: Job<'_>,
) -> Result<(Outcome, Option<String>), Fault> {
    let format = parse_format(&job.str("format", "csv"))?;
    let gzip = match job.str("compression", "none").as_str() {
        "none" => false,
        "gzip" => true,
        other => {
            return Err(Fault::Permanent(format!(
                "the destination's compression `{other}` is not none or gzip"
            )));
        }
    };
    let folder =
        export_folder(&job.str("folder", "")).map_err(|e| Fault::Permanent(e.to_string()))?;
    let name = export_file_name(
        &job.str("file_name", "{report}-{date}"),
        &job.report.meta.id,
        &job.run.meta.id,
        job.run.meta.created_at.date_naive(),
    )
    .map_err(|e| Fault::Permanent(e.to_string()))?;
    let file_name = format!(
        "{name}.{}{}",
        format.extension(),
        if gzip { ".gz" } else { "" }
    );
    let key = format!(
        "{}{folder}{file_name}",
        objects::exports_of(&job.run.meta.project_id)
    );
    let spool = tempfile_path(&job.run.meta.id);
    let file = std::fs::File::create(&spool).map_err(io)?;
    let result = match format {
        FileFormat::Rows(rows) => write_file(file, gzip, rows, &mut job).await,
        FileFormat::Parquet if gzip => Err(Fault::Permanent(
            "Parquet compresses its own columns; set the destination's compression to `none`"
                .into(),
        )),
        FileFormat::Parquet => write_parquet(file, &mut job).await,
    };
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&spool);
            return Err(e);
        }
    };
    // `put_file` takes the spooled file (and removes it).
    let put = m.objects().put_file(&key, &spool).await;
    let _ = std::fs::remove_file(&spool);
    let bytes = put?;
    Ok((
        Outcome {
            rows,
            bytes,
            log: vec![],
            delivered: Delivered {
                target: format!("{folder}{file_name}"),
                format: Some(format.extension().to_string()),
                status: None,
            },
        },
        Some(key),
    ))
}

/// A file of this process's own in the system temp directory.
fn tempfile_path(run: &sluice_domain::Id) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "sluice-export-{}-{}",
        run.as_str().to_ascii_lowercase(),
        std::process::id()
    ))
}

async fn write_file(
    file: std::fs::File,
    gzip: bool,
    format: RowFormat,
    job: &mut Job<'_>,
) -> Result<u64, Fault> {
    let buffered = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut out = if gzip {
        Sink::Gzip(Box::new(flate2::write::GzEncoder::new(
            buffered,
            flate2::Compression::default(),
        )))
    } else {
        Sink::Plain(buffered)
    };
    // The warehouse writes each batch as the file's format where it can
    // (the stream was opened for it: `row_format`).
    let mut encoder = RowEncoder::new(format, job.pages.columns());
    encoder.start(&mut out).map_err(io)?;
    let mut batch = Vec::with_capacity(1 << 20);
    while job
        .pages
        .write_next(&mut encoder, &mut batch)
        .await?
        .is_some()
    {
        std::io::Write::write_all(&mut out, &batch).map_err(io)?;
        batch.clear();
    }
    encoder.finish(&mut out).map_err(io)?;
    out.finish().map_err(io)?;
    Ok(encoder.rows())
}

/// Rows a Parquet row group holds before it is written out.
const PARQUET_GROUP_ROWS: usize = 65_536;

/// The report as one Parquet file, its columns typed as the warehouse gave
/// them: each page decoded into Arrow columns, written a row group at a time.
async fn write_parquet(file: std::fs::File, job: &mut Job<'_>) -> Result<u64, Fault> {
    use sluice_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
    use sluice_engine::datafusion::arrow::json::ReaderBuilder;
    use sluice_engine::datafusion::parquet::arrow::ArrowWriter;
    use sluice_engine::datafusion::parquet::basic::Compression;
    use sluice_engine::datafusion::parquet::file::properties::WriterProperties;
    let bad =
        |e: &dyn std::fmt::Display| Fault::Permanent(format!("writing the Parquet file: {e}"));
    let mut writer: Option<ArrowWriter<std::fs::File>> = None;
    let mut decoder = None;
    let mut file = Some(file);
    let mut rows = 0u64;
    while let Some(page) = job.pages.next().await? {
        if writer.is_none() {
            let fields: Vec<Field> = page
                .columns
                .iter()
                .map(|c| {
                    // A type the JSON rows cannot carry back goes out as text;
                    // the engine's string views as plain strings, which every
                    // Parquet reader takes.
                    let kind = match c.kind.parse::<DataType>() {
                        Ok(DataType::Utf8View) | Err(_) => DataType::Utf8,
                        Ok(DataType::BinaryView) => DataType::Binary,
                        Ok(k) => k,
                    };
                    Field::new(&c.name, kind, true)
                })
                .collect();
            let schema = std::sync::Arc::new(Schema::new(fields));
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(PARQUET_GROUP_ROWS))
                .build();
            let f = file.take().ok_or_else(|| bad(&"the file is gone"))?;
            writer =
                Some(ArrowWriter::try_new(f, schema.clone(), Some(props)).map_err(|e| bad(&e))?);
            decoder = Some(
                ReaderBuilder::new(schema)
                    .with_batch_size(PARQUET_GROUP_ROWS)
                    .build_decoder()
                    .map_err(|e| bad(&e))?,
            );
        }
        let (Some(w), Some(d)) = (writer.as_mut(), decoder.as_mut()) else {
            continue;
        };
        let objects: Vec<serde_json::Map<String, serde_json::Value>> = page
            .rows
            .iter()
            .map(|r| super::row_object(&page.columns, r.clone()))
            .collect();
        d.serialize(&objects).map_err(|e| bad(&e))?;
        while let Some(batch) = d.flush().map_err(|e| bad(&e))? {
            rows += batch.num_rows() as u64;
            w.write(&batch).map_err(|e| bad(&e))?;
        }
    }
    match writer {
        Some(w) => {
            w.close().map_err(|e| bad(&e))?;
        }
        // No page at all: an empty file of no columns.
        None => {
            let f = file.take().ok_or_else(|| bad(&"the file is gone"))?;
            let w = ArrowWriter::try_new(f, std::sync::Arc::new(Schema::empty()), None)
                .map_err(|e| bad(&e))?;
            w.close().map_err(|e| bad(&e))?;
        }
    }
    Ok(rows)
}
