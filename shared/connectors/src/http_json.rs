//! `http_json`: records from any JSON REST API.
//!
//! A stream is a path under `base_url`, with `{cursor}`, `{from}` and `{to}` filled in
//! from the saved cursor and the backfill window. A step requests pages one after
//! another — numbered, by offset, by a cursor found in the response, or by the
//! `Link: <…>; rel="next"` header — and cuts their records into NDJSON chunks. The
//! continuation names the request of the page reading stands in and how many of its
//! records earlier steps emitted, so a step that stops mid-page resumes at the exact
//! record, and a redelivered step asks for the same pages again.
//!
//! The credential goes only to `base_url`'s host (cross-host redirects and next-page
//! links are refused) and never reaches an error, a log line or a `Debug` print:
//! response bodies quoted in errors are cut short with the credential masked.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, LINK, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sluice_domain::pipeline::ChunkFormat;
use tracing::{debug, warn};

use crate::rest::http::{
    BODY_EXCERPT_CHARS, Redactor, backoff, error_chain, excerpt, next_link, percent_encode,
    retry_after,
};
use crate::{
    Budget, ConnectorError, Extractor, Probe, RawChunk, StepOutput, StreamRequest, config_str,
};
use sluice_domain::discovery::{DiscoveredStream, SourceTest};
use sluice_domain::ports::ConnectionCheck;

/// How long a connection test waits for `base_url` to answer.
const TEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Time allowed for one request, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_RETRIES_CAP: u64 = 20;

/// The `http_json` extractor; one HTTP client shared by every step.
pub struct HttpJson {
    client: Client,
    egress: sluice_domain::net::Egress,
}

