//! The warehouse on Athena: a data mart's table is an external Parquet table over
//! its prefix in the run bucket, declared (once per schema) from the mart's
//! actualized columns; a query runs as one Athena query execution, polled until it
//! ends, and its result is read a page at a time with Athena's own page tokens.
//!
//! The wall between projects is the cloud's, not the SQL's text: each project's
//! tables live in a Glue database of its own (`{base}_{project id}`, created on
//! first use), its results under a prefix of its own, and with a query role set,
//! every call for a project runs on credentials of that role (STS AssumeRole)
//! narrowed by a session policy to the project's database, tables, files and
//! result prefix, and to the workgroup. The textual check stays as a second line:
//! only a single `SELECT`/`WITH` statement runs, and it may name no data mart
//! table but the ones it was given, and no information schema.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_athena::Client;
use aws_sdk_athena::config::{Credentials, Region};
use aws_sdk_athena::error::DisplayErrorContext;
use aws_sdk_athena::types::{
    QueryExecutionContext, QueryExecutionState, ResultConfiguration, ResultSet,
};
use serde_json::{Value, json};
use sluice_domain::Id;
use sluice_domain::entities::StorageConfig;
use sluice_domain::pipeline::objects;
use sluice_domain::ports::{
    ColumnInfo, Materialized, QueryLimit, QueryPage, TableRef, Warehouse, WarehouseError,
    check_materialize_target, check_tables_of,
};

/// Where Athena runs: the base of the projects' Glue databases, the workgroup,
/// the S3 location under which each project's query results go, and the bucket
/// table locations are under.
#[derive(Debug, Clone)]
pub struct AthenaSettings {
    /// A project's tables are in the Glue database `{database}_{project id}`.
    pub database: String,
    pub workgroup: String,
    /// `s3://bucket/prefix/`: a project's results go to `{output_location}{project}/`.
    pub output_location: String,
    pub bucket: String,
    /// How long a query may run before the adapter stops it (the deployment's
    /// time limit).
    pub timeout: Duration,
}

/// The role every query runs as, narrowed per project by a session policy.
struct QueryRole {
    sts: aws_sdk_sts::Client,
    arn: String,
}

/// Credentials of an assumed role, until they expire.
struct Session {
    credentials: Credentials,
    expires: SystemTime,
}

/// Assumed credentials are reused until this close to their expiry.
const RENEW_BEFORE: Duration = Duration::from_secs(300);
/// How long assumed credentials last (the role's default maximum session).
const SESSION_SECONDS: i32 = 3600;
/// The longest session policy STS takes (plain text).
pub const SESSION_POLICY_MAX_CHARS: usize = 2048;

pub struct AthenaWarehouse {
    client: Client,
    settings: AthenaSettings,
    /// Reads the footer of a table's Parquet when its columns are not known
    /// (a storage table read for the first time).
    s3: Option<aws_sdk_s3::Client>,
    role: Option<QueryRole>,
    /// Credentials by role, region and session policy.
    sessions: Mutex<HashMap<String, Session>>,
    /// Databases this process has created (or found), by region.
    databases: Mutex<HashSet<String>>,
}

impl AthenaWarehouse {
    /// Queries on `client`'s own credentials (still in each project's database
    /// and result prefix).
    pub fn new(client: Client, settings: AthenaSettings) -> Self {
        AthenaWarehouse {
            client,
            settings,
            s3: None,
            role: None,
            sessions: Mutex::default(),
            databases: Mutex::default(),
        }
    }
    /// Queries on `config`'s credentials, with tables of unknown columns
    /// declared from their files' footers read through S3 on the same.
    pub fn from_sdk_config(config: &aws_config::SdkConfig, settings: AthenaSettings) -> Self {
        AthenaWarehouse::new(Client::new(config), settings).with_footers_from(
            aws_sdk_s3::Client::from_conf(crate::s3::s3_config_from(config)),
        )
    }

    /// Declares a table whose columns are not known (a storage table a project
    /// uploaded) from the footer of its newest Parquet file, read with `s3`
    /// (path style; on the project's narrowed credentials when a query role is
    /// set).
    pub fn with_footers_from(mut self, s3: aws_sdk_s3::Client) -> Self {
        self.s3 = Some(s3);
        self
    }

