//! `files`: CSV, NDJSON and Parquet files under a local directory, or under a
//! prefix of the platform's object store (`store://landing/orders/`: the data
//! directory's `objects/` locally, the run bucket on AWS), read a range at a time.
//!
//! A stream is a glob under `location`. The first step lists the matching files
//! (newer than the saved cursor, for incremental runs by modification time; inside
//! the window, for backfills) and carries that list in its continuation, so every
//! later step — in this process or another — reads the same files in the same order.
//! NDJSON and CSV are cut into chunks at line boundaries without parsing the rows
//! (the transform parses them column by column); Parquet is sliced by row ranges.
//!
//! Malformed data never stops a step: an over-long line is skipped with its length
//! (it is never held in memory), and a file that ends early or fails to decompress
//! ends with an error row saying where.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use sluice_domain::files::{FileAccess, ImportRoots, Location, check_glob, parse_location};
use sluice_domain::ports::ObjectStore;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sluice_domain::pipeline::ChunkFormat;

use crate::{
    Budget, ConnectorError, Extractor, Probe, RawChunk, RawRowError, StepOutput, StreamRequest,
    config_str,
};
use sluice_domain::discovery::{DiscoveredStream, FoundBy, SourceTest};
use sluice_domain::ports::ConnectionCheck;

/// Longest line kept; a longer one is skipped as a row error.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

pub struct Files;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FileEntry {
    path: String,
    size: u64,
    mtime_ms: i64,
}

/// Continuation: the file list taken at the first step, and where reading stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    files: Vec<FileEntry>,
    file: usize,
    /// Byte offset (of the decompressed text) or, for Parquet, row offset.
    offset: u64,
    /// With `incremental_by: cursor_column`: the largest cursor value read so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor_max: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Ndjson,
    Csv { delimiter: u8, header: bool },
    Parquet,
}

/// Where the files are.
#[derive(Clone)]
enum Root {
    /// A canonical local directory under an import root; every file is checked
    /// again against the roots when it is opened.
    Dir(PathBuf, Arc<ImportRoots>),
    /// Objects of the project's landing area whose keys start with `prefix` (ends
    /// with `/`, or is empty).
    Store {
        store: Arc<dyn ObjectStore>,
        prefix: String,
    },
}

struct Settings {
    root: Root,
    format: Format,
    compression: String,
    /// With `incremental_by: cursor_column`: the column rows resume by.
    cursor_column: Option<String>,
}

fn settings(config: &Map<String, Value>, files: &FileAccess) -> Result<Settings, ConnectorError> {
    let location = config_str(config, "location", "");
    let root =
        match parse_location(location).map_err(|e| ConnectorError::config("location", e.0))? {
            Location::Store(prefix) => {
                let Some(store) = &files.landing else {
                    return Err(ConnectorError::config(
                        "location",
                        "this runtime has no object store to read `store://` from",
                    ));
                };
                Root::Store {
                    store: store.clone(),
                    prefix,
                }
            }
            Location::Local(dir) => {
                let dir = files
                    .roots
                    .resolve_dir(&dir)
                    .map_err(|e| ConnectorError::config("location", e.0))?;
                Root::Dir(dir, files.roots.clone())
            }
        };
    let format = match config_str(config, "format", "") {
        "ndjson" => Format::Ndjson,
        "parquet" => Format::Parquet,
        "csv" => {
            let d = config_str(config, "csv_delimiter", ",");
            let delimiter = match d.as_bytes() {
                [b] => *b,
                _ if d == "\\t" => b'\t',
                _ => {
                    return Err(ConnectorError::config(
                        "csv_delimiter",
                        "must be one ASCII character",
                    ));
                }
            };
            let header = config
                .get("csv_header")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            Format::Csv { delimiter, header }
        }
        other => {
            return Err(ConnectorError::config(
                "format",
                format!("`{other}` is not one of csv, ndjson, parquet"),
            ));
        }
    };
    let compression = config_str(config, "compression", "auto").to_string();
    if !matches!(compression.as_str(), "auto" | "none" | "gzip" | "zstd") {
        return Err(ConnectorError::config(
            "compression",
            format!("`{compression}` is not one of auto, none, gzip, zstd"),
        ));
    }
    let cursor_column = match config_str(config, "incremental_by", "modified_time") {
        "cursor_column" => {
            let column = config_str(config, "cursor_column", "").trim();
            if column.is_empty() {
                return Err(ConnectorError::config(
                    "cursor_column",
                    "is required when `incremental_by` is `cursor_column`",
                ));
            }
            match format {
                Format::Parquet => {
                    return Err(ConnectorError::config(
                        "incremental_by",
                        "`cursor_column` works with csv and ndjson files; use `modified_time` for parquet",
                    ));
                }
                Format::Csv { header: false, .. } => {
                    return Err(ConnectorError::config(
                        "cursor_column",
                        "needs CSV files with a header row (`csv_header: true`)",
                    ));
                }
                _ => {}
            }
            Some(column.to_string())
        }
        "modified_time" | "none" => None,
        other => {
            return Err(ConnectorError::config(
                "incremental_by",
                format!("`{other}` is not one of modified_time, cursor_column, none"),
            ));
        }
    };
    Ok(Settings {
        root,
        format,
        compression,
        cursor_column,
    })
}

