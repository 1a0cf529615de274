//! `database`: the report as rows of a PostgreSQL table, written in one
//! transaction per delivery: the table is created from the report's columns
//! when missing, then `replace` deletes its rows and copies the report's in,
//! `append` copies them in, and `upsert` copies them into a temporary table and
//! inserts or updates them by the key columns. Rows stream in with `COPY … FROM
//! STDIN` in its text format, written by the warehouse from its columns where
//! it can, a batch at a time, so memory holds a batch or two. Any
//! failure rolls the whole delivery back: readers see the old rows or the new.
//!
//! Exactly once: the same transaction records the run's delivery id in
//! `sluice_deliveries` beside the table. A delivery whose id is there already
//! was committed before (its worker stopped before it said so): it writes
//! nothing and reports the rows recorded then.
//!
//! The connection is `sluice_connectors::postgres::connect`'s: the URL, a
//! secret, is never shown; only addresses the egress policy allows are
//! dialled; TLS follows the URL's `sslmode`.

use bytes::Bytes;
use futures_util::SinkExt as _;
use sluice_connectors::ConnectorError;
use sluice_domain::entities::{
    DELIVERIES_TABLE, Delivered, MAX_IDENTIFIER_BYTES, plain_identifier,
};
use sluice_domain::ports::ColumnInfo;
use sluice_domain::rows::{RowEncoder, RowFormat};
use tokio_postgres::Transaction;

use super::{Job, Outcome};
use crate::{Fault, Machine};

/// CSV bytes gathered before they are sent as one COPY message.
const COPY_CHUNK: usize = 1 << 20;
/// The temporary table an upsert copies into (dropped at commit).
const STAGE_TABLE: &str = "sluice_upsert";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteMode {
    Replace,
    Append,
    Upsert,
}

/// The destination's table and how to write it, checked.
#[derive(Debug)]
struct Target {
    schema: String,
    table: String,
    mode: WriteMode,
    keys: Vec<String>,
}

impl Target {
    fn from_job(job: &Job<'_>) -> Result<Target, Fault> {
        let schema = job.str("schema", "public");
        let table = job.str("table", "");
        for (field, name) in [("config.schema", &schema), ("config.table", &table)] {
            plain_identifier(field, name).map_err(|e| Fault::Permanent(e.to_string()))?;
        }
        if table.eq_ignore_ascii_case(DELIVERIES_TABLE) {
            return Err(Fault::Permanent(format!(
                "config.table: `{DELIVERIES_TABLE}` is where Sluice records its deliveries; name another table"
            )));
        }
        let mode = match job.str("write_mode", "replace").as_str() {
            "replace" => WriteMode::Replace,
            "append" => WriteMode::Append,
            "upsert" => WriteMode::Upsert,
            other => {
                return Err(Fault::Permanent(format!(
                    "config.write_mode: `{other}` is not replace, append or upsert"
                )));
            }
        };
        let keys = job.strings("key_columns");
        if mode == WriteMode::Upsert && keys.is_empty() {
            return Err(Fault::Permanent(
                "config.key_columns: is required when write_mode is `upsert`: name the columns that identify a row".into(),
            ));
        }
        Ok(Target {
            schema,
            table,
            mode,
            keys,
        })
    }

    /// `schema.table`, as results and logs show it.
    fn shown(&self) -> String {
        format!("{}.{}", self.schema, self.table)
    }

    fn qualified(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.table))
    }

    fn deliveries(&self) -> String {
        format!(
            "{}.{}",
            quote_ident(&self.schema),
            quote_ident(DELIVERIES_TABLE)
        )
    }
}

