//! The REST connector kit's extraction: one extractor, [`Declared`], reads
//! every connector declared in `sluice_domain::connectors::rest` from its
//! declaration.
//!
//! A step reads a stream's requests in order: each value of its fan-out list
//! (`repositories`), each date slice of its window, each page; every record
//! becomes one flat row of the declared columns (some records several rows:
//! a day's rates), cut into NDJSON chunks. The continuation names the value,
//! the slice, the page and how many of its records earlier steps emitted, so
//! a step that stops mid-page resumes at the exact record and a redelivered
//! step asks for the same pages again.
//!
//! Every request is paced to the source's `requests_per_minute` (in this
//! process) and held back while the API's rate-limit headers say the window
//! is spent. 429, 5xx and timeouts are retried with backoff, honouring
//! `Retry-After`; a wait longer than the step may take ends the step, and the
//! next one is sent that much later. Every wait, and every renewed token, is a
//! line of the step's log, which the run keeps.

pub mod auth;
pub mod http;
mod pace;

use std::borrow::Cow;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use reqwest::header::{ACCEPT, HeaderValue, LINK, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sluice_domain::connectors::rest::{
    Incremental, Paging, Param, RestConnector, Slices, Stream, row_of, select,
};
use sluice_domain::discovery::{DiscoveredField, DiscoveredStream, FoundBy, SourceTest};
use sluice_domain::entities::CastType;
use sluice_domain::pipeline::ChunkFormat;
use sluice_domain::ports::ConnectionCheck;

use self::auth::Signer;
use self::http::{BODY_EXCERPT_CHARS, RETRY_AFTER_CAP, backoff, error_chain, excerpt, next_link};
use crate::{
    Budget, ConnectorError, Credentials, Extractor, Probe, RawChunk, StepOutput, StreamRequest,
    config_str,
};

/// Time allowed for one request, body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Retries of one request on 429, 5xx and timeouts before the step fails.
const MAX_RETRIES: u32 = 5;
/// How long a connection test waits for its request.
const TEST_TIME: Duration = Duration::from_secs(20);
/// Retries of a connection test's request: it says what happened, quickly.
const TEST_RETRIES: u32 = 1;

/// The extractor of a declared connector; one HTTP client for every step.
pub struct Declared {
    decl: &'static RestConnector,
    client: Client,
    egress: sluice_domain::net::Egress,
}

impl Declared {
    /// Requests go only where `egress` allows.
    pub fn new(decl: &'static RestConnector, egress: &sluice_domain::net::Egress) -> Declared {
        Declared {
            decl,
            client: http::api_client(egress, REQUEST_TIMEOUT),
            egress: egress.clone(),
        }
    }
}

/// The request of one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Page {
    First,
    Number(u64),
    Offset(u64),
    Token(String),
    /// A next-page link, absolute.
    Url(String),
}

/// The continuation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    /// The day the run started on, so a run that crosses midnight reads one
    /// window.
    today: NaiveDate,
    /// Index into the fan-out list.
    each: usize,
    /// The current value's window: its first and last day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<(NaiveDate, NaiveDate)>,
    /// The first day of the current slice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slice: Option<NaiveDate>,
    page: Page,
    /// Records of `page` that earlier steps emitted.
    #[serde(default)]
    skip: usize,
    /// The largest cursor value read, per fan-out value (`""` without one).
    #[serde(default)]
    max: Map<String, Value>,
}

/// What the requests of one step share.
struct Call<'a> {
    signer: Signer,
    /// What the source's rate budget is kept under.
    source: String,
    per_minute: u64,
    credentials: Option<&'a dyn Credentials>,
    rate_headers: Option<sluice_domain::connectors::rest::RateHeaders>,
    log: Vec<String>,
    /// Time spent keeping to the budget, and over how many requests.
    paced: Duration,
    requests: u32,
    /// Retries of one request before it fails.
    max_retries: u32,
}

/// One page's response, or how long to wait before asking for it.
enum Fetched {
    Page {
        body: Value,
        next_link: Option<String>,
    },
    Later(Duration),
}

/// A failed request and the connection check it fails.
struct Failed {
    check: &'static str,
    error: ConnectorError,
}

impl From<Failed> for ConnectorError {
    fn from(f: Failed) -> ConnectorError {
        f.error
    }
}

fn config_error(e: sluice_domain::DomainError) -> ConnectorError {
    match e {
        sluice_domain::DomainError::Validation { field, reason } => {
            ConnectorError::config(field.0.strip_prefix("config.").unwrap_or(&field.0), reason)
        }
        other => ConnectorError::config("config", other.to_string()),
    }
}

