//! The `mysql` source: a table (`database.table`, or `table` in the URL's
//! database) read a chunk at a time by keyset over its primary key (or, without
//! one, its first unique key of NOT NULL columns), each chunk one prepared
//! statement whose binary-protocol rows are decoded straight into Arrow columns,
//! which the extraction step maps and stages as Parquet.
//!
//! A table with no such key is read in pages of `LIMIT … OFFSET …` over all
//! its columns sorted: the same rows for the same offsets while the table does
//! not change, but rows written while a run reads it may be skipped or read
//! twice (and columns longer than the server's `max_sort_length` sort by their
//! first bytes only).
//!
//! A large table with a key is read in up to the mart's `parallelism` ranges of
//! that key at once ([`keyset`]): a single integer key cut at equal widths
//! between its smallest and largest values, any other key at the quantiles of
//! a sample of its values; a table without a key in one range.
//!
//! The first step reads the table's columns and key from `information_schema`
//! and, for an incremental run on a table with the source's `cursor_column`,
//! the column's largest value now: the run reads the rows after the saved
//! cursor (less the look-back) up to that value, so rows written while it runs
//! wait for the next run rather than being read twice. The continuation carries
//! all of it and the last key read (or the offset), so a step repeated from the
//! same position reads the same rows.

use std::sync::Arc;

use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use sluice_domain::discovery::{DiscoveredField, DiscoveredStream, FoundBy, SourceTest};
use sluice_domain::net::Egress;

use super::decode::{Cell, Column, Decoder, Kind, time_text, walk};
use super::reader::Session;
use super::{connect, db_error};
use crate::keyset::{self, Range, RangeReader, Read};
use crate::{Budget, ConnectorError, Extractor, Probe, StepOutput, StreamRequest, config_str};

/// Longest a chunk's statement may run before the server stops it, in seconds.
const STATEMENT_TIMEOUT_SECS: u32 = 300;

/// Tables offered by discovery at most.
const MAX_STREAMS: usize = 2_000;

/// The schemas of the server itself, never offered.
const SYSTEM_SCHEMAS: &str = "('mysql', 'information_schema', 'performance_schema', 'sys')";

pub struct Mysql {
    egress: Egress,
}

impl Mysql {
    pub fn new(egress: &Egress) -> Mysql {
        Mysql {
            egress: egress.clone(),
        }
    }
}

/// A column as `information_schema` describes it, and how it is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableColumn {
    pub name: String,
    /// `COLUMN_TYPE`: `decimal(12,2)`, `bigint(20) unsigned`.
    pub column_type: String,
    pub kind: Kind,
}

/// A value of a key or a cursor bound, kept in the continuation in the form
/// the server sent it and bound back as a parameter of the same type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Key {
    Int(i64),
    #[serde(rename = "uint")]
    UInt(u64),
    Float(f32),
    Double(f64),
    Text(String),
    Bytes(Vec<u8>),
    Date(u16, u8, u8, u8, u8, u8, u32),
    Time(bool, u32, u8, u8, u8, u32),
}

