//! The warehouse on Athena: a data mart's table is an external Parquet table over
//! its prefix in the run bucket, declared (once per schema) from the mart's
//! actualized columns; a query runs as one Athena query execution, polled until it
//! ends, and its result is read a page at a time with Athena's own page tokens.
//!
//! Read-only and scoped: only a single `SELECT`/`WITH` statement runs, and it may
//! name no data mart table but the ones it was given.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_athena::Client;
use aws_sdk_athena::error::DisplayErrorContext;
use aws_sdk_athena::types::{
    QueryExecutionContext, QueryExecutionState, ResultConfiguration, ResultSet,
};
use serde_json::Value;
use sluice_domain::Id;
use sluice_domain::entities::StorageConfig;
use sluice_domain::ports::{
    ColumnInfo, QueryLimit, QueryPage, TableRef, Warehouse, WarehouseError, check_tables_of,
};

/// Where Athena runs: the Glue database tables are declared in, the workgroup,
/// the S3 location of query results, and the bucket table locations are under.
#[derive(Debug, Clone)]
pub struct AthenaSettings {
    pub database: String,
    pub workgroup: String,
    pub output_location: String,
    pub bucket: String,
    /// How long a query may run before the adapter stops it (the deployment's
    /// time limit).
    pub timeout: Duration,
}

pub struct AthenaWarehouse {
    client: Client,
    settings: AthenaSettings,
}

impl AthenaWarehouse {
    pub fn new(client: Client, settings: AthenaSettings) -> Self {
        AthenaWarehouse { client, settings }
    }
    pub fn from_sdk_config(config: &aws_config::SdkConfig, settings: AthenaSettings) -> Self {
        AthenaWarehouse::new(Client::new(config), settings)
    }
}

fn backend(operation: &str, e: impl std::error::Error) -> WarehouseError {
    WarehouseError::Backend(format!("Athena {operation}: {}", DisplayErrorContext(e)).into())
}

/// Hive DDL type of an Arrow type name as the schema records it.
pub fn hive_type(arrow: &str) -> String {
    let t = arrow.trim();
    // A data mart's schema names its types in the mapping's words.
    if let Ok(cast) = sluice_domain::entities::CastType::parse(t) {
        use sluice_domain::entities::CastType;
        return match cast {
            CastType::String | CastType::Json => "string".into(),
            CastType::Int => "bigint".into(),
            CastType::Float => "double".into(),
            CastType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            CastType::Bool => "boolean".into(),
            CastType::Date => "date".into(),
            CastType::Timestamp => "timestamp".into(),
        };
    }
    match t {
        "Int8" | "Int16" | "Int32" | "UInt8" | "UInt16" => "int".into(),
        "Int64" | "UInt32" | "UInt64" => "bigint".into(),
        "Float16" | "Float32" => "float".into(),
        "Float64" => "double".into(),
        "Boolean" => "boolean".into(),
        "Date32" | "Date64" => "date".into(),
        _ if t.starts_with("Timestamp") => "timestamp".into(),
        _ if t.starts_with("Decimal128(") || t.starts_with("Decimal256(") => {
            let inner = t
                .trim_start_matches("Decimal128(")
                .trim_start_matches("Decimal256(")
                .trim_end_matches(')');
            format!("decimal({})", inner.replace(' ', ""))
        }
        _ => "string".into(),
    }
}

