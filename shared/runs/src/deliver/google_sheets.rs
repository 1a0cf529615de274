//! `google_sheets`: the report written into a sheet of a Google spreadsheet,
//! from the destination's start cell: a header row of the column names, then
//! the rows (numbers as numbers, booleans as booleans, null as an empty cell,
//! the rest as text, written `RAW` so nothing is read as a formula).
//!
//! The rows are spooled to a local file a page at a time first: the
//! spreadsheet's 10,000,000-cell limit is checked against the report's size
//! before anything is written, so a report too large fails whole with the
//! reason, never half written. They are then written from the spool in
//! requests of at most [`BATCH_ROWS`] rows and about [`BATCH_BYTES`] bytes,
//! so memory holds one page, then one request.
//!
//! A missing sheet is created. The client
//! (`sluice_connectors::google_sheets`) records the report's block on its
//! sheet before it writes, and clears what an earlier delivery to the same
//! start cell left (a wider or longer report), and nothing else: the rest of
//! the sheet stays as its users left it. Writing the same values to the same
//! block is idempotent, so a redelivered message gives the same sheet.

use std::io::{BufRead as _, Write as _};

use serde_json::Value;
use sluice_connectors::google_sheets::{Block, SheetsClient, SheetsError, Target, cell_value};
use sluice_domain::entities::Delivered;

use super::{Job, Outcome};
use crate::{Fault, Machine};

/// Most rows one `values.batchUpdate` carries.
pub(crate) const BATCH_ROWS: usize = 1_000;
/// About the most bytes of values one request carries (Google recommends
/// bodies under 2 MB).
pub(crate) const BATCH_BYTES: usize = 1 << 20;

fn fault(e: SheetsError) -> Fault {
    if e.may_pass() {
        Fault::Transient(format!("google sheets: {e}"))
    } else {
        Fault::Permanent(e.to_string())
    }
}

fn io(e: std::io::Error) -> Fault {
    Fault::Transient(format!("spooling the report's rows: {e}"))
}

/// A file of this process's own in the system temp directory, removed when
/// dropped.
struct Spool(std::path::PathBuf);

impl Spool {
    fn of(run: &sluice_domain::Id) -> Spool {
        Spool(std::env::temp_dir().join(format!(
            "sluice-sheets-{}-{}",
            run.as_str().to_ascii_lowercase(),
            std::process::id()
        )))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The report's rows as cells, a JSON array a line, into `spool`: the
/// column names and the number of rows.
async fn spool_rows(job: &mut Job<'_>, spool: &Spool) -> Result<(Vec<String>, u64), Fault> {
    let file = std::fs::File::create(&spool.0).map_err(io)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut columns: Vec<String> = vec![];
    let mut decimal: Vec<bool> = vec![];
    let mut rows = 0u64;
    while let Some(page) = job.pages.next().await? {
        if columns.is_empty() {
            columns = page.columns.iter().map(|c| c.name.clone()).collect();
            decimal = page
                .columns
                .iter()
                .map(|c| {
                    let k = c.kind.to_ascii_lowercase();
                    k.starts_with("decimal") || k.starts_with("numeric")
                })
                .collect();
        }
        for row in page.rows {
            let cells: Vec<Value> = row
                .iter()
                .enumerate()
                .map(|(i, v)| cell_value(v, decimal.get(i).copied().unwrap_or(false)))
                .collect();
            serde_json::to_writer(&mut out, &cells)
                .map_err(|e| Fault::Permanent(format!("encoding a row: {e}")))?;
            out.write_all(b"\n").map_err(io)?;
            rows += 1;
        }
    }
    out.flush().map_err(io)?;
    Ok((columns, rows))
}

pub(crate) async fn deliver(m: &Machine, mut job: Job<'_>) -> Result<Outcome, Fault> {
    let target = Target::from_config(&job.config).map_err(fault)?;
    let spool = Spool::of(&job.run.meta.id);
    let (columns, rows) = spool_rows(&mut job, &spool).await?;
    if columns.is_empty() {
        return Err(Fault::Permanent(
            "the report's query returns no columns; select at least one".into(),
        ));
    }
    let block = Block {
        start: target.start,
        rows: rows + 1,
        columns: columns.len() as u64,
    };
    let spreadsheet = target.spreadsheet_id.clone();
    let mut client = SheetsClient::new(&m.deps.google, target.key, &spreadsheet).map_err(fault)?;
    let result = write(&mut client, &target.sheet_name, block, &columns, &spool).await;
    let mut log = std::mem::take(&mut client.notes);
    let (prepared, bytes) = result.map_err(fault)?;
    let range = prepared.block.range(&prepared.sheet.title);
    if prepared.created {
        log.push(format!(
            "Created sheet {} in spreadsheet {spreadsheet}.",
            prepared.sheet.title
        ));
    }
    if prepared.grown != (0, 0) {
        log.push(format!(
            "Grew the sheet's grid by {} rows and {} columns.",
            prepared.grown.0, prepared.grown.1
        ));
    }
    for old in &prepared.cleared {
        if *old != prepared.block {
            log.push(format!(
                "Cleared {}, left by an earlier delivery.",
                old.range(&prepared.sheet.title)
            ));
        }
    }
    log.push(format!(
        "Wrote {range} ({} rows and the header) of spreadsheet {spreadsheet} as {}, in {} requests.",
        rows,
        client.client_email(),
        client.requests
    ));
    tracing::info!(report_run_id = %job.run.meta.id, rows, requests = client.requests, "Report written to Google Sheets.");
    Ok(Outcome {
        rows,
        bytes,
        log,
        delivered: Delivered {
            target: format!("{range} of spreadsheet {spreadsheet}"),
            format: None,
            status: None,
        },
    })
}

/// Prepares the block, then writes the header and the spooled rows in
/// batches; the block and the bytes of values sent.
async fn write(
    client: &mut SheetsClient,
    sheet_name: &str,
    block: Block,
    columns: &[String],
    spool: &Spool,
) -> Result<(sluice_connectors::google_sheets::Prepared, u64), SheetsError> {
    let prepared = client.prepare(sheet_name, block).await?;
    let spooled =
        |e: std::io::Error| SheetsError::Unavailable(format!("reading the spooled rows back: {e}"));
    let reader = std::io::BufReader::new(std::fs::File::open(&spool.0).map_err(spooled)?);
    let header = Value::Array(columns.iter().cloned().map(Value::String).collect());
    let mut bytes = header.to_string().len() as u64;
    let mut batch = vec![header];
    let mut batch_bytes = bytes as usize;
    let mut offset = 0u64;
    for line in reader.lines() {
        let line = line.map_err(spooled)?;
        let row: Value = serde_json::from_str(&line)
            .map_err(|e| SheetsError::Unavailable(format!("reading a spooled row: {e}")))?;
        if batch.len() >= BATCH_ROWS || batch_bytes + line.len() > BATCH_BYTES {
            let n = batch.len() as u64;
            client
                .write_rows(&prepared, offset, std::mem::take(&mut batch))
                .await?;
            offset += n;
            batch_bytes = 0;
        }
        batch_bytes += line.len() + 1;
        bytes += line.len() as u64;
        batch.push(row);
    }
    client.write_rows(&prepared, offset, batch).await?;
    client.finish(&prepared).await?;
    Ok((prepared, bytes))
}