impl Key {
    fn of(v: Cell<'_>) -> Key {
        match v {
            Cell::Int(i) => Key::Int(i),
            Cell::UInt(u) => Key::UInt(u),
            Cell::Float(f) => Key::Float(f),
            Cell::Double(d) => Key::Double(d),
            Cell::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Key::Text(s.to_string()),
                Err(_) => Key::Bytes(b.to_vec()),
            },
            Cell::Date(y, mo, d, h, mi, s, us) => Key::Date(y, mo, d, h, mi, s, us),
            Cell::Time(n, d, h, m, s, us) => Key::Time(n, d, h, m, s, us),
        }
    }

    /// A value of a planning query's row.
    fn read(row: &Row, i: usize) -> Option<Key> {
        row.as_ref(i).and_then(Cell::of).map(Key::of)
    }

    fn value(&self) -> Value {
        match self {
            Key::Int(i) => Value::Int(*i),
            Key::UInt(u) => Value::UInt(*u),
            Key::Float(f) => Value::Float(*f),
            Key::Double(d) => Value::Double(*d),
            Key::Text(s) => Value::Bytes(s.clone().into_bytes()),
            Key::Bytes(b) => Value::Bytes(b.clone()),
            Key::Date(y, mo, d, h, mi, s, us) => Value::Date(*y, *mo, *d, *h, *mi, *s, *us),
            Key::Time(n, d, h, m, s, us) => Value::Time(*n, *d, *h, *m, *s, *us),
        }
    }

    /// The value as the cursor saves it: numbers and text as they are, dates
    /// as `2024-05-01`, datetimes as `2024-05-01 12:00:00[.ffffff]`.
    fn text(&self, kind: Kind) -> String {
        match self {
            Key::Int(i) => i.to_string(),
            Key::UInt(u) => u.to_string(),
            Key::Float(f) => f.to_string(),
            Key::Double(d) => d.to_string(),
            Key::Text(s) => s.clone(),
            Key::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Key::Date(y, mo, d, ..) if kind == Kind::Date => format!("{y:04}-{mo:02}-{d:02}"),
            Key::Date(y, mo, d, h, mi, s, 0) => {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
            Key::Date(y, mo, d, h, mi, s, us) => {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
            }
            Key::Time(n, d, h, m, s, us) => time_text(*n, *d, *h, *m, *s, *us),
        }
    }

    fn datetime(t: chrono::NaiveDateTime) -> Key {
        use chrono::{Datelike, Timelike};
        Key::Date(
            t.year().clamp(0, 9999) as u16,
            t.month() as u8,
            t.day() as u8,
            t.hour() as u8,
            t.minute() as u8,
            t.second() as u8,
            t.nanosecond() / 1000,
        )
    }

    /// A saved cursor's text as a value of a column of `kind`, moved back by
    /// `lookback` for dates and datetimes.
    fn parse(text: &str, kind: Kind, lookback: std::time::Duration) -> Option<Key> {
        let text = text.trim();
        Some(match kind {
            Kind::Bool | Kind::I8 | Kind::I16 | Kind::I32 | Kind::I64 => {
                Key::Int(text.parse().ok()?)
            }
            Kind::U8 | Kind::U16 | Kind::U32 | Kind::U64 | Kind::Bit(_) => {
                Key::UInt(text.parse().ok()?)
            }
            Kind::F32 | Kind::F64 => Key::Double(text.parse().ok()?),
            Kind::Date | Kind::Timestamp => {
                let at = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(0, 0, 0))
                    })?;
                let back = chrono::Duration::from_std(lookback).ok()?;
                Key::datetime(at.checked_sub_signed(back)?)
            }
            _ => Key::Text(text.to_string()),
        })
    }
}

/// The table's shape and what the run reads of it, fixed at the first step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    /// `` `database`.`table` ``, quoted.
    table: String,
    columns: Vec<TableColumn>,
    /// The columns (their places in `columns`) the table is read in order of:
    /// its primary key's, or a unique key's; empty for pages by offset.
    key: Vec<usize>,
    /// The key ranges read at once, each with the last key it read (or, for
    /// a table read by offset, the rows it read).
    #[serde(default)]
    ranges: Vec<Range<Key>>,
    /// The last key read and the rows read, in a continuation written
    /// before there were ranges: the one range's.
    #[serde(default, skip_serializing)]
    after: Option<Vec<Key>>,
    #[serde(default, skip_serializing)]
    offset: u64,
    /// The incremental window, or a backfill's days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<CursorWindow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CursorWindow {
    /// The cursor column's place in `columns`.
    column: usize,
    /// The bounds on the column: an operator (`>`, `>=`, `<=`, `<`) and a
    /// value. No bound at all reads nothing (an empty table's).
    bounds: Vec<(String, Key)>,
}

/// `name` as a quoted identifier.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The placeholder a value of column kind `kind` is bound to: decimals
/// compared as decimals (a string beside a decimal compares as a double).
fn placeholder(kind: Kind) -> &'static str {
    match kind {
        Kind::Decimal { .. } => "CAST(? AS DECIMAL(65,30))",
        _ => "?",
    }
}