    /// Runs every call for a project as `role_arn`, assumed through `sts` with a
    /// session policy that allows only that project's part of the warehouse.
    pub fn with_query_role(
        mut self,
        sts: aws_sdk_sts::Client,
        role_arn: impl Into<String>,
    ) -> Self {
        self.role = Some(QueryRole {
            sts,
            arn: role_arn.into(),
        });
        self
    }

    /// As [`AthenaWarehouse::with_query_role`], with STS from `config`.
    pub fn with_query_role_from(
        self,
        config: &aws_config::SdkConfig,
        role_arn: impl Into<String>,
    ) -> Self {
        self.with_query_role(aws_sdk_sts::Client::new(config), role_arn)
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
    if lower.contains("information_schema") {
        return Err(WarehouseError::Query(
            "the information schema is not readable here; query the data mart's table".into(),
        ));
    }
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

/// The Glue database of `project`'s tables: `{base}_{project id}`, lowercase as
/// Glue keeps names. The id's fixed length ends every name, so no base makes one
/// project's database another's.
pub fn project_database(base: &str, project: &Id) -> String {
    format!("{base}_{}", project.as_str().to_ascii_lowercase())
}

/// Where `project`'s query results go under `output_location` (`s3://b/p/`).
pub fn project_results(output_location: &str, project: &Id) -> String {
    format!("{}/{project}/", output_location.trim_end_matches('/'))
}

/// The AWS partition of `region`, as ARNs name it.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `s3://bucket/key` as its bucket and key.
fn split_s3(uri: &str) -> (&str, &str) {
    let rest = uri.strip_prefix("s3://").unwrap_or(uri);
    rest.split_once('/').unwrap_or((rest, ""))
}

/// Where a project's query runs: a region, its database, the workgroup, where its
/// results go, and the client (on the project's credentials when a query role is
/// set).
struct Place {
    client: Client,
    /// Reads footers on the same credentials as the queries.
    s3: Option<aws_sdk_s3::Client>,
    region: String,
    database: String,
    workgroup: String,
    output_location: String,
}

/// Whether a query's session may write the project's tables (a data mart's
/// materialization) or only read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    WriteTables,
}

/// The session policy a project's queries run under: Athena in `workgroup`,
/// the Glue catalog's `database` and its tables, the project's table files and
/// storage tables (its landing area) in `bucket` (read; the table files also
/// written with [`Access::WriteTables`]), and its result prefix (read and
/// write). Compact JSON, as STS counts its characters.
pub fn session_policy(
    region: &str,
    workgroup: &str,
    database: &str,
    bucket: &str,
    project: &Id,
    results: &str,
    access: Access,
) -> String {
    let arn = |service: &str, rest: &str| format!("arn:{}:{service}:{rest}", partition(region));
    let tables = objects::tables_of(project);
    let landing = sluice_domain::files::landing_prefix(project);
    let table_actions: Vec<&str> = match access {
        Access::Read => vec!["s3:GetObject"],
        Access::WriteTables => vec![
            "s3:GetObject",
            "s3:PutObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
        ],
    };
    let (results_bucket, results_prefix) = split_s3(results);
    let mut buckets = vec![arn("s3", &format!("::{bucket}"))];
    if results_bucket != bucket {
        buckets.push(arn("s3", &format!("::{results_bucket}")));
    }
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["athena:StartQueryExecution", "athena:GetQueryExecution",
                    "athena:GetQueryResults", "athena:StopQueryExecution"],
                "Resource": arn("athena", &format!("{region}:*:workgroup/{workgroup}")),
            },
            {
                "Effect": "Allow",
                "Action": ["glue:GetDatabase", "glue:CreateDatabase", "glue:GetTable",
                    "glue:GetTables", "glue:CreateTable", "glue:GetPartition", "glue:GetPartitions"],
                "Resource": [
                    arn("glue", &format!("{region}:*:catalog")),
                    arn("glue", &format!("{region}:*:database/{database}")),
                    arn("glue", &format!("{region}:*:table/{database}/*")),
                ],
            },
            {
                "Effect": "Allow",
                "Action": table_actions,
                "Resource": arn("s3", &format!("::{bucket}/{tables}*")),
            },
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": arn("s3", &format!("::{bucket}/{landing}*")),
            },
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts"],
                "Resource": arn("s3", &format!("::{results_bucket}/{results_prefix}*")),
            },
            {
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": buckets,
                "Condition": {"StringLike": {"s3:prefix": [format!("{tables}*"), format!("{landing}*"), format!("{results_prefix}*")]}},
            },
            {
                "Effect": "Allow",
                "Action": "s3:GetBucketLocation",
                "Resource": buckets,
            },
        ],
    })
    .to_string()
}