impl HttpJson {
    /// Requests go only where `egress` allows.
    pub fn new(egress: &sluice_domain::net::Egress) -> Self {
        let client = crate::rest::http::api_client(egress, REQUEST_TIMEOUT);
        HttpJson {
            client,
            egress: egress.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pagination {
    None,
    Page,
    Offset,
    Cursor,
    LinkHeader,
}

/// A dotted JSON path (`$`, `$.data.items`, `meta.next`); a numeric segment indexes
/// an array.
#[derive(Debug, Clone, PartialEq, Eq)]
struct JsonPath {
    text: String,
    segments: Vec<String>,
}

impl JsonPath {
    fn parse(field: &str, text: &str) -> Result<JsonPath, ConnectorError> {
        let text = text.trim();
        let bad = |why: &str| {
            ConnectorError::config(
                field,
                format!("`{text}` {why}; write a dotted path such as `$` or `$.data.items`"),
            )
        };
        if text.contains(['[', ']', '*', ' ']) {
            return Err(bad("is not a supported path"));
        }
        let rest = match text.strip_prefix('$') {
            Some("") => {
                return Ok(JsonPath {
                    text: "$".into(),
                    segments: vec![],
                });
            }
            Some(rest) => rest
                .strip_prefix('.')
                .ok_or_else(|| bad("must continue with `.` after `$`"))?,
            None if text.is_empty() => return Err(bad("is empty")),
            None => text,
        };
        let segments: Vec<String> = rest.split('.').map(str::to_string).collect();
        if segments.iter().any(String::is_empty) {
            return Err(bad("has an empty segment"));
        }
        Ok(JsonPath {
            text: text.to_string(),
            segments,
        })
    }

    fn select<'v>(&self, mut v: &'v Value) -> Option<&'v Value> {
        for s in &self.segments {
            v = match v {
                Value::Object(o) => o.get(s)?,
                Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

struct Settings {
    base_url: String,
    headers: HeaderMap,
    redactor: Redactor,
    pagination: Pagination,
    page_size: u64,
    page_param: String,
    size_param: String,
    offset_param: String,
    cursor_param: String,
    start_page: u64,
    records_path: JsonPath,
    cursor_path: Option<JsonPath>,
    cursor_field: Option<JsonPath>,
    max_retries: u32,
}

fn config_u64(config: &Map<String, Value>, key: &str, default: u64) -> Result<u64, ConnectorError> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| ConnectorError::config(key, "must be a non-negative integer")),
    }
}

fn settings(config: &Map<String, Value>) -> Result<Settings, ConnectorError> {
    let base_url = config_str(config, "base_url", "").trim().to_string();
    if base_url.is_empty() {
        return Err(ConnectorError::config("base_url", "is required"));
    }
    match Url::parse(&base_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        Ok(_) => {
            return Err(ConnectorError::config(
                "base_url",
                "must be an http:// or https:// URL",
            ));
        }
        Err(e) => {
            return Err(ConnectorError::config(
                "base_url",
                format!("is not a valid URL: {e}"),
            ));
        }
    }
    let pagination = match config_str(config, "pagination", "none") {
        "none" => Pagination::None,
        "page" => Pagination::Page,
        "offset" => Pagination::Offset,
        "cursor" => Pagination::Cursor,
        "link_header" => Pagination::LinkHeader,
        other => {
            return Err(ConnectorError::config(
                "pagination",
                format!("`{other}` is not one of none, page, offset, cursor, link_header"),
            ));
        }
    };
    let page_size = config_u64(config, "page_size", 100)?;
    if page_size == 0 {
        return Err(ConnectorError::config("page_size", "must be at least 1"));
    }
    let param = |key: &str, default: &str| -> Result<String, ConnectorError> {
        let v = config_str(config, key, default).trim().to_string();
        if v.is_empty() && key != "size_param" {
            return Err(ConnectorError::config(key, "must not be empty"));
        }
        Ok(v)
    };
    let records_path = JsonPath::parse("records_path", config_str(config, "records_path", "$"))?;
    let cursor_path = match config_str(config, "cursor_path", "").trim() {
        "" if pagination == Pagination::Cursor => {
            return Err(ConnectorError::config(
                "cursor_path",
                "is required for `cursor` pagination (the JSON path to the next-page cursor)",
            ));
        }
        "" => None,
        p => Some(JsonPath::parse("cursor_path", p)?),
    };
    let cursor_field = match config_str(config, "cursor_field", "").trim() {
        "" => None,
        p => Some(JsonPath::parse("cursor_field", p)?),
    };
    let secret = config_str(config, "auth_value", "");
    let redactor = Redactor::new(secret);
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    match config.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => {
            for (name, value) in extra {
                let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    ConnectorError::config(
                        "headers",
                        format!("`{name}` is not a valid header name"),
                    )
                })?;
                let value = value
                    .as_str()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                    .ok_or_else(|| {
                        ConnectorError::config(
                            "headers",
                            format!("the value of `{name}` is not a valid header value"),
                        )
                    })?;
                headers.insert(header, value);
            }
        }
        Some(_) => {
            return Err(ConnectorError::config(
                "headers",
                "must be an object of string values",
            ));
        }
    }
    if !secret.trim().is_empty() {
        let name = config_str(config, "auth_header", "Authorization").trim();
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConnectorError::config(
                "auth_header",
                format!("`{name}` is not a valid header name"),
            )
        })?;
        // The value itself is never quoted: it is the secret.
        let mut value = HeaderValue::from_str(secret.trim())
            .map_err(|_| ConnectorError::config("auth_value", "is not a valid header value"))?;
        value.set_sensitive(true);
        headers.insert(header, value);
    }
    Ok(Settings {
        base_url,
        headers,
        redactor,
        pagination,
        page_size,
        page_param: param("page_param", "page")?,
        size_param: param("size_param", "per_page")?,
        offset_param: param("offset_param", "offset")?,
        cursor_param: param("cursor_param", "cursor")?,
        start_page: config_u64(config, "start_page", 1)?,
        records_path,
        cursor_path,
        cursor_field,
        max_retries: config_u64(config, "max_retries", 5)?.min(MAX_RETRIES_CAP) as u32,
    })
}

/// The request of one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Page {
    /// The stream's URL as is: the first page of `none`, `cursor` and `link_header`.
    First,
    Number(u64),
    Offset(u64),
    Cursor(String),
    /// A next-page link, absolute.
    Url(String),
}

/// Continuation: the page reading stands in, and the largest cursor value so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    page: Page,
    /// Records of `page` that earlier steps already emitted.
    #[serde(default)]
    skip: usize,
    /// Largest `cursor_field` value so far, seeded with the saved cursor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<Value>,
}