impl Position {
    /// The chunk's query and its parameters: the columns; the rows of
    /// `range` after its last key, inside the window, in key order, `limit`
    /// of them.
    fn query(&self, range: &Range<Key>, limit: usize) -> (String, Vec<Value>) {
        let col = |i: usize| format!("src.{}", quote_ident(&self.columns[i].name));
        let exprs: Vec<String> = (0..self.columns.len()).map(col).collect();
        let mut filters = vec![];
        let mut params = vec![];
        let names: Vec<String> = self.key.iter().map(|&k| col(k)).collect();
        let marks: Vec<&str> = self
            .key
            .iter()
            .map(|&k| placeholder(self.columns[k].kind))
            .collect();
        let mut bound = |op: &str, key: &[Key]| {
            filters.push(format!(
                "({}) {op} ({})",
                names.join(", "),
                marks.join(", ")
            ));
            params.extend(key.iter().map(Key::value));
        };
        if !self.key.is_empty() {
            if let Some((start, inclusive)) = range.start() {
                bound(if inclusive { ">=" } else { ">" }, start);
            }
            if let Some(below) = &range.below {
                bound("<", below);
            }
        }
        if let Some(w) = &self.cursor {
            if w.bounds.is_empty() {
                filters.push("FALSE".into());
            }
            for (op, value) in &w.bounds {
                filters.push(format!(
                    "{} {op} {}",
                    col(w.column),
                    placeholder(self.columns[w.column].kind)
                ));
                params.push(value.value());
            }
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", filters.join(" AND "))
        };
        let (order, page) = if self.key.is_empty() {
            (
                (1..=self.columns.len())
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>(),
                format!(" LIMIT {limit} OFFSET {}", range.read),
            )
        } else {
            (names, format!(" LIMIT {limit}"))
        };
        (
            format!(
                "SELECT {} FROM {} AS src{filter} ORDER BY {}{page}",
                exprs.join(", "),
                self.table,
                order.join(", ")
            ),
            params,
        )
    }

    /// The single integer key's place in `columns`, if the key is one.
    fn integer_key(&self) -> Option<usize> {
        match self.key.as_slice() {
            [k] if matches!(
                self.columns[*k].kind,
                Kind::I8 | Kind::I16 | Kind::I32 | Kind::I64 | Kind::U8 | Kind::U16 | Kind::U32
            ) =>
            {
                Some(*k)
            }
            _ => None,
        }
    }
}

/// Samples of a key read to cut it into ranges, about.
const KEY_SAMPLE: f64 = 20_000.0;

/// The key ranges `pos` is read in: as many as `parallelism` allows and the
/// table's size asks for ([`keyset::ranges_for`]). A single integer key is cut
/// into ranges of equal width between its smallest and largest values, any
/// other key at the quantiles of a sample of its values (sorted by the server,
/// so the bounds follow its collation); a table without a key is one range.
async fn split(
    conn: &mut Conn,
    stream: &str,
    pos: &Position,
    parallelism: usize,
    limit: usize,
) -> Result<Vec<Range<Key>>, ConnectorError> {
    if parallelism < 2 || pos.key.is_empty() {
        return Ok(vec![Range::whole()]);
    }
    let number = |r: &Row, i: usize| -> Option<i128> {
        match r.as_ref(i)? {
            Value::Int(n) => Some(i128::from(*n)),
            Value::UInt(n) => Some(i128::from(*n)),
            Value::Bytes(b) => std::str::from_utf8(b).ok()?.parse().ok(),
            _ => None,
        }
    };
    // The engine's estimate of the rows (InnoDB's is a sample).
    let (db, table) = table_of(conn, stream).await?;
    let estimate: Option<Row> = conn
        .exec_first(
            "SELECT TABLE_ROWS FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
            (db, table),
        )
        .await
        .map_err(|e| db_error("estimating the table's size", e))?;
    let Some(rows) = estimate.and_then(|r| number(&r, 0)) else {
        return Ok(vec![Range::whole()]);
    };
    let n = keyset::ranges_for(rows.max(0) as u64, limit, parallelism);
    if n < 2 {
        return Ok(vec![Range::whole()]);
    }
    let keys: Vec<String> = pos
        .key
        .iter()
        .map(|&k| format!("src.{}", quote_ident(&pos.columns[k].name)))
        .collect();
    let bounds: Vec<Vec<Key>> = if let Some(k) = pos.integer_key() {
        let col = quote_ident(&pos.columns[k].name);
        let span: Option<Row> = conn
            .exec_first(
                format!(
                    "SELECT CAST(MIN({col}) AS SIGNED), CAST(MAX({col}) AS SIGNED) FROM {}",
                    pos.table
                ),
                (),
            )
            .await
            .map_err(|e| db_error("reading the key's range", e))?;
        let Some((min, max)) = span.and_then(|r| Some((number(&r, 0)?, number(&r, 1)?))) else {
            return Ok(vec![Range::whole()]);
        };
        keyset::integer_bounds(min, max, n)
            .into_iter()
            .map(|b| vec![Key::Int(b as i64)])
            .collect()
    } else {
        // A seeded RAND: the same sample each time the table is the same.
        let fraction = (KEY_SAMPLE / rows.max(1) as f64).clamp(0.000_001, 1.0);
        let sample: Vec<Row> = conn
            .query(format!(
                "SELECT {keys} FROM {} AS src WHERE RAND(0) < {fraction} ORDER BY {keys}",
                pos.table,
                keys = keys.join(", ")
            ))
            .await
            .map_err(|e| db_error("sampling the key", e))?;
        let sample: Vec<Vec<Key>> = sample
            .iter()
            .filter_map(|r| (0..keys.len()).map(|i| Key::read(r, i)).collect())
            .collect();
        keyset::quantile_bounds(&sample, n)
    };
    Ok(Range::between(bounds))
}

