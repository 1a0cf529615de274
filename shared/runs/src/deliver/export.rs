//! `object_export`: the report as a CSV, NDJSON or JSON file (optionally
//! gzipped) in the project's exports area of the object store. The file is
//! written to local disk page by page, so memory holds one page, then put
//! whole: a reader sees the old file or the new one. A repeated delivery
//! writes the same key again.

use std::io::Write;

use serde_json::Value;
use sluice_domain::entities::{Delivered, export_file_name, export_folder};
use sluice_domain::pipeline::objects;
use sluice_domain::ports::ColumnInfo;

use super::{Job, Outcome, row_object};
use crate::{Fault, Machine};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Ndjson,
    Json,
}

impl Format {
    fn parse(s: &str) -> Result<Format, Fault> {
        match s {
            "csv" => Ok(Format::Csv),
            "ndjson" => Ok(Format::Ndjson),
            "json" => Ok(Format::Json),
            other => Err(Fault::Permanent(format!(
                "the destination's format `{other}` is not csv, ndjson or json"
            ))),
        }
    }
    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
            Format::Json => "json",
        }
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

/// One CSV field: quoted when it holds a separator, a quote or a line break.
fn csv_field(out: &mut impl Write, v: &Value) -> std::io::Result<()> {
    let text = match v {
        Value::Null => return Ok(()),
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        Value::Bool(_) | Value::Number(_) => std::borrow::Cow::Owned(v.to_string()),
        other => std::borrow::Cow::Owned(other.to_string()),
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(text.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(text.as_bytes())
    }
}

pub(super) fn csv_line<'v>(
    out: &mut impl Write,
    values: impl Iterator<Item = &'v Value>,
) -> std::io::Result<()> {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        csv_field(out, v)?;
    }
    out.write_all(b"\r\n")
}

fn io(e: std::io::Error) -> Fault {
    Fault::Transient(format!("writing the export file: {e}"))
}

pub(crate) async fn deliver(
    m: &Machine,
    mut job: Job<'_>,
) -> Result<(Outcome, Option<String>), Fault> {
    let format = Format::parse(&job.str("format", "csv"))?;
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
    format: Format,
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
    let mut rows = 0u64;
    let mut columns: Vec<ColumnInfo> = vec![];
    if format == Format::Json {
        out.write_all(b"[").map_err(io)?;
    }
    while let Some(page) = job.pages.next().await? {
        if columns.is_empty() {
            columns = page.columns.clone();
            if format == Format::Csv {
                let header: Vec<Value> = columns
                    .iter()
                    .map(|c| Value::String(c.name.clone()))
                    .collect();
                csv_line(&mut out, header.iter()).map_err(io)?;
            }
        }
        for row in page.rows {
            match format {
                Format::Csv => csv_line(&mut out, row.iter()).map_err(io)?,
                Format::Ndjson => {
                    serde_json::to_writer(&mut out, &row_object(&columns, row))
                        .map_err(|e| io(e.into()))?;
                    out.write_all(b"\n").map_err(io)?;
                }
                Format::Json => {
                    if rows > 0 {
                        out.write_all(b",").map_err(io)?;
                    }
                    serde_json::to_writer(&mut out, &row_object(&columns, row))
                        .map_err(|e| io(e.into()))?;
                }
            }
            rows += 1;
        }
    }
    if format == Format::Json {
        out.write_all(b"]").map_err(io)?;
    }
    out.finish().map_err(io)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        let mut out = vec![];
        let row = [
            Value::Null,
            Value::from("plain"),
            Value::from("a,b"),
            Value::from("say \"hi\""),
            Value::from("two\nlines"),
            Value::from(1.5),
            Value::from(true),
        ];
        csv_line(&mut out, row.iter()).expect("written");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            ",plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",1.5,true\r\n"
        );
    }
}
