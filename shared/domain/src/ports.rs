//! Ports: what the services need from the outside world, in domain terms. Adapters in
//! `sluice-local` (embedded) and `sluice-aws` implement them; each port has one
//! contract test suite (tests/) that every adapter passes.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::ids::{Id, Kind};

/// One stored entity: its keys, its concurrency version and its JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub project: Id,
    pub kind: Kind,
    pub id: Id,
    /// The record this one belongs to (a data mart's storage, a trigger's target, a
    /// run's data mart), listed through the parent index.
    pub parent: Option<Id>,
    /// Starts at 1, grows by one on every write.
    pub version: u64,
    /// Soft-deleted records are kept but never listed.
    pub deleted: bool,
    /// When this record is next due (enabled triggers), unix milliseconds; served by
    /// the due index so a scheduler tick costs what is due, not what exists.
    pub due_at: Option<i64>,
    /// The entity, as JSON.
    pub body: String,
}

/// A page request over one kind's live records, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub project: Id,
    pub kind: Kind,
    /// Only records whose parent is this id.
    pub parent: Option<Id>,
    /// Continue after this id (exclusive): the previous page's `next`.
    pub after: Option<Id>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub records: Vec<Record>,
    /// Cursor of the next page; `None` when this page is the last.
    pub next: Option<Id>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with this id already exists")]
    AlreadyExists,
    /// The record changed since it was read (or was never there).
    #[error("the record was changed by someone else; read it again and retry")]
    VersionConflict,
    #[error("metadata store unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Backend(e.into())
    }
}

/// Reads one record by its key.
#[async_trait]
pub trait RecordGet: Send + Sync {
    /// The record, deleted or not; `None` when no such key exists in the project.
    async fn get(&self, project: &Id, kind: Kind, id: &Id) -> Result<Option<Record>, StoreError>;
}

/// Writes records with conditional semantics.
#[async_trait]
pub trait RecordPut: Send + Sync {
    /// Creates `record` (its version must be 1); `AlreadyExists` if the key is taken.
    async fn insert(&self, record: &Record) -> Result<(), StoreError>;
    /// Overwrites the record if its stored version is still `record.version - 1`;
    /// `VersionConflict` otherwise. Nothing is written on conflict.
    async fn replace(&self, record: &Record) -> Result<(), StoreError>;
}

/// Lists a kind's live records of a project, newest first, a page at a time.
#[async_trait]
pub trait RecordList: Send + Sync {
    async fn list(&self, query: &ListQuery) -> Result<Page, StoreError>;
}

/// A request for due records, all projects and kinds, earliest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueQuery {
    /// Records due at or before this instant (unix milliseconds).
    pub until: i64,
    /// Continue after this record: the last one of the previous page.
    pub after: Option<DueCursor>,
    pub limit: u32,
}

/// Where a due listing stopped: a record's due time and keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCursor {
    pub due_at: i64,
    pub project: Id,
    pub kind: Kind,
    pub id: Id,
}

impl DueCursor {
    pub fn of(r: &Record) -> Option<DueCursor> {
        Some(DueCursor {
            due_at: r.due_at?,
            project: r.project.clone(),
            kind: r.kind,
            id: r.id.clone(),
        })
    }
}

/// Finds what is due, through the due index: costs what is due, not what exists.
#[async_trait]
pub trait RecordDue: Send + Sync {
    /// Up to `limit` records with `due_at <= until`, ordered by `due_at` then key.
    /// The index may lag a write (DynamoDB's GSIs are eventually consistent):
    /// callers read a found record again before acting on it.
    async fn due(&self, query: &DueQuery) -> Result<Vec<Record>, StoreError>;
}

/// The metadata store: every role together.
pub trait MetadataStore: RecordGet + RecordPut + RecordList + RecordDue {}
impl<T: RecordGet + RecordPut + RecordList + RecordDue> MetadataStore for T {}

/// A secret's value: a JSON object of secret fields. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(json: String) -> Self {
        SecretValue(json)
    }
    /// The plain value; call only where it is used, never to log or return it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(********)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("secret store unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl SecretsError {
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        SecretsError::Backend(e.into())
    }
}