impl AthenaWarehouse {
    /// Where `project` queries `tables`: the storage the tables name (the first
    /// Athena storage among them), else this adapter's settings; always in the
    /// project's own database and result prefix.
    async fn place(
        &self,
        project: &Id,
        tables: &[TableRef],
        access: Access,
    ) -> Result<Place, WarehouseError> {
        let s = &self.settings;
        let storage = tables.iter().find_map(|t| match &t.storage {
            Some(StorageConfig::Athena(c)) => Some(c),
            _ => None,
        });
        let own_region = self
            .client
            .config()
            .region()
            .map(|r| r.as_ref().to_string());
        let (region, base, workgroup, output) = match storage {
            Some(c) => (
                c.region.clone(),
                c.database.as_str(),
                c.workgroup.clone(),
                c.output_location.as_str(),
            ),
            None => (
                own_region.clone().unwrap_or_else(|| "us-east-1".into()),
                s.database.as_str(),
                s.workgroup.clone(),
                s.output_location.as_str(),
            ),
        };
        let database = project_database(base, project);
        let output_location = project_results(output, project);
        let mut config = self.client.config().to_builder();
        if own_region.as_deref() != Some(region.as_str()) {
            config = config.region(Region::new(region.clone()));
        }
        let mut s3 = self.s3.clone();
        if let Some(role) = &self.role {
            let policy = session_policy(
                &region,
                &workgroup,
                &database,
                &s.bucket,
                project,
                &output_location,
                access,
            );
            let credentials = self.assume(role, project, &region, policy).await?;
            s3 = s3.map(|c| {
                aws_sdk_s3::Client::from_conf(
                    c.config()
                        .to_builder()
                        .credentials_provider(credentials.clone())
                        .build(),
                )
            });
            config = config.credentials_provider(credentials);
        }
        Ok(Place {
            client: Client::from_conf(config.build()),
            s3,
            region,
            database,
            workgroup,
            output_location,
        })
    }