/// FNV-1a of the columns: a table is declared once per schema, under a name of its
/// own, so a schema change never meets a stale declaration.
fn schema_tag(columns: &[ColumnInfo]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for c in columns {
        for b in c.name.bytes().chain([0]).chain(c.kind.bytes()).chain([1]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{:08x}", h as u32)
}

/// Refuses anything but one read-only statement naming only `allowed` marts.
pub fn check_read_only(sql: &str, allowed: &[&str]) -> Result<(), WarehouseError> {
    let body = sql.trim().trim_end_matches(';').trim();
    if body.contains(';') {
        return Err(WarehouseError::Query("one statement at a time".into()));
    }
    let first = body
        .split(|c: char| c.is_whitespace() || c == '(')
        .find(|w| !w.is_empty())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !matches!(first.as_str(), "select" | "with" | "values") {
        return Err(WarehouseError::Query(
            "only SELECT queries run here (no DDL, no DML)".into(),
        ));
    }
    let lower = body.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("dm_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let boundary = i == 0
            || !rest[..i]
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        if boundary && name.len() >= 29 && !allowed.iter().any(|a| a.eq_ignore_ascii_case(&name)) {
            return Err(WarehouseError::Query(format!(
                "`{name}` is not a table this query may read"
            )));
        }
        rest = &rest[i + 3..];
    }
    Ok(())
}

/// Where a query runs: the client of a region, a database, a workgroup and
/// where results go.
struct Place {
    client: Client,
    database: String,
    workgroup: String,
    output_location: String,
}

impl AthenaWarehouse {
    /// The place of the storage the tables name (the first Athena storage among
    /// them), else this adapter's settings.
    fn place(&self, tables: &[TableRef]) -> Place {
        let s = &self.settings;
        let storage = tables.iter().find_map(|t| match &t.storage {
            Some(StorageConfig::Athena(c)) => Some(c),
            _ => None,
        });
        match storage {
            Some(c) => Place {
                client: self.client_in(&c.region),
                database: c.database.clone(),
                workgroup: c.workgroup.clone(),
                output_location: c.output_location.clone(),
            },
            None => Place {
                client: self.client.clone(),
                database: s.database.clone(),
                workgroup: s.workgroup.clone(),
                output_location: s.output_location.clone(),
            },
        }
    }

    /// This adapter's client, moved to `region` when it is another one.
    fn client_in(&self, region: &str) -> Client {
        let config = self.client.config();
        if config.region().is_some_and(|r| r.as_ref() == region) {
            return self.client.clone();
        }
        let moved = config
            .to_builder()
            .region(aws_sdk_athena::config::Region::new(region.to_string()))
            .build();
        Client::from_conf(moved)
    }

    /// Runs `sql` to its end; returns the execution id.
    async fn run(&self, place: &Place, sql: &str) -> Result<String, WarehouseError> {
        let s = &self.settings;
        let started = place
            .client
            .start_query_execution()
            .query_string(sql)
            .work_group(&place.workgroup)
            .query_execution_context(
                QueryExecutionContext::builder()
                    .database(&place.database)
                    .build(),
            )
            .result_configuration(
                ResultConfiguration::builder()
                    .output_location(&place.output_location)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| backend("StartQueryExecution", e))?;
        let id = started
            .query_execution_id()
            .ok_or_else(|| WarehouseError::Backend("Athena returned no query execution id".into()))?
            .to_string();
        let deadline = tokio::time::Instant::now() + s.timeout;
        let mut wait = Duration::from_millis(100);
        loop {
            let got = place
                .client
                .get_query_execution()
                .query_execution_id(&id)
                .send()
                .await
                .map_err(|e| backend("GetQueryExecution", e))?;
            let status = got.query_execution().and_then(|q| q.status());
            match status.and_then(|s| s.state()) {
                Some(QueryExecutionState::Succeeded) => return Ok(id),
                Some(QueryExecutionState::Failed) => {
                    let why = status
                        .and_then(|s| s.state_change_reason())
                        .unwrap_or("the query failed");
                    // The workgroup's per-query cutoff stops a query with
                    // "Bytes scanned limit was exceeded".
                    if why.to_ascii_lowercase().contains("bytes scanned limit") {
                        return Err(WarehouseError::LimitExceeded(QueryLimit::Scan));
                    }
                    return Err(WarehouseError::Query(why.to_string()));
                }
                Some(QueryExecutionState::Cancelled) => {
                    return Err(WarehouseError::Backend(
                        format!("Athena query {id} was cancelled").into(),
                    ));
                }
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = place
                    .client
                    .stop_query_execution()
                    .query_execution_id(&id)
                    .send()
                    .await;
                tracing::info!(query_execution_id = %id, "Query stopped at the time limit.");
                return Err(WarehouseError::LimitExceeded(QueryLimit::Time {
                    seconds: s.timeout.as_secs(),
                }));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(2));
        }
    }

    /// Declares `table` (under its schema-tagged name) when it is not yet.
    async fn declare(&self, place: &Place, table: &TableRef) -> Result<String, WarehouseError> {
        let name = format!("{}_{}", table.name, schema_tag(&table.columns));
        if table.columns.is_empty() {
            return Err(WarehouseError::Query(format!(
                "table {} has no known columns yet; run the data mart first",
                table.name
            )));
        }
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("`{}` {}", c.name.replace('`', ""), hive_type(&c.kind)))
            .collect();
        let ddl = format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS `{name}` ({}) STORED AS PARQUET LOCATION 's3://{}/{}/'",
            columns.join(", "),
            self.settings.bucket,
            table.location.trim_end_matches('/')
        );
        self.run(place, &ddl).await?;
        Ok(name)
    }

    async fn page(
        &self,
        place: &Place,
        id: &str,
        token: Option<&str>,
        size: u32,
    ) -> Result<QueryPage, WarehouseError> {
        let mut req = place
            .client
            .get_query_results()
            .query_execution_id(id)
            // The first page of a SELECT starts with the header row.
            .max_results(if token.is_none() {
                size as i32 + 1
            } else {
                size as i32
            });
        if let Some(t) = token {
            req = req.next_token(t);
        }
        let out = req.send().await.map_err(|e| {
            if token.is_some() {
                WarehouseError::BadPageToken
            } else {
                backend("GetQueryResults", e)
            }
        })?;
        let next = out.next_token().map(|t| format!("{id}:{t}"));
        let Some(set) = out.result_set() else {
            return Ok(QueryPage {
                columns: vec![],
                rows: vec![],
                next_page: None,
            });
        };
        let (columns, rows) = read_result_set(set, token.is_none());
        Ok(QueryPage {
            columns,
            rows,
            next_page: next,
        })
    }
}