/// Credentials, stored apart from metadata and referenced by name.
#[async_trait]
pub trait Secrets: Send + Sync {
    /// Creates the secret or stores a new version of it.
    async fn put(&self, name: &str, value: &SecretValue) -> Result<(), SecretsError>;
    /// The current version; `None` when there is none (or it was deleted).
    async fn get(&self, name: &str) -> Result<Option<SecretValue>, SecretsError>;
    /// Removes the secret; deleting a missing one is not an error.
    async fn delete(&self, name: &str) -> Result<(), SecretsError>;
}

/// The time, injected so tests can hold it still.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A message taken from a queue: hidden from other receivers until its visibility
/// timeout passes, deleted by `ack` with its receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    /// Stable across redeliveries of the same message.
    pub id: String,
    /// Names this delivery; `ack` and `set_visibility` take it.
    pub receipt: String,
    /// A claim check (an object key and a little context), never a payload.
    pub body: String,
    /// How many times the message has been received, this time included.
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue `{0}` does not exist")]
    NoSuchQueue(String),
    #[error("queue unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl QueueError {
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        QueueError::Backend(e.into())
    }
}

/// Durable queues with at-least-once delivery, a visibility timeout, and a dead-letter
/// queue (`{name}-dlq`) that takes a message once it has been received more times
/// than the queue allows. Consumers must be idempotent: any message may come twice.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Enqueues `body`, visible after `delay`.
    async fn send(
        &self,
        queue: &str,
        body: &str,
        delay: std::time::Duration,
    ) -> Result<(), QueueError>;
    /// Up to `max` (1-10) visible messages, each hidden for `visibility` from now.
    /// Returns at once, possibly with none.
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility: std::time::Duration,
    ) -> Result<Vec<QueueMessage>, QueueError>;
    /// Deletes the message this receipt delivered.
    async fn ack(&self, queue: &str, receipt: &str) -> Result<(), QueueError>;
    /// Hides the delivered message for `visibility` from now (a heartbeat), or makes
    /// it visible again at once with zero (give it back).
    async fn set_visibility(
        &self,
        queue: &str,
        receipt: &str,
        visibility: std::time::Duration,
    ) -> Result<(), QueueError>;
    /// One cheap read that shows the queues answer (the health check's); moves
    /// no message.
    async fn check(&self) -> Result<(), QueueError>;
}

/// Counts each caller's requests in fixed windows: the request budgets of
/// the API. The count must be atomic across processes where several serve
/// the API (DynamoDB's `ADD` on AWS), and may be the process's own where one
/// process serves it all (the local server).
#[async_trait]
pub trait RequestCounter: Send + Sync {
    /// Counts one more request of `caller` in the window that starts at
    /// `window_start` (unix seconds) and lasts `window_seconds`; returns the
    /// window's count, this request included.
    async fn hit(
        &self,
        caller: &str,
        window_start: i64,
        window_seconds: i64,
    ) -> Result<u64, StoreError>;
}

/// An object's key and size, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    /// Last modified, unix milliseconds.
    pub modified_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// The key, quoted and cut short.
    #[error("{0} is not an object key: use letters, digits and `/_.=-`, no `..`, no leading `/`")]
    BadKey(String),
    #[error("object store unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ObjectError {
    pub fn backend(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        ObjectError::Backend(e.into())
    }
}

/// Checks an object key: relative, no `..` segment, a safe alphabet, at most 1024 bytes.
pub fn check_object_key(key: &str) -> Result<(), ObjectError> {
    let ok = !key.is_empty()
        && key.len() <= 1024
        && !key.starts_with('/')
        && !key.ends_with('/')
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_.=-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ObjectError::BadKey(crate::error::quote(key)))
    }
}