#[async_trait]
impl Extractor for Files {
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Value>,
        budget: Budget,
    ) -> Result<StepOutput, ConnectorError> {
        let settings = settings(req.config, &req.files)?;
        let (position, nothing) = match position {
            Some(p) => (
                serde_json::from_value::<Position>(p.clone()).map_err(|e| {
                    ConnectorError::upstream(format!("bad continuation: {e}"), false)
                })?,
                None,
            ),
            None => first_position(&settings, req).await?,
        };
        let incremental = config_str(req.config, "incremental_by", "modified_time").to_string();
        let batch = req.batch_size.max(1);
        // Rows at or below this cursor value were landed by an earlier run.
        let since = match (&settings.cursor_column, req.window, req.cursor) {
            (Some(_), None, Some(c)) => Some(cursor_minus(c, req.lookback)),
            _ => None,
        };
        let saved = req.cursor.cloned();
        // File reading is blocking I/O: keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let mtime_cursor = (incremental == "modified_time")
                .then(|| position.files.iter().map(|f| f.mtime_ms).max())
                .flatten()
                .map(Value::from);
            let column_cursor = settings.cursor_column.is_some();
            let mut out = read_step(&settings, position, batch, budget, since.as_ref())?;
            out.cursor = if column_cursor {
                // The largest value seen, or the saved one when nothing newer came.
                let seen = out.cursor.take();
                match (seen, saved) {
                    (Some(a), Some(b)) => Some(if crate::newer(&b, &a) { a } else { b }),
                    (a, b) => a.or(b),
                }
            } else {
                mtime_cursor
            };
            out.log.extend(nothing);
            Ok(out)
        })
        .await
        .map_err(|e| ConnectorError::upstream(format!("extraction task failed: {e}"), true))?
    }

    async fn test(&self, probe: &Probe<'_>) -> SourceTest {
        let settings = match settings(probe.config, &probe.files) {
            Ok(s) => s,
            Err(e) => return SourceTest::failed_at("reachable", &e.to_string()),
        };
        let files = match listed(&settings, "**").await {
            Ok(f) => f,
            Err(e) => return SourceTest::failed_at("reachable", &e.to_string()),
        };
        let where_ = match &settings.root {
            Root::Store { .. } => "the project's landing area",
            Root::Dir(..) => "an import root the operator opened",
        };
        let readable = if files.is_empty() {
            ConnectionCheck::failed(
                "readable",
                "no files at the location yet (upload some with PUT /v1/files/{path})",
            )
        } else {
            let n = files.len();
            let noun = if n == 1 { "file" } else { "files" };
            ConnectionCheck::passed("readable", Some(format!("{n} {noun}")))
        };
        SourceTest::of(vec![
            ConnectionCheck::passed("reachable", None),
            ConnectionCheck::passed("authorized", Some(format!("the location is in {where_}"))),
            readable,
        ])
    }

    async fn streams(
        &self,
        probe: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError> {
        let settings = settings(probe.config, &probe.files)?;
        let mut files = listed(&settings, "**").await?;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Some(
            files
                .into_iter()
                .take(MAX_OFFERED)
                .map(|f| DiscoveredStream::new(f.path, vec![], vec![], FoundBy::Sample))
                .collect(),
        ))
    }
}

/// Files offered by discovery at most (each is a stream; globs name many).
const MAX_OFFERED: usize = 1_000;

/// The files at the source's location whose path `glob` matches, in path order.
async fn listed(s: &Settings, glob: &str) -> Result<Vec<FileEntry>, ConnectorError> {
    let mut files = vec![];
    match &s.root {
        Root::Dir(root, roots) => list_files(roots, root, root, glob, 0, &mut files)
            .map_err(|e| ConnectorError::upstream(format!("cannot list files: {e}"), true))?,
        Root::Store { store, prefix } => {
            let listed = store.list(prefix).await.map_err(|e| {
                ConnectorError::upstream(format!("cannot list `{prefix}`: {e}"), true)
            })?;
            for o in listed {
                let rel = o.key[prefix.len()..].to_string();
                if rel.split('/').any(|p| p.starts_with('.')) || !glob_match(glob, &rel) {
                    continue;
                }
                files.push(FileEntry {
                    path: rel,
                    size: o.size,
                    mtime_ms: o.modified_ms,
                });
            }
        }
    }
    Ok(files)
}

/// The files a run reads, listed; and, when there are none, why, for the run's
/// log (a glob that matches nothing lands nothing, and says so).
async fn first_position(
    s: &Settings,
    req: &StreamRequest<'_>,
) -> Result<(Position, Option<String>), ConnectorError> {
    check_glob(req.stream).map_err(|e| ConnectorError::config("stream", e.0))?;
    let mut files = listed(s, req.stream).await?;
    let matched = files.len();
    let incremental = config_str(req.config, "incremental_by", "modified_time");
    if let Some(window) = req.window {
        let from = window
            .from
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_millis());
        let to = window
            .to
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_millis());
        files.retain(|f| from.is_none_or(|x| f.mtime_ms >= x) && to.is_none_or(|x| f.mtime_ms < x));
    } else if incremental == "modified_time"
        && let Some(since) = req.cursor.and_then(Value::as_i64)
    {
        let since = since - req.lookback.as_millis() as i64;
        files.retain(|f| f.mtime_ms > since);
    }
    files.sort_by(|a, b| (a.mtime_ms, &a.path).cmp(&(b.mtime_ms, &b.path)));
    let glob = req.stream;
    let noun = |n: usize| {
        if n == 1 {
            "file matches"
        } else {
            "files match"
        }
    };
    let nothing = match (matched, files.is_empty()) {
        (_, false) => None,
        (0, true) => Some(format!(
            "No file matches `{glob}` at the source's location: nothing to land. A stream \
             is a glob relative to the location (`*.csv`, `**/*.ndjson`); \
             GET /v1/sources/{{id}}/streams lists the files there."
        )),
        (n, true) if req.window.is_some() => Some(format!(
            "{n} {} `{glob}`; none was modified inside the backfill's window: nothing to land.",
            noun(n)
        )),
        (n, true) => Some(format!(
            "{n} {} `{glob}`; none changed since the last run: nothing new to land.",
            noun(n)
        )),
    };
    let position = Position {
        files,
        file: 0,
        offset: 0,
        cursor_max: None,
    };
    Ok((position, nothing))
}

/// Directories deeper than this are not walked (a symlink loop ends here too).
const MAX_DEPTH: usize = 32;

/// Files under `dir` matching `glob`. A symlink is followed only where it still
/// leads inside `root` (and outside every private directory); one leading out is
/// not listed, so its name and size never show.
fn list_files(
    roots: &ImportRoots,
    root: &Path,
    dir: &Path,
    glob: &str,
    depth: usize,
    out: &mut Vec<FileEntry>,
) -> io::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel.split('/').any(|p| p.starts_with('.')) {
            continue;
        }
        let meta = if entry.file_type()?.is_symlink() {
            if roots.check_file(root, &rel).is_err() {
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(_) => continue,
            }
        } else {
            entry.metadata()?
        };
        if meta.is_dir() {
            list_files(roots, root, &path, glob, depth + 1, out)?;
            continue;
        }
        if !meta.is_file() || !glob_match(glob, &rel) {
            continue;
        }
        let mtime_ms = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64);
        out.push(FileEntry {
            path: rel,
            size: meta.len(),
            mtime_ms,
        });
    }
    Ok(())
}