fn cursor_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Settings {
    /// `base_url` joined with the stream path, placeholders filled in.
    fn stream_url(&self, req: &StreamRequest<'_>) -> Result<Url, ConnectorError> {
        let cursor = req.cursor.map(cursor_text).unwrap_or_default();
        let (from, to) = req.window.map_or((String::new(), String::new()), |w| {
            (
                w.from.format("%Y-%m-%d").to_string(),
                w.to.format("%Y-%m-%d").to_string(),
            )
        });
        let path = req
            .stream
            .replace("{cursor}", &percent_encode(&cursor))
            .replace("{from}", &from)
            .replace("{to}", &to);
        let path = path.trim();
        let base = self.base_url.trim_end_matches('/');
        let joined = if path.is_empty() || path.starts_with('?') {
            format!("{base}{path}")
        } else {
            format!("{base}/{}", path.trim_start_matches('/'))
        };
        Url::parse(&joined).map_err(|e| {
            ConnectorError::config(
                "stream",
                self.redactor.redact(&format!(
                    "`{}` under base_url is not a valid URL: {e}",
                    req.stream
                )),
            )
        })
    }

    fn first_page(&self) -> Page {
        match self.pagination {
            Pagination::Page => Page::Number(self.start_page),
            Pagination::Offset => Page::Offset(0),
            Pagination::None | Pagination::Cursor | Pagination::LinkHeader => Page::First,
        }
    }

    fn url_for(&self, stream_url: &Url, page: &Page) -> Result<Url, ConnectorError> {
        let mut url = stream_url.clone();
        match page {
            Page::First => {}
            Page::Number(n) => {
                let mut q = url.query_pairs_mut();
                q.append_pair(&self.page_param, &n.to_string());
                if !self.size_param.is_empty() {
                    q.append_pair(&self.size_param, &self.page_size.to_string());
                }
            }
            Page::Offset(k) => {
                let mut q = url.query_pairs_mut();
                q.append_pair(&self.offset_param, &k.to_string());
                if !self.size_param.is_empty() {
                    q.append_pair(&self.size_param, &self.page_size.to_string());
                }
            }
            Page::Cursor(token) => {
                url.query_pairs_mut().append_pair(&self.cursor_param, token);
            }
            Page::Url(link) => {
                url = Url::parse(link).map_err(|e| {
                    ConnectorError::upstream(format!("bad continuation link: {e}"), false)
                })?;
            }
        }
        Ok(url)
    }

    /// The page after `page`, or `None` at the end of the stream.
    fn next_page(
        &self,
        page: &Page,
        url: &Url,
        fetched: &Fetched,
        records: usize,
    ) -> Result<Option<Page>, ConnectorError> {
        let short = records == 0 || (records as u64) < self.page_size;
        let next = match (self.pagination, page) {
            (Pagination::None, _) => None,
            (Pagination::Page, Page::Number(n)) => (!short).then(|| Page::Number(n + 1)),
            (Pagination::Offset, Page::Offset(k)) => {
                (!short).then(|| Page::Offset(k + records as u64))
            }
            (Pagination::Cursor, Page::First | Page::Cursor(_)) => {
                let token = self
                    .cursor_path
                    .as_ref()
                    .and_then(|p| p.select(&fetched.body))
                    .map(cursor_text)
                    .filter(|t| !t.is_empty());
                match (token, page) {
                    // The same cursor again would loop forever.
                    (Some(t), Page::Cursor(current)) if &t == current => None,
                    (Some(t), _) => Some(Page::Cursor(t)),
                    (None, _) => None,
                }
            }
            (Pagination::LinkHeader, Page::First | Page::Url(_)) => match &fetched.next_link {
                None => None,
                Some(link) => {
                    let next = url.join(link).map_err(|e| {
                        ConnectorError::upstream(
                            format!(
                                "{} sent a next-page link that is not a URL: {e}",
                                self.show(url)
                            ),
                            false,
                        )
                    })?;
                    if next.origin() != url.origin() {
                        return Err(ConnectorError::upstream(
                            format!(
                                "{} sent a next-page link to another host ({}); the credential is only sent to base_url's host",
                                self.show(url),
                                next.host_str().unwrap_or("?"),
                            ),
                            false,
                        ));
                    }
                    (next != *url).then(|| Page::Url(next.to_string()))
                }
            },
            (style, page) => {
                return Err(ConnectorError::upstream(
                    format!(
                        "the continuation ({page:?}) does not fit pagination `{style:?}`; the source's config changed during the run, start it again"
                    ),
                    false,
                ));
            }
        };
        Ok(next)
    }

    /// A URL fit for an error or a log.
    fn show(&self, url: &Url) -> String {
        crate::rest::http::shown_url(url, &self.redactor)
    }
}