/// Blobs by key: raw chunks, Parquet files, exports. A put is atomic (readers see the
/// old object or the new one, never a part) and idempotent for the same bytes, so a
/// redelivered step may rewrite its key.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectError>;
    /// Writes the object from a local file (an upload spooled to disk), atomically
    /// like `put`; returns its size. The caller gives the file up: an adapter may
    /// move it into place. Adapters stream it; this default reads it whole.
    async fn put_file(&self, key: &str, path: &std::path::Path) -> Result<u64, ObjectError> {
        let bytes = std::fs::read(path).map_err(ObjectError::backend)?;
        let len = bytes.len() as u64;
        self.put(key, bytes).await?;
        Ok(len)
    }
    /// The object's bytes; `None` when there is no such key.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ObjectError>;
    /// Up to `len` bytes of the object from byte `start` (fewer at its end, none
    /// past it); `None` when there is no such key. Readers of large objects read
    /// them a range at a time, so memory follows the range, not the object.
    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError>;
    /// Writes the object `from` as `to` too (replacing `to`, atomically like
    /// `put`); `false` when there is no object `from`. Adapters do it without the
    /// bytes passing through this process (S3 copies in the bucket, the
    /// directory links the file); this default reads it whole.
    async fn copy(&self, from: &str, to: &str) -> Result<bool, ObjectError> {
        match self.get(from).await? {
            Some(bytes) => {
                self.put(to, bytes).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
    /// Every object whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectError>;
    /// Removes the object; a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), ObjectError>;
    /// One cheap call that shows the store answers (the health check's): the
    /// bucket or the directory is there and readable.
    async fn check(&self) -> Result<(), ObjectError>;
    /// A URL whoever holds it may GET the object from until `expires` has
    /// passed (S3's presigned URL); `None` for a store without one (the local
    /// directory: the API serves the bytes itself).
    async fn download_url(
        &self,
        _key: &str,
        _expires: std::time::Duration,
    ) -> Result<Option<String>, ObjectError> {
        Ok(None)
    }
}

/// What happened to a run, as the custom event bus carries it (`detail-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunEventKind {
    RunQueued,
    RunStarted,
    RunSucceeded,
    RunFailed,
    RunSlaMissed,
    /// A run moved on without changing its status: a step extracted, a chunk
    /// transformed, the load begun. What a live view follows; no reaction
    /// listens for it.
    RunProgressed,
    RunPaused,
    RunResumed,
    /// A report run delivered (`run_id` is the report run's, `data_mart_id`
    /// its report's data mart).
    ReportRunSucceeded,
    ReportRunFailed,
}

impl RunEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunEventKind::RunQueued => "RunQueued",
            RunEventKind::RunStarted => "RunStarted",
            RunEventKind::RunSucceeded => "RunSucceeded",
            RunEventKind::RunFailed => "RunFailed",
            RunEventKind::RunSlaMissed => "RunSlaMissed",
            RunEventKind::RunProgressed => "RunProgressed",
            RunEventKind::RunPaused => "RunPaused",
            RunEventKind::RunResumed => "RunResumed",
            RunEventKind::ReportRunSucceeded => "ReportRunSucceeded",
            RunEventKind::ReportRunFailed => "ReportRunFailed",
        }
    }
}

/// A run event: small, ids only; readers fetch the run for details.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunEvent {
    pub kind: RunEventKind,
    pub project_id: Id,
    pub run_id: Id,
    pub data_mart_id: Id,
    pub at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum EventBusError {
    /// The bus took the call but refused the event (EventBridge's FailedEntryCount).
    #[error("the event bus refused the event: {0}")]
    Rejected(String),
    #[error("event bus unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Publishes run events to whoever reacts to them (dependants, reports, SLA alerts).
/// Delivery is at least once; reactions must be idempotent.
#[async_trait]
pub trait EventBus: Send + Sync {
    async fn publish(&self, event: &RunEvent) -> Result<(), EventBusError>;
}

/// Sends mail: the operator's SMTP server locally, SES on AWS. The message is
/// formatted already (RFC 5322, with its attachments); the mailer sends it from
/// the deployment's sender to the envelope's recipients.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// The sender every message goes out as (`SLUICE_MAIL_FROM`).
    fn from(&self) -> &str;

    /// Sends `message` to `to`. An error never carries the transport's
    /// credentials.
    async fn send(&self, to: &[String], message: &[u8]) -> Result<(), MailError>;

    /// Whether mail can go out now, sending none: the server is reached and
    /// takes the credentials (SMTP), or the sender is verified (SES).
    async fn check(&self) -> Result<(), MailError>;
}