impl Declared {
    fn stream(&self, name: &str) -> Result<&'static Stream, ConnectorError> {
        self.decl.stream(name).ok_or_else(|| {
            let names: Vec<&str> = self.decl.streams.iter().map(|s| s.name).collect();
            ConnectorError::config(
                "streams.name",
                format!(
                    "{} has no stream `{name}`; it has {}",
                    self.decl.title,
                    names.join(", ")
                ),
            )
        })
    }

    fn base_url(&self, config: &Map<String, Value>) -> Result<Url, ConnectorError> {
        let text = config_str(config, "base_url", self.decl.base_url).trim();
        match Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
            _ => Err(ConnectorError::config(
                "base_url",
                "must be an https:// URL",
            )),
        }
    }

    /// The fan-out values of `stream` (one `None` when it has no fan-out).
    fn values(
        &self,
        stream: &Stream,
        config: &Map<String, Value>,
    ) -> Result<Vec<Option<String>>, ConnectorError> {
        let Some(field) = stream.each else {
            return Ok(vec![None]);
        };
        let list: Vec<Option<String>> = config
            .get(field)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| Some(s.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        if list.is_empty() {
            return Err(ConnectorError::config(field, "must name at least one"));
        }
        Ok(list)
    }

    fn call<'a>(
        &self,
        config: &Map<String, Value>,
        credentials: Option<&'a dyn Credentials>,
    ) -> Result<Call<'a>, ConnectorError> {
        self.decl.check(config, true).map_err(config_error)?;
        let signer = Signer::new(self.decl, config)?;
        let per_minute = config
            .get("requests_per_minute")
            .and_then(Value::as_u64)
            .unwrap_or(self.decl.requests_per_minute);
        let source = match credentials {
            Some(c) => c.source().to_string(),
            None => format!("{}\u{0}{}", self.decl.name, self.base_url(config)?),
        };
        Ok(Call {
            signer,
            source,
            per_minute,
            credentials,
            rate_headers: self.decl.rate_headers,
            log: vec![],
            paced: Duration::ZERO,
            requests: 0,
            max_retries: MAX_RETRIES,
        })
    }
}