/// One page's response.
struct Fetched {
    body: Value,
    next_link: Option<String>,
}

impl HttpJson {
    async fn fetch(&self, s: &Settings, url: &Url) -> Result<Fetched, ConnectorError> {
        let shown = s.show(url);
        // Where the request may go: refused for good, never retried.
        let refused = |why: String| {
            ConnectorError::upstream(
                s.redactor
                    .redact(&format!("{shown} is out of reach: {why}")),
                false,
            )
        };
        crate::egress::check_url(&self.egress, url).map_err(|e| refused(e.0))?;
        let mut attempt = 0u32;
        loop {
            let sent = self
                .client
                .get(url.clone())
                .headers(s.headers.clone())
                .send()
                .await;
            let (reason, asked_wait) = match sent {
                Ok(resp) if resp.status().is_success() => {
                    let link = next_link(
                        resp.headers()
                            .get_all(LINK)
                            .iter()
                            .filter_map(|v| v.to_str().ok()),
                    );
                    match resp.bytes().await {
                        Ok(bytes) => {
                            let body = serde_json::from_slice(&bytes).map_err(|e| {
                                ConnectorError::upstream(
                                    s.redactor.redact(&format!(
                                        "the response from {shown} is not valid JSON: {e}"
                                    )),
                                    false,
                                )
                            })?;
                            return Ok(Fetched {
                                body,
                                next_link: link,
                            });
                        }
                        Err(e) => (
                            format!(
                                "reading the response from {shown} failed: {}",
                                error_chain(&e.without_url())
                            ),
                            None,
                        ),
                    }
                }
                Ok(resp)
                    if resp.status() == StatusCode::TOO_MANY_REQUESTS
                        || resp.status() == StatusCode::REQUEST_TIMEOUT
                        || resp.status().is_server_error() =>
                {
                    let wait = resp
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry_after(v, chrono::Utc::now()));
                    (format!("{shown} answered {}", resp.status()), wait)
                }
                Ok(resp) => return Err(self.refusal(s, &shown, resp).await),
                Err(e) if crate::egress::refused_by_policy(&e).is_some() => {
                    return Err(refused(
                        crate::egress::refused_by_policy(&e).unwrap_or_default(),
                    ));
                }
                Err(e) => (
                    format!(
                        "the request to {shown} failed: {}",
                        error_chain(&e.without_url())
                    ),
                    None,
                ),
            };
            let reason = s.redactor.redact(&reason);
            if attempt >= s.max_retries {
                return Err(ConnectorError::upstream(
                    format!("{reason} (gave up after {attempt} retries)"),
                    true,
                ));
            }
            let wait = asked_wait.unwrap_or_else(|| backoff(attempt));
            attempt += 1;
            warn!(url = %shown, attempt, wait_ms = wait.as_millis() as u64, reason = %reason, "Request failed; retrying.");
            tokio::time::sleep(wait).await;
        }
    }

    /// The error for a response that retrying will not change (4xx, a redirect
    /// that was not followed), with a short, masked excerpt of its body.
    async fn refusal(
        &self,
        s: &Settings,
        shown: &str,
        mut resp: reqwest::Response,
    ) -> ConnectorError {
        let status = resp.status();
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| resp.url().join(l).ok())
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "?".into());
            return ConnectorError::upstream(
                format!(
                    "{shown} redirected to another host ({to}); the credential is only sent to base_url's host"
                ),
                false,
            );
        }
        // Enough of the body for an excerpt; never the whole of a large one.
        let cap = 4096 + s.redactor.longest();
        let mut body = Vec::new();
        let mut complete = false;
        while body.len() < cap {
            match resp.chunk().await {
                Ok(Some(c)) => body.extend_from_slice(&c),
                Ok(None) => {
                    complete = true;
                    break;
                }
                Err(_) => break,
            }
        }
        if !complete {
            // A credential cut in half at the end would escape the mask.
            body.truncate(body.len().min(cap).saturating_sub(s.redactor.longest()));
        }
        let text = s.redactor.redact(&String::from_utf8_lossy(&body));
        let text = excerpt(&text, BODY_EXCERPT_CHARS);
        let hint = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                "; check auth_header and auth_value"
            }
            StatusCode::NOT_FOUND => "; check base_url and the stream path",
            _ => "",
        };
        let body = if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        };
        ConnectorError::upstream(format!("{shown} answered {status}{hint}{body}"), false)
    }
}