/// One step of a destination's connection test.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ConnectionCheck {
    /// `reachable`, `authorized` or `writable`.
    pub check: String,
    pub ok: bool,
    /// Why not (or what was checked); never a credential.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ConnectionCheck {
    pub fn passed(check: &str, reason: Option<String>) -> ConnectionCheck {
        ConnectionCheck {
            check: check.into(),
            ok: true,
            reason,
        }
    }

    pub fn failed(check: &str, reason: impl Into<String>) -> ConnectionCheck {
        ConnectionCheck {
            check: check.into(),
            ok: false,
            reason: Some(reason.into()),
        }
    }

    /// The checks from `check` on, failed: they could not be tried because an
    /// earlier one failed with `reason`.
    pub fn untried(from: &str, reason: &str) -> Vec<ConnectionCheck> {
        ConnectionCheck::untried_of(&["reachable", "authorized", "writable"], from, reason)
    }

    /// As [`ConnectionCheck::untried`], over the checks `all` in their order.
    pub fn untried_of(all: &[&str], from: &str, reason: &str) -> Vec<ConnectionCheck> {
        let start = all.iter().position(|c| *c == from).unwrap_or(0);
        all[start..]
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    ConnectionCheck::failed(c, reason)
                } else {
                    ConnectionCheck::failed(c, format!("not tried: {from} failed"))
                }
            })
            .collect()
    }
}

/// Tries a destination's connection the way its delivery would reach it,
/// writing nothing a report would not (a webhook gets a signed test request).
/// Kinds that reach out of the deployment: `webhook`, `database`,
/// `google_sheets`.
#[async_trait]
pub trait ConnectionTester: Send + Sync {
    /// The checks of a destination of `kind` whose `config` holds its secret
    /// fields too; `None` for a kind this tester does not reach.
    async fn test(
        &self,
        kind: &str,
        config: &serde_json::Map<String, serde_json::Value>,
        destination: &Id,
        now: DateTime<Utc>,
    ) -> Option<Vec<ConnectionCheck>>;
}

/// Why mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The server refused this message for good (a bad recipient, too large, a
    /// sender it does not accept): sending it again fails again.
    #[error("the mail server refused the message: {0}")]
    Refused(String),
    /// The server could not be reached or asked to try later.
    #[error("the mail server is unavailable: {0}")]
    Unavailable(String),
}

/// Sends a notification (an SLA miss) to a webhook URL: a JSON POST.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers `payload` to `url`; the error never contains the URL (it may carry
    /// a token in its path).
    async fn notify(&self, url: &str, payload: &serde_json::Value) -> Result<(), NotifyError>;
}

/// Why a notification was not delivered; never names the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// The webhook answered with this status (after retries, when it is one to retry).
    #[error("the webhook answered {status} ({attempts} attempts)")]
    Refused { status: u16, attempts: u32 },
    /// The webhook could not be reached: timed out, refused the connection.
    #[error("{reason} ({attempts} attempts)")]
    Unreachable { reason: &'static str, attempts: u32 },
}

/// A column of a query result.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ColumnInfo {
    pub name: String,
    /// The engine's type name (`Int64`, `Utf8`, `varchar`, …).
    #[serde(rename = "type")]
    pub kind: String,
}

/// One page of a query's rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QueryPage {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Pass back to read the next page; `None` on the last one.
    pub next_page: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    /// The SQL is wrong (syntax, unknown table or column): the caller can fix it.
    #[error("{0}")]
    Query(String),
    #[error("that is not a page token this query returned")]
    BadPageToken,
    /// The query went over a limit of this deployment; a narrower one may pass.
    #[error(
        "the query went over {0}; narrow it (filters, fewer joins, an aggregate, LIMIT) and try again"
    )]
    LimitExceeded(QueryLimit),
    #[error("warehouse unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A limit one query may go over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLimit {
    /// Wall-clock time.
    Time { seconds: u64 },
    /// The engine's memory for the query.
    Memory { megabytes: u64 },
    /// The data one query may scan (an Athena workgroup's cutoff).
    Scan,
}

impl QueryLimit {
    /// `time`, `memory` or `scan`, as error details name it.
    pub fn name(self) -> &'static str {
        match self {
            QueryLimit::Time { .. } => "time",
            QueryLimit::Memory { .. } => "memory",
            QueryLimit::Scan => "scan",
        }
    }
}

impl fmt::Display for QueryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryLimit::Time { seconds } => write!(f, "the time limit of {seconds} s"),
            QueryLimit::Memory { megabytes } => write!(f, "the memory limit of {megabytes} MB"),
            QueryLimit::Scan => f.write_str("the workgroup's limit of data scanned per query"),
        }
    }
}