/// `name` as a quoted SQL identifier: in double quotes, each `"` doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The PostgreSQL type a report column of warehouse type `kind` is created
/// as. `kind` is the engine's word (`Int64`, `Timestamp(µs, "UTC")`,
/// `Decimal128(12, 2)`), Athena's (`bigint`, `timestamp`, `decimal`) or the
/// mapping's (`int`, `float`, `timestamp`); what is not recognised is `text`.
/// Sluice's timestamps are instants in UTC, so a `timestamp` without a stated
/// zone is `timestamptz` (delivered with the session in UTC); only an engine
/// timestamp that says it has no zone is `timestamp`.
pub(crate) fn pg_type(kind: &str) -> String {
    let k = kind.trim().to_ascii_lowercase();
    let base = k
        .split(|c: char| c == '(' || c.is_whitespace())
        .next()
        .unwrap_or_default();
    let args = k
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inner, _)| inner);
    match base {
        "int" | "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32"
        | "tinyint" | "smallint" | "integer" | "bigint" => "bigint".into(),
        "uint64" => "numeric(20,0)".into(),
        "float" | "float16" | "float32" | "float64" | "double" | "real" => {
            "double precision".into()
        }
        "decimal" | "decimal128" | "decimal256" | "numeric" => {
            let scale = args.and_then(|a| {
                let (p, s) = a.split_once(',')?;
                let p: u32 = p.trim().parse().ok()?;
                let s: u32 = s.trim().parse().ok()?;
                (1..=1000).contains(&p).then_some((p, s.min(p)))
            });
            match scale {
                Some((p, s)) => format!("numeric({p},{s})"),
                None => "numeric".into(),
            }
        }
        "bool" | "boolean" => "boolean".into(),
        "date" | "date32" | "date64" => "date".into(),
        "timestamptz" => "timestamptz".into(),
        "timestamp" => {
            let naive = k.contains("without time zone")
                || args.is_some_and(|a| !a.contains(',') && !a.contains('"'));
            if naive { "timestamp" } else { "timestamptz" }.into()
        }
        _ => "text".into(),
    }
}

/// Whether a table column of PostgreSQL type `table` (as `format_type` names
/// it) takes the values of a report column created as `ours` ([`pg_type`]).
fn accepts(table: &str, ours: &str) -> bool {
    let t = table.to_ascii_lowercase();
    let numeric = |o: &str| o == "bigint" || o == "double precision" || o.starts_with("numeric");
    if t == "text" || t.starts_with("character") || t.starts_with("varchar") || t == "citext" {
        true
    } else if matches!(t.as_str(), "bigint" | "integer" | "smallint") {
        ours == "bigint"
    } else if t.starts_with("numeric") || t == "double precision" || t == "real" {
        numeric(ours)
    } else if t == "boolean" {
        ours == "boolean"
    } else if t == "date" {
        ours == "date"
    } else if t.starts_with("timestamp") {
        matches!(ours, "timestamptz" | "timestamp" | "date")
    } else {
        // json, uuid and the like parse text; nothing else is known to fit.
        ours == "text"
    }
}

/// A connector error as a run's failure: retried when it may pass.
fn fault(e: ConnectorError) -> Fault {
    if e.retryable() {
        Fault::Transient(e.to_string())
    } else {
        Fault::Permanent(e.to_string())
    }
}

/// A PostgreSQL error at `step` as a run's failure.
fn db_fault(step: &str, e: tokio_postgres::Error) -> Fault {
    fault(sluice_connectors::postgres::db_error(step, e))
}

/// The report's columns, checked as PostgreSQL takes them: named, apart, and
/// short enough to keep whole.
fn check_columns(columns: &[ColumnInfo], target: &Target) -> Result<(), Fault> {
    if columns.is_empty() {
        return Err(Fault::Permanent(
            "the report's query returns no column".into(),
        ));
    }
    for (i, c) in columns.iter().enumerate() {
        if c.name.is_empty() || c.name.len() > MAX_IDENTIFIER_BYTES || c.name.contains('\0') {
            return Err(Fault::Permanent(format!(
                "the report's column `{}` cannot be a PostgreSQL column (1 to {MAX_IDENTIFIER_BYTES} bytes); rename it in the report's query (AS …)",
                c.name
            )));
        }
        if columns[..i].iter().any(|o| o.name == c.name) {
            return Err(Fault::Permanent(format!(
                "the report has two columns named `{}`; name them apart in its query (AS …)",
                c.name
            )));
        }
    }
    for k in &target.keys {
        if !columns.iter().any(|c| &c.name == k) {
            let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            return Err(Fault::Permanent(format!(
                "config.key_columns: `{k}` is not a column of the report (its columns: {})",
                names.join(", ")
            )));
        }
    }
    Ok(())
}