/// `*` and `?` within one path segment, `**` across segments.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    fn rec(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [b'*', b'*', rest @ ..] => {
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=s.len()).any(|i| rec(rest, &s[i..]))
            }
            [b'*', rest @ ..] => {
                let stop = s.iter().position(|&c| c == b'/').unwrap_or(s.len());
                (0..=stop).any(|i| rec(rest, &s[i..]))
            }
            [b'?', rest @ ..] => matches!(s, [c, ..] if *c != b'/') && rec(rest, &s[1..]),
            [c, rest @ ..] => matches!(s, [d, ..] if d == c) && rec(rest, &s[1..]),
        }
    }
    rec(pattern.trim_start_matches("./").as_bytes(), path.as_bytes())
}

fn read_step(
    s: &Settings,
    mut pos: Position,
    batch: usize,
    budget: Budget,
    since: Option<&Value>,
) -> Result<StepOutput, ConnectorError> {
    let mut chunks = vec![];
    // The text file being read, kept open from one chunk to the next.
    let mut open = None;
    while pos.file < pos.files.len() && !budget.spent(chunks.len()) {
        let entry = pos.files[pos.file].clone();
        let (chunk, next_offset) = match s.format {
            Format::Parquet => parquet_chunk(&s.root, &entry, pos.offset, batch)?,
            Format::Ndjson | Format::Csv { .. } => {
                text_chunk(s, &entry, pos.file, pos.offset, batch, &mut open)?
            }
        };
        match next_offset {
            Some(offset) => pos.offset = offset,
            None => {
                pos.file += 1;
                pos.offset = 0;
            }
        }
        let chunk = match (chunk, &s.cursor_column) {
            (Some(c), Some(column)) => {
                filter_by_cursor(c, s.format, column, since, &mut pos.cursor_max)
            }
            (c, _) => c,
        };
        if let Some(chunk) = chunk {
            chunks.push(chunk);
        }
    }
    let cursor = pos.cursor_max.clone();
    let next = (pos.file < pos.files.len())
        .then(|| serde_json::to_value(&pos).ok())
        .flatten();
    Ok(StepOutput {
        chunks,
        next,
        cursor,
        ..Default::default()
    })
}

/// The saved cursor moved back by the look-back window, where it is a date or an
/// RFC 3339 timestamp (numbers have no known unit and stay as they are).
fn cursor_minus(c: &Value, lookback: std::time::Duration) -> Value {
    let Some(text) = c.as_str() else {
        return c.clone();
    };
    if lookback.is_zero() {
        return c.clone();
    }
    let back = chrono::Duration::from_std(lookback).unwrap_or_default();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Value::String(
            (t - back)
                .with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        );
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Value::String((d - back).format("%Y-%m-%d").to_string());
    }
    c.clone()
}

/// Keeps the rows of `chunk` whose `column` is after `since`, and raises `max` to
/// the largest value seen. Rows the connector already marked bad are kept (their
/// reason reaches the error log) and renumbered with the rest; a row without the
/// column is kept too, so the mapping's rules judge it.
fn filter_by_cursor(
    chunk: RawChunk,
    format: Format,
    column: &str,
    since: Option<&Value>,
    max: &mut Option<Value>,
) -> Option<RawChunk> {
    let bad: std::collections::HashMap<u64, RawRowError> =
        chunk.errors.into_iter().map(|e| (e.row, e)).collect();
    let text = String::from_utf8_lossy(&chunk.bytes);
    let records = match format {
        Format::Csv { .. } => csv_records(&text),
        _ => text.lines().collect(),
    };
    let mut lines = records.into_iter();
    let mut out = String::with_capacity(chunk.bytes.len());
    let (delimiter, index) = match format {
        Format::Csv { delimiter, .. } => {
            let header = lines.next().unwrap_or_default();
            out.push_str(header);
            out.push('\n');
            let index = split_csv(header, delimiter as char)
                .iter()
                .position(|h| h.trim() == column);
            (delimiter as char, index)
        }
        _ => (',', None),
    };
    let (mut rows, mut errors) = (0u64, vec![]);
    for (i, line) in lines.enumerate() {
        let row = i as u64 + 1;
        let value = if bad.contains_key(&row) {
            None
        } else {
            match format {
                Format::Csv { .. } => index.and_then(|k| {
                    split_csv(line, delimiter)
                        .get(k)
                        .map(|v| match v.trim().parse::<f64>() {
                            Ok(n) => {
                                serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
                            }
                            Err(_) => Value::String(v.trim().to_string()),
                        })
                }),
                _ => serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|mut v| v.get_mut(column).map(Value::take)),
            }
        };
        if let Some(v) = &value {
            if since.is_some_and(|s| !crate::newer(s, v)) {
                continue;
            }
            if max.as_ref().is_none_or(|m| crate::newer(m, v)) {
                *max = Some(v.clone());
            }
        }
        rows += 1;
        if let Some(mut e) = bad.get(&row).cloned() {
            e.row = rows;
            errors.push(e);
        }
        out.push_str(line);
        out.push('\n');
    }
    (rows > 0).then(|| RawChunk {
        format: chunk.format,
        bytes: out.into_bytes(),
        batch: None,
        rows,
        errors,
    })
}

