//! The data endpoint: a report pulled rather than delivered. A reader (a Looker
//! Studio community connector, a script) calls `GET /v1/reports/{id}/data` with
//! the key of the report's `looker_studio` destination, and gets the report's
//! rows as NDJSON, CSV, or JSON with its schema, streamed a batch at a time.
//!
//! Keys are issued by `POST /v1/destinations/{id}/rotate-key` and shown once;
//! only their SHA-256 digests are kept (in Secrets). A key names its project, so
//! a request is looked up in that project alone: a key opens the reports of its
//! own destination and nothing else, and every failure is the same 401.
//!
//! Results are cached in the object store, keyed by the report (its version),
//! the request's parameters and the data mart's data (the table's files), and
//! kept for the report's `cache_ttl_seconds`: a run of the data mart that
//! changes its table changes the key, so the old result is never served again
//! (and is removed by the next result written). A result larger than
//! [`CACHE_MAX_BYTES`] streams without being cached, so memory stays a batch.

use std::pin::Pin;

use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sluice_domain::entities::{DataMart, Destination, MIN_CACHE_TTL_SECONDS, Report};
use sluice_domain::pipeline::objects;
use sluice_domain::ports::{ObjectStore, RowStream, SecretValue, WarehouseError};
use sluice_domain::rows::{RowEncoder, RowFormat};
use sluice_domain::{Id, IdOf, Kind};

use super::{Ctx, load};
use crate::error::{ServiceError, ServiceResult};
use crate::records;
use crate::{Deps, Querying};
use sluice_domain::output::{ParameterKind, ParameterValues};

/// The destination kind whose reports are pulled here.
pub const DATA_ENDPOINT_KIND: &str = "looker_studio";

/// Largest result kept in the cache; a larger one streams uncached.
pub const CACHE_MAX_BYTES: usize = 32 << 20;

/// A response body a batch at a time.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// `POST /v1/destinations/{id}/rotate-key`: the new key, shown this once.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct IssuedKey {
    /// Send as `Authorization: Bearer <key>` to `GET /v1/reports/{id}/data`.
    pub key: String,
    pub destination_id: Id,
    pub issued_at: DateTime<Utc>,
    /// Until when the key this one replaced still works; `null` when there was
    /// none, or the destination's `key_grace_seconds` is 0.
    pub previous_key_valid_until: Option<DateTime<Utc>>,
}

/// What Secrets holds of a destination's keys: digests, never a key.
#[derive(Debug, Serialize, Deserialize)]
struct KeyDigests {
    current: String,
    previous: Option<String>,
    previous_until_ms: Option<i64>,
}

fn keys_secret(project: &Id, destination: &Id) -> String {
    format!("sluice/{project}/{destination}/data-key")
}

