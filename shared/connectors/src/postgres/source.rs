//! The `postgres` source: a table (`schema.table`, or `table` in `public`) read
//! a chunk at a time by keyset over its primary key (or, without one, its
//! `ctid`), each chunk one `COPY (SELECT …) TO STDOUT (FORMAT binary)` decoded
//! straight into Arrow columns, the chunk the extract step maps. A large table
//! is read in up to the mart's `parallelism` key ranges at once ([`keyset`]):
//! an integer key cut by its smallest and largest values, another key by a
//! sample of its values, `ctid` by the table's pages. The first step plans the
//! run over a tokio-postgres client; the ranges are read by sessions that take
//! the COPY's messages from the connection themselves ([`super::reader`]).
//!
//! The first step reads the table's columns and key from the catalog and, for an
//! incremental run on a table with the source's `cursor_column`, the column's
//! largest value now: the run reads the rows after the saved cursor (less the
//! look-back) up to that value, so rows written while it runs wait for the next
//! run rather than being read twice. The continuation carries all of it and the
//! last key read, so a step repeated from the same position reads the same rows.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sluice_domain::net::Egress;
use tokio_postgres::Client;

use sluice_domain::discovery::{DiscoveredField, DiscoveredStream, FoundBy, SourceTest};

use super::copy::{Column, Decoder, Wire};
use super::reader::CopySession;
use super::{connect, db_error};
use crate::keyset::{self, Range, RangeReader, Read};
use crate::{Budget, ConnectorError, Extractor, Probe, StepOutput, StreamRequest, config_str};

/// Longest a chunk's COPY may take before the server stops it.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(300);

pub struct Postgres {
    egress: Egress,
}

impl Postgres {
    pub fn new(egress: &Egress) -> Postgres {
        Postgres {
            egress: egress.clone(),
        }
    }
}

/// A column as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableColumn {
    pub name: String,
    /// `format_type` of the column: `numeric(12,2)`, `timestamp with time zone`.
    pub sql_type: String,
    pub oid: u32,
    pub typmod: i32,
    /// `A` for arrays (pg_type.typcategory).
    pub category: String,
}

/// The table's shape and what the run reads of it, fixed at the first step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    /// `"schema"."table"`, quoted.
    table: String,
    columns: Vec<TableColumn>,
    /// The key the table is read in order of: its primary key's columns, or
    /// empty for `ctid`.
    key: Vec<TableColumn>,
    /// The key ranges read at once, each with the last key it read (each
    /// column's text).
    #[serde(default)]
    ranges: Vec<Range<String>>,
    /// The last key read, in a continuation written before there were
    /// ranges: the one range's.
    #[serde(default, skip_serializing)]
    after: Option<Vec<String>>,
    /// The incremental window: the cursor column, and its bounds as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<CursorWindow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CursorWindow {
    column: TableColumn,
    /// The bounds on the column: an operator (`>`, `>=`, `<=`, `<`) and a
    /// value as text. No bound at all reads nothing (an empty table's).
    bounds: Vec<(String, String)>,
}

/// `name` as a quoted identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a quoted literal (standard_conforming_strings, on since 9.1).
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The stream's table as `(schema, table)`: `schema.table`, or `table` in `public`.
pub fn table_of(stream: &str) -> Result<(String, String), ConnectorError> {
    sluice_domain::connectors::postgres::table_of(stream)
        .map_err(|why| ConnectorError::config("streams.name", why))
}

/// The columns of `schema.table`, in order, and its primary key; a config
/// error when the table is not there (or not visible to the source's user).
pub async fn describe(
    client: &Client,
    schema: &str,
    table: &str,
) -> Result<(Vec<TableColumn>, Vec<String>), ConnectorError> {
    let name = format!("{}.{}", quote_ident(schema), quote_ident(table));
    let rows = client
        .query(
            "SELECT a.attname::text, a.atttypid::oid, a.atttypmod, format_type(a.atttypid, a.atttypmod), t.typcategory::text
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
            &[&name],
        )
        .await
        .map_err(|e| db_error("reading the table's columns", e))?;
    if rows.is_empty() {
        return Err(ConnectorError::config(
            "streams.name",
            format!("no table {schema}.{table} is visible to the source's user"),
        ));
    }
    let columns = rows
        .iter()
        .map(|r| TableColumn {
            name: r.get(0),
            oid: r.get(1),
            typmod: r.get(2),
            sql_type: r.get(3),
            category: r.get(4),
        })
        .collect();
    let key = client
        .query(
            "SELECT a.attname::text FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = to_regclass($1) AND i.indisprimary
             ORDER BY array_position(i.indkey::int2[], a.attnum)",
            &[&name],
        )
        .await
        .map_err(|e| db_error("reading the table's primary key", e))?
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect();
    Ok((columns, key))
}