fn column_list(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    names
        .into_iter()
        .map(|n| quote_ident(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of relation `schema.name` is (`r` a table, `p` a partitioned
/// one, `v` a view, …), if it exists.
async fn relation(tx: &Transaction<'_>, schema: &str, name: &str) -> Result<Option<String>, Fault> {
    let row = tx
        .query_opt(
            "SELECT c.relkind::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2",
            &[&schema, &name],
        )
        .await
        .map_err(|e| db_fault("looking up the table", e))?;
    Ok(row.map(|r| r.get(0)))
}

/// Creates the schema and the deliveries table when missing. Looked up
/// first: creating what exists would still need the right to create.
async fn prepare(tx: &Transaction<'_>, target: &Target) -> Result<(), Fault> {
    let schema = tx
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1",
            &[&target.schema],
        )
        .await
        .map_err(|e| db_fault("looking up the schema", e))?;
    if schema.is_none() {
        tx.batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&target.schema)))
            .await
            .map_err(|e| db_fault("creating the schema", e))?;
    }
    if relation(tx, &target.schema, DELIVERIES_TABLE)
        .await?
        .is_none()
    {
        tx.batch_execute(&format!(
            "CREATE TABLE {} (delivery_id text PRIMARY KEY, table_name text NOT NULL, \
             rows bigint NOT NULL, delivered_at timestamptz NOT NULL)",
            target.deliveries()
        ))
        .await
        .map_err(|e| db_fault("creating the deliveries table", e))?;
    }
    Ok(())
}

/// The column types of the existing table `target`, in the report's column
/// order; or a failure naming every column missing or of a type that cannot
/// take the report's values. The table is never altered.
async fn existing_layout(
    tx: &Transaction<'_>,
    target: &Target,
    report: &[(String, String)],
) -> Result<Vec<(String, String)>, Fault> {
    let rows = tx
        .query(
            "SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod) \
             FROM pg_catalog.pg_attribute a \
             JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            &[&target.schema, &target.table],
        )
        .await
        .map_err(|e| db_fault("reading the table's columns", e))?;
    let table: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let mut missing = vec![];
    let mut mismatched = vec![];
    let mut layout = vec![];
    for (name, ours) in report {
        match table.iter().find(|(n, _)| n == name) {
            None => missing.push(format!("`{name}`")),
            Some((_, theirs)) if !accepts(theirs, ours) => {
                mismatched.push(format!("`{name}` is {theirs}, the report's is {ours}"));
            }
            Some((_, theirs)) => layout.push((name.clone(), theirs.clone())),
        }
    }
    if missing.is_empty() && mismatched.is_empty() {
        return Ok(layout);
    }
    let mut reasons = vec![];
    if !missing.is_empty() {
        reasons.push(format!("it has no column {}", missing.join(", ")));
    }
    if !mismatched.is_empty() {
        reasons.push(mismatched.join("; "));
    }
    Err(Fault::Permanent(format!(
        "table {} does not match the report: {}; Sluice does not alter tables it did not create: change the table, or the report's query",
        target.shown(),
        reasons.join("; ")
    )))
}