fn digest(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn unauthorized() -> ServiceError {
    ServiceError::Unauthorized(
        "that key does not open this report's data: send `Authorization: Bearer <key>` with the current key of the report's looker_studio destination".into(),
    )
}

/// Issues a new key for a `looker_studio` destination; the one before keeps
/// working for the destination's grace, then stops.
pub async fn rotate_key(ctx: &Ctx<'_>, id: &IdOf<Destination>) -> ServiceResult<IssuedKey> {
    let d: Destination = load(ctx, id).await?;
    if d.kind != DATA_ENDPOINT_KIND {
        return Err(ServiceError::Conflict(format!(
            "destination {} is of kind `{}`; only `{DATA_ENDPOINT_KIND}` destinations have a data key",
            d.meta.id, d.kind
        )));
    }
    let grace = d
        .settings
        .config
        .get("key_grace_seconds")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(86_400);
    let name = keys_secret(ctx.project(), &d.meta.id);
    let before: Option<KeyDigests> = match ctx.deps.secrets.get(&name).await? {
        Some(v) => serde_json::from_str(v.expose()).ok(),
        None => None,
    };
    let mut random = [0u8; 32];
    getrandom::fill(&mut random)
        .map_err(|e| ServiceError::Internal(format!("no randomness for a key: {e}")))?;
    let key = format!(
        "sk.{}.{}",
        ctx.project(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
    );
    let now_ms = ctx.now.timestamp_millis();
    let until_ms = now_ms + grace * 1000;
    let previous = before.filter(|_| grace > 0).map(|b| b.current);
    let digests = KeyDigests {
        current: digest(&key),
        previous_until_ms: previous.as_ref().map(|_| until_ms),
        previous,
    };
    let value = serde_json::to_string(&digests)
        .map_err(|e| ServiceError::Internal(format!("key digests: {e}")))?;
    ctx.deps
        .secrets
        .put(&name, &SecretValue::new(value))
        .await?;
    tracing::info!(destination_id = %d.meta.id, "Data key rotated.");
    Ok(IssuedKey {
        key,
        destination_id: d.meta.id,
        issued_at: ctx.now,
        previous_key_valid_until: digests
            .previous_until_ms
            .and_then(DateTime::from_timestamp_millis),
    })
}

/// Whether a key of `destination` was issued.
pub async fn has_key(deps: &Deps, project: &Id, destination: &Id) -> ServiceResult<bool> {
    Ok(deps
        .secrets
        .get(&keys_secret(project, destination))
        .await?
        .is_some())
}

/// Removes a deleted destination's key digests: its keys stop at once.
pub async fn forget_keys(deps: &Deps, project: &Id, destination: &Id) -> ServiceResult<()> {
    deps.secrets
        .delete(&keys_secret(project, destination))
        .await?;
    Ok(())
}

/// Most `param[…]` values one request gives, and the longest of them (a
/// URL stays well under the 64 KiB a server takes).
const MAX_PARAMS: usize = 8;
const MAX_PARAM_CHARS: usize = 400;

/// The parameters of a data request.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRequest {
    pub format: RowFormat,
    /// At most this many rows.
    pub limit: Option<u64>,
    /// `param[{name}]` values, as given.
    pub parameters: std::collections::BTreeMap<String, String>,
}

impl DataRequest {
    /// From the query string's pairs; a 422 names a parameter it cannot take.
    pub fn parse(params: &[(String, String)]) -> ServiceResult<DataRequest> {
        let mut req = DataRequest {
            format: RowFormat::Ndjson,
            limit: None,
            parameters: Default::default(),
        };
        for (k, v) in params {
            match k.as_str() {
                "format" => {
                    req.format = match v.as_str() {
                        "ndjson" => RowFormat::Ndjson,
                        "csv" => RowFormat::Csv,
                        "json" => RowFormat::JsonWithSchema,
                        _ => {
                            return Err(ServiceError::invalid(
                                "format",
                                "must be one of: ndjson, csv, json",
                            ));
                        }
                    }
                }
                "limit" => {
                    req.limit = Some(
                        v.parse::<u64>()
                            .ok()
                            .filter(|n| (1..=1_000_000_000).contains(n))
                            .ok_or_else(|| {
                                ServiceError::invalid(
                                    "limit",
                                    "must be a whole number from 1 to 1000000000",
                                )
                            })?,
                    );
                }
                other => match other
                    .strip_prefix("param[")
                    .and_then(|r| r.strip_suffix(']'))
                {
                    Some(name) if !name.is_empty() && name.chars().count() <= 64 => {
                        if v.chars().count() > MAX_PARAM_CHARS {
                            return Err(ServiceError::invalid(
                                other,
                                format!("must be at most {MAX_PARAM_CHARS} characters"),
                            ));
                        }
                        req.parameters.insert(name.to_string(), v.clone());
                        if req.parameters.len() > MAX_PARAMS {
                            return Err(ServiceError::invalid(
                                "param",
                                format!("takes at most {MAX_PARAMS} values"),
                            ));
                        }
                    }
                    _ => {
                        return Err(ServiceError::invalid(
                            other,
                            "unknown query parameter; expected one of: format, limit, param[{name}]",
                        ));
                    }
                },
            }
        }
        Ok(req)
    }

    fn name(&self) -> String {
        let mut name = format!(
            "format={};limit={}",
            self.format.extension(),
            self.limit.map_or("all".to_string(), |n| n.to_string())
        );
        for (k, v) in &self.parameters {
            name.push_str(&format!(";param[{}:{k}]", k.len()));
            name.push_str(&format!("={}:{v}", v.len()));
        }
        name
    }

    /// The `param[{name}]` values as the report's parameters take them (a
    /// number or a boolean from its text); a 422 names `param[{name}]`.
    fn parameter_values(&self, report: &Report) -> ServiceResult<ParameterValues> {
        let declared = report
            .output
            .as_ref()
            .map(|o| o.parameters.as_slice())
            .unwrap_or_default();
        let mut out = ParameterValues::new();
        for (name, text) in &self.parameters {
            let field = format!("param[{name}]");
            let p = declared.iter().find(|p| &p.name == name).ok_or_else(|| {
                ServiceError::invalid(&field, "the report declares no such parameter")
            })?;
            let value = match p.kind {
                ParameterKind::Number => text
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| ServiceError::invalid(&field, "must be a number"))?,
                ParameterKind::Boolean => match text.as_str() {
                    "true" => serde_json::Value::Bool(true),
                    "false" => serde_json::Value::Bool(false),
                    _ => return Err(ServiceError::invalid(&field, "must be true or false")),
                },
                ParameterKind::String | ParameterKind::Date => {
                    serde_json::Value::String(text.clone())
                }
            };
            out.insert(name.clone(), value);
        }
        Ok(out)
    }
}