/// How a column is selected and read: natively in its binary form, or as
/// text (arrays as JSON).
fn selected(c: &TableColumn) -> (String, Wire) {
    let q = column_ref(&c.name);
    if c.category == "A" {
        return (format!("to_json({q})::text"), Wire::Json);
    }
    match Wire::of(c.oid, c.typmod) {
        Some(w) => (q, w),
        None => (format!("{q}::text"), Wire::Text),
    }
}

/// The table's column `name` as the query refers to it: qualified, so
/// `ORDER BY` and `WHERE` mean the column and never an output of the same
/// name (a column selected as text sorts as text).
fn column_ref(name: &str) -> String {
    format!("src.{}", quote_ident(name))
}

/// `text` of column `c` as a literal of its type.
fn literal(c: &TableColumn, text: &str) -> String {
    format!("{}::{}", quote_literal(text), c.sql_type)
}

/// Whether a cursor column's values move back by a look-back window.
fn is_temporal(c: &TableColumn) -> bool {
    matches!(c.oid, 1082 | 1114 | 1184)
}

impl Position {
    /// The index among the columns of a key that is one integer column.
    fn integer_key(&self) -> Option<usize> {
        match self.key.as_slice() {
            [k] if matches!(k.oid, 20 | 21 | 23) => {
                self.columns.iter().position(|c| c.name == k.name)
            }
            _ => None,
        }
    }

    /// The key's columns as the query orders by them (`ctid` without one).
    fn order(&self) -> Vec<String> {
        if self.key.is_empty() {
            vec!["src.ctid".into()]
        } else {
            self.key.iter().map(|k| column_ref(&k.name)).collect()
        }
    }

    /// A key's values (each column's text) as literals of their types.
    fn literals(&self, values: &[String]) -> String {
        let out: Vec<String> = if self.key.is_empty() {
            values
                .iter()
                .map(|v| format!("{}::tid", quote_literal(v)))
                .collect()
        } else {
            self.key
                .iter()
                .zip(values)
                .map(|(k, v)| literal(k, v))
                .collect()
        };
        out.join(", ")
    }

    /// The chunk's query: the columns, then the key's text; the rows of
    /// `range` after its last key, inside the window, in key order, `limit`
    /// of them.
    fn query(&self, range: &Range<String>, limit: usize) -> (String, Vec<Column>) {
        let mut exprs = vec![];
        let mut columns = vec![];
        for c in &self.columns {
            let (expr, wire) = selected(c);
            exprs.push(expr);
            columns.push(Column {
                name: c.name.clone(),
                wire,
                kept: true,
            });
        }
        let order = self.order().join(", ");
        // A single integer key is read from its own column; other keys (and
        // `ctid`) as text beside the row, for the next chunk's bound.
        if self.integer_key().is_none() {
            for (i, o) in self.order().iter().enumerate() {
                exprs.push(format!("{o}::text AS \"__sluice_key{i}\""));
                columns.push(Column {
                    name: format!("__key{i}"),
                    wire: Wire::Text,
                    kept: false,
                });
            }
        }
        let mut filters = vec![];
        if let Some((start, inclusive)) = range.start() {
            let op = if inclusive { ">=" } else { ">" };
            filters.push(format!("({order}) {op} ({})", self.literals(start)));
        }
        if let Some(below) = &range.below {
            filters.push(format!("({order}) < ({})", self.literals(below)));
        }
        if let Some(w) = &self.cursor {
            let col = column_ref(&w.column.name);
            if w.bounds.is_empty() {
                filters.push("false".into());
            }
            for (op, value) in &w.bounds {
                filters.push(format!("{col} {op} {}", literal(&w.column, value)));
            }
        }
        let filter = if filters.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", filters.join(" AND "))
        };
        (
            format!(
                "COPY (SELECT {} FROM {} AS src{filter} ORDER BY {order} LIMIT {limit}) TO STDOUT (FORMAT binary)",
                exprs.join(", "),
                self.table,
            ),
            columns,
        )
    }
}

