//! Connector extraction. A connector pulls one bounded **step** of a stream at a
//! time: a few chunks of raw rows, the continuation where the next step starts, and
//! the cursor reached so far. Steps are small so no run depends on a function's time
//! limit, and deterministic in their continuation so a redelivered step can be
//! answered from what the first delivery recorded.
//!
//! One folder (module) per connector; adding one touches its module and the registry
//! in [`extractor`].

pub mod buffers;
#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
mod columns;
#[cfg(feature = "egress")]
pub mod egress;
#[cfg(feature = "files")]
pub mod files;
#[cfg(feature = "google_sheets")]
pub mod google_sheets;
#[cfg(feature = "http_json")]
pub mod http_json;
#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
pub mod keyset;
#[cfg(feature = "mysql_source")]
pub mod mysql;
#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
pub mod pool;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "rest")]
pub mod rest;
#[cfg(feature = "smtp")]
pub mod smtp;
#[cfg(feature = "tester")]
pub mod tester;
#[cfg(any(feature = "postgres", feature = "mysql_source"))]
mod tls;
#[cfg(feature = "webhook")]
pub mod webhook;
#[cfg(any(feature = "postgres_source", feature = "mysql_source"))]
mod wire;

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::{Map, Value};
use sluice_domain::discovery::{DiscoveredStream, SourceTest};
use sluice_domain::entities::RunWindow;
use sluice_domain::pipeline::ChunkFormat;

/// What a step extracts. Its `Debug` names the config's keys, never their values:
/// the config holds the source's secrets.
#[derive(Clone)]
pub struct StreamRequest<'a> {
    /// Stream name as the data mart selects it (a glob, a path, …).
    pub stream: &'a str,
    /// The source's config with its secret fields filled in.
    pub config: &'a Map<String, Value>,
    /// Saved cursor of an incremental run, `None` on the first run and for backfills.
    pub cursor: Option<&'a Value>,
    /// How far before the saved cursor to start again (late-arriving data).
    pub lookback: Duration,
    /// A backfill's window.
    pub window: Option<RunWindow>,
    /// Rows per chunk.
    pub batch_size: usize,
    /// Chunks a step may read at once (the mart's `parallelism`): a database
    /// source reads a large table in as many key ranges.
    pub parallelism: usize,
    /// Where a `files` source may read: the project's landing area (`store://`)
    /// and the operator's import roots.
    pub files: sluice_domain::files::FileAccess,
    /// The source's stored credentials, where a connector writes back what a
    /// provider renews (OAuth tokens); `None` where nothing may be written.
    pub credentials: Option<&'a dyn Credentials>,
}

/// The secret fields of the source a step or a probe reads, as stored: what
/// an OAuth provider renews is written back here, so the next step, run and
/// process use it.
#[async_trait]
pub trait Credentials: Send + Sync {
    /// The source's id: what its rate budget and token cache are kept under.
    fn source(&self) -> &str;
    /// Its secret fields as stored now (another process may have renewed them).
    async fn load(&self) -> Result<Map<String, Value>, ConnectorError>;
    /// Sets `fields` among its secret fields, keeping the others.
    async fn save(&self, fields: &Map<String, Value>) -> Result<(), ConnectorError>;
}

impl std::fmt::Debug for StreamRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamRequest")
            .field("stream", &self.stream)
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .field("cursor", &self.cursor)
            .field("lookback", &self.lookback)
            .field("window", &self.window)
            .field("batch_size", &self.batch_size)
            .field("parallelism", &self.parallelism)
            .finish()
    }
}

/// When a step stops and hands over to the next one.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_chunks: usize,
    pub deadline: Instant,
}

impl Budget {
    pub fn new(max_chunks: usize, time: Duration) -> Budget {
        Budget {
            max_chunks: max_chunks.max(1),
            deadline: Instant::now() + time,
        }
    }
    pub fn spent(&self, chunks: usize) -> bool {
        chunks >= self.max_chunks || Instant::now() >= self.deadline
    }
}

/// A row the connector could not even cut into a chunk (an over-long line, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRowError {
    /// Row number within the chunk it would have belonged to, from 1.
    pub row: u64,
    pub reason: String,
}