/// A step's output; `next` is `None` at the end of the stream.
fn output(chunks: Vec<RawChunk>, pos: Position, next: bool) -> StepOutput {
    StepOutput {
        chunks,
        cursor: pos.max.clone(),
        next: next.then(|| serde_json::to_value(pos).ok()).flatten(),
        ..Default::default()
    }
}

/// Records waiting for a chunk.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    rows: u64,
}

impl Pending {
    fn push(&mut self, record: &Value) {
        self.bytes.extend_from_slice(record.to_string().as_bytes());
        self.bytes.push(b'\n');
        self.rows += 1;
    }

    fn take(&mut self) -> Option<RawChunk> {
        (self.rows > 0).then(|| {
            let chunk = RawChunk {
                format: ChunkFormat::Ndjson,
                bytes: std::mem::take(&mut self.bytes),
                batch: None,
                rows: self.rows,
                errors: vec![],
            };
            self.rows = 0;
            chunk
        })
    }
}

#[async_trait]
impl Extractor for HttpJson {
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Value>,
        budget: Budget,
    ) -> Result<StepOutput, ConnectorError> {
        let s = settings(req.config)?;
        let stream_url = s.stream_url(req)?;
        let mut pos = match position {
            Some(p) => serde_json::from_value::<Position>(p.clone())
                .map_err(|e| ConnectorError::upstream(format!("bad continuation: {e}"), false))?,
            None => Position {
                page: s.first_page(),
                skip: 0,
                max: s.cursor_field.as_ref().and(req.cursor).cloned(),
            },
        };
        let batch = req.batch_size.max(1) as u64;
        let mut chunks = vec![];
        let mut pending = Pending::default();
        loop {
            let url = s.url_for(&stream_url, &pos.page)?;
            let fetched = self.fetch(&s, &url).await?;
            let records = match s.records_path.select(&fetched.body) {
                Some(Value::Array(records)) => records,
                Some(other) => {
                    let kind = match other {
                        Value::Null => "null",
                        Value::Bool(_) => "a boolean",
                        Value::Number(_) => "a number",
                        Value::String(_) => "a string",
                        Value::Object(_) => "an object",
                        Value::Array(_) => "an array",
                    };
                    return Err(ConnectorError::upstream(
                        format!(
                            "records_path `{}` is {kind} in the response from {}, not an array of records",
                            s.records_path.text,
                            s.show(&url)
                        ),
                        false,
                    ));
                }
                None => {
                    return Err(ConnectorError::upstream(
                        format!(
                            "the response from {} has nothing at records_path `{}`",
                            s.show(&url),
                            s.records_path.text
                        ),
                        false,
                    ));
                }
            };
            let next = s.next_page(&pos.page, &url, &fetched, records.len())?;
            debug!(url = %s.show(&url), records = records.len(), skipped = pos.skip, "Page fetched.");
            for (i, record) in records.iter().enumerate().skip(pos.skip) {
                if let Some(value) = s.cursor_field.as_ref().and_then(|f| f.select(record))
                    && !value.is_null()
                    && pos.max.as_ref().is_none_or(|m| crate::newer(m, value))
                {
                    pos.max = Some(value.clone());
                }
                pending.push(record);
                if pending.rows >= batch {
                    chunks.extend(pending.take());
                    if i + 1 < records.len() && budget.spent(chunks.len()) {
                        pos.skip = i + 1;
                        return Ok(output(chunks, pos, true));
                    }
                }
            }
            let Some(next) = next else {
                chunks.extend(pending.take());
                return Ok(output(chunks, pos, false));
            };
            pos.page = next;
            pos.skip = 0;
            if budget.spent(chunks.len()) {
                chunks.extend(pending.take());
                return Ok(output(chunks, pos, true));
            }
        }
    }

    /// Reachable and authorized: one request to `base_url` with the source's
    /// headers and credential. An API root may answer 404 and still be there;
    /// 401 and 403 are a refused credential. Streams are paths under it, read
    /// by a preview or by discovery of a named stream.
    async fn test(&self, probe: &Probe<'_>) -> SourceTest {
        let s = match settings(probe.config) {
            Ok(s) => s,
            Err(e) => return SourceTest::failed_at("reachable", &e.to_string()),
        };
        let url = match Url::parse(&s.base_url) {
            Ok(u) => u,
            Err(_) => return SourceTest::failed_at("reachable", "base_url does not parse"),
        };
        let shown = s.show(&url);
        if let Err(e) = crate::egress::check_url(&self.egress, &url) {
            return SourceTest::failed_at(
                "reachable",
                &format!("{shown} is out of reach: {}", e.0),
            );
        }
        let sent = self
            .client
            .get(url)
            .headers(s.headers.clone())
            .timeout(TEST_TIMEOUT)
            .send()
            .await;
        let status = match sent {
            Ok(r) => r.status(),
            Err(e) => {
                let why = crate::egress::refused_by_policy(&e)
                    .unwrap_or_else(|| error_chain(&e.without_url()));
                return SourceTest::failed_at(
                    "reachable",
                    &s.redactor.redact(&format!("{shown} did not answer: {why}")),
                );
            }
        };
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return SourceTest::failed_at(
                "authorized",
                &format!("{shown} answered {status}; check auth_header and auth_value"),
            );
        }
        SourceTest::of(vec![
            ConnectionCheck::passed("reachable", Some(format!("{shown} answered {status}"))),
            ConnectionCheck::passed(
                "authorized",
                Some(if config_str(probe.config, "auth_value", "").is_empty() {
                    "no credential is sent".to_string()
                } else {
                    "the credential was not refused".to_string()
                }),
            ),
        ])
    }

    /// The streams are paths the user names: none to offer.
    async fn streams(
        &self,
        _: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_select_nested_fields_and_array_items() {
        let v: Value = serde_json::json!({"data": {"items": [1, 2]}, "list": [{"x": 7}]});
        let p = JsonPath::parse("records_path", "$.data.items").expect("valid");
        assert_eq!(p.select(&v), Some(&serde_json::json!([1, 2])));
        let root = JsonPath::parse("records_path", "$").expect("valid");
        assert_eq!(root.select(&v), Some(&v));
        let bare = JsonPath::parse("cursor_field", "list.0.x").expect("valid");
        assert_eq!(bare.select(&v), Some(&serde_json::json!(7)));
        assert!(JsonPath::parse("records_path", "$data").is_err());
        assert!(JsonPath::parse("records_path", "$.a..b").is_err());
        assert!(JsonPath::parse("records_path", "$.a[0]").is_err());
    }

    #[test]
    fn numbers_compare_by_value_and_strings_by_text() {
        use serde_json::json;
        assert!(crate::newer(&json!(9), &json!(10)));
        assert!(crate::newer(&json!(1.5), &json!(2)));
        assert!(!crate::newer(&json!("2024-02-01"), &json!("2024-01-31")));
        assert!(crate::newer(
            &json!("2024-01-31T23:00:00Z"),
            &json!("2024-02-01T00:00:00Z")
        ));
        assert!(!crate::newer(&json!("10"), &json!(11)));
    }

    #[test]
    fn shown_urls_mask_credentials_in_user_info_and_query() {
        let config = serde_json::json!({"base_url": "https://api.test", "auth_value": "k-123456"});
        let s = settings(config.as_object().expect("an object")).expect("valid");
        let url =
            Url::parse("https://u:p@api.test/x?api_key=abc&page=2&q=k-123456").expect("valid");
        let shown = s.show(&url);
        assert!(
            !shown.contains("abc") && !shown.contains("k-123456") && !shown.contains("u:p"),
            "{shown}"
        );
        assert!(shown.contains("page=2"), "{shown}");
    }
}