/// Reads a range over a session of its own.
struct Reader {
    session: Session,
    pos: Arc<Position>,
    /// The text columns' bytes of its last chunk, sized to a whole one.
    bytes: Vec<usize>,
}

#[async_trait]
impl RangeReader<Key> for Reader {
    async fn read(
        &mut self,
        range: &Range<Key>,
        limit: usize,
    ) -> Result<Read<Key>, ConnectorError> {
        let pos = &self.pos;
        let (sql, params) = pos.query(range, limit);
        let columns = pos
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                kind: c.kind,
            })
            .collect();
        let mut decoder = Decoder::sized(columns, limit, &self.bytes);
        let step = format!("reading {}", pos.table);
        let (wires, last) = self
            .session
            .rows(&sql, &params, &step, |wires, row| decoder.push(wires, row))
            .await?;
        if decoder.rows() > 0 {
            self.bytes = decoder.bytes(limit);
        }
        let batch = decoder
            .finish()
            .map_err(|why| ConnectorError::upstream(why, false))?;
        let last = match last {
            Some(row) if !pos.key.is_empty() => {
                let mut key = vec![None; pos.key.len()];
                walk(&wires, &row, |i, value| {
                    if let Some(at) = pos.key.iter().position(|&k| k == i) {
                        key[at] = value.map(Key::of);
                    }
                    Ok(())
                })
                .map_err(|why| ConnectorError::upstream(why, false))?;
                key.into_iter().collect()
            }
            _ => None,
        };
        Ok(Read { batch, last })
    }

    fn keyed(&self) -> bool {
        !self.pos.key.is_empty()
    }
}