/// Fields of one CSV line, honouring double quotes.
fn split_csv(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

enum Line {
    Eof,
    /// A whole line (without its newline) is in the buffer.
    Whole,
    /// The line was longer than the limit; this many bytes were skipped.
    TooLong(u64),
}

/// Reads one line into `buf` without ever holding more than `max` bytes of it.
fn read_line_bounded(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<(Line, u64)> {
    buf.clear();
    read_line_into(r, buf, max)
}

/// Appends one line (without its newline) to `out`; a line longer than `max` is
/// skipped and leaves `out` as it was. Newlines are found with `memchr`, and the
/// line is copied once, from the reader's buffer to `out`.
fn read_line_into(r: &mut impl BufRead, out: &mut Vec<u8>, max: usize) -> io::Result<(Line, u64)> {
    let start = out.len();
    let mut consumed = 0u64;
    let mut too_long = false;
    loop {
        let available = r.fill_buf()?;
        if available.is_empty() {
            let line = match (too_long, consumed) {
                (true, _) => Line::TooLong(consumed),
                (false, 0) => Line::Eof,
                (false, _) => Line::Whole,
            };
            return Ok((line, consumed));
        }
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            let body = &available[..if done { take - 1 } else { take }];
            if out.len() - start + body.len() > max {
                too_long = true;
                out.truncate(start);
            } else {
                out.extend_from_slice(body);
            }
        }
        r.consume(take);
        consumed += take as u64;
        if done {
            let line = if too_long {
                Line::TooLong(consumed)
            } else {
                Line::Whole
            };
            return Ok((line, consumed));
        }
    }
}

/// A CSV record may span lines (a quoted field holding newlines): while the record
/// at `out[start..]` has an open quote, reads the next lines into it. `Some(why)`
/// when it cannot be closed (the file ends, or the record passes the line limit);
/// the lines read are consumed either way.
fn csv_record_rest(
    r: &mut impl BufRead,
    out: &mut Vec<u8>,
    start: usize,
    offset: &mut u64,
) -> Option<String> {
    let quotes = |b: &[u8]| memchr::memchr_iter(b'"', b).count();
    let mut open = quotes(&out[start..]) % 2 == 1;
    while open {
        let room = MAX_LINE_BYTES.saturating_sub(out.len() - start + 1);
        out.push(b'\n');
        let from = out.len();
        match read_line_into(r, out, room) {
            Ok((Line::Whole, used)) => {
                *offset += used;
                open ^= quotes(&out[from..]) % 2 == 1;
            }
            Ok((Line::Eof, _)) => return Some("ends inside a quoted field".into()),
            Ok((Line::TooLong(used), _)) => {
                *offset += used;
                return Some(format!(
                    "is longer than the {MAX_LINE_BYTES}-byte limit (a quoted field never closes?); skipped"
                ));
            }
            Err(e) => return Some(format!("cannot be read: {e}")),
        }
    }
    None
}

/// Records of CSV text: lines, except where a quoted field holds a newline.
fn csv_records(text: &str) -> Vec<&str> {
    let mut out = vec![];
    let (mut start, mut quoted) = (0, false);
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                out.push(text[start..i].trim_end_matches('\r'));
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Opens a listed local file, checked again at open: the listing may come from
/// another process, and the tree may have changed since (a symlink put in place).
fn open_local(dir: &Path, roots: &ImportRoots, entry: &FileEntry) -> io::Result<File> {
    let path = roots
        .check_file(dir, &entry.path)
        .map_err(|e| io::Error::new(io::ErrorKind::PermissionDenied, e.0))?;
    File::open(path)
}

/// A file to read and seek, wherever it is.
trait Blob: Read + Seek + Send {}
impl<T: Read + Seek + Send> Blob for T {}

fn open_blob(root: &Root, entry: &FileEntry, at: u64) -> io::Result<Box<dyn Blob>> {
    match root {
        Root::Dir(dir, roots) => {
            let mut f = open_local(dir, roots, entry)?;
            f.seek(SeekFrom::Start(at))?;
            Ok(Box::new(f))
        }
        Root::Store { store, prefix } => Ok(Box::new(ObjectReader::new(
            store.clone(),
            format!("{prefix}{}", entry.path),
            entry.size,
            at,
        )?)),
    }
}

/// Bytes read from the object store per range request.
const RANGE_BYTES: u64 = 8 << 20;

/// An object read a range at a time (`Read + Seek`), from blocking code: each
/// range is one `get_range` run on the runtime the step was called from.
struct ObjectReader {
    store: Arc<dyn ObjectStore>,
    key: String,
    size: u64,
    pos: u64,
    buf: Vec<u8>,
    buf_start: u64,
    runtime: tokio::runtime::Handle,
}

impl ObjectReader {
    fn new(store: Arc<dyn ObjectStore>, key: String, size: u64, pos: u64) -> io::Result<Self> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| io::Error::other(format!("no runtime to read objects on: {e}")))?;
        Ok(ObjectReader {
            store,
            key,
            size,
            pos,
            buf: vec![],
            buf_start: 0,
            runtime,
        })
    }

    fn range(&self, start: u64, len: u64) -> io::Result<Vec<u8>> {
        self.runtime
            .block_on(self.store.get_range(&self.key, start, len))
            .map_err(io::Error::other)?
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} is gone from the object store", self.key),
                )
            })
    }
}

impl Read for ObjectReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || out.is_empty() {
            return Ok(0);
        }
        let end = self.buf_start + self.buf.len() as u64;
        if self.pos < self.buf_start || self.pos >= end {
            self.buf = self.range(self.pos, RANGE_BYTES.max(out.len() as u64))?;
            self.buf_start = self.pos;
            if self.buf.is_empty() {
                // Shorter than listed: it changed under us; read what is there.
                self.size = self.pos;
                return Ok(0);
            }
        }
        let from = (self.pos - self.buf_start) as usize;
        let n = out.len().min(self.buf.len() - from);
        out[..n].copy_from_slice(&self.buf[from..from + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for ObjectReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let next = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = next
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// Parquet reads footers and column chunks by range: from an object, each is one
/// range request.
struct ObjectChunks {
    store: Arc<dyn ObjectStore>,
    key: String,
    size: u64,
}

impl parquet::file::reader::Length for ObjectChunks {
    fn len(&self) -> u64 {
        self.size
    }
}

impl parquet::file::reader::ChunkReader for ObjectChunks {
    type T = ObjectReader;

    fn get_read(&self, start: u64) -> parquet::errors::Result<ObjectReader> {
        ObjectReader::new(self.store.clone(), self.key.clone(), self.size, start)
            .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        let reader = self.get_read(start)?;
        reader
            .range(start, length as u64)
            .map(bytes::Bytes::from)
            .map_err(|e| parquet::errors::ParquetError::External(Box::new(e)))
    }
}

fn open_text(s: &Settings, entry: &FileEntry, offset: u64) -> io::Result<Box<dyn BufRead>> {
    let codec = match s.compression.as_str() {
        "auto" if entry.path.ends_with(".gz") => "gzip",
        "auto" if entry.path.ends_with(".zst") => "zstd",
        "auto" => "none",
        other => other,
    };
    let file = open_blob(&s.root, entry, 0)?;
    if codec == "zstd" {
        let mut r: Box<dyn BufRead> = Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::new(file)?,
        ));
        io::copy(&mut (&mut r).take(offset), &mut io::sink())?;
        return Ok(r);
    }
    if codec == "gzip" {
        let mut r: Box<dyn BufRead> = Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(BufReader::new(file)),
        ));
        io::copy(&mut (&mut r).take(offset), &mut io::sink())?;
        Ok(r)
    } else {
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Box::new(BufReader::with_capacity(1 << 20, file)))
    }
}