/// Raw rows, as the source gave them: bytes in `format`, or, from a database
/// source, the columns it decoded (`batch`, with `format` [`ChunkFormat::ArrowIpc`]
/// and no bytes). The extract step maps such a chunk where it is: its typed
/// columns are never written only to be read back by the transform.
#[derive(Debug, Clone, PartialEq)]
pub struct RawChunk {
    pub format: ChunkFormat,
    pub bytes: Vec<u8>,
    pub batch: Option<arrow_array::RecordBatch>,
    pub rows: u64,
    pub errors: Vec<RawRowError>,
}

/// One step's output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepOutput {
    pub chunks: Vec<RawChunk>,
    /// Where the next step starts; `None` when the stream is exhausted.
    pub next: Option<Value>,
    /// The cursor reached so far (saved when an incremental run succeeds).
    pub cursor: Option<Value>,
    /// How long the next step must wait (an API's rate limit resets later
    /// than a step may sleep).
    pub wait: Option<Duration>,
    /// What the step waited for and why, and what it renewed, for the run's
    /// log: no secret is in a line.
    pub log: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The source's config cannot work; retrying will not help.
    #[error("{field}: {reason}")]
    Config { field: String, reason: String },
    /// The upstream system failed; `retryable` says whether trying again may help.
    #[error("{reason}")]
    Upstream { reason: String, retryable: bool },
}

impl ConnectorError {
    pub fn config(field: &str, reason: impl Into<String>) -> Self {
        ConnectorError::Config {
            field: field.to_string(),
            reason: reason.into(),
        }
    }
    pub fn upstream(reason: impl Into<String>, retryable: bool) -> Self {
        ConnectorError::Upstream {
            reason: reason.into(),
            retryable,
        }
    }
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            ConnectorError::Upstream {
                retryable: true,
                ..
            }
        )
    }
}

/// What a connection test or a discovery of a source is given. Its `Debug`
/// names the config's keys, never their values.
pub struct Probe<'a> {
    /// The source's config with its secret fields filled in.
    pub config: &'a Map<String, Value>,
    /// Where a `files` source may read.
    pub files: sluice_domain::files::FileAccess,
    /// The source's stored credentials (see [`StreamRequest::credentials`]).
    pub credentials: Option<&'a dyn Credentials>,
}