/// The saved cursor of fan-out value `each`: the stream's one, or its entry
/// in the object of one per value.
fn saved_for<'v>(
    saved: Option<&'v Value>,
    stream: &Stream,
    each: Option<&str>,
) -> Option<&'v Value> {
    match (stream.each, saved) {
        (Some(_), Some(Value::Object(per))) => per.get(each.unwrap_or_default()),
        (Some(_), _) => None,
        (None, s) => s.filter(|v| !v.is_null()),
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `cursor` moved back by `lookback`, written in `format`: a time (kept in
/// its offset), or a day; as it was when it is neither.
fn moved_back(cursor: &str, lookback: Duration, format: &str) -> String {
    // RFC 3339, or an offset without its colon (Jira's `…T10:30:00.000+0000`).
    let time = chrono::DateTime::parse_from_rfc3339(cursor)
        .or_else(|_| chrono::DateTime::parse_from_str(cursor, "%Y-%m-%dT%H:%M:%S%.f%z"));
    if let Ok(t) = time {
        // In the cursor's own offset: an API that writes times in its user's
        // zone (Jira) reads them in that zone too.
        let back = t - chrono::Duration::from_std(lookback).unwrap_or_default();
        return back.format(format).to_string();
    }
    if let Ok(d) = NaiveDate::parse_from_str(cursor.get(..10).unwrap_or(cursor), "%Y-%m-%d") {
        let back = d - chrono::Days::new(lookback.as_secs() / 86_400);
        return back
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().format(format).to_string())
            .unwrap_or_else(|| cursor.to_string());
    }
    cursor.to_string()
}

/// A string config field's value, or its declared default (a source saved
/// before the field was declared has none stored).
fn configured(decl: &RestConnector, config: &Map<String, Value>, field: &str) -> String {
    match config.get(field).and_then(Value::as_str) {
        Some(v) => v.trim().to_string(),
        None => (decl.fields)()
            .into_iter()
            .find(|f| f.name == field)
            .and_then(|f| f.default)
            .and_then(|d| d.as_str().map(str::to_string))
            .unwrap_or_default(),
    }
}

/// Percent-encoded, `/` kept (a fan-out value `owner/repo` is two segments).
fn path_value(s: &str) -> String {
    http::percent_encode(s).replace("%2F", "/")
}

struct StepCtx<'r> {
    req: &'r StreamRequest<'r>,
    stream: &'static Stream,
    values: Vec<Option<String>>,
    base: Url,
    page_size: Option<(&'static str, u64)>,
}

impl StepCtx<'_> {
    fn each(&self, pos: &Position) -> Option<&str> {
        self.values.get(pos.each).and_then(|v| v.as_deref())
    }

    fn saved(&self, pos: &Position) -> Option<&Value> {
        if self.req.window.is_some() {
            return None;
        }
        saved_for(self.req.cursor, self.stream, self.each(pos))
    }

    /// Whether the stream's requests name days.
    fn dated(&self) -> bool {
        self.stream.slices != Slices::Whole
            || self
                .stream
                .params
                .iter()
                .any(|(_, p)| matches!(p, Param::From | Param::To))
    }

    /// The window of the current fan-out value: a backfill's; from the day
    /// after the cursor (less the look-back) or `start_date`, to today and
    /// the connector's horizon (a year's end when read by years).
    fn window(
        &self,
        decl: &RestConnector,
        pos: &Position,
    ) -> Result<(NaiveDate, NaiveDate), ConnectorError> {
        if let Some(w) = self.req.window {
            return Ok((w.from, w.to));
        }
        let start = || {
            let text = config_str(self.req.config, "start_date", "");
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                ConnectorError::config("start_date", "is required: the first day a run reads")
            })
        };
        let from = match (self.stream.incremental, self.saved(pos)) {
            (Incremental::Cursor, Some(c)) => {
                let text = text_of(c);
                match NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d") {
                    Ok(d) => {
                        d + chrono::Days::new(1)
                            - chrono::Days::new(self.req.lookback.as_secs() / 86_400)
                    }
                    Err(_) => start()?,
                }
            }
            _ => start()?,
        };
        let mut to = pos.today + chrono::Days::new(u64::from(decl.horizon_days));
        if self.stream.slices == Slices::Years {
            to = NaiveDate::from_ymd_opt(to.year(), 12, 31).unwrap_or(to);
        }
        Ok((from, to))
    }

    /// The current slice's first and last day.
    fn slice(&self, pos: &Position) -> Option<(NaiveDate, NaiveDate)> {
        let (from, to) = pos.window?;
        let first = pos.slice.unwrap_or(from);
        let last = match self.stream.slices {
            Slices::Whole => to,
            Slices::Days => first,
            Slices::Years => NaiveDate::from_ymd_opt(first.year(), 12, 31)
                .unwrap_or(to)
                .min(to),
        };
        Some((first, last))
    }

    /// The first day of the slice after the current one, inside the window.
    fn next_slice(&self, pos: &Position) -> Option<NaiveDate> {
        let (_, to) = pos.window?;
        let (_, last) = self.slice(pos)?;
        if self.stream.slices == Slices::Whole {
            return None;
        }
        let next = last + chrono::Days::new(1);
        (next <= to).then_some(next)
    }

    /// The values a request and its rows are made with: `each`, `date`.
    fn request_values(&self, pos: &Position) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(e) = self.each(pos) {
            m.insert("each".into(), Value::String(e.to_string()));
        }
        if let Some((first, _)) = self.slice(pos) {
            m.insert(
                "date".into(),
                Value::String(first.format("%Y-%m-%d").to_string()),
            );
        }
        m
    }

    /// What `Param::Since` sends: a backfill's first day, or the saved cursor
    /// less the look-back, as the API writes times; nothing on a first run.
    fn since(&self, decl: &RestConnector, pos: &Position) -> Option<String> {
        match (self.req.window, self.saved(pos)) {
            (Some(w), _) => w
                .from
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().format(decl.since_format).to_string()),
            (None, Some(c)) => Some(moved_back(
                &text_of(c),
                self.req.lookback,
                decl.since_format,
            )),
            (None, None) => None,
        }
    }

    /// The URL of `pos`'s page.
    fn url(&self, decl: &RestConnector, pos: &Position) -> Result<Url, ConnectorError> {
        if let Page::Url(link) = &pos.page {
            return Url::parse(link).map_err(|e| {
                ConnectorError::upstream(format!("bad continuation link: {e}"), false)
            });
        }
        let mut path = self.stream.path.to_string();
        if let Some(e) = self.each(pos) {
            path = path.replace("{each}", &path_value(e));
        }
        let slice = self.slice(pos);
        if let Some((first, _)) = slice {
            path = path.replace("{date}", &first.format("%Y-%m-%d").to_string());
        }
        let base = self.base.as_str().trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}{path}"))
            .map_err(|e| ConnectorError::config("base_url", format!("does not make a URL: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            for (name, p) in self.stream.params {
                let value: Option<String> = match p {
                    Param::Lit(v) => Some(v.to_string()),
                    Param::Config(f) => Some(configured(decl, self.req.config, f)),
                    Param::Each => self.each(pos).map(str::to_string),
                    Param::From => slice.map(|(f, _)| f.format("%Y-%m-%d").to_string()),
                    Param::To => slice.map(|(_, t)| t.format("%Y-%m-%d").to_string()),
                    Param::PageSize => self.page_size.map(|(_, n)| n.to_string()),
                    Param::Since => self.since(decl, pos),
                    Param::Build(build) => build(self.req.config, self.since(decl, pos).as_deref()),
                };
                if let Some(v) = value.filter(|v| !v.is_empty()) {
                    q.append_pair(name, &v);
                }
            }
            match (&self.stream.paging, &pos.page) {
                (Paging::Page { param, .. }, Page::Number(n)) => {
                    q.append_pair(param, &n.to_string());
                }
                (Paging::Offset { param, .. }, Page::Offset(k)) => {
                    q.append_pair(param, &k.to_string());
                }
                (Paging::Token { param, .. }, Page::Token(t)) => {
                    q.append_pair(param, t);
                }
                _ => {}
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        Ok(url)
    }

    fn first_page(&self) -> Page {
        match self.stream.paging {
            Paging::Page { start, .. } => Page::Number(start),
            Paging::Offset { .. } => Page::Offset(0),
            _ => Page::First,
        }
    }

    /// The page after `page`, or `None` at the end of its slice.
    fn next_page(
        &self,
        page: &Page,
        url: &Url,
        body: &Value,
        link: Option<&str>,
        records: usize,
    ) -> Result<Option<Page>, ConnectorError> {
        let size = self.page_size.map(|(_, n)| n as usize);
        let short = records == 0 || size.is_some_and(|n| records < n);
        Ok(match (self.stream.paging, page) {
            (Paging::None, _) => None,
            (Paging::Page { .. }, Page::Number(n)) => (!short).then(|| Page::Number(n + 1)),
            (Paging::Offset { last, .. }, Page::Offset(k)) => {
                let more = match last.and_then(|p| select(body, p)).and_then(Value::as_bool) {
                    Some(is_last) => !is_last && records > 0,
                    None => !short,
                };
                more.then(|| Page::Offset(k + records as u64))
            }
            (Paging::Token { path, .. }, Page::First | Page::Token(_)) => {
                let token = select(body, path)
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_string);
                match (token, page) {
                    (Some(t), Page::Token(current)) if &t == current => None,
                    (Some(t), _) if records > 0 => Some(Page::Token(t)),
                    _ => None,
                }
            }
            (Paging::Link, Page::First | Page::Url(_)) => match link {
                None => None,
                Some(link) => {
                    let next = url.join(link).map_err(|e| {
                        ConnectorError::upstream(
                            format!("a next-page link is not a URL: {e}"),
                            false,
                        )
                    })?;
                    if next.origin() != url.origin() {
                        return Err(ConnectorError::upstream(
                            format!(
                                "a next-page link leads to another host ({}); the credential is only sent to base_url's host",
                                next.host_str().unwrap_or("?")
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
                        "the continuation ({page:?}) does not fit paging {style:?}; start the run again"
                    ),
                    false,
                ));
            }
        })
    }

    /// On to the next slice, or the next fan-out value; `false` at the end.
    fn advance(&self, pos: &mut Position) -> bool {
        pos.page = self.first_page();
        pos.skip = 0;
        if let Some(next) = self.next_slice(pos) {
            pos.slice = Some(next);
            return true;
        }
        pos.each += 1;
        pos.window = None;
        pos.slice = None;
        pos.each < self.values.len()
    }
}

/// A URL fit for a log line or an error.
fn show(url: &Url, signer: &Signer) -> String {
    http::shown_url(url, &signer.redactor)
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

impl Declared {
    /// One page: paced to the budget, signed, retried on 429, 5xx and
    /// timeouts; `Later` when the wait is longer than `time_left`.
    async fn fetch(
        &self,
        call: &mut Call<'_>,
        url: &Url,
        time_left: Duration,
    ) -> Result<Fetched, Failed> {
        let shown = show(url, &call.signer);
        let fail = |check: &'static str, reason: String, retryable: bool| Failed {
            check,
            error: ConnectorError::upstream(reason, retryable),
        };
        crate::egress::check_url(&self.egress, url).map_err(|e| {
            fail(
                "reachable",
                format!("{shown} is out of reach: {}", e.0),
                false,
            )
        })?;
        let mut attempt = 0u32;
        let mut renewed = false;
        let started = Instant::now();
        loop {
            let left = time_left.saturating_sub(started.elapsed());
            match pace::reserve(&call.source, call.per_minute, left) {
                Ok(wait) => {
                    if !wait.is_zero() {
                        tokio::time::sleep(wait).await;
                        call.paced += wait;
                    }
                }
                Err(wait) => {
                    call.log.push(format!(
                        "The next request waits {} for the source's rate budget; the next step is sent then.",
                        secs(wait)
                    ));
                    return Ok(Fetched::Later(wait));
                }
            }
            call.requests += 1;
            let header = call
                .signer
                .header(
                    &self.client,
                    &self.egress,
                    &call.source,
                    call.credentials,
                    false,
                    &mut call.log,
                )
                .await
                .map_err(|error| Failed {
                    check: "authorized",
                    error,
                })?;
            let mut signed = url.clone();
            call.signer.sign_url(&mut signed);
            let mut request = self
                .client
                .get(signed)
                .header(ACCEPT, HeaderValue::from_static("application/json"));
            if let Some((name, value)) = header {
                request = request.header(name, value);
            }
            let sent = request.send().await;
            let (reason, asked) = match sent {
                Ok(resp) => {
                    let status = resp.status();
                    let spent_until = self.rate_headers(call, &resp);
                    if status.is_success() {
                        let link = next_link(
                            resp.headers()
                                .get_all(LINK)
                                .iter()
                                .filter_map(|v| v.to_str().ok()),
                        );
                        let bytes = resp.bytes().await.map_err(|e| {
                            fail(
                                "reachable",
                                call.signer.redactor.redact(&format!(
                                    "reading the response from {shown} failed: {}",
                                    error_chain(&e.without_url())
                                )),
                                true,
                            )
                        })?;
                        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
                            Value::Null
                        } else {
                            serde_json::from_slice(&bytes).map_err(|e| {
                                fail(
                                    "readable",
                                    format!("the response from {shown} is not valid JSON: {e}"),
                                    false,
                                )
                            })?
                        };
                        return Ok(Fetched::Page {
                            body,
                            next_link: link,
                        });
                    }
                    if status == StatusCode::UNAUTHORIZED && call.signer.uses_oauth() && !renewed {
                        // The token may have been revoked or expired early:
                        // renewed once, whatever its stated expiry.
                        renewed = true;
                        call.log
                            .push(format!("{shown} refused the access token; renewing it."));
                        call.signer
                            .header(
                                &self.client,
                                &self.egress,
                                &call.source,
                                call.credentials,
                                true,
                                &mut call.log,
                            )
                            .await
                            .map_err(|error| Failed {
                                check: "authorized",
                                error,
                            })?;
                        continue;
                    }
                    let throttled = status == StatusCode::TOO_MANY_REQUESTS
                        || status == StatusCode::REQUEST_TIMEOUT
                        || status.is_server_error()
                        || (status == StatusCode::FORBIDDEN && spent_until.is_some());
                    if !throttled {
                        return Err(self.refusal(call, &shown, resp).await);
                    }
                    let wait = resp
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(retry_after_uncapped)
                        .or(spent_until);
                    (format!("{shown} answered {status}"), wait)
                }
                Err(e) => {
                    if let Some(why) = crate::egress::refused_by_policy(&e) {
                        return Err(fail(
                            "reachable",
                            format!("{shown} is out of reach: {why}"),
                            false,
                        ));
                    }
                    (
                        call.signer.redactor.redact(&format!(
                            "the request to {shown} failed: {}",
                            error_chain(&e.without_url())
                        )),
                        None,
                    )
                }
            };
            if attempt >= call.max_retries {
                return Err(fail(
                    "reachable",
                    format!(
                        "{reason} (gave up after {attempt} {})",
                        if attempt == 1 { "retry" } else { "retries" }
                    ),
                    true,
                ));
            }
            let wait = asked.unwrap_or_else(|| backoff(attempt));
            let left = time_left.saturating_sub(started.elapsed());
            if wait > RETRY_AFTER_CAP || wait > left {
                call.log.push(format!(
                    "{reason}; the next step waits {} for it.",
                    secs(wait)
                ));
                return Ok(Fetched::Later(wait));
            }
            attempt += 1;
            call.log.push(format!(
                "{reason}; waited {} before retry {attempt}.",
                secs(wait)
            ));
            tracing::warn!(url = %shown, attempt, wait_ms = wait.as_millis() as u64, "Request throttled or failed; retrying.");
            tokio::time::sleep(wait).await;
        }
    }

    /// Reads the API's rate-limit headers: when none is left, no request of
    /// the source goes before the window resets. Returns how long that is.
    fn rate_headers(&self, call: &mut Call<'_>, resp: &reqwest::Response) -> Option<Duration> {
        let names = call.rate_headers?;
        let number = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        if number(names.remaining)? > 0 {
            return None;
        }
        let reset = number(names.reset)?;
        let wait = Duration::from_secs((reset - chrono::Utc::now().timestamp()).max(0) as u64)
            + Duration::from_secs(1);
        pace::hold_until(&call.source, Instant::now() + wait);
        call.log.push(format!(
            "The API's rate limit is spent; the next request waits {} for its reset.",
            secs(wait)
        ));
        Some(wait)
    }

    /// The error for a response that retrying will not change, with a short,
    /// masked excerpt of its body.
    async fn refusal(&self, call: &Call<'_>, shown: &str, resp: reqwest::Response) -> Failed {
        let status = resp.status();
        if status.is_redirection() {
            return Failed {
                check: "reachable",
                error: ConnectorError::upstream(
                    format!(
                        "{shown} redirected to another host; the credential is only sent to base_url's host"
                    ),
                    false,
                ),
            };
        }
        let body = resp.bytes().await.unwrap_or_default();
        let cut = body.len().min(4096);
        let text = call
            .signer
            .redactor
            .redact(&String::from_utf8_lossy(&body[..cut]));
        let text = excerpt(&text, BODY_EXCERPT_CHARS);
        let (check, hint) = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => (
                "authorized",
                format!(
                    "; check the source's credentials (auth `{}`)",
                    call.signer.kind().name()
                ),
            ),
            StatusCode::NOT_FOUND => (
                "readable",
                "; check base_url and the values the stream reads (the repository, the series, …)"
                    .to_string(),
            ),
            _ => ("readable", String::new()),
        };
        let body = if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        };
        Failed {
            check,
            error: ConnectorError::upstream(
                format!("{shown} answered {status}{hint}{body}"),
                false,
            ),
        }
    }
}