/// The line every CSV chunk starts with (the file's header, or `column_1,…`
/// named after the first line), with its newline, and the offset where the
/// rows start; `None` when the file has no whole first line.
fn csv_header(
    s: &Settings,
    entry: &FileEntry,
    delimiter: u8,
    header: bool,
) -> io::Result<Option<(Vec<u8>, u64)>> {
    let mut r = open_text(s, entry, 0)?;
    let mut first = vec![];
    let (line, used) = read_line_bounded(&mut r, &mut first, MAX_LINE_BYTES)?;
    if !matches!(line, Line::Whole) {
        return Ok(None);
    }
    if first.last() == Some(&b'\r') {
        first.pop();
    }
    let mut head = if header {
        first
    } else {
        let n = first.iter().filter(|&&b| b == delimiter).count() + 1;
        (1..=n)
            .map(|i| format!("column_{i}"))
            .collect::<Vec<_>>()
            .join(&char::from(delimiter).to_string())
            .into_bytes()
    };
    head.push(b'\n');
    Ok(Some((head, if header { used } else { 0 })))
}

/// A text file open where the last chunk ended, kept for the next chunk of the
/// same step: no second open, seek or buffer, and a compressed file is not
/// decompressed again from its start for every chunk.
struct OpenText {
    /// Index of the file in the step's list.
    file: usize,
    offset: u64,
    reader: Box<dyn BufRead>,
    /// CSV: the header line a chunk starts with, and where the rows start.
    csv_head: Option<(Vec<u8>, u64)>,
}

/// Up to `batch` lines from `offset`; the offset after them, or `None` at the end
/// of the file. Reads on from `open` when it is where this chunk starts, and
/// leaves the reader there for the next chunk.
fn text_chunk(
    s: &Settings,
    entry: &FileEntry,
    file: usize,
    offset: u64,
    batch: usize,
    open: &mut Option<OpenText>,
) -> Result<(Option<RawChunk>, Option<u64>), ConnectorError> {
    let name = entry.path.as_str();
    let open_err =
        |e: io::Error| ConnectorError::upstream(format!("cannot read {name}: {e}"), true);
    let kept = open.take().filter(|o| o.file == file && o.offset == offset);
    let (kept_reader, kept_head) = match kept {
        Some(o) => (Some(o.reader), o.csv_head),
        None => (None, None),
    };
    let csv_head = match (s.format, kept_head) {
        (Format::Csv { .. }, Some(head)) => Some(head),
        (Format::Csv { delimiter, header }, None) => {
            match csv_header(s, entry, delimiter, header).map_err(open_err)? {
                Some(head) => Some(head),
                // Not even a whole first line: nothing to read.
                None => return Ok((None, None)),
            }
        }
        _ => None,
    };
    let (format, mut bytes, mut offset) = match (s.format, &csv_head) {
        (Format::Csv { delimiter, .. }, Some((head, rows_from))) => (
            ChunkFormat::Csv {
                delimiter: char::from(delimiter),
            },
            head.clone(),
            offset.max(*rows_from),
        ),
        _ => (ChunkFormat::Ndjson, vec![], offset),
    };
    let header_len = bytes.len();
    // A kept reader stands at `offset` (the rows never start before it).
    let mut r = match kept_reader {
        Some(r) => r,
        None => open_text(s, entry, offset).map_err(open_err)?,
    };
    let mut rows = 0u64;
    let mut errors = vec![];
    let mut at_end = false;
    while (rows as usize) < batch {
        // Lines are read straight into the chunk; what is not kept is cut off again.
        let line_start = bytes.len();
        match read_line_into(&mut r, &mut bytes, MAX_LINE_BYTES) {
            Ok((Line::Eof, _)) => {
                at_end = true;
                break;
            }
            Ok((Line::Whole, used)) => {
                offset += used;
                let line = &bytes[line_start..];
                if line.first().is_none_or(u8::is_ascii_whitespace)
                    && line.iter().all(u8::is_ascii_whitespace)
                {
                    bytes.truncate(line_start);
                    continue;
                }
                rows += 1;
                if matches!(format, ChunkFormat::Csv { .. })
                    && let Some(why) = csv_record_rest(&mut r, &mut bytes, line_start, &mut offset)
                {
                    bytes.truncate(line_start);
                    errors.push(RawRowError {
                        row: rows,
                        reason: format!("{name}: a record after byte {offset} {why}"),
                    });
                    bytes.push(b'\n');
                    continue;
                }
                bytes.push(b'\n');
                if rows == 1 {
                    // Room for the batch at this line's length: one allocation.
                    let per_line = bytes.len() - line_start;
                    bytes.reserve((per_line * batch).min(256 << 20));
                }
            }
            Ok((Line::TooLong(used), _)) => {
                offset += used;
                rows += 1;
                errors.push(RawRowError {
                    row: rows,
                    reason: format!(
                        "{name}: line of {used} bytes is longer than the {MAX_LINE_BYTES}-byte limit; skipped"
                    ),
                });
                // Keep row numbers aligned: an empty object stands in for the line.
                bytes.extend_from_slice(match format {
                    ChunkFormat::Ndjson => b"{}\n".as_slice(),
                    _ => b"\n".as_slice(),
                });
            }
            Err(e) => {
                bytes.truncate(line_start);
                rows += 1;
                errors.push(RawRowError {
                    row: rows,
                    reason: format!("{name} is truncated or corrupt after byte {offset}: {e}"),
                });
                bytes.extend_from_slice(match format {
                    ChunkFormat::Ndjson => b"{}\n".as_slice(),
                    _ => b"\n".as_slice(),
                });
                at_end = true;
                break;
            }
        }
    }
    if !at_end {
        // Peek: a file that ends exactly here is done now, not one step later.
        at_end = r.fill_buf().map(|b| b.is_empty()).unwrap_or(false);
    }
    if !at_end {
        *open = Some(OpenText {
            file,
            offset,
            reader: r,
            csv_head,
        });
    }
    let chunk = (bytes.len() > header_len || !errors.is_empty()).then_some(RawChunk {
        format,
        bytes,
        batch: None,
        rows,
        errors,
    });
    Ok((chunk, (!at_end).then_some(offset)))
}

fn parquet_chunk(
    root: &Root,
    entry: &FileEntry,
    offset: u64,
    batch: usize,
) -> Result<(Option<RawChunk>, Option<u64>), ConnectorError> {
    let name = entry.path.as_str();
    match root {
        Root::Dir(dir, roots) => {
            let file = open_local(dir, roots, entry)
                .map_err(|e| ConnectorError::upstream(format!("cannot read {name}: {e}"), true))?;
            parquet_slice(file, name, offset, batch)
        }
        Root::Store { store, prefix } => {
            let chunks = ObjectChunks {
                store: store.clone(),
                key: format!("{prefix}{}", entry.path),
                size: entry.size,
            };
            parquet_slice(chunks, name, offset, batch)
        }
    }
}