impl std::fmt::Debug for Probe<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A connector's extraction, and what it tells of its source before a run.
#[async_trait]
pub trait Extractor: Send + Sync {
    /// Extracts from `position` (`None` at the start of the stream) until the
    /// stream ends or the budget is spent.
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Value>,
        budget: Budget,
    ) -> Result<StepOutput, ConnectorError>;

    /// The source tried the way a run reaches it: reachable, authorized,
    /// readable, with the reason of the first check that fails.
    async fn test(&self, probe: &Probe<'_>) -> SourceTest;

    /// The streams the source offers now. Those it describes itself (a
    /// database's tables) come with their fields (`found_by: catalog`); those
    /// it only names (files) come without (`found_by: sample`), for the caller
    /// to read their first rows. `None` when the user names every stream (the
    /// paths of an HTTP API).
    async fn streams(
        &self,
        probe: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError>;
}

/// The extractor of connector `name`, if this build has it; its requests go only
/// where `egress` allows. It links every connector of the build: an extraction
/// function names its own of [`extractors`] instead, so it links that one alone.
pub fn extractor(
    #[allow(unused_variables)] name: &str,
    #[allow(unused_variables)] egress: &sluice_domain::net::Egress,
) -> Option<Box<dyn Extractor>> {
    let found: Option<Box<dyn Extractor>> = None;
    #[cfg(feature = "files")]
    let found = found.or_else(|| extractors::files(name, egress));
    #[cfg(feature = "http_json")]
    let found = found.or_else(|| extractors::http_json(name, egress));
    #[cfg(feature = "postgres_source")]
    let found = found.or_else(|| extractors::postgres(name, egress));
    #[cfg(feature = "mysql_source")]
    let found = found.or_else(|| extractors::mysql(name, egress));
    #[cfg(feature = "rest")]
    let found = found.or_else(|| extractors::rest(name, egress));
    found
}

/// Each connector's extractor alone, of the connector `name` when it is that
/// one: what an extraction function hands its run machine.
pub mod extractors {
    #[allow(unused_imports)]
    use sluice_domain::net::Egress;

    #[allow(unused_imports)]
    use super::Extractor;

    #[cfg(feature = "files")]
    pub fn files(name: &str, _egress: &Egress) -> Option<Box<dyn Extractor>> {
        (name == "files").then(|| Box::new(super::files::Files) as Box<dyn Extractor>)
    }

    #[cfg(feature = "http_json")]
    pub fn http_json(name: &str, egress: &Egress) -> Option<Box<dyn Extractor>> {
        (name == "http_json")
            .then(|| Box::new(super::http_json::HttpJson::new(egress)) as Box<dyn Extractor>)
    }

    #[cfg(feature = "postgres_source")]
    pub fn postgres(name: &str, egress: &Egress) -> Option<Box<dyn Extractor>> {
        (name == "postgres")
            .then(|| Box::new(super::postgres::source::Postgres::new(egress)) as Box<dyn Extractor>)
    }

    #[cfg(feature = "mysql_source")]
    pub fn mysql(name: &str, egress: &Egress) -> Option<Box<dyn Extractor>> {
        (name == "mysql")
            .then(|| Box::new(super::mysql::source::Mysql::new(egress)) as Box<dyn Extractor>)
    }

    /// The connectors declared on the REST kit (GitHub, Jira, …), one engine.
    #[cfg(feature = "rest")]
    pub fn rest(name: &str, egress: &Egress) -> Option<Box<dyn Extractor>> {
        sluice_domain::connectors::registered(name)
            .and_then(|c| c.rest)
            .map(|declared| {
                Box::new(super::rest::Declared::new(declared, egress)) as Box<dyn Extractor>
            })
    }
}

/// A config value as a string, or its default.
pub fn config_str<'a>(config: &'a Map<String, Value>, key: &str, default: &'a str) -> &'a str {
    config.get(key).and_then(Value::as_str).unwrap_or(default)
}

/// Whether cursor value `b` comes after `a` (the incremental cursor of both
/// connectors): integers exactly, other numbers by value, strings (ISO dates and
/// timestamps) by text; values of different kinds never do.
pub fn newer(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(x), Some(y), _, _) => y > x,
                (_, _, Some(x), Some(y)) => y > x,
                _ => y.as_f64().unwrap_or(f64::NAN) > x.as_f64().unwrap_or(f64::NAN),
            }
        }
        (Value::String(x), Value::String(y)) => y > x,
        _ => false,
    }
}

#[cfg(all(
    test,
    feature = "files",
    feature = "http_json",
    feature = "postgres_source",
    feature = "mysql_source",
    feature = "rest"
))]
mod tests {
    use super::Extractor;

    /// What makes one connector's extractor, by its name.
    type MakeOne = fn(&str, &sluice_domain::net::Egress) -> Option<Box<dyn Extractor>>;

    /// The registry and the extractors are one list: every registered connector
    /// extracts, and nothing extracts unregistered.
    #[test]
    fn every_registered_connector_has_its_extractor() {
        for c in sluice_domain::connectors::registry() {
            let egress = sluice_domain::net::Egress::public_only();
            assert!(
                super::extractor(c.name, &egress).is_some(),
                "{} extracts",
                c.name
            );
        }
        let egress = sluice_domain::net::Egress::public_only();
        assert!(super::extractor("oracle", &egress).is_none());
    }

    /// Each registered connector is made by exactly one of the extractors an
    /// extraction function may name alone, and that one names the connector.
    #[test]
    fn each_connector_is_one_extractors_own() {
        use super::extractors as x;
        let egress = sluice_domain::net::Egress::public_only();
        let each: [(&str, MakeOne); 5] = [
            ("files", x::files),
            ("http_json", x::http_json),
            ("postgres", x::postgres),
            ("mysql", x::mysql),
            ("rest", x::rest),
        ];
        for c in sluice_domain::connectors::registry() {
            let makers: Vec<&str> = each
                .iter()
                .filter(|(_, make)| make(c.name, &egress).is_some())
                .map(|(n, _)| *n)
                .collect();
            let expected = if c.rest.is_some() { "rest" } else { c.name };
            assert_eq!(makers, [expected], "{}", c.name);
        }
    }
}