/// A text column of an `information_schema` row.
fn text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(n) => Some(n.to_string()),
        Value::UInt(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The stream's table as `(database, table)`: `database.table`, or `table`
/// in the URL's database.
async fn table_of(conn: &mut Conn, stream: &str) -> Result<(String, String), ConnectorError> {
    let (db, table) = sluice_domain::connectors::mysql::table_of(stream)
        .map_err(|why| ConnectorError::config("streams.name", why))?;
    let db = match db {
        Some(db) => db,
        None => {
            let current: Option<Row> = conn
                .query_first("SELECT DATABASE()")
                .await
                .map_err(|e| db_error("reading the URL's database", e))?;
            current.and_then(|r| text(&r, 0)).ok_or_else(|| {
                ConnectorError::config(
                    "streams.name",
                    format!(
                        "the source's URL names no database: name the table `database.{table}`"
                    ),
                )
            })?
        }
    };
    Ok((db, table))
}

/// The columns of `db.table`, in order, and the key it is read in order of
/// (the primary key, else the first unique key of NOT NULL columns; empty
/// when it has neither); a config error when the table is not there (or not
/// visible to the source's user).
pub async fn describe(
    conn: &mut Conn,
    db: &str,
    table: &str,
) -> Result<(Vec<TableColumn>, Vec<String>), ConnectorError> {
    let rows: Vec<Row> = conn
        .exec(
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            (db, table),
        )
        .await
        .map_err(|e| db_error("reading the table's columns", e))?;
    if rows.is_empty() {
        return Err(ConnectorError::config(
            "streams.name",
            format!("no table {db}.{table} is visible to the source's user"),
        ));
    }
    let columns = rows
        .iter()
        .map(|r| {
            let (data_type, column_type) = (
                text(r, 1).unwrap_or_default(),
                text(r, 2).unwrap_or_default(),
            );
            TableColumn {
                name: text(r, 0).unwrap_or_default(),
                kind: Kind::of(&data_type, &column_type),
                column_type,
            }
        })
        .collect();
    let keys: Vec<Row> = conn
        .exec(
            "SELECT INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
             ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX",
            (db, table),
        )
        .await
        .map_err(|e| db_error("reading the table's keys", e))?;
    let mut indexes: Vec<(String, Vec<String>, bool)> = vec![];
    for r in &keys {
        let (index, column) = (
            text(r, 0).unwrap_or_default(),
            text(r, 1).unwrap_or_default(),
        );
        let nullable = text(r, 2).is_some_and(|n| n.eq_ignore_ascii_case("YES"));
        match indexes.last_mut() {
            Some((name, cols, any_null)) if *name == index => {
                cols.push(column);
                *any_null |= nullable;
            }
            _ => indexes.push((index, vec![column], nullable)),
        }
    }
    let key = indexes
        .into_iter()
        .find(|(_, _, any_null)| !any_null)
        .map(|(_, cols, _)| cols)
        .unwrap_or_default();
    Ok((columns, key))
}

/// The first step's position: the table's shape, its key and the run's window.
async fn first(conn: &mut Conn, req: &StreamRequest<'_>) -> Result<Position, ConnectorError> {
    let (db, table) = table_of(conn, req.stream).await?;
    let (columns, key_names) = describe(conn, &db, &table).await?;
    let key: Vec<usize> = key_names
        .iter()
        .filter_map(|k| columns.iter().position(|c| &c.name == k))
        .collect();
    let quoted = format!("{}.{}", quote_ident(&db), quote_ident(&table));
    let cursor_name = config_str(req.config, "cursor_column", "");
    let column = columns.iter().position(|c| c.name == cursor_name);
    let cursor = match (column, req.window) {
        // A backfill reads its days of the cursor column: from its first day,
        // up to the day after its last.
        (Some(column), Some(window)) if columns[column].kind.is_temporal() => {
            let day =
                |d: chrono::NaiveDate| Key::datetime(d.and_hms_opt(0, 0, 0).unwrap_or_default());
            Some(CursorWindow {
                column,
                bounds: vec![
                    (">=".into(), day(window.from)),
                    ("<".into(), day(window.to + chrono::Days::new(1))),
                ],
            })
        }
        (_, Some(_)) => {
            return Err(ConnectorError::config(
                "config.cursor_column",
                format!(
                    "a backfill reads the days of a date or timestamp column, and {} has no such column named by the source's `cursor_column`",
                    req.stream
                ),
            ));
        }
        (Some(column), None) => {
            let c = &columns[column];
            let upto: Option<Row> = conn
                .query_first(format!(
                    "SELECT MAX({}) FROM {quoted}",
                    quote_ident(&c.name)
                ))
                .await
                .map_err(|e| db_error("reading the cursor column's largest value", e))?;
            let upto = upto.and_then(|r| Key::read(&r, 0));
            let mut bounds = vec![];
            if let Some(upto) = upto {
                if let Some(saved) = req.cursor {
                    let saved = match saved {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let lookback = if c.kind.is_temporal() {
                        req.lookback
                    } else {
                        std::time::Duration::ZERO
                    };
                    let above = Key::parse(&saved, c.kind, lookback).ok_or_else(|| {
                        ConnectorError::config(
                            "config.cursor_column",
                            format!(
                                "the saved cursor `{}` is not a value of {} ({})",
                                saved.chars().take(40).collect::<String>(),
                                c.name,
                                c.column_type
                            ),
                        )
                    })?;
                    bounds.push((">".into(), above));
                }
                bounds.push(("<=".into(), upto));
            }
            Some(CursorWindow { column, bounds })
        }
        (None, None) => None,
    };
    Ok(Position {
        table: quoted,
        columns,
        key,
        ranges: vec![],
        after: None,
        offset: 0,
        cursor,
    })
}

/// The session every connection of the source starts: UTC (timestamps come
/// as UTC), UTF-8, and nothing written.
fn session() -> Vec<String> {
    vec![
        "SET time_zone = '+00:00'".into(),
        "SET NAMES utf8mb4".into(),
        "SET SESSION TRANSACTION READ ONLY".into(),
    ]
}

/// Sessions left idle by steps that ended well, taken by the next step of the
/// same URL ([`crate::pool`]): those that planned a run, and readers.
static IDLE: std::sync::LazyLock<crate::pool::Idle<Conn>> =
    std::sync::LazyLock::new(Default::default);
static IDLE_READERS: std::sync::LazyLock<crate::pool::Idle<Session>> =
    std::sync::LazyLock::new(Default::default);

/// A session to plan a run in: one a step before left idle, else a new one.
async fn planning(egress: &Egress, url: &str) -> Result<Conn, ConnectorError> {
    if let Some(conn) = IDLE.take(url, |c| !c.is_disconnected()) {
        return Ok(conn);
    }
    Ok(connected(egress, url).await?.0)
}

/// A statement's time limit, each way a server may know it, tried in turn
/// until one is taken: MariaDB's variable, else MySQL's (SELECTs only); a
/// server that knows neither sets none.
fn time_limits() -> [String; 2] {
    [
        format!("SET SESSION max_statement_time = {STATEMENT_TIMEOUT_SECS}"),
        format!(
            "SET SESSION max_execution_time = {}",
            STATEMENT_TIMEOUT_SECS * 1000
        ),
    ]
}

/// A session to read a range in: one a step before left idle (and open),
/// else a new one.
async fn reading(egress: &Egress, url: &str) -> Result<Session, ConnectorError> {
    if let Some(session) = IDLE_READERS.take(url, |s| s.idle()) {
        return Ok(session);
    }
    let mut session = Session::open(egress, url, &session()).await?;
    for limit in time_limits() {
        if session.simple(&limit, "setting a time limit").await.is_ok() {
            break;
        }
    }
    Ok(session)
}

async fn connected(egress: &Egress, url: &str) -> Result<(Conn, String), ConnectorError> {
    let (mut conn, shown) = connect(egress, url, &session()).await?;
    for limit in time_limits() {
        if conn.query_drop(limit).await.is_ok() {
            break;
        }
    }
    Ok((conn, shown))
}

#[async_trait]
impl Extractor for Mysql {
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Json>,
        budget: Budget,
    ) -> Result<StepOutput, ConnectorError> {
        let url = config_str(req.config, "url", "");
        if url.is_empty() {
            return Err(ConnectorError::config("config.url", "is required"));
        }
        let limit = req.batch_size.max(1);
        let mut pos = match position {
            Some(p) => serde_json::from_value::<Position>(p.clone()).map_err(|_| {
                ConnectorError::upstream("the step's continuation does not parse", false)
            })?,
            None => {
                // The run is planned over mysql_async; its ranges are read
                // by reader sessions.
                let mut conn = planning(&self.egress, url).await?;
                let mut pos = first(&mut conn, req).await?;
                pos.ranges = split(&mut conn, req.stream, &pos, req.parallelism, limit).await?;
                IDLE.give(url, conn);
                pos
            }
        };
        if pos.ranges.is_empty() {
            pos.ranges = vec![Range {
                after: pos.after.take(),
                read: pos.offset,
                ..Range::whole()
            }];
        }
        // An incremental run's cursor: the window's upper bound, or the saved
        // one when the table is empty. A backfill saves none.
        let cursor_out = match (&pos.cursor, req.window) {
            (_, Some(_)) => None,
            (Some(w), None) => w
                .bounds
                .iter()
                .find(|(op, _)| op == "<=")
                .map(|(_, v)| Json::String(v.text(pos.columns[w.column].kind)))
                .or_else(|| req.cursor.cloned()),
            (None, None) => None,
        };
        // A session per unfinished range, up to the parallelism.
        let pending = pos.ranges.iter().filter(|r| !r.done).count();
        let shape = Arc::new(Position {
            ranges: vec![],
            ..pos.clone()
        });
        let mut readers = vec![];
        for _ in 0..pending.clamp(1, req.parallelism.max(1)) {
            readers.push(Reader {
                session: reading(&self.egress, url).await?,
                pos: shape.clone(),
                bytes: vec![],
            });
        }
        let table = pos.table.clone();
        let chunks = keyset::read(&mut readers, &mut pos.ranges, limit, budget, &table).await?;
        // Every statement ended well: the sessions serve the next step.
        for r in readers {
            IDLE_READERS.give(url, r.session);
        }
        Ok(StepOutput {
            chunks,
            next: keyset::next(&pos, &pos.ranges)?,
            cursor: cursor_out,
            ..Default::default()
        })
    }

    async fn test(&self, probe: &Probe<'_>) -> SourceTest {
        let url = config_str(probe.config, "url", "");
        let (mut conn, shown) = match connected(&self.egress, url).await {
            Ok(pair) => pair,
            Err(e) => {
                let why = e.to_string();
                let at = if super::login_refused(&why) {
                    "authorized"
                } else {
                    "reachable"
                };
                return SourceTest::failed_at(at, &why);
            }
        };
        let readable: Result<Option<Row>, _> = conn
            .query_first(format!(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN {SYSTEM_SCHEMAS}"
            ))
            .await;
        let _ = conn.disconnect().await;
        let n: u64 = match readable {
            Ok(row) => row
                .and_then(|r| text(&r, 0))
                .and_then(|t| t.parse().ok())
                .unwrap_or(0),
            Err(e) => {
                return SourceTest::failed_at(
                    "readable",
                    &db_error("reading the catalog", e).to_string(),
                );
            }
        };
        SourceTest::logged_in(&shown, n)
    }

    async fn streams(
        &self,
        probe: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError> {
        let (mut conn, _) = connected(&self.egress, config_str(probe.config, "url", "")).await?;
        let rows: Vec<Row> = conn
            .query(format!(
                "SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE,
                        COALESCE(k.SEQ_IN_INDEX, 0)
                 FROM information_schema.COLUMNS c
                 LEFT JOIN information_schema.STATISTICS k
                   ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
                  AND k.INDEX_NAME = 'PRIMARY' AND k.COLUMN_NAME = c.COLUMN_NAME
                 WHERE c.TABLE_SCHEMA NOT IN {SYSTEM_SCHEMAS}
                 ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION"
            ))
            .await
            .map_err(|e| db_error("reading the catalog", e))?;
        let _ = conn.disconnect().await;
        let mut out: Vec<DiscoveredStream> = vec![];
        let mut current: Option<(String, Vec<DiscoveredField>, Vec<(u64, String)>)> = None;
        let finish =
            |(name, fields, mut key): (String, Vec<DiscoveredField>, Vec<(u64, String)>)| {
                key.sort();
                DiscoveredStream::new(
                    name,
                    fields,
                    key.into_iter().map(|(_, c)| c).collect(),
                    FoundBy::Catalog,
                )
            };
        for r in &rows {
            let (Some(db), Some(table)) = (text(r, 0), text(r, 1)) else {
                continue;
            };
            let name = format!("{db}.{table}");
            // A name the stream syntax cannot carry (a dot in it) is not offered.
            if sluice_domain::connectors::mysql::table_of(&name).is_err() {
                continue;
            }
            if current.as_ref().is_none_or(|(n, _, _)| *n != name) {
                if out.len() >= MAX_STREAMS {
                    break;
                }
                if let Some(done) = current.take() {
                    out.push(finish(done));
                }
                current = Some((name, vec![], vec![]));
            }
            let Some((_, fields, key)) = current.as_mut() else {
                continue;
            };
            let column = text(r, 2).unwrap_or_default();
            let column_type = text(r, 3).unwrap_or_default();
            let key_at: u64 = text(r, 5).and_then(|t| t.parse().ok()).unwrap_or(0);
            if key_at > 0 {
                key.push((key_at, column.clone()));
            }
            fields.push(DiscoveredField {
                cast: sluice_domain::connectors::mysql::cast_of(&column_type),
                name: column,
                source_type: column_type,
                nullable: text(r, 4).is_some_and(|n| n.eq_ignore_ascii_case("YES")),
            });
        }
        if let Some(done) = current.take() {
            out.push(finish(done));
        }
        Ok(Some(out))
    }
}