/// How long one query may run and how much memory it may hold, set per
/// deployment (read once where the warehouse is built).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// `SLUICE_QUERY_TIMEOUT_SECONDS`, 1-3600, default 30.
    pub timeout: std::time::Duration,
    /// `SLUICE_QUERY_MEMORY_MB`, 16-1048576, default 512 (the embedded engine's
    /// memory pool; on Athena the workgroup's limits apply instead).
    pub memory_mb: u64,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            timeout: std::time::Duration::from_secs(30),
            memory_mb: 512,
        }
    }
}

/// A setting of the deployment that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct SettingError {
    pub variable: &'static str,
    pub reason: String,
}

impl QueryLimits {
    pub const TIMEOUT_VARIABLE: &'static str = "SLUICE_QUERY_TIMEOUT_SECONDS";
    pub const MEMORY_VARIABLE: &'static str = "SLUICE_QUERY_MEMORY_MB";

    /// The limits the named variables set (`lookup` gives a variable's value),
    /// the defaults for those unset or empty.
    pub fn from_variables(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<QueryLimits, SettingError> {
        let number = |variable: &'static str, range: std::ops::RangeInclusive<u64>| {
            let Some(text) = lookup(variable).filter(|v| !v.trim().is_empty()) else {
                return Ok(None);
            };
            text.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .map(Some)
                .ok_or_else(|| SettingError {
                    variable,
                    reason: format!(
                        "must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                })
        };
        let defaults = QueryLimits::default();
        Ok(QueryLimits {
            timeout: number(Self::TIMEOUT_VARIABLE, 1..=3600)?
                .map(std::time::Duration::from_secs)
                .unwrap_or(defaults.timeout),
            memory_mb: number(Self::MEMORY_VARIABLE, 16..=1_048_576)?.unwrap_or(defaults.memory_mb),
        })
    }

    /// The time limit as a query error names it.
    pub fn time_limit(&self) -> QueryLimit {
        QueryLimit::Time {
            seconds: self.timeout.as_secs(),
        }
    }
}

/// A table a query may read: a name and the object-store prefix of its Parquet
/// files.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    pub name: String,
    pub location: String,
    /// The columns the table is known to have (the data mart's actualized schema,
    /// Arrow type names). Engines that read the Parquet files' own schema ignore
    /// it; Athena declares its external table with it.
    pub columns: Vec<ColumnInfo>,
    /// The settings of the storage the data mart names: Athena takes its region,
    /// database, workgroup and result location from them. `None`, or a storage of
    /// another kind, leaves the engine on its own defaults.
    pub storage: Option<crate::entities::StorageConfig>,
}

/// The SQL engine over a storage's Parquet tables: Athena in AWS, an embedded engine
/// locally. Tables are Parquet files under an object-store prefix.
///
/// Every query runs for one project, and the engine keeps it inside that
/// project's wall: it sees the given tables of the project and nothing else (no
/// table, schema listing or file of another project, whatever the SQL names).
#[async_trait]
pub trait Warehouse: Send + Sync {
    /// Runs a read-only `sql` for `project` that may read exactly `tables` (all
    /// the project's; nothing else is visible to it), and returns up to
    /// `page_size` rows from `page`.
    async fn query(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError>;

    /// Runs `sql` as [`Warehouse::query`] does and hands its rows over a batch at
    /// a time, in order, each read once: a result of any size passes through
    /// the memory of a batch or two. Dropping the stream stops the query.
    ///
    /// The default reads `query`'s pages, following each page's token (Athena's
    /// own result pages: the query runs once); an engine that pages by running
    /// the query again streams its own way.
    async fn stream(
        self: std::sync::Arc<Self>,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
    ) -> Result<Box<dyn RowStream>, WarehouseError>
    where
        Self: 'static,
    {
        let first = self
            .query(project, tables, sql, STREAM_PAGE_ROWS, None)
            .await?;
        Ok(Box::new(PagedRows {
            warehouse: self,
            project: project.clone(),
            tables: tables.to_vec(),
            sql: sql.to_string(),
            columns: first.columns.clone(),
            first: Some(first.rows),
            next: first.next_page,
        }))
    }

    /// As [`Warehouse::stream`], for a reader that writes the rows as `format`
    /// with [`RowStream::write_next`]: an engine that holds the rows as columns
    /// may write them straight from there, with no row as JSON values on the
    /// way. The default is [`Warehouse::stream`].
    async fn stream_as(
        self: std::sync::Arc<Self>,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        format: crate::rows::RowFormat,
    ) -> Result<Box<dyn RowStream>, WarehouseError>
    where
        Self: 'static,
    {
        let _ = format;
        self.stream(project, tables, sql).await
    }

    /// The columns `sql` would return, found by planning it (nothing is read
    /// where the engine can plan without running). The default runs the query
    /// for one row.
    async fn describe(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
    ) -> Result<Vec<ColumnInfo>, WarehouseError> {
        Ok(self.query(project, tables, sql, 1, None).await?.columns)
    }

    /// Runs `sql` as [`Warehouse::query`] does and writes its whole result as
    /// Parquet files under `target` (a prefix of the project's tables), each
    /// named `{stem}-{n}.parquet`: the same names when run again, so a repeat
    /// overwrites what a first try wrote.
    async fn materialize(
        &self,
        project: &Id,
        tables: &[TableRef],
        sql: &str,
        target: &str,
        stem: &str,
    ) -> Result<Materialized, WarehouseError>;

    /// One cheap call that shows the engine answers (the health check's); reads
    /// no project's data.
    async fn check(&self) -> Result<(), WarehouseError>;
}

/// Rows asked of [`Warehouse::query`] per page when a stream reads its pages.
pub const STREAM_PAGE_ROWS: u32 = 10_000;

/// A query's rows, a batch at a time (see [`Warehouse::stream`]).
#[async_trait]
pub trait RowStream: Send {
    /// The result's columns, known before the first row.
    fn columns(&self) -> &[ColumnInfo];
    /// The next batch of rows (never empty); `None` after the last.
    async fn next_batch(&mut self) -> Result<Option<Vec<Vec<serde_json::Value>>>, WarehouseError>;

    /// Writes the next batch's rows with `encoder` into `out` (the rows only:
    /// the encoder's `start` and `finish` are the caller's); returns how many,
    /// `None` after the last. The default writes [`RowStream::next_batch`]'s.
    async fn write_next(
        &mut self,
        encoder: &mut crate::rows::RowEncoder,
        out: &mut Vec<u8>,
    ) -> Result<Option<u64>, WarehouseError> {
        let Some(rows) = self.next_batch().await? else {
            return Ok(None);
        };
        for row in &rows {
            encoder
                .row(out, row)
                .map_err(|e| WarehouseError::Backend(e.to_string().into()))?;
        }
        Ok(Some(rows.len() as u64))
    }
}

/// [`Warehouse::stream`]'s default: the pages of `query`.
struct PagedRows<W: Warehouse + ?Sized> {
    warehouse: std::sync::Arc<W>,
    project: Id,
    tables: Vec<TableRef>,
    sql: String,
    columns: Vec<ColumnInfo>,
    first: Option<Vec<Vec<serde_json::Value>>>,
    next: Option<String>,
}

#[async_trait]
impl<W: Warehouse + ?Sized> RowStream for PagedRows<W> {
    fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    async fn next_batch(&mut self) -> Result<Option<Vec<Vec<serde_json::Value>>>, WarehouseError> {
        loop {
            if let Some(rows) = self.first.take().filter(|r| !r.is_empty()) {
                return Ok(Some(rows));
            }
            let Some(token) = self.next.take() else {
                return Ok(None);
            };
            let page = self
                .warehouse
                .query(
                    &self.project,
                    &self.tables,
                    &self.sql,
                    STREAM_PAGE_ROWS,
                    Some(&token),
                )
                .await?;
            self.next = page.next_page;
            self.first = Some(page.rows);
        }
    }
}

/// Refuses `tables` unless each lies under `project`'s table prefix: whatever a
/// caller hands an engine, a query never reaches another project's files.
pub fn check_tables_of(project: &Id, tables: &[TableRef]) -> Result<(), WarehouseError> {
    let root = crate::pipeline::objects::tables_of(project);
    let landing = crate::files::landing_prefix(project);
    match tables
        .iter()
        .find(|t| !t.location.starts_with(&root) && !t.location.starts_with(&landing))
    {
        None => Ok(()),
        Some(t) => Err(WarehouseError::Backend(
            format!(
                "table {} is not under {root} or {landing}: a query reads only its project's tables",
                t.name
            )
            .into(),
        )),
    }
}

/// Checks where [`Warehouse::materialize`] is asked to write: `target` a
/// folder (ending in `/`, a valid key) under `project`'s tables, `stem` a
/// name of letters, digits, `_` and `-` that does not start with a digit.
/// Every engine calls it before it writes.
pub fn check_materialize_target(
    project: &Id,
    target: &str,
    stem: &str,
) -> Result<(), WarehouseError> {
    let root = crate::pipeline::objects::tables_of(project);
    if !target.starts_with(&root)
        || !target.ends_with('/')
        || check_object_key(target.trim_end_matches('/')).is_err()
    {
        return Err(WarehouseError::Backend(
            format!("{target} is not a folder under {root}").into(),
        ));
    }
    if !crate::entities::is_identifier(&stem.replace('-', "_")) {
        return Err(WarehouseError::Backend(
            format!("`{stem}` is not a file stem").into(),
        ));
    }
    Ok(())
}

/// What [`Warehouse::materialize`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Materialized {
    pub columns: Vec<ColumnInfo>,
    /// Rows written, where the engine counts them (Athena's `UNLOAD` does not).
    pub rows: Option<u64>,
    /// Object keys of the files written, under the target prefix.
    pub files: Vec<String>,
}

/// The key design both metadata stores share (ARCHITECTURE.md §5): every key begins
/// with the project.
pub mod keys {
    use crate::ids::{Id, Kind};

    /// Partition key: `P#{project}`.
    pub fn partition(project: &Id) -> String {
        format!("P#{project}")
    }

    /// Sort key: `{KIND}#{id}`; ids are time-sortable, so descending is newest first.
    pub fn sort(kind: Kind, id: &Id) -> String {
        format!("{}#{id}", kind.key_prefix())
    }

    /// Parent index key: `P#{project}#{KIND}#{parent}`.
    pub fn parent(project: &Id, kind: Kind, parent: &Id) -> String {
        format!("P#{project}#{}#{parent}", kind.key_prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_limits_default_when_unset_and_name_the_variable_when_wrong() {
        let none = QueryLimits::from_variables(|_| None).expect("defaults");
        assert_eq!(none, QueryLimits::default());
        assert_eq!(none.timeout.as_secs(), 30);
        let set = QueryLimits::from_variables(|v| match v {
            "SLUICE_QUERY_TIMEOUT_SECONDS" => Some("5".into()),
            "SLUICE_QUERY_MEMORY_MB" => Some(" 64 ".into()),
            _ => None,
        })
        .expect("set");
        assert_eq!((set.timeout.as_secs(), set.memory_mb), (5, 64));
        for (variable, value) in [
            ("SLUICE_QUERY_TIMEOUT_SECONDS", "0"),
            ("SLUICE_QUERY_TIMEOUT_SECONDS", "ten"),
            ("SLUICE_QUERY_MEMORY_MB", "8"),
        ] {
            let err = QueryLimits::from_variables(|v| (v == variable).then(|| value.into()))
                .expect_err(value);
            assert!(err.to_string().starts_with(variable), "{err}");
        }
    }

    #[test]
    fn a_table_outside_the_projects_prefix_is_refused() {
        let project = Id::generate(Kind::Project, 1_700_000_000_000);
        let other = Id::generate(Kind::Project, 1_700_000_000_001);
        let mart = Id::generate(Kind::DataMart, 1_700_000_000_000);
        let table = |p: &Id| TableRef {
            name: mart.as_str().to_ascii_lowercase(),
            location: crate::pipeline::objects::table(p, &mart),
            columns: vec![],
            storage: None,
        };
        assert!(check_tables_of(&project, &[table(&project)]).is_ok());
        assert!(check_tables_of(&project, &[table(&project), table(&other)]).is_err());
        assert!(check_tables_of(&project, &[]).is_ok());
    }

    #[test]
    fn a_limit_error_says_which_limit_and_its_value() {
        let e = WarehouseError::LimitExceeded(QueryLimit::Time { seconds: 30 });
        assert!(e.to_string().contains("time limit of 30 s"), "{e}");
        let e = WarehouseError::LimitExceeded(QueryLimit::Memory { megabytes: 512 });
        assert!(e.to_string().contains("memory limit of 512 MB"), "{e}");
    }
}