/// Columns and typed rows of one result page; `first` drops the header row.
pub fn read_result_set(set: &ResultSet, first: bool) -> (Vec<ColumnInfo>, Vec<Vec<Value>>) {
    let columns: Vec<ColumnInfo> = set
        .result_set_metadata()
        .map(|m| m.column_info())
        .unwrap_or_default()
        .iter()
        .map(|c| ColumnInfo {
            name: c.name().to_string(),
            kind: c.r#type().to_string(),
        })
        .collect();
    let mut rows: Vec<Vec<Value>> = set
        .rows()
        .iter()
        .map(|r| {
            r.data()
                .iter()
                .enumerate()
                .map(|(i, d)| typed(d.var_char_value(), columns.get(i).map(|c| c.kind.as_str())))
                .collect()
        })
        .collect();
    if first && !rows.is_empty() {
        let header: Vec<Value> = columns
            .iter()
            .map(|c| Value::String(c.name.clone()))
            .collect();
        if rows[0] == header || columns.is_empty() {
            rows.remove(0);
        }
    }
    (columns, rows)
}

fn typed(v: Option<&str>, kind: Option<&str>) -> Value {
    let Some(v) = v else { return Value::Null };
    match kind.unwrap_or("varchar") {
        "tinyint" | "smallint" | "integer" | "bigint" => v
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(v.into())),
        "float" | "double" | "real" => v
            .parse::<f64>()
            .ok()
            .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
            .unwrap_or_else(|| Value::String(v.into())),
        "boolean" => match v {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(v.into()),
        },
        _ => Value::String(v.into()),
    }
}

#[async_trait]
impl Warehouse for AthenaWarehouse {
    async fn query(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError> {
        check_tables_of(project, tables)?;
        let size = page_size.clamp(1, 1000);
        let place = self.place(tables);
        if let Some(p) = page {
            let (id, token) = p
                .split_once(':')
                .filter(|(id, t)| !id.is_empty() && !t.is_empty())
                .ok_or(WarehouseError::BadPageToken)?;
            return self.page(&place, id, Some(token), size).await;
        }
        let allowed: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        check_read_only(sql, &allowed)?;
        let mut sql = sql.to_string();
        for t in tables {
            let declared = self.declare(&place, t).await?;
            sql = replace_identifier(&sql, &t.name, &declared);
        }
        let id = self.run(&place, &sql).await?;
        self.page(&place, &id, None, size).await
    }
}

/// Replaces whole-identifier occurrences of `from` (ASCII case-insensitive).
fn replace_identifier(sql: &str, from: &str, to: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    let from_l = from.to_ascii_lowercase();
    let mut out = String::with_capacity(sql.len());
    let mut last = 0;
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut start = 0;
    while let Some(i) = lower[start..].find(&from_l) {
        let at = start + i;
        let end = at + from_l.len();
        if !ident(lower[..at].chars().last()) && !ident(lower[end..].chars().next()) {
            out.push_str(&sql[last..at]);
            out.push_str(to);
            last = end;
        }
        start = end;
    }
    out.push_str(&sql[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_select_over_the_given_marts_runs() {
        let mine = "dm_01jd0000000000000000000024";
        assert!(check_read_only(&format!("SELECT * FROM {mine}"), &[mine]).is_ok());
        assert!(check_read_only("with t as (select 1) select * from t;", &[]).is_ok());
        for bad in [
            "DROP TABLE x",
            "select 1; drop table x",
            "INSERT INTO t VALUES (1)",
            "select * from dm_01jd0000000000000000000099",
        ] {
            assert!(check_read_only(bad, &[mine]).is_err(), "{bad}");
        }
    }

    #[test]
    fn arrow_types_become_hive_types() {
        assert_eq!(hive_type("Int64"), "bigint");
        assert_eq!(hive_type("Decimal128(38, 9)"), "decimal(38,9)");
        // The mapping's words, as a data mart's schema keeps them.
        for (word, hive) in [
            ("string", "string"),
            ("int", "bigint"),
            ("float", "double"),
            ("decimal", "decimal(38,9)"),
            ("decimal(12,2)", "decimal(12,2)"),
            ("bool", "boolean"),
            ("date", "date"),
            ("timestamp", "timestamp"),
            ("json", "string"),
        ] {
            assert_eq!(hive_type(word), hive, "{word}");
        }
        assert_eq!(
            hive_type("Timestamp(Microsecond, Some(\"UTC\"))"),
            "timestamp"
        );
        assert_eq!(hive_type("Utf8View"), "string");
        assert_eq!(hive_type("Date32"), "date");
    }

    #[test]
    fn table_names_are_replaced_as_whole_identifiers() {
        assert_eq!(
            replace_identifier("select dm_a.x from DM_A join dm_ab", "dm_a", "dm_a_1234"),
            "select dm_a_1234.x from dm_a_1234 join dm_ab"
        );
    }
}
