//! Calls of the token endpoint and the Sheets API v4, with their retries: a
//! 429, `RESOURCE_EXHAUSTED`, a 5xx or a network error is tried again after a
//! wait that doubles (or what `Retry-After` asks), a bounded number of times;
//! a 401 gets one fresh token and one more try.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sluice_domain::net::GoogleApis;

use super::{ServiceAccountKey, SheetsError};

/// The JWT-bearer grant (RFC 7523).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// What `spreadsheets.get` returns: each sheet's id, title, grid size and
/// developer metadata, and none of its cells.
const SHEETS_FIELDS: &str = "spreadsheetId,sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(metadataKey,metadataValue))";
/// Longest part of Google's message an error repeats.
const MESSAGE_CHARS: usize = 300;

/// How often and how patiently a call is tried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries of one call, the first included.
    pub tries: u32,
    /// The wait before the second try; it doubles for each one after.
    pub first_wait: Duration,
    /// The longest wait, `Retry-After` included.
    pub longest_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            tries: 6,
            first_wait: Duration::from_millis(500),
            longest_wait: Duration::from_secs(60),
        }
    }
}

/// A sheet of the spreadsheet, as `spreadsheets.get` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInfo {
    pub sheet_id: i64,
    pub title: String,
    pub rows: u64,
    pub columns: u64,
    /// Its developer metadata: key and value.
    pub metadata: Vec<(String, String)>,
}

/// One spreadsheet, reached as one service account.
pub struct SheetsClient {
    http: reqwest::Client,
    token_url: String,
    base: String,
    key: ServiceAccountKey,
    token: Option<String>,
    retry: Retry,
    /// Retries and refreshed tokens, as lines for a run's log.
    pub notes: Vec<String>,
    /// Requests sent to the Sheets API (token requests aside), tries included.
    pub requests: u64,
}

/// What an answer says went wrong: Google's status word and message.
fn google_error(body: &[u8]) -> (String, String) {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let e = &v["error"];
    let (status, message) = if e.is_object() {
        (
            e["status"].as_str().unwrap_or_default(),
            e["message"].as_str().unwrap_or_default(),
        )
    } else {
        // The token endpoint's shape: `{"error": "invalid_grant", "error_description": …}`.
        (
            e.as_str().unwrap_or_default(),
            v["error_description"].as_str().unwrap_or_default(),
        )
    };
    let message: String = message.chars().take(MESSAGE_CHARS).collect();
    (status.to_string(), message)
}

/// Seconds of a `Retry-After` header.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