/// Whether `target` has a unique index on exactly its key columns (what an
/// upsert's `ON CONFLICT` needs).
async fn has_key_index(tx: &Transaction<'_>, target: &Target) -> Result<bool, Fault> {
    let rows = tx
        .query(
            "SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k \
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique \
               AND i.indpred IS NULL AND i.indexprs IS NULL",
            &[&target.schema, &target.table],
        )
        .await
        .map_err(|e| db_fault("reading the table's indexes", e))?;
    let mut keys = target.keys.clone();
    keys.sort();
    Ok(rows.iter().any(|r| {
        let mut cols: Vec<String> = r.get(0);
        cols.sort();
        cols == keys
    }))
}

/// Copies the report's rows into `into` in COPY's text format (the warehouse
/// writes them so where it can: the stream was opened for it), sent in
/// chunks of [`COPY_CHUNK`]. Rows and bytes copied.
async fn copy_rows(
    tx: &Transaction<'_>,
    into: &str,
    columns: &[(String, String)],
    job: &mut Job<'_>,
) -> Result<(u64, u64), Fault> {
    let sql = format!(
        "COPY {into} ({}) FROM STDIN",
        column_list(columns.iter().map(|(n, _)| n))
    );
    let sink = tx
        .copy_in::<_, Bytes>(&sql)
        .await
        .map_err(|e| db_fault("starting to copy the rows", e))?;
    let mut sink = std::pin::pin!(sink);
    let mut encoder = RowEncoder::new(RowFormat::PostgresText, job.pages.columns());
    let mut buf: Vec<u8> = Vec::with_capacity(COPY_CHUNK + (64 << 10));
    let mut bytes = 0u64;
    loop {
        let more = job
            .pages
            .write_next(&mut encoder, &mut buf)
            .await?
            .is_some();
        if buf.len() >= COPY_CHUNK || (!more && !buf.is_empty()) {
            bytes += buf.len() as u64;
            let chunk = std::mem::replace(&mut buf, Vec::with_capacity(COPY_CHUNK + (64 << 10)));
            sink.send(Bytes::from(chunk))
                .await
                .map_err(|e| db_fault("copying the rows", e))?;
        }
        if !more {
            break;
        }
    }
    let rows = sink
        .as_mut()
        .finish()
        .await
        .map_err(|e| db_fault("copying the rows", e))?;
    Ok((rows, bytes))
}