/// A `Retry-After` value, not capped: a long one ends the step instead.
fn retry_after_uncapped(value: &str) -> Option<Duration> {
    let value = value.trim();
    match value.parse::<u64>() {
        Ok(secs) => Some(Duration::from_secs(secs)),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            Some(
                (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO),
            )
        }
    }
}

/// The records of a response at the stream's path: an array's items, an
/// object as one record, nothing for null or a missing path.
fn records_of<'b>(
    body: &'b Value,
    stream: &Stream,
    shown: &str,
) -> Result<Cow<'b, [Value]>, ConnectorError> {
    match select(body, stream.records) {
        Some(Value::Array(a)) => Ok(Cow::Borrowed(a.as_slice())),
        Some(o @ Value::Object(_)) => Ok(Cow::Owned(vec![o.clone()])),
        None | Some(Value::Null) => Ok(Cow::Owned(vec![])),
        Some(_) => Err(ConnectorError::upstream(
            format!(
                "the response from {shown} has no records at `{}`",
                stream.records
            ),
            false,
        )),
    }
}

/// Whether cursor value `v` is at or before `floor` (both strings, or both
/// numbers; values of different kinds never are).
fn not_after(v: &Value, floor: &Value) -> bool {
    let same_kind = matches!(
        (v, floor),
        (Value::String(_), Value::String(_)) | (Value::Number(_), Value::Number(_))
    );
    same_kind && !crate::newer(floor, v)
}