/// Where a data response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    /// Read from the cache.
    Hit,
    /// Computed now (and cached when small enough).
    Miss,
}

/// A report's data, ready to send.
pub struct ReportData {
    pub content_type: &'static str,
    pub cache: CacheStatus,
    pub body: ReportBody,
}

pub enum ReportBody {
    Cached(Vec<u8>),
    Streamed(ByteStream),
}

/// The project a key names, if it is of a key's shape.
fn project_of(key: &str) -> Option<Id> {
    let mut parts = key.split('.');
    let (Some("sk"), Some(project), Some(secret), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (secret.len() == 43).then_some(())?;
    Id::parse(Kind::Project, project)
}

/// Whether `key` is a key of `destination` now.
async fn key_opens(deps: &Deps, project: &Id, destination: &Id, key: &str, now_ms: i64) -> bool {
    let Ok(Some(stored)) = deps.secrets.get(&keys_secret(project, destination)).await else {
        return false;
    };
    let Ok(d) = serde_json::from_str::<KeyDigests>(stored.expose()) else {
        return false;
    };
    let asked = digest(key);
    asked == d.current
        || (d.previous.as_deref() == Some(asked.as_str())
            && d.previous_until_ms.is_some_and(|until| now_ms < until))
}

/// Opens report `report`'s data for the holder of `key`.
pub async fn open(
    deps: &Deps,
    querying: &Querying,
    report: &IdOf<Report>,
    key: &str,
    request: &DataRequest,
) -> ServiceResult<ReportData> {
    let project = project_of(key).ok_or_else(unauthorized)?;
    let store = deps.store.as_ref();
    let report = records::get::<Report>(store, &project, report.as_id())
        .await?
        .filter(|r| r.meta.deleted_at.is_none())
        .ok_or_else(unauthorized)?;
    let destination = records::get::<Destination>(store, &project, &report.destination_id)
        .await?
        .filter(|d| d.meta.deleted_at.is_none() && d.kind == DATA_ENDPOINT_KIND)
        .ok_or_else(unauthorized)?;
    let now = deps.clock.now();
    if !key_opens(
        deps,
        &project,
        &destination.meta.id,
        key,
        now.timestamp_millis(),
    )
    .await
    {
        return Err(unauthorized());
    }
    let mart = records::get::<DataMart>(store, &project, &report.data_mart_id)
        .await?
        .filter(|m| m.meta.deleted_at.is_none())
        .ok_or_else(|| {
            ServiceError::Conflict(format!(
                "data mart {} of this report was deleted",
                report.data_mart_id
            ))
        })?;
    let Querying { objects, warehouse } = querying.clone();
    let given = request.parameter_values(&report)?;
    let mut sql = super::reports::report_sql(&report, &mart, &given)?;
    if let Some(n) = request.limit {
        sql = format!("SELECT * FROM ({sql}) AS report LIMIT {n}");
    }
    let read = super::relations::reading(deps, &objects, &mart, &sql).await?;
    // The tables' files are the data: a run that commits changes them.
    let mut files = vec![];
    for t in &read.tables {
        files.extend(
            objects
                .list(&t.location)
                .await?
                .into_iter()
                .filter(|o| o.key.ends_with(".parquet")),
        );
    }
    let mut version = Sha256::new();
    for f in &files {
        version.update(f.key.as_bytes());
        version.update(f.size.to_le_bytes());
    }
    version.update(report.meta.id.as_str().as_bytes());
    version.update(report.meta.version.to_le_bytes());
    version.update(request.name().as_bytes());
    let tag: String = version.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let prefix = objects::report_cache(&project, &report.meta.id);
    let cache_key = format!("{prefix}{tag}.{}", request.format.extension());
    let ttl_ms = i64::from(report.cache_ttl_seconds.max(MIN_CACHE_TTL_SECONDS)) * 1000;
    let cached = objects.list(&prefix).await?;
    if let Some(hit) = cached
        .iter()
        .find(|o| o.key == cache_key && now.timestamp_millis() - o.modified_ms < ttl_ms)
        && let Some(bytes) = objects.get(&hit.key).await?
    {
        return Ok(ReportData {
            content_type: request.format.content_type(),
            cache: CacheStatus::Hit,
            body: ReportBody::Cached(bytes),
        });
    }
    let rows = warehouse
        .stream_as(&project, &read.tables, &read.sql, request.format)
        .await
        .map_err(|e| match e {
            WarehouseError::Query(m) => {
                ServiceError::Conflict(format!("the report's query does not run: {m}"))
            }
            other => other.into(),
        })?;
    let stale: Vec<String> = cached.into_iter().map(|o| o.key).collect();
    Ok(ReportData {
        content_type: request.format.content_type(),
        cache: CacheStatus::Miss,
        body: ReportBody::Streamed(encode(rows, request.format, objects, cache_key, stale)),
    })
}

/// The state of a streamed result.
struct Encoding {
    rows: Box<dyn RowStream>,
    encoder: RowEncoder,
    started: bool,
    done: bool,
    /// The result so far, while it fits the cache.
    kept: Option<Vec<u8>>,
    objects: std::sync::Arc<dyn ObjectStore>,
    cache_key: String,
    /// The report's cached results of before, removed once this one is kept.
    stale: Vec<String>,
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Encoding {
    /// The next chunk of the body; `None` after the last.
    async fn next(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if self.done {
            return None;
        }
        let mut chunk = Vec::with_capacity(1 << 16);
        if !self.started {
            self.started = true;
            if let Err(e) = self.encoder.start(&mut chunk) {
                self.done = true;
                return Some(Err(e));
            }
        }
        match self.rows.write_next(&mut self.encoder, &mut chunk).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                self.done = true;
                if let Err(e) = self.encoder.finish(&mut chunk) {
                    return Some(Err(e));
                }
            }
            Err(e) => {
                // The body is cut short: a reader sees a broken transfer, never
                // a short result that looks whole.
                tracing::warn!(error = %e, "The report's data stopped midway.");
                self.done = true;
                return Some(Err(io_error(e)));
            }
        }
        if let Some(kept) = &mut self.kept {
            if kept.len() + chunk.len() > CACHE_MAX_BYTES {
                self.kept = None;
            } else {
                kept.extend_from_slice(&chunk);
            }
        }
        if self.done {
            self.keep().await;
        }
        Some(Ok(Bytes::from(chunk)))
    }

    /// Stores the whole result in the cache and drops the report's older ones;
    /// a failure only costs the next reader a query.
    async fn keep(&mut self) {
        let Some(kept) = self.kept.take() else {
            return;
        };
        if let Err(e) = self.objects.put(&self.cache_key, kept).await {
            tracing::warn!(error = %e, "Could not cache the report's data.");
            return;
        }
        for key in self.stale.drain(..).filter(|k| *k != self.cache_key) {
            if let Err(e) = self.objects.delete(&key).await {
                tracing::warn!(error = %e, "Could not remove a stale cached result.");
            }
        }
    }
}

fn encode(
    rows: Box<dyn RowStream>,
    format: RowFormat,
    objects: std::sync::Arc<dyn ObjectStore>,
    cache_key: String,
    stale: Vec<String>,
) -> ByteStream {
    let encoder = RowEncoder::new(format, rows.columns());
    let state = Encoding {
        rows,
        encoder,
        started: false,
        done: false,
        kept: Some(Vec::new()),
        objects,
        cache_key,
        stale,
    };
    Box::pin(futures_util::stream::unfold(state, |mut s| async move {
        s.next().await.map(|chunk| (chunk, s))
    }))
}