/// Samples of a key read to cut it into ranges, about.
const KEY_SAMPLE: f64 = 20_000.0;

/// The key ranges `pos` is read in: as many as `parallelism` allows and the
/// table's size asks for ([`keyset::ranges_for`]). An integer key is cut into
/// ranges of equal width between its smallest and largest values, another key
/// at the quantiles of a sample of its values, `ctid` into runs of pages.
async fn split(
    client: &Client,
    pos: &Position,
    parallelism: usize,
    limit: usize,
) -> Result<Vec<Range<String>>, ConnectorError> {
    if parallelism < 2 {
        return Ok(vec![Range::whole()]);
    }
    // The planner's estimate of the rows, or (never analyzed) one from the
    // table's size; and its pages.
    let size = client
        .query_one(
            "SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::int8
                         ELSE pg_relation_size(c.oid) / 100 END,
                    pg_relation_size(c.oid) / current_setting('block_size')::int8
             FROM pg_class c WHERE c.oid = to_regclass($1)",
            &[&pos.table],
        )
        .await
        .map_err(|e| db_error("estimating the table's size", e))?;
    let (rows, pages): (i64, i64) = (size.get(0), size.get(1));
    let n = keyset::ranges_for(rows.max(0) as u64, limit, parallelism);
    if n < 2 {
        return Ok(vec![Range::whole()]);
    }
    let bounds: Vec<Vec<String>> = if pos.key.is_empty() {
        (1..n as i64)
            .map(|i| vec![format!("({},0)", pages * i / n as i64)])
            .collect()
    } else if let Some(i) = pos.integer_key() {
        let col = quote_ident(&pos.columns[i].name);
        let span = client
            .query_one(
                &format!(
                    "SELECT min({col})::int8, max({col})::int8 FROM {}",
                    pos.table
                ),
                &[],
            )
            .await
            .map_err(|e| db_error("reading the key's range", e))?;
        match (span.get::<_, Option<i64>>(0), span.get::<_, Option<i64>>(1)) {
            (Some(min), Some(max)) => keyset::integer_bounds(min.into(), max.into(), n)
                .into_iter()
                .map(|b| vec![b.to_string()])
                .collect(),
            _ => vec![],
        }
    } else {
        let percent = (KEY_SAMPLE * 100.0 / rows.max(1) as f64).clamp(0.01, 100.0);
        let keys: Vec<String> = pos.order().iter().map(|k| format!("{k}::text")).collect();
        let sample: Vec<Vec<String>> = client
            .query(
                &format!(
                    "SELECT {} FROM {} AS src TABLESAMPLE SYSTEM ({percent}) REPEATABLE (0) ORDER BY {}",
                    keys.join(", "),
                    pos.table,
                    pos.order().join(", ")
                ),
                &[],
            )
            .await
            .map_err(|e| db_error("sampling the key", e))?
            .iter()
            .map(|r| (0..keys.len()).map(|i| r.get::<_, String>(i)).collect())
            .collect();
        keyset::quantile_bounds(&sample, n)
    };
    Ok(Range::between(bounds))
}

/// Reads a range over a session of its own.
struct Reader {
    session: CopySession,
    pos: Arc<Position>,
}

#[async_trait]
impl RangeReader<String> for Reader {
    async fn read(
        &mut self,
        range: &Range<String>,
        limit: usize,
    ) -> Result<Read<String>, ConnectorError> {
        let pos = &self.pos;
        let (sql, columns) = pos.query(range, limit);
        let mut decoder = Decoder::new(columns, limit);
        self.session
            .query(&sql, &format!("reading {}", pos.table), |piece| {
                decoder.feed(piece)
            })
            .await?;
        let rows = decoder.rows();
        let texts: Option<Vec<String>> = decoder.last_keys().into_iter().collect();
        let batch = decoder
            .finish()
            .map_err(|why| ConnectorError::upstream(why, false))?;
        let last = match pos.integer_key() {
            Some(i) if rows > 0 => last_integer(batch.column(i)).map(|k| vec![k]),
            _ => texts,
        };
        Ok(Read { batch, last })
    }

