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
        Err(ObjectError::BadKey(crate::files::quote(key)))
    }
}

/// Blobs by key: raw chunks, Parquet files, exports. A put is atomic (readers see the
/// old object or the new one, never a part) and idempotent for the same bytes, so a
/// redelivered step may rewrite its key.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectError>;
    /// Writes the object from a local file (an upload spooled to disk), atomically
    /// like `put`; returns its size. Adapters stream it; this default reads it whole.
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
    /// Every object whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectError>;
    /// Removes the object; a missing key is not an error.
    async fn delete(&self, key: &str) -> Result<(), ObjectError>;
}

/// What happened to a run, as the custom event bus carries it (`detail-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunEventKind {
    RunQueued,
    RunStarted,
    RunSucceeded,
    RunFailed,
    RunSlaMissed,
}

impl RunEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunEventKind::RunQueued => "RunQueued",
            RunEventKind::RunStarted => "RunStarted",
            RunEventKind::RunSucceeded => "RunSucceeded",
            RunEventKind::RunFailed => "RunFailed",
            RunEventKind::RunSlaMissed => "RunSlaMissed",
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

/// Sends a notification (an SLA miss) to a webhook URL: a JSON POST.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers `payload` to `url`; the error never contains the URL (it may carry
    /// a token in its path).
    async fn notify(&self, url: &str, payload: &serde_json::Value) -> Result<(), String>;
}

/// A column of a query result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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
    #[error("`{0}` is not a page token this query returned")]
    BadPageToken(String),
    #[error("warehouse unavailable: {0:#}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
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
#[async_trait]
pub trait Warehouse: Send + Sync {
    /// Runs a read-only `sql` that may read exactly `tables` (nothing else is
    /// visible to it), and returns up to `page_size` rows from `page`.
    async fn query(
        &self,
        tables: &[TableRef],
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError>;
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