pub(crate) async fn deliver(m: &Machine, mut job: Job<'_>) -> Result<Outcome, Fault> {
    let target = Target::from_job(&job)?;
    let (mut client, shown_host) =
        sluice_connectors::postgres::connect(&m.deps.egress, &job.str("url", ""))
            .await
            .map_err(fault)?;
    // Whether the session is encrypted, for the run's log (what sslmode settled on).
    let tls = client
        .query_opt(
            "SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()",
            &[],
        )
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<_, bool>(0).ok());
    let mut log = vec![format!(
        "Connected to {shown_host}{}.",
        match tls {
            Some(true) => " over TLS",
            Some(false) => " without TLS",
            None => "",
        }
    )];
    let delivered = Delivered {
        target: target.shown(),
        format: None,
        status: None,
    };
    let delivery_id = job.run.delivery_id();
    let tx = client
        .transaction()
        .await
        .map_err(|e| db_fault("starting the transaction", e))?;
    // Text without a zone (Athena's timestamps) is read as UTC, as Sluice keeps it.
    tx.batch_execute("SET LOCAL TIME ZONE 'UTC'")
        .await
        .map_err(|e| db_fault("setting the session's time zone", e))?;
    prepare(&tx, &target).await?;
    // Claimed first: a concurrent delivery of the same id waits here for this
    // one to commit, then finds the id taken.
    let claimed = tx
        .query_opt(
            &format!(
                "INSERT INTO {} (delivery_id, table_name, rows, delivered_at) \
                 VALUES ($1, $2, 0, now()) ON CONFLICT (delivery_id) DO NOTHING RETURNING 1",
                target.deliveries()
            ),
            &[&delivery_id, &target.shown()],
        )
        .await
        .map_err(|e| db_fault("recording the delivery", e))?;
    if claimed.is_none() {
        let rows: i64 = tx
            .query_one(
                &format!(
                    "SELECT rows FROM {} WHERE delivery_id = $1",
                    target.deliveries()
                ),
                &[&delivery_id],
            )
            .await
            .map_err(|e| db_fault("reading the recorded delivery", e))?
            .get(0);
        let _ = tx.rollback().await;
        tracing::info!(report_run_id = %job.run.meta.id, rows, "Database delivery was committed before; nothing written again.");
        log.push(format!(
            "Delivery {delivery_id} was committed to {} before ({rows} rows); nothing was written again.",
            target.shown()
        ));
        return Ok(Outcome {
            rows: u64::try_from(rows).unwrap_or(0),
            bytes: 0,
            log,
            delivered,
        });
    }

    let columns = job.pages.columns().to_vec();
    check_columns(&columns, &target)?;
    let report: Vec<(String, String)> = columns
        .iter()
        .map(|c| (c.name.clone(), pg_type(&c.kind)))
        .collect();
    let qualified = target.qualified();
    let layout = match relation(&tx, &target.schema, &target.table).await? {
        None => {
            let columns: Vec<String> = report
                .iter()
                .map(|(n, t)| format!("{} {t}", quote_ident(n)))
                .collect();
            tx.batch_execute(&format!(
                "CREATE TABLE {qualified} ({})",
                columns.join(", ")
            ))
            .await
            .map_err(|e| db_fault("creating the table", e))?;
            if target.mode == WriteMode::Upsert {
                tx.batch_execute(&format!(
                    "CREATE UNIQUE INDEX ON {qualified} ({})",
                    column_list(&target.keys)
                ))
                .await
                .map_err(|e| db_fault("creating the key index", e))?;
            }
            log.push(format!(
                "Created table {} with the report's {} columns.",
                target.shown(),
                report.len()
            ));
            report
        }
        Some(kind) if kind == "r" || kind == "p" => {
            let layout = existing_layout(&tx, &target, &report).await?;
            if target.mode == WriteMode::Upsert && !has_key_index(&tx, &target).await? {
                return Err(Fault::Permanent(format!(
                    "table {} has no unique index on exactly ({}), which an upsert needs: create one (CREATE UNIQUE INDEX ON {qualified} ({})), or change key_columns",
                    target.shown(),
                    target.keys.join(", "),
                    column_list(&target.keys)
                )));
            }
            layout
        }
        Some(_) => {
            return Err(Fault::Permanent(format!(
                "{} is not a table (a view or another kind of relation); name a table",
                target.shown()
            )));
        }
    };

    let (rows, bytes) = match target.mode {
        WriteMode::Replace => {
            let removed = tx
                .execute(&format!("DELETE FROM {qualified}"), &[])
                .await
                .map_err(|e| db_fault("removing the old rows", e))?;
            let done = copy_rows(&tx, &qualified, &layout, &mut job).await?;
            log.push(format!(
                "Replaced the {removed} rows of {} with {}.",
                target.shown(),
                done.0
            ));
            done
        }
        WriteMode::Append => {
            let done = copy_rows(&tx, &qualified, &layout, &mut job).await?;
            log.push(format!("Appended {} rows to {}.", done.0, target.shown()));
            done
        }
        WriteMode::Upsert => {
            let stage = quote_ident(STAGE_TABLE);
            let columns: Vec<String> = layout
                .iter()
                .map(|(n, t)| format!("{} {t}", quote_ident(n)))
                .collect();
            tx.batch_execute(&format!(
                "CREATE TEMPORARY TABLE {stage} ({}) ON COMMIT DROP",
                columns.join(", ")
            ))
            .await
            .map_err(|e| db_fault("creating the staging table", e))?;
            let done = copy_rows(&tx, &format!("pg_temp.{stage}"), &layout, &mut job).await?;
            let names = column_list(layout.iter().map(|(n, _)| n));
            let updates: Vec<String> = layout
                .iter()
                .filter(|(n, _)| !target.keys.contains(n))
                .map(|(n, _)| format!("{0} = EXCLUDED.{0}", quote_ident(n)))
                .collect();
            let action = if updates.is_empty() {
                "DO NOTHING".to_string()
            } else {
                format!("DO UPDATE SET {}", updates.join(", "))
            };
            let changed = tx
                .execute(
                    &format!(
                        "INSERT INTO {qualified} ({names}) SELECT {names} FROM pg_temp.{stage} \
                         ON CONFLICT ({}) {action}",
                        column_list(&target.keys)
                    ),
                    &[],
                )
                .await
                .map_err(|e| match e.code().map(|c| c.code()) {
                    Some("21000") => Fault::Permanent(format!(
                        "the report has more than one row with the same key_columns ({}); an upsert takes one row per key: make them unique in its query",
                        target.keys.join(", ")
                    )),
                    _ => db_fault("inserting or updating the rows", e),
                })?;
            log.push(format!(
                "Upserted {} rows into {} by ({}): {changed} inserted or updated.",
                done.0,
                target.shown(),
                target.keys.join(", ")
            ));
            done
        }
    };
    tx.execute(
        &format!(
            "UPDATE {} SET rows = $2, delivered_at = now() WHERE delivery_id = $1",
            target.deliveries()
        ),
        &[&delivery_id, &i64::try_from(rows).unwrap_or(i64::MAX)],
    )
    .await
    .map_err(|e| db_fault("recording the delivery", e))?;
    tx.commit()
        .await
        .map_err(|e| db_fault("committing the delivery", e))?;
    tracing::info!(report_run_id = %job.run.meta.id, rows, "Database delivery committed.");
    Ok(Outcome {
        rows,
        bytes,
        log,
        delivered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_their_quotes_doubled() {
        assert_eq!(quote_ident("orders"), "\"orders\"");
        assert_eq!(quote_ident("Total Amount"), "\"Total Amount\"");
        assert_eq!(
            quote_ident("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
        assert_eq!(quote_ident(""), "\"\"");
    }

    #[test]
    fn warehouse_types_map_to_postgres_types() {
        for (kind, pg) in [
            // The embedded engine's (Arrow) names.
            ("Int64", "bigint"),
            ("Int32", "bigint"),
            ("UInt64", "numeric(20,0)"),
            ("Float64", "double precision"),
            ("Float32", "double precision"),
            ("Boolean", "boolean"),
            ("Date32", "date"),
            ("Timestamp(µs, \"UTC\")", "timestamptz"),
            ("Timestamp(ns)", "timestamp"),
            ("Decimal128(12, 2)", "numeric(12,2)"),
            ("Utf8", "text"),
            ("Utf8View", "text"),
            ("List(Int64)", "text"),
            // Athena's.
            ("bigint", "bigint"),
            ("integer", "bigint"),
            ("double", "double precision"),
            ("decimal", "numeric"),
            ("varchar", "text"),
            ("timestamp", "timestamptz"),
            ("timestamp with time zone", "timestamptz"),
            ("date", "date"),
            ("boolean", "boolean"),
            // The mapping's words.
            ("int", "bigint"),
            ("float", "double precision"),
            ("decimal(10,2)", "numeric(10,2)"),
            ("bool", "boolean"),
            ("string", "text"),
            ("json", "text"),
        ] {
            assert_eq!(pg_type(kind), pg, "{kind}");
        }
    }

    #[test]
    fn a_table_column_takes_what_fits_its_type() {
        assert!(accepts("text", "bigint"));
        assert!(accepts("character varying(20)", "timestamptz"));
        assert!(accepts("numeric(12,2)", "bigint"));
        assert!(accepts("double precision", "numeric(10,2)"));
        assert!(accepts("timestamp with time zone", "date"));
        assert!(!accepts("bigint", "double precision"));
        assert!(!accepts("boolean", "double precision"));
        assert!(!accepts("date", "text"));
        assert!(accepts("jsonb", "text"));
    }
}