    /// Credentials of the query role narrowed by `policy`, cached until near
    /// their expiry.
    async fn assume(
        &self,
        role: &QueryRole,
        project: &Id,
        region: &str,
        policy: String,
    ) -> Result<Credentials, WarehouseError> {
        let key = format!("{}\n{region}\n{policy}", role.arn);
        let now = SystemTime::now();
        if let Some(s) = self.sessions_lock().get(&key)
            && s.expires > now + RENEW_BEFORE
        {
            return Ok(s.credentials.clone());
        }
        let out = role
            .sts
            .assume_role()
            .role_arn(&role.arn)
            .role_session_name(format!("sluice-{project}"))
            .policy(policy)
            .duration_seconds(SESSION_SECONDS)
            .send()
            .await
            .map_err(|e| backend("STS AssumeRole", e))?;
        let c = out.credentials().ok_or_else(|| {
            WarehouseError::Backend("STS AssumeRole returned no credentials".into())
        })?;
        let expires = SystemTime::try_from(*c.expiration())
            .unwrap_or_else(|_| now + Duration::from_secs(SESSION_SECONDS as u64 / 2));
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            Some(expires),
            "sluice-query-role",
        );
        let mut sessions = self.sessions_lock();
        if sessions.len() >= 1024 {
            sessions.retain(|_, s| s.expires > now + RENEW_BEFORE);
        }
        sessions.insert(
            key,
            Session {
                credentials: credentials.clone(),
                expires,
            },
        );
        Ok(credentials)
    }

    fn sessions_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates the project's database once per process (`IF NOT EXISTS`: another
    /// process may have made it).
    async fn ensure_database(&self, place: &Place) -> Result<(), WarehouseError> {
        let key = format!("{}/{}", place.region, place.database);
        if self.databases_lock().contains(&key) {
            return Ok(());
        }
        let ddl = format!("CREATE DATABASE IF NOT EXISTS `{}`", place.database);
        // No database context: the one named does not exist yet.
        self.run(place, &ddl, false).await?;
        self.databases_lock().insert(key);
        Ok(())
    }

    fn databases_lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.databases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `sql` to its end (in the place's database when `in_database`);
    /// returns the execution id.
    async fn run(
        &self,
        place: &Place,
        sql: &str,
        in_database: bool,
    ) -> Result<String, WarehouseError> {
        let s = &self.settings;
        let mut start = place
            .client
            .start_query_execution()
            .query_string(sql)
            .work_group(&place.workgroup)
            .result_configuration(
                ResultConfiguration::builder()
                    .output_location(&place.output_location)
                    .build(),
            );
        if in_database {
            start = start.query_execution_context(
                QueryExecutionContext::builder()
                    .database(&place.database)
                    .build(),
            );
        }
        let started = start
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

    /// Declares `table` (under its schema-tagged name) when it is not yet: with
    /// its known columns, else with those of its newest file's footer.
    async fn declare(&self, place: &Place, table: &TableRef) -> Result<String, WarehouseError> {
        let mut columns = table.columns.clone();
        if columns.is_empty()
            && let Some(s3) = &place.s3
        {
            columns =
                crate::parquet_footer::columns_under(s3, &self.settings.bucket, &table.location)
                    .await?;
        }
        if columns.is_empty() {
            return Err(WarehouseError::Query(format!(
                "table {} has no columns Athena can read: no Parquet file with a flat column",
                table.name
            )));
        }
        let name = format!("{}_{}", table.name, schema_tag(&columns));
        let columns: Vec<String> = columns
            .iter()
            .map(|c| format!("`{}` {}", c.name.replace('`', ""), hive_type(&c.kind)))
            .collect();
        let ddl = format!(
            "CREATE EXTERNAL TABLE IF NOT EXISTS `{}`.`{name}` ({}) STORED AS PARQUET LOCATION 's3://{}/{}/'",
            place.database,
            columns.join(", "),
            self.settings.bucket,
            table.location.trim_end_matches('/')
        );
        self.run(place, &ddl, true).await?;
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

impl AthenaWarehouse {
    /// Whether execution `id` ran in `place` (the project's database and result
    /// prefix): a page token of another project's query reads nothing here,
    /// whatever the credentials would allow.
    async fn ran_in(&self, place: &Place, id: &str) -> bool {
        let Ok(got) = place
            .client
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
        else {
            return false;
        };
        let Some(q) = got.query_execution() else {
            return false;
        };
        let database = q.query_execution_context().and_then(|c| c.database());
        let output = q.result_configuration().and_then(|r| r.output_location());
        database == Some(place.database.as_str())
            && output.is_some_and(|o| o.starts_with(&place.output_location))
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
        if let Some(p) = page {
            let (id, token) = p
                .split_once(':')
                .filter(|(id, t)| !id.is_empty() && !t.is_empty())
                .ok_or(WarehouseError::BadPageToken)?;
            let place = self.place(project, tables, Access::Read).await?;
            if !self.ran_in(&place, id).await {
                return Err(WarehouseError::BadPageToken);
            }
            return self.page(&place, id, Some(token), size).await;
        }
        let allowed: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        check_read_only(sql, &allowed)?;
        let place = self.place(project, tables, Access::Read).await?;
        self.ensure_database(&place).await?;
        let mut sql = in_athena_dialect(sql);
        for t in tables {
            let declared = self.declare(&place, t).await?;
            sql = replace_identifier(&sql, &t.name, &declared);
        }
        let id = self.run(&place, &sql, true).await?;
        self.page(&place, &id, None, size).await
    }

    /// `UNLOAD` into `{target}{stem}/` (Athena names the files), after a
    /// query of no rows that gives the columns. A repeat needs the folder
    /// emptied first: `UNLOAD` refuses to write into one that holds files.
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
        let allowed: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        check_read_only(sql, &allowed)?;
        let place = self.place(project, tables, Access::WriteTables).await?;
        self.ensure_database(&place).await?;
        let mut sql = in_athena_dialect(sql);
        for t in tables {
            let declared = self.declare(&place, t).await?;
            sql = replace_identifier(&sql, &t.name, &declared);
        }
        let shape = self
            .run(&place, &format!("SELECT * FROM ({sql}) AS q LIMIT 0"), true)
            .await?;
        let columns = self.page(&place, &shape, None, 1).await?.columns;
        let unload = format!(
            "UNLOAD ({sql}) TO 's3://{}/{target}{stem}/' WITH (format = 'PARQUET', compression = 'SNAPPY')",
            self.settings.bucket
        );
        self.run(&place, &unload, true).await?;
        Ok(Materialized {
            columns,
            rows: None,
            files: vec![],
        })
    }

    /// GetWorkGroup of the deployment's workgroup: Athena answers, these
    /// credentials reach it, and the workgroup is enabled. Runs no query.
    async fn check(&self) -> Result<(), WarehouseError> {
        let got = self
            .client
            .get_work_group()
            .work_group(&self.settings.workgroup)
            .send()
            .await
            .map_err(|e| backend("GetWorkGroup", e))?;
        let state = got.work_group().and_then(|w| w.state());
        if state == Some(&aws_sdk_athena::types::WorkGroupState::Disabled) {
            return Err(WarehouseError::Backend(
                format!("Athena workgroup `{}` is disabled", self.settings.workgroup).into(),
            ));
        }
        Ok(())
    }
}

/// The functions Sluice writes (a report's output controls) under Athena's
/// names: DataFusion's `approx_percentile_cont` is Athena's `approx_percentile`.
fn in_athena_dialect(sql: &str) -> String {
    replace_identifier(sql, "approx_percentile_cont", "approx_percentile")
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
    fn the_information_schema_is_refused_as_a_second_line() {
        for bad in [
            "select * from information_schema.tables",
            "SELECT table_name FROM INFORMATION_SCHEMA.COLUMNS",
        ] {
            assert!(check_read_only(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_project_has_its_own_database_and_result_prefix() {
        let a = Id::generate(sluice_domain::Kind::Project, 1_700_000_000_000);
        let b = Id::generate(sluice_domain::Kind::Project, 1_700_000_000_001);
        let db = project_database("sluice", &a);
        assert_eq!(db, format!("sluice_{}", a.as_str().to_ascii_lowercase()));
        assert_ne!(db, project_database("sluice", &b));
        assert!(
            db.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        );
        assert_eq!(
            project_results("s3://lake/athena-results/", &a),
            format!("s3://lake/athena-results/{a}/")
        );
    }

    #[test]
    fn the_session_policy_allows_only_the_projects_part_and_fits_sts() {
        let a = Id::generate(sluice_domain::Kind::Project, 1_700_000_000_000);
        let db = project_database("sluice", &a);
        let bucket = "a-bucket-name-of-sixty-three-characters-which-is-the-longest-xy";
        let results = project_results(&format!("s3://{bucket}/athena-results/"), &a);
        let policy = session_policy(
            "cn-north-1",
            "sluice-queries",
            &db,
            bucket,
            &a,
            &results,
            Access::Read,
        );
        assert!(
            policy.len() <= SESSION_POLICY_MAX_CHARS,
            "{} chars",
            policy.len()
        );
        let doc: Value = serde_json::from_str(&policy).expect("json");
        let text = doc.to_string();
        assert!(text.contains(&format!("arn:aws-cn:glue:cn-north-1:*:database/{db}")));
        assert!(text.contains(&format!("arn:aws-cn:s3:::{bucket}/warehouse/{a}/*")));
        assert!(text.contains(&format!("arn:aws-cn:s3:::{bucket}/athena-results/{a}/*")));
        assert!(text.contains("workgroup/sluice-queries"));
        // Nothing but the project's own: no wildcard database, no other prefix.
        assert!(!text.contains("database/*"), "{text}");
        assert!(!text.contains(&format!("{bucket}/*")), "{text}");
        for s in doc["Statement"].as_array().expect("statements") {
            assert_eq!(s["Effect"], "Allow");
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