    fn keyed(&self) -> bool {
        true
    }
}

/// Sessions left idle by steps that ended well, taken by the next step of the
/// same URL ([`crate::pool`]): the clients that plan a run (its first step),
/// and the sessions that read its ranges.
static IDLE: std::sync::LazyLock<crate::pool::Idle<Client>> =
    std::sync::LazyLock::new(Default::default);
static IDLE_READERS: std::sync::LazyLock<crate::pool::Idle<CopySession>> =
    std::sync::LazyLock::new(Default::default);

/// What every session runs first. Values read as text (keys, cursors) come
/// in one form whatever the server's defaults.
fn setup() -> String {
    format!(
        "SET statement_timeout = {}; SET default_transaction_read_only = on; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3",
        STATEMENT_TIMEOUT.as_millis()
    )
}

/// A client of the source's database, its session set for reading: one a
/// step before left idle, else a new one.
async fn session(egress: &Egress, url: &str) -> Result<Client, ConnectorError> {
    if let Some(client) = IDLE.take(url, |c| !c.is_closed()) {
        return Ok(client);
    }
    let (client, _shown) = connect(egress, url).await?;
    client
        .batch_execute(&setup())
        .await
        .map_err(|e| db_error("setting up the session", e))?;
    Ok(client)
}

/// A session that reads ranges: one a step before left idle, else a new one.
async fn reader(egress: &Egress, url: &str) -> Result<CopySession, ConnectorError> {
    if let Some(session) = IDLE_READERS.take(url, |s| s.idle()) {
        return Ok(session);
    }
    CopySession::open(egress, url, &setup()).await
}