fn parquet_slice<R: parquet::file::reader::ChunkReader + 'static>(
    source: R,
    name: &str,
    offset: u64,
    batch: usize,
) -> Result<(Option<RawChunk>, Option<u64>), ConnectorError> {
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let bad = |e: String| ConnectorError::upstream(format!("{name}: {e}"), false);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(source).map_err(|e| bad(e.to_string()))?;
    let total = builder.metadata().file_metadata().num_rows().max(0) as u64;
    if offset >= total {
        return Ok((None, None));
    }
    let schema = builder.schema().clone();
    let reader = builder
        .with_offset(offset as usize)
        .with_limit(batch)
        .with_batch_size(batch)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let mut bytes = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut bytes, schema, None).map_err(|e| bad(e.to_string()))?;
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        rows += batch.num_rows() as u64;
        writer.write(&batch).map_err(|e| bad(e.to_string()))?;
    }
    writer.close().map_err(|e| bad(e.to_string()))?;
    let next = offset + rows;
    let chunk = RawChunk {
        format: ChunkFormat::Parquet,
        bytes,
        batch: None,
        rows,
        errors: vec![],
    };
    Ok((Some(chunk), (next < total && rows > 0).then_some(next)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::time::Duration;

    /// Reads under the system's temporary directory, where every test's files are.
    fn test_access() -> FileAccess {
        FileAccess {
            landing: None,
            roots: Arc::new(
                ImportRoots::new(&[std::env::temp_dir()], &[]).expect("the temp dir exists"),
            ),
        }
    }

    fn config(dir: &Path, format: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("location".into(), dir.display().to_string().into());
        m.insert("format".into(), format.into());
        m
    }

    async fn all_chunks(config: &Map<String, Value>, stream: &str, batch: usize) -> Vec<RawChunk> {
        let req = StreamRequest {
            credentials: None,
            stream,
            config,
            cursor: None,
            lookback: Duration::ZERO,
            window: None,
            batch_size: batch,
            parallelism: 1,
            files: test_access(),
        };
        let mut out = vec![];
        let mut pos = None;
        loop {
            let step = Files
                .step(&req, pos.as_ref(), Budget::new(2, Duration::from_secs(60)))
                .await
                .expect("valid in this test");
            out.extend(step.chunks);
            match step.next {
                Some(n) => pos = Some(n),
                None => return out,
            }
        }
    }

    /// Every chunk and the final cursor of a whole stream read from `cursor`, a
    /// chunk to a step.
    async fn read_from(
        config: &Map<String, Value>,
        stream: &str,
        cursor: Option<&Value>,
        lookback: Duration,
    ) -> (Vec<RawChunk>, Option<Value>) {
        read_steps(config, stream, cursor, lookback, 1).await
    }

    /// Every chunk and the final cursor of a whole stream, `per_step` chunks to a
    /// step, 3 rows to a chunk.
    async fn read_steps(
        config: &Map<String, Value>,
        stream: &str,
        cursor: Option<&Value>,
        lookback: Duration,
        per_step: usize,
    ) -> (Vec<RawChunk>, Option<Value>) {
        let req = StreamRequest {
            credentials: None,
            stream,
            config,
            cursor,
            lookback,
            window: None,
            batch_size: 3,
            parallelism: 1,
            files: test_access(),
        };
        let (mut out, mut pos) = (vec![], None);
        loop {
            let step = Files
                .step(
                    &req,
                    pos.as_ref(),
                    Budget::new(per_step, Duration::from_secs(60)),
                )
                .await
                .expect("valid in this test");
            out.extend(step.chunks);
            match step.next {
                Some(n) => pos = Some(n),
                None => return (out, step.cursor),
            }
        }
    }

    fn lines(chunks: &[RawChunk]) -> Vec<String> {
        chunks
            .iter()
            .flat_map(|c| {
                String::from_utf8_lossy(&c.bytes)
                    .lines()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// A glob that matches no file lands nothing and says so in the run's log,
    /// apart from an incremental run that finds nothing new.
    #[tokio::test]
    async fn a_stream_that_finds_no_file_says_why_in_the_runs_log() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(dir.path().join("a.ndjson"), "{\"id\": 1}\n").expect("a file");
        let c = config(dir.path(), "ndjson");
        let first_step = |stream: &'static str, cursor: Option<Value>| {
            let c = c.clone();
            async move {
                let req = StreamRequest {
                    credentials: None,
                    stream,
                    config: &c,
                    cursor: cursor.as_ref(),
                    lookback: Duration::ZERO,
                    window: None,
                    batch_size: 10,
                    parallelism: 1,
                    files: test_access(),
                };
                Files
                    .step(&req, None, Budget::new(2, Duration::from_secs(60)))
                    .await
                    .expect("valid in this test")
            }
        };
        let none = first_step("*.csv", None).await;
        assert!(none.chunks.is_empty() && none.next.is_none());
        assert_eq!(none.log.len(), 1, "{:?}", none.log);
        assert!(
            none.log[0].starts_with("No file matches `*.csv`"),
            "{:?}",
            none.log
        );
        let all = first_step("*.ndjson", None).await;
        assert_eq!((all.chunks.len(), all.log.len()), (1, 0), "{:?}", all.log);
        let cursor = all.cursor.clone();
        let again = first_step("*.ndjson", cursor).await;
        assert!(again.chunks.is_empty());
        assert_eq!(
            again.log,
            vec![
                "1 file matches `*.ndjson`; none changed since the last run: nothing new to land."
                    .to_string()
            ]
        );
    }

    /// A step reads its chunks on from one open reader (a compressed file is not
    /// decompressed from its start for each chunk); the chunks are the ones a
    /// step per chunk cuts, CSV header, quoted line breaks and bad lines included.
    #[tokio::test]
    async fn chunks_read_on_from_one_reader_are_the_chunks_of_fresh_reads() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("valid in this test");
        let mut csv = String::from("id,note\n");
        let mut ndjson = String::new();
        for i in 0..40 {
            if i % 7 == 3 {
                csv.push_str(&format!("{i},\"two\nlines {i}\"\n"));
                ndjson.push_str("not json\n");
            } else {
                csv.push_str(&format!("{i},n{i}\n"));
                ndjson.push_str(&format!("{{\"id\": {i}}}\n"));
            }
        }
        for (name, text) in [("a.csv.gz", &csv), ("b.ndjson.gz", &ndjson)] {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(text.as_bytes()).expect("valid in this test");
            std::fs::write(
                dir.path().join(name),
                enc.finish().expect("valid in this test"),
            )
            .expect("valid in this test");
        }
        for (format, stream) in [("csv", "*.csv.gz"), ("ndjson", "*.ndjson.gz")] {
            let c = config(dir.path(), format);
            let (one, _) = read_steps(&c, stream, None, Duration::ZERO, 1).await;
            let (many, _) = read_steps(&c, stream, None, Duration::ZERO, 5).await;
            assert_eq!(one.len(), 14, "{format}");
            let shape = |chunks: &[RawChunk]| {
                chunks
                    .iter()
                    .map(|c| (c.bytes.clone(), c.rows, c.errors.len()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(shape(&one), shape(&many), "{format}");
        }
    }

    #[tokio::test]
    async fn a_cursor_column_resumes_after_the_largest_value_landed() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(
            dir.path().join("a.ndjson"),
            "{\"id\": 1, \"updated\": \"2026-11-01T10:00:00Z\"}\n{\"id\": 2, \"updated\": \"2026-11-03T10:00:00Z\"}\n",
        )
        .expect("valid in this test");
        std::fs::write(
            dir.path().join("b.ndjson"),
            "{\"id\": 3, \"updated\": \"2026-11-02T10:00:00Z\"}\nnot json\n{\"id\": 4, \"updated\": \"2026-11-05T00:00:00Z\"}\n{\"id\": 5, \"updated\": \"2026-11-04T00:00:00Z\"}\n",
        )
        .expect("valid in this test");
        let mut c = config(dir.path(), "ndjson");
        c.insert("incremental_by".into(), "cursor_column".into());
        c.insert("cursor_column".into(), "updated".into());
        let (chunks, cursor) = read_from(&c, "*.ndjson", None, Duration::ZERO).await;
        assert_eq!(lines(&chunks).len(), 6, "everything on the first run");
        assert_eq!(cursor, Some(Value::from("2026-11-05T00:00:00Z")));

        let saved = Value::from("2026-11-03T10:00:00Z");
        let (chunks, cursor) = read_from(&c, "*.ndjson", Some(&saved), Duration::ZERO).await;
        let got = lines(&chunks);
        // Newer rows only; the unreadable line is kept for the error policy to judge.
        assert_eq!(
            got,
            [
                "not json",
                r#"{"id": 4, "updated": "2026-11-05T00:00:00Z"}"#,
                r#"{"id": 5, "updated": "2026-11-04T00:00:00Z"}"#
            ]
        );
        assert_eq!(cursor, Some(Value::from("2026-11-05T00:00:00Z")));

        // Two days of look-back read the late rows again (after 2026-11-01T10:00Z).
        let (chunks, _) = read_from(
            &c,
            "*.ndjson",
            Some(&saved),
            Duration::from_secs(2 * 86_400),
        )
        .await;
        assert_eq!(lines(&chunks).len(), 5);

        // Nothing newer: the saved cursor stays. An unreadable line has no cursor
        // value, so it is never dropped silently: each run reports it until fixed.
        let last = Value::from("2026-11-09T00:00:00Z");
        let (chunks, cursor) = read_from(&c, "*.ndjson", Some(&last), Duration::ZERO).await;
        assert_eq!(lines(&chunks), ["not json"]);
        assert_eq!(cursor, Some(last));
    }

    #[tokio::test]
    async fn a_csv_cursor_column_compares_numbers_as_numbers() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(
            dir.path().join("a.csv"),
            "id,name,seq\n1,\"a, b\",9\n2,c,10\n3,d,11\n",
        )
        .expect("valid in this test");
        let mut c = config(dir.path(), "csv");
        c.insert("incremental_by".into(), "cursor_column".into());
        c.insert("cursor_column".into(), "seq".into());
        let (chunks, cursor) =
            read_from(&c, "*.csv", Some(&Value::from(9.0)), Duration::ZERO).await;
        let got = lines(&chunks);
        assert_eq!(got, ["id,name,seq", "2,c,10", "3,d,11"]);
        assert_eq!(cursor.and_then(|v| v.as_f64()), Some(11.0));
        c.insert("format".into(), "parquet".into());
        let err = Files
            .step(
                &StreamRequest {
                    credentials: None,
                    stream: "*",
                    config: &c,
                    cursor: None,
                    lookback: Duration::ZERO,
                    window: None,
                    batch_size: 10,
                    parallelism: 1,
                    files: test_access(),
                },
                None,
                Budget::new(1, Duration::from_secs(5)),
            )
            .await
            .expect_err("parquet has no cursor column support");
        assert!(err.to_string().contains("incremental_by"), "{err}");
    }

    #[test]
    fn globs_match_within_and_across_segments() {
        assert!(glob_match("*.csv", "a.csv"));
        assert!(!glob_match("*.csv", "x/a.csv"));
        assert!(glob_match("**/*.csv", "x/y/a.csv"));
        assert!(glob_match("orders/2026-??.ndjson", "orders/2026-01.ndjson"));
        assert!(!glob_match("orders/*.ndjson", "orders/a.csv"));
    }

    #[tokio::test]
    async fn ndjson_files_are_cut_into_chunks_over_several_steps_without_losing_a_line() {
        let dir = tempfile::tempdir().expect("valid in this test");
        for f in 0..3 {
            let mut file = File::create(dir.path().join(format!("part-{f}.ndjson")))
                .expect("valid in this test");
            for i in 0..25 {
                writeln!(file, r#"{{"id": {}}}"#, f * 100 + i).expect("valid in this test");
            }
        }
        let chunks = all_chunks(&config(dir.path(), "ndjson"), "*.ndjson", 10).await;
        let rows: u64 = chunks.iter().map(|c| c.rows).sum();
        assert_eq!(rows, 75);
        let text: String = chunks
            .iter()
            .map(|c| String::from_utf8(c.bytes.clone()).expect("valid in this test"))
            .collect();
        assert_eq!(text.lines().count(), 75);
        assert!(chunks.iter().all(|c| c.rows <= 10));
    }

    #[tokio::test]
    async fn csv_chunks_each_carry_the_header() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(dir.path().join("a.csv"), "id;name\n1;x\n2;y\n3;z\n")
            .expect("valid in this test");
        let mut c = config(dir.path(), "csv");
        c.insert("csv_delimiter".into(), ";".into());
        let chunks = all_chunks(&c, "*.csv", 2).await;
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].bytes, b"id;name\n1;x\n2;y\n");
        assert_eq!(chunks[1].bytes, b"id;name\n3;z\n");
        assert_eq!(chunks[1].format, ChunkFormat::Csv { delimiter: ';' });
    }

    #[tokio::test]
    async fn a_quoted_csv_field_may_hold_newlines_across_chunk_and_step_boundaries() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(
            dir.path().join("notes.csv"),
            "id,note,day\r\n1,\"two\nlines\",2026-01-01\r\n2,plain,2026-01-02\n3,\"say \"\"hi\"\"\nand\n\nbye\",2026-01-03\n4,\"never closed\n",
        )
        .expect("valid in this test");
        let chunks = all_chunks(&config(dir.path(), "csv"), "*.csv", 2).await;
        let rows: u64 = chunks.iter().map(|c| c.rows).sum();
        assert_eq!(rows, 4, "{chunks:?}");
        assert_eq!(
            String::from_utf8(chunks[0].bytes.clone()).expect("utf-8"),
            "id,note,day\n1,\"two\nlines\",2026-01-01\r\n2,plain,2026-01-02\n"
        );
        let second = String::from_utf8(chunks[1].bytes.clone()).expect("utf-8");
        assert!(
            second.contains("3,\"say \"\"hi\"\"\nand\n\nbye\",2026-01-03\n"),
            "{second}"
        );
        let errors: Vec<_> = chunks.iter().flat_map(|c| c.errors.clone()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].reason.contains("ends inside a quoted field"),
            "{errors:?}"
        );
        // By cursor column: records, not lines, are compared and kept.
        let mut c = config(dir.path(), "csv");
        c.insert("incremental_by".into(), "cursor_column".into());
        c.insert("cursor_column".into(), "day".into());
        let out = Files
            .step(
                &StreamRequest {
                    credentials: None,
                    stream: "*.csv",
                    config: &c,
                    cursor: Some(&Value::from("2026-01-01")),
                    lookback: Duration::ZERO,
                    window: None,
                    batch_size: 100,
                    parallelism: 1,
                    files: test_access(),
                },
                None,
                Budget::new(10, Duration::from_secs(30)),
            )
            .await
            .expect("step");
        let kept: String = out
            .chunks
            .iter()
            .map(|c| String::from_utf8(c.bytes.clone()).expect("utf-8"))
            .collect();
        assert!(
            !kept.contains("two\nlines") && kept.contains("bye\",2026-01-03"),
            "{kept}"
        );
        assert_eq!(out.cursor, Some(Value::from("2026-01-03")));
    }

    #[tokio::test]
    async fn zstd_files_are_read_like_gzip_ones() {
        let dir = tempfile::tempdir().expect("valid in this test");
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!("{{\"id\": {i}}}\n"));
        }
        let packed = zstd::stream::encode_all(text.as_bytes(), 3).expect("valid in this test");
        std::fs::write(dir.path().join("part.ndjson.zst"), packed).expect("valid in this test");
        let chunks = all_chunks(&config(dir.path(), "ndjson"), "*.zst", 200).await;
        let got: String = chunks
            .iter()
            .map(|c| String::from_utf8(c.bytes.clone()).expect("utf-8"))
            .collect();
        assert_eq!(got, text);
        assert_eq!(chunks.len(), 3, "cut at the batch size over steps");
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_skipped_with_a_reason_and_never_held() {
        let dir = tempfile::tempdir().expect("valid in this test");
        let mut file = File::create(dir.path().join("big.ndjson")).expect("valid in this test");
        writeln!(file, r#"{{"id": 1}}"#).expect("valid in this test");
        let long = vec![b'x'; MAX_LINE_BYTES + 10];
        file.write_all(b"{\"blob\": \"")
            .expect("valid in this test");
        file.write_all(&long).expect("valid in this test");
        file.write_all(b"\"}\n{\"id\": 3}\n")
            .expect("valid in this test");
        drop(file);
        let chunks = all_chunks(&config(dir.path(), "ndjson"), "*", 100).await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].rows, 3);
        assert_eq!(chunks[0].errors.len(), 1);
        assert_eq!(chunks[0].errors[0].row, 2);
        assert!(chunks[0].errors[0].reason.contains("longer than"));
        assert!(chunks[0].bytes.len() < 100);
    }

    #[tokio::test]
    async fn a_truncated_gzip_file_ends_with_an_error_row() {
        let dir = tempfile::tempdir().expect("valid in this test");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..1000 {
            writeln!(enc, r#"{{"id": {i}, "pad": "{}"}}"#, "p".repeat(50))
                .expect("valid in this test");
        }
        let gz = enc.finish().expect("valid in this test");
        std::fs::write(dir.path().join("cut.ndjson.gz"), &gz[..gz.len() / 2])
            .expect("valid in this test");
        let chunks = all_chunks(&config(dir.path(), "ndjson"), "*.gz", 5000).await;
        let errors: Vec<_> = chunks.iter().flat_map(|c| c.errors.clone()).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].reason.contains("truncated or corrupt"));
    }

    #[tokio::test]
    async fn incremental_runs_skip_files_older_than_the_cursor() {
        let dir = tempfile::tempdir().expect("valid in this test");
        std::fs::write(dir.path().join("a.ndjson"), "{\"id\":1}\n").expect("valid in this test");
        let c = config(dir.path(), "ndjson");
        let req = StreamRequest {
            credentials: None,
            stream: "*",
            config: &c,
            cursor: None,
            lookback: Duration::ZERO,
            window: None,
            batch_size: 10,
            parallelism: 1,
            files: test_access(),
        };
        let first = Files
            .step(&req, None, Budget::new(10, Duration::from_secs(9)))
            .await
            .expect("valid in this test");
        assert_eq!(first.chunks.len(), 1);
        let cursor = first.cursor.expect("valid in this test");
        let again = StreamRequest {
            cursor: Some(&cursor),
            ..req.clone()
        };
        let second = Files
            .step(&again, None, Budget::new(10, Duration::from_secs(9)))
            .await
            .expect("valid in this test");
        assert!(second.chunks.is_empty());
        let lookback = StreamRequest {
            lookback: Duration::from_secs(3600),
            ..again
        };
        let third = Files
            .step(&lookback, None, Budget::new(10, Duration::from_secs(9)))
            .await
            .expect("valid in this test");
        assert_eq!(third.chunks.len(), 1);
    }
}