/// Rows waiting for a chunk.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    rows: u64,
}

impl Pending {
    fn push(&mut self, row: &Map<String, Value>) {
        if serde_json::to_writer(&mut self.bytes, row).is_ok() {
            self.bytes.push(b'\n');
            self.rows += 1;
        }
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

impl Declared {
    fn output(
        &self,
        ctx: &StepCtx<'_>,
        call: &mut Call<'_>,
        chunks: Vec<RawChunk>,
        pos: Position,
        more: bool,
        wait: Option<Duration>,
    ) -> Result<StepOutput, ConnectorError> {
        if call.paced >= Duration::from_millis(1) {
            call.log.push(format!(
                "Kept to {} requests a minute: waited {} in all over {} requests.",
                call.per_minute,
                secs(call.paced),
                call.requests
            ));
        }
        let cursor = match (ctx.stream.cursor, ctx.req.window) {
            (None, _) | (_, Some(_)) => None,
            (Some(_), None) if ctx.stream.each.is_some() => {
                let mut per = match ctx.req.cursor {
                    Some(Value::Object(o)) => o.clone(),
                    _ => Map::new(),
                };
                per.extend(pos.max.clone());
                (!per.is_empty()).then_some(Value::Object(per))
            }
            (Some(_), None) => pos.max.get("").cloned().or_else(|| ctx.req.cursor.cloned()),
        };
        let next =
            if more {
                Some(serde_json::to_value(&pos).map_err(|e| {
                    ConnectorError::upstream(format!("the continuation: {e}"), false)
                })?)
            } else {
                None
            };
        Ok(StepOutput {
            chunks,
            next,
            cursor,
            wait,
            log: std::mem::take(&mut call.log),
        })
    }
}

#[async_trait]
impl Extractor for Declared {
    async fn step(
        &self,
        req: &StreamRequest<'_>,
        position: Option<&Value>,
        budget: Budget,
    ) -> Result<StepOutput, ConnectorError> {
        let stream = self.stream(req.stream)?;
        let mut call = self.call(req.config, req.credentials)?;
        let ctx = StepCtx {
            req,
            stream,
            values: self.values(stream, req.config)?,
            base: self.base_url(req.config)?,
            page_size: stream.page_size,
        };
        let mut pos = match position {
            Some(p) => serde_json::from_value::<Position>(p.clone())
                .map_err(|e| ConnectorError::upstream(format!("bad continuation: {e}"), false))?,
            None => Position {
                today: chrono::Utc::now().date_naive(),
                each: 0,
                window: None,
                slice: None,
                page: ctx.first_page(),
                skip: 0,
                max: Map::new(),
            },
        };
        let batch = req.batch_size.max(1) as u64;
        let mut chunks = vec![];
        let mut pending = Pending::default();
        loop {
            if pos.each >= ctx.values.len() {
                chunks.extend(pending.take());
                return self.output(&ctx, &mut call, chunks, pos, false, None);
            }
            if pos.window.is_none() && ctx.dated() {
                let (from, to) = ctx.window(self.decl, &pos)?;
                if from > to {
                    // Read up to today already.
                    if ctx.advance(&mut pos) {
                        continue;
                    }
                    chunks.extend(pending.take());
                    return self.output(&ctx, &mut call, chunks, pos, false, None);
                }
                pos.window = Some((from, to));
                pos.slice = Some(from);
            }
            let url = ctx.url(self.decl, &pos)?;
            let left = budget.deadline.saturating_duration_since(Instant::now());
            let (body, link) = match self.fetch(&mut call, &url, left).await? {
                Fetched::Page { body, next_link } => (body, next_link),
                Fetched::Later(wait) => {
                    chunks.extend(pending.take());
                    return self.output(&ctx, &mut call, chunks, pos, true, Some(wait));
                }
            };
            let shown = show(&url, &call.signer);
            let records = records_of(&body, stream, &shown)?;
            let next = ctx.next_page(&pos.page, &url, &body, link.as_deref(), records.len())?;
            let values = ctx.request_values(&pos);
            let each_key = ctx.each(&pos).unwrap_or_default().to_string();
            let floor =
                match (stream.incremental, req.window, ctx.saved(&pos)) {
                    (Incremental::NewestFirst, Some(w), _) => Some(Value::String(
                        w.from
                            .and_hms_opt(0, 0, 0)
                            .map(|t| t.and_utc().format(self.decl.since_format).to_string())
                            .unwrap_or_default(),
                    )),
                    (Incremental::NewestFirst, None, Some(saved)) => Some(Value::String(
                        moved_back(&text_of(saved), req.lookback, self.decl.since_format),
                    )),
                    _ => None,
                };
            let mut reached_floor = false;
            for (i, record) in records.iter().enumerate().skip(pos.skip) {
                let made: Vec<Value>;
                let rows: &[Value] = match stream.explode {
                    Some(explode) => {
                        made = explode(record, &values);
                        &made
                    }
                    None => std::slice::from_ref(record),
                };
                for row in rows {
                    let row = row_of(stream, row, &values);
                    if let Some(c) = stream.cursor
                        && let Some(v) = row.get(c).filter(|v| !v.is_null())
                    {
                        if let Some(f) = &floor
                            && not_after(v, f)
                        {
                            // Newest first: the rest were read before.
                            reached_floor = true;
                            break;
                        }
                        if pos.max.get(&each_key).is_none_or(|m| crate::newer(m, v)) {
                            pos.max.insert(each_key.clone(), v.clone());
                        }
                    }
                    pending.push(&row);
                }
                if reached_floor {
                    break;
                }
                if pending.rows >= batch {
                    chunks.extend(pending.take());
                    if i + 1 < records.len() && budget.spent(chunks.len()) {
                        pos.skip = i + 1;
                        return self.output(&ctx, &mut call, chunks, pos, true, None);
                    }
                }
            }
            match next.filter(|_| !reached_floor) {
                Some(page) => {
                    pos.page = page;
                    pos.skip = 0;
                }
                None => {
                    if !ctx.advance(&mut pos) {
                        chunks.extend(pending.take());
                        return self.output(&ctx, &mut call, chunks, pos, false, None);
                    }
                }
            }
            if budget.spent(chunks.len()) {
                chunks.extend(pending.take());
                return self.output(&ctx, &mut call, chunks, pos, true, None);
            }
        }
    }

    /// The first page of the first stream, as a run asks for it (the last
    /// week where it reads days): reachable, authorized (401 and 403 are a
    /// refused credential), readable (an answer with records where they
    /// should be).
    async fn test(&self, probe: &Probe<'_>) -> SourceTest {
        match self.try_first_page(probe).await {
            Ok((shown, records)) => SourceTest::of(vec![
                ConnectionCheck::passed("reachable", Some(format!("{shown} answered"))),
                ConnectionCheck::passed(
                    "authorized",
                    Some(match self.decl.auth_of(probe.config) {
                        Ok(sluice_domain::connectors::rest::Auth::None) => {
                            "no credential is needed".to_string()
                        }
                        _ => "the credential was accepted".to_string(),
                    }),
                ),
                ConnectionCheck::passed(
                    "readable",
                    Some(format!(
                        "{records} records on the first page of `{}`",
                        self.decl.streams[0].name
                    )),
                ),
            ]),
            Err(f) => SourceTest::failed_at(f.check, &f.error.to_string()),
        }
    }

    /// The declared streams, with their columns, types and keys.
    async fn streams(
        &self,
        _: &Probe<'_>,
    ) -> Result<Option<Vec<DiscoveredStream>>, ConnectorError> {
        Ok(Some(
            self.decl
                .streams
                .iter()
                .map(|s| {
                    DiscoveredStream::new(
                        s.name.to_string(),
                        s.columns
                            .iter()
                            .map(|c| DiscoveredField {
                                name: c.name.to_string(),
                                source_type: c.kind.to_string(),
                                nullable: !s.key.contains(&c.name),
                                cast: CastType::parse(c.kind).unwrap_or(CastType::String),
                            })
                            .collect(),
                        s.key.iter().map(|k| k.to_string()).collect(),
                        FoundBy::Catalog,
                    )
                })
                .collect(),
        ))
    }
}

impl Declared {
    async fn try_first_page(&self, probe: &Probe<'_>) -> Result<(String, usize), Failed> {
        let config_failed = |error: ConnectorError| Failed {
            check: "reachable",
            error,
        };
        let stream = &self.decl.streams[0];
        let mut call = self
            .call(probe.config, probe.credentials)
            .map_err(config_failed)?;
        call.max_retries = TEST_RETRIES;
        let today = chrono::Utc::now().date_naive();
        let week = sluice_domain::entities::RunWindow {
            from: today - chrono::Days::new(7),
            to: today,
        };
        let req = StreamRequest {
            stream: stream.name,
            config: probe.config,
            cursor: None,
            lookback: Duration::ZERO,
            window: Some(week),
            batch_size: 1,
            parallelism: 1,
            files: probe.files.clone(),
            credentials: probe.credentials,
        };
        let ctx = StepCtx {
            req: &req,
            stream,
            values: self.values(stream, probe.config).map_err(config_failed)?,
            base: self.base_url(probe.config).map_err(config_failed)?,
            page_size: stream.page_size,
        };
        let mut pos = Position {
            today,
            each: 0,
            window: None,
            slice: None,
            page: ctx.first_page(),
            skip: 0,
            max: Map::new(),
        };
        if ctx.dated() {
            let w = ctx.window(self.decl, &pos).map_err(config_failed)?;
            pos.window = Some(w);
            pos.slice = Some(w.0);
        }
        let url = ctx.url(self.decl, &pos).map_err(config_failed)?;
        let shown = show(&url, &call.signer);
        match self.fetch(&mut call, &url, TEST_TIME).await? {
            Fetched::Page { body, .. } => {
                let n = records_of(&body, stream, &shown)
                    .map_err(|error| Failed {
                        check: "readable",
                        error,
                    })?
                    .len();
                Ok((
                    show(
                        &self.base_url(probe.config).map_err(config_failed)?,
                        &call.signer,
                    ),
                    n,
                ))
            }
            Fetched::Later(wait) => Err(Failed {
                check: "reachable",
                error: ConnectorError::upstream(
                    format!(
                        "{shown} asks to wait {} before the next request (its rate limit); test again then",
                        secs(wait)
                    ),
                    true,
                ),
            }),
        }
    }
}