/// The first step's position: the table's shape, its key and the run's window.
async fn first(client: &Client, req: &StreamRequest<'_>) -> Result<Position, ConnectorError> {
    let (schema, table) = table_of(req.stream)?;
    let (columns, key_names) = describe(client, &schema, &table).await?;
    let key: Vec<TableColumn> = key_names
        .iter()
        .filter_map(|k| columns.iter().find(|c| &c.name == k).cloned())
        .collect();
    let quoted = format!("{}.{}", quote_ident(&schema), quote_ident(&table));
    let cursor_name = config_str(req.config, "cursor_column", "");
    let column = columns.iter().find(|c| c.name == cursor_name).cloned();
    let cursor = match (column, req.window) {
        // A backfill reads its days of the cursor column: from its first day,
        // up to the day after its last.
        (Some(column), Some(window)) if is_temporal(&column) => Some(CursorWindow {
            column,
            bounds: vec![
                (">=".into(), window.from.format("%Y-%m-%d").to_string()),
                (
                    "<".into(),
                    (window.to + chrono::Days::new(1))
                        .format("%Y-%m-%d")
                        .to_string(),
                ),
            ],
        }),
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
            let col = quote_ident(&column.name);
            let upto: Option<String> = client
                .query_one(&format!("SELECT max({col})::text FROM {quoted}"), &[])
                .await
                .map_err(|e| db_error("reading the cursor column's largest value", e))?
                .get(0);
            let mut bounds = vec![];
            if let Some(upto) = upto {
                if let Some(saved) = req.cursor {
                    let saved = match saved {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let above = if is_temporal(&column) && !req.lookback.is_zero() {
                        // Moved back by the database, in the column's own type.
                        client
                            .query_one(
                                &format!(
                                    "SELECT ({} - make_interval(secs => $1))::{}::text",
                                    literal(&column, &saved),
                                    column.sql_type
                                ),
                                &[&(req.lookback.as_secs() as f64)],
                            )
                            .await
                            .map_err(|e| db_error("moving the cursor back by the look-back", e))?
                            .get(0)
                    } else {
                        saved
                    };
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
        cursor,
    })
}

#[async_trait]
impl Extractor for Postgres {
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Value>,
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
                let client = session(&self.egress, url).await?;
                let mut pos = first(&client, req).await?;
                pos.ranges = split(&client, &pos, req.parallelism, limit).await?;
                IDLE.give(url, client);
                pos
            }
        };
        if pos.ranges.is_empty() {
            pos.ranges = vec![Range {
                after: pos.after.take(),
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
                .map(|(_, v)| Value::String(v.clone()))
                .or_else(|| req.cursor.cloned()),
            (None, None) => None,
        };
        // A connection per unfinished range, up to the parallelism.
        let pending = pos.ranges.iter().filter(|r| !r.done).count();
        let shape = Arc::new(Position {
            ranges: vec![],
            ..pos.clone()
        });
        let mut readers = vec![];
        for _ in 0..pending.clamp(1, req.parallelism.max(1)) {
            readers.push(Reader {
                session: reader(&self.egress, url).await?,
                pos: shape.clone(),
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
        let (client, shown) = match connect(&self.egress, config_str(probe.config, "url", "")).await
        {
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
        let readable = client
            .query_one(&format!("SELECT count(*) FROM ({READABLE}) t"), &[])
            .await;
        let n: i64 = match readable {
            Ok(row) => row.get(0),
            Err(e) => {
                return SourceTest::failed_at(
                    "readable",
                    &db_error("reading the catalog", e).to_string(),
                );
            }
        };
        SourceTest::logged_in(&shown, n.max(0) as u64)
    }

    async fn streams(
        &self,
        probe: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError> {
        let (client, _) = connect(&self.egress, config_str(probe.config, "url", "")).await?;
        let rows = client
            .query(
                &format!(
                    "SELECT t.schema, t.name, a.attname::text, format_type(a.atttypid, a.atttypmod),
                            NOT a.attnotnull,
                            COALESCE(array_position(pk.indkey::int2[], a.attnum) - array_lower(pk.indkey::int2[], 1) + 1, 0)::int4
                     FROM ({READABLE}) t
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                     LEFT JOIN pg_catalog.pg_index pk ON pk.indrelid = t.oid AND pk.indisprimary
                     ORDER BY t.schema, t.name, a.attnum"
                ),
                &[],
            )
            .await
            .map_err(|e| db_error("reading the catalog", e))?;
        let mut out: Vec<DiscoveredStream> = vec![];
        let mut current: Option<(String, Vec<DiscoveredField>, Vec<(i32, String)>)> = None;
        let finish =
            |(name, fields, mut key): (String, Vec<DiscoveredField>, Vec<(i32, String)>)| {
                key.sort();
                DiscoveredStream::new(
                    name,
                    fields,
                    key.into_iter().map(|(_, c)| c).collect(),
                    FoundBy::Catalog,
                )
            };
        for r in &rows {
            let (schema, table): (String, String) = (r.get(0), r.get(1));
            let name = format!("{schema}.{table}");
            // A name the stream syntax cannot carry (a dot in it) is not offered.
            if table_of(&name).is_err() {
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
            let column: String = r.get(2);
            let sql_type: String = r.get(3);
            let key_at: i32 = r.get(5);
            if key_at > 0 {
                key.push((key_at, column.clone()));
            }
            fields.push(DiscoveredField {
                cast: sluice_domain::connectors::postgres::cast_of(&sql_type),
                name: column,
                source_type: sql_type,
                nullable: r.get(4),
            });
        }
        if let Some(done) = current.take() {
            out.push(finish(done));
        }
        Ok(Some(out))
    }
}

/// Tables offered by discovery at most.
const MAX_STREAMS: usize = 2_000;

/// The tables, views, materialized views and foreign tables the source's user
/// may read, outside the system schemas; partitions are read through their
/// parent. Columns `oid`, `schema`, `name`.
const READABLE: &str = "SELECT c.oid, n.nspname::text AS schema, c.relname::text AS name
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)
      AND has_table_privilege(c.oid, 'SELECT')";

/// The last value of an integer column, as text; `None` when it is NULL.
fn last_integer(column: &arrow_array::ArrayRef) -> Option<String> {
    use arrow_array::Array as _;
    use arrow_array::cast::AsArray as _;
    use arrow_array::types::{Int16Type, Int32Type, Int64Type};
    let at = column.len().checked_sub(1)?;
    if column.is_null(at) {
        return None;
    }
    match column.data_type() {
        arrow_schema::DataType::Int64 => {
            Some(column.as_primitive::<Int64Type>().value(at).to_string())
        }
        arrow_schema::DataType::Int32 => {
            Some(column.as_primitive::<Int32Type>().value(at).to_string())
        }
        arrow_schema::DataType::Int16 => {
            Some(column.as_primitive::<Int16Type>().value(at).to_string())
        }
        _ => None,
    }
}
