//! `object_export`: the report as a CSV, NDJSON or JSON file (optionally
//! gzipped) in the project's exports area of the object store. The file is
//! written to local disk page by page, so memory holds one page, then put
//! whole: a reader sees the old file or the new one. A repeated delivery
//! writes the same key again.

use std::io::Write;

use sluice_domain::entities::{Delivered, export_file_name, export_folder};
use sluice_domain::pipeline::objects;
use sluice_domain::rows::{RowEncoder, RowFormat};

use super::{Job, Outcome};
use crate::{Fault, Machine};

fn parse_format(s: &str) -> Result<RowFormat, Fault> {
    match s {
        "csv" => Ok(RowFormat::Csv),
        "ndjson" => Ok(RowFormat::Ndjson),
        "json" => Ok(RowFormat::Json),
        other => Err(Fault::Permanent(format!(
            "the destination's format `{other}` is not csv, ndjson or json"
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
    let result = write_file(file, gzip, format, &mut job).await;
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
    let mut encoder: Option<RowEncoder> = None;
    while let Some(page) = job.pages.next().await? {
        let e = match &mut encoder {
            Some(e) => e,
            None => {
                let mut e = RowEncoder::new(format, &page.columns);
                e.start(&mut out).map_err(io)?;
                encoder.insert(e)
            }
        };
        for row in &page.rows {
            e.row(&mut out, row).map_err(io)?;
        }
    }
    let rows = match &mut encoder {
        Some(e) => {
            e.finish(&mut out).map_err(io)?;
            e.rows()
        }
        None => 0,
    };
    out.finish().map_err(io)?;
    Ok(rows)
}