impl SheetsClient {
    /// A client of spreadsheet `spreadsheet_id` at `apis`, signing as `key`.
    pub fn new(
        apis: &GoogleApis,
        key: ServiceAccountKey,
        spreadsheet_id: &str,
    ) -> Result<SheetsClient, SheetsError> {
        sluice_domain::entities::spreadsheet_id("config.spreadsheet_id", spreadsheet_id)
            .map_err(|e| SheetsError::Config(e.to_string()))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SheetsError::Unavailable(format!("building the HTTP client: {e}")))?;
        Ok(SheetsClient {
            http,
            token_url: apis.token_url.clone(),
            base: format!(
                "{}/v4/spreadsheets/{spreadsheet_id}",
                apis.sheets_url.trim_end_matches('/')
            ),
            key,
            token: None,
            retry: Retry::default(),
            notes: vec![],
            requests: 0,
        })
    }

    /// The same client, trying as `retry` says.
    pub fn with_retry(mut self, retry: Retry) -> SheetsClient {
        self.retry = retry;
        self
    }

    /// The service account's address.
    pub fn client_email(&self) -> &str {
        self.key.client_email()
    }

    /// The wait before try `next` (2 or more), or what the answer asked.
    fn wait(&self, next: u32, asked: Option<Duration>) -> Duration {
        let doubled = self.retry.first_wait * 2u32.saturating_pow(next.saturating_sub(2));
        asked.unwrap_or(doubled).min(self.retry.longest_wait)
    }

    /// Gets a token for the key, unless it has one.
    pub async fn authorize(&mut self) -> Result<(), SheetsError> {
        if self.token.is_none() {
            self.token = Some(self.fetch_token().await?);
        }
        Ok(())
    }

    /// A new token: the key's signed assertion exchanged at the token endpoint.
    async fn fetch_token(&mut self) -> Result<String, SheetsError> {
        let who = self.key.client_email().to_string();
        let mut last = String::new();
        for attempt in 1..=self.retry.tries {
            let assertion = self.key.assertion(chrono::Utc::now().timestamp())?;
            let sent = self
                .http
                .post(&self.token_url)
                .form(&[
                    ("grant_type", GRANT_TYPE),
                    ("assertion", assertion.as_str()),
                ])
                .send()
                .await;
            let asked = match sent {
                Ok(resp) if resp.status().is_success() => {
                    let body: Value = resp.json().await.map_err(|_| {
                        SheetsError::Unavailable("the token endpoint's answer is not JSON".into())
                    })?;
                    return body["access_token"]
                        .as_str()
                        .filter(|t| !t.is_empty())
                        .map(str::to_string)
                        .ok_or_else(|| {
                            SheetsError::Unavailable(
                                "the token endpoint answered without an access token".into(),
                            )
                        });
                }
                Ok(resp) => {
                    let status = resp.status();
                    let asked = retry_after(resp.headers());
                    let body = resp.bytes().await.unwrap_or_default();
                    let (word, message) = google_error(&body);
                    last = format!("the token endpoint answered {status} {word}: {message}");
                    if !(status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS) {
                        return Err(SheetsError::Denied(format!(
                            "Google refused the key of service account {who} ({word}: {message}); check that the key is current and the service account enabled"
                        )));
                    }
                    asked
                }
                Err(e) => {
                    last = describe(&e, "the token endpoint");
                    None
                }
            };
            if attempt < self.retry.tries {
                let wait = self.wait(attempt + 1, asked);
                self.notes.push(format!(
                    "Getting a token, try {attempt}: {last}; again in {wait:?}."
                ));
                tokio::time::sleep(wait).await;
            }
        }
        Err(SheetsError::Unavailable(format!(
            "getting a token failed after {} tries: {last}",
            self.retry.tries
        )))
    }

    /// One call of the Sheets API, `what` naming it in errors: tried again as
    /// [`Retry`] says, and once more with a new token after a 401.
    async fn call(
        &mut self,
        method: Method,
        url: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value, SheetsError> {
        self.authorize().await?;
        let mut refreshed = false;
        let mut attempt = 0;
        let mut last = String::new();
        while attempt < self.retry.tries {
            attempt += 1;
            let token = self.token.clone().unwrap_or_default();
            let mut req = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token)
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            self.requests += 1;
            let asked = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    return resp.json().await.map_err(|_| {
                        SheetsError::Unavailable(format!("{what}: the answer is not JSON"))
                    });
                }
                Ok(resp) => {
                    let status = resp.status();
                    let asked = retry_after(resp.headers());
                    let bytes = resp.bytes().await.unwrap_or_default();
                    let (word, message) = google_error(&bytes);
                    last = format!(
                        "Google Sheets answered {} {word}: {message}",
                        status.as_u16()
                    );
                    if status == StatusCode::UNAUTHORIZED && !refreshed {
                        // An expired (or revoked) token: one new one, one more try.
                        refreshed = true;
                        attempt -= 1;
                        self.token = Some(self.fetch_token().await?);
                        self.notes.push(format!(
                            "{what}: the token was refused (401); got a new one."
                        ));
                        continue;
                    }
                    let throttled = status == StatusCode::TOO_MANY_REQUESTS
                        || word == "RESOURCE_EXHAUSTED"
                        || status.is_server_error();
                    if !throttled {
                        return Err(self.refusal(status, what, &last));
                    }
                    asked
                }
                Err(e) => {
                    last = describe(&e, "Google Sheets");
                    None
                }
            };
            if attempt < self.retry.tries {
                let wait = self.wait(attempt + 1, asked);
                self.notes
                    .push(format!("{what}, try {attempt}: {last}; again in {wait:?}."));
                tokio::time::sleep(wait).await;
            }
        }
        Err(SheetsError::Unavailable(format!(
            "{what} failed after {} tries: {last}",
            self.retry.tries
        )))
    }

    fn refusal(&self, status: StatusCode, what: &str, last: &str) -> SheetsError {
        let who = self.key.client_email();
        match status {
            StatusCode::UNAUTHORIZED => SheetsError::Denied(format!(
                "{what}: {last}, with a new token too; check service account {who}'s key"
            )),
            StatusCode::FORBIDDEN => SheetsError::Denied(format!(
                "{what}: {last}; share the spreadsheet with {who} as an editor"
            )),
            StatusCode::NOT_FOUND => SheetsError::NotFound(format!(
                "{what}: {last}; check the spreadsheet id, and that the spreadsheet is shared with {who}"
            )),
            _ => SheetsError::Refused(format!("{what}: {last}")),
        }
    }

    /// The spreadsheet's sheets (`spreadsheets.get` with a field mask).
    pub async fn sheets(&mut self) -> Result<Vec<SheetInfo>, SheetsError> {
        let url = self.base.clone();
        let v = self
            .call(
                Method::GET,
                &url,
                &[("fields", SHEETS_FIELDS)],
                None,
                "reading the spreadsheet",
            )
            .await?;
        Ok(v["sheets"]
            .as_array()
            .map(|a| a.iter().map(sheet_info).collect())
            .unwrap_or_default())
    }

    /// `spreadsheets.batchUpdate` of `requests`; its answer.
    pub async fn update(&mut self, requests: Vec<Value>, what: &str) -> Result<Value, SheetsError> {
        let url = format!("{}:batchUpdate", self.base);
        self.call(
            Method::POST,
            &url,
            &[],
            Some(&json!({ "requests": requests })),
            what,
        )
        .await
    }

    /// Adds a sheet titled `title` with a grid of `rows` by `columns`.
    pub async fn add_sheet(
        &mut self,
        title: &str,
        rows: u64,
        columns: u64,
    ) -> Result<SheetInfo, SheetsError> {
        let answer = self
            .update(
                vec![json!({"addSheet": {"properties": {
                    "title": title,
                    "gridProperties": {"rowCount": rows.max(1), "columnCount": columns.max(1)}
                }}})],
                "adding the sheet",
            )
            .await?;
        let added = &answer["replies"][0]["addSheet"];
        if added["properties"]["sheetId"].as_i64().is_none() {
            return Err(SheetsError::Unavailable(
                "adding the sheet: the answer names no sheet".into(),
            ));
        }
        Ok(sheet_info(added))
    }

    /// Clears the values of `ranges` (`values.batchClear`), keeping formats.
    pub async fn clear(&mut self, ranges: &[String]) -> Result<(), SheetsError> {
        if ranges.is_empty() {
            return Ok(());
        }
        let url = format!("{}/values:batchClear", self.base);
        self.call(
            Method::POST,
            &url,
            &[],
            Some(&json!({ "ranges": ranges })),
            "clearing the report's old cells",
        )
        .await
        .map(|_| ())
    }

    /// Writes `rows` (each an array of cells) to `range`, as they are
    /// (`values.batchUpdate`, `RAW`).
    pub async fn write_values(&mut self, range: &str, rows: Vec<Value>) -> Result<(), SheetsError> {
        let url = format!("{}/values:batchUpdate", self.base);
        let body = json!({
            "valueInputOption": "RAW",
            "data": [{"range": range, "majorDimension": "ROWS", "values": rows}],
        });
        self.call(
            Method::POST,
            &url,
            &[],
            Some(&body),
            "writing the report's rows",
        )
        .await
        .map(|_| ())
    }
}

/// A sheet of a `spreadsheets.get` answer (or an `addSheet` reply).
fn sheet_info(v: &Value) -> SheetInfo {
    let p = &v["properties"];
    SheetInfo {
        sheet_id: p["sheetId"].as_i64().unwrap_or_default(),
        title: p["title"].as_str().unwrap_or_default().to_string(),
        rows: p["gridProperties"]["rowCount"].as_u64().unwrap_or_default(),
        columns: p["gridProperties"]["columnCount"]
            .as_u64()
            .unwrap_or_default(),
        metadata: v["developerMetadata"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some((
                    m["metadataKey"].as_str()?.to_string(),
                    m["metadataValue"].as_str().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
    }
}

/// A network error in words without its URL.
fn describe(e: &reqwest::Error, whom: &str) -> String {
    if e.is_timeout() {
        format!("{whom} timed out")
    } else if e.is_connect() {
        format!("could not connect to {whom}")
    } else {
        format!("the request to {whom} failed")
    }
}
