//! The REST connector kit against scripted local servers replaying each API's
//! documented requests and responses: GitHub's Link pages, `since` and
//! rate-limit headers, Bank of Canada's observations, Open Exchange Rates' days
//! and App ID, OpenHolidays' years; throttling and long waits; and every auth
//! kind, OAuth tokens renewed before they expire, after a refusal, and written
//! back when the provider rotates them.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value, json};
use sluice_connectors::rest::Declared;
use sluice_connectors::{Budget, ConnectorError, Credentials, Extractor, Probe, StreamRequest};
use sluice_domain::connectors::bank_of_canada::BANK_OF_CANADA;
use sluice_domain::connectors::github::GITHUB;
use sluice_domain::connectors::openexchangerates::OPENEXCHANGERATES;
use sluice_domain::connectors::openholidays::OPENHOLIDAYS;
use sluice_domain::connectors::rest::{
    Auth, Column, Incremental, KeyPlace, Paging, RestConnector, Slices, Stream, col,
};
use sluice_domain::entities::RunWindow;

use common::{Reply, Server, local, records};

const TOKEN: &str = "ghp_0123456789abcdefSECRET";

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn request<'a>(
    stream: &'a str,
    config: &'a Map<String, Value>,
    cursor: Option<&'a Value>,
    credentials: Option<&'a dyn Credentials>,
) -> StreamRequest<'a> {
    StreamRequest {
        stream,
        config,
        cursor,
        lookback: Duration::ZERO,
        window: None,
        batch_size: 100,
        parallelism: 1,
        files: Default::default(),
        credentials,
    }
}

fn budget() -> Budget {
    Budget::new(100, Duration::from_secs(60))
}

/// Steps from the start to the end of the stream, each delivered twice (a
/// redelivered step reads the same rows); the rows, the last cursor and the
/// log lines.
async fn run_all(
    connector: &Declared,
    req: &StreamRequest<'_>,
    budget: impl Fn() -> Budget,
) -> (Vec<Value>, Option<Value>, Vec<String>) {
    let mut position: Option<Value> = None;
    let mut rows = vec![];
    let mut log = vec![];
    for _ in 0..100 {
        let out = connector
            .step(req, position.as_ref(), budget())
            .await
            .expect("step");
        let again = connector
            .step(req, position.as_ref(), budget())
            .await
            .expect("redelivered step");
        assert_eq!(out.chunks, again.chunks, "a redelivered step differs");
        assert_eq!(out.next, again.next, "a redelivered step goes on elsewhere");
        rows.extend(records(&out));
        log.extend(out.log);
        match out.next {
            Some(next) => position = Some(next),
            None => return (rows, out.cursor, log),
        }
    }
    panic!("the stream never ended");
}

fn issue(id: u64, updated: &str) -> Value {
    json!({
        "id": id, "number": id, "title": format!("Issue {id}"), "state": "open",
        "user": {"login": "octocat", "id": 1}, "labels": [{"name": "bug"}],
        "comments": 2, "body": null,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": updated, "closed_at": null
    })
}

/// GitHub's issues of two repositories, two pages each by Link header; the
/// token as a bearer, `since` from each repository's own cursor; rows flat with
/// the declared columns; the cursor one per repository.
#[tokio::test]
async fn github_issues_follow_link_pages_per_repository_from_each_ones_cursor() {
    let server = Server::start(|seen, _| {
        let page2 = seen.query("page").as_deref() == Some("2");
        let repo = if seen.target.starts_with("/repos/octo/one/") {
            "one"
        } else {
            "two"
        };
        let base = if repo == "one" { 100 } else { 200 };
        if page2 {
            Reply::json(json!([issue(
                base + 2,
                &format!("2026-03-0{}T10:00:00Z", if repo == "one" { 2 } else { 5 })
            )]))
        } else {
            Reply::json(json!([issue(base + 1, "2026-03-01T10:00:00Z")])).header(
                "Link",
                &format!(
                    "<{}?state=all&page=2>; rel=\"next\", <{}?page=2>; rel=\"last\"",
                    seen.target.split('?').next().unwrap_or_default(),
                    seen.target.split('?').next().unwrap_or_default()
                ),
            )
        }
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "token": TOKEN, "repositories": ["octo/one", "octo/two"],
        "requests_per_minute": 100000
    }));
    let saved = json!({"octo/one": "2026-02-01T00:00:00Z"});
    let connector = Declared::new(&GITHUB, &local());
    let req = request("issues", &config, Some(&saved), None);
    let (rows, cursor, _) = run_all(&connector, &req, budget).await;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r["id"].as_i64()).collect();
    assert_eq!(ids, [101, 102, 201, 202]);
    assert_eq!(rows[0]["repository"], "octo/one");
    assert_eq!(rows[0]["user_login"], "octocat");
    assert_eq!(rows[0]["labels"], r#"[{"name":"bug"}]"#);
    assert!(rows.iter().all(|r| {
        r.as_object()
            .is_some_and(|o| o.values().all(|v| !v.is_object() && !v.is_array()))
    }));
    assert_eq!(
        cursor,
        Some(json!({"octo/one": "2026-03-02T10:00:00Z", "octo/two": "2026-03-05T10:00:00Z"}))
    );
    let seen = server.seen();
    assert!(
        seen.iter()
            .all(|s| s.header("authorization") == Some(&*format!("Bearer {TOKEN}")))
    );
    let first_one = seen
        .iter()
        .find(|s| s.target.starts_with("/repos/octo/one/"))
        .expect("asked");
    assert_eq!(
        first_one.query("since").as_deref(),
        Some("2026-02-01T00%3A00%3A00Z")
    );
    assert_eq!(first_one.query("state").as_deref(), Some("all"));
    assert_eq!(first_one.query("per_page").as_deref(), Some("100"));
    let first_two = seen
        .iter()
        .find(|s| s.target.starts_with("/repos/octo/two/"))
        .expect("asked");
    assert_eq!(first_two.query("since"), None, "octo/two has no cursor yet");
}

/// Pull requests, newest first: reading stops at the saved cursor.
#[tokio::test]
async fn github_pull_requests_stop_at_the_saved_cursor() {
    let server = Server::start(|_, _| {
        Reply::json(json!([
            {"id": 3, "number": 3, "state": "open", "updated_at": "2026-03-03T00:00:00Z", "head": {"ref": "f"}, "base": {"ref": "main"}},
            {"id": 2, "number": 2, "state": "open", "updated_at": "2026-03-02T00:00:00Z"},
            {"id": 1, "number": 1, "state": "closed", "updated_at": "2026-03-01T00:00:00Z"}
        ]))
        .header("Link", "</repos/octo/one/pulls?page=2>; rel=\"next\"")
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "auth": "none", "repositories": ["octo/one"],
        "requests_per_minute": 100000
    }));
    let saved = json!({"octo/one": "2026-03-02T00:00:00Z"});
    let connector = Declared::new(&GITHUB, &local());
    let (rows, cursor, _) = run_all(
        &connector,
        &request("pull_requests", &config, Some(&saved), None),
        budget,
    )
    .await;
    let ids: Vec<i64> = rows.iter().filter_map(|r| r["id"].as_i64()).collect();
    assert_eq!(ids, [3], "the rest were read before");
    assert_eq!(rows[0]["head_ref"], "f");
    assert_eq!(cursor, Some(json!({"octo/one": "2026-03-03T00:00:00Z"})));
    assert!(
        server.seen().iter().all(|s| !s.target.contains("page=2")),
        "no page after the cursor was reached"
    );
    assert!(server.seen()[0].header("authorization").is_none());
}

/// A spent rate limit holds the next request until the reset the headers
/// name; a 429 with `Retry-After` is retried after it; both are in the log.
#[tokio::test]
async fn rate_limit_headers_and_retry_after_are_waited_for_and_logged() {
    let server = Server::start(|seen, i| match i {
        0 => {
            let reset = chrono::Utc::now().timestamp() + 1;
            Reply::json(json!({"id": 1, "full_name": "octo/one"}))
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset.to_string())
        }
        1 => Reply::status(429, r#"{"message":"slow down"}"#).header("Retry-After", "1"),
        _ => Reply::json(json!({"id": 2, "full_name": seen.target.trim_start_matches("/repos/")})),
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "token": TOKEN, "repositories": ["octo/one", "octo/two"],
        "requests_per_minute": 100000
    }));
    let connector = Declared::new(&GITHUB, &local());
    let out = connector
        .step(
            &request("repositories", &config, None, None),
            None,
            budget(),
        )
        .await
        .expect("a step");
    assert_eq!(records(&out).len(), 2);
    assert!(out.next.is_none());
    let log = out.log.join("\n");
    assert!(log.contains("rate limit is spent"), "{log}");
    assert!(
        log.contains("429 Too Many Requests; waited 1.0 s before retry 1"),
        "{log}"
    );
    assert!(!log.contains(TOKEN));
}

/// A wait longer than a step may sleep ends the step where it is: the next
/// step is to be sent that much later, and reads the same page.
#[tokio::test]
async fn a_long_retry_after_ends_the_step_with_its_wait_and_the_same_page_next() {
    let server = Server::start(|_, i| match i {
        0 => Reply::status(429, "{}").header("Retry-After", "3600"),
        _ => Reply::json(json!({"id": 1, "full_name": "octo/one"})),
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "token": TOKEN, "repositories": ["octo/one"],
        "requests_per_minute": 100000
    }));
    let connector = Declared::new(&GITHUB, &local());
    let req = request("repositories", &config, None, None);
    let out = connector.step(&req, None, budget()).await.expect("a step");
    assert!(out.chunks.is_empty());
    assert_eq!(out.wait, Some(Duration::from_secs(3600)));
    assert!(
        out.log
            .iter()
            .any(|l| l.contains("the next step waits 3600.0 s")),
        "{:?}",
        out.log
    );
    let next = out.next.expect("the stream goes on");
    let out = connector
        .step(&req, Some(&next), budget())
        .await
        .expect("the next step");
    assert_eq!(records(&out).len(), 1);
    assert!(out.next.is_none());
}

/// Bank of Canada: one request per series for the window from `start_date`
/// (or the day after the cursor) to today; one row per observation.
#[tokio::test]
async fn bank_of_canada_reads_each_series_from_its_cursor_to_today() {
    let server = Server::start(|seen, _| {
        let series = seen
            .target
            .split('/')
            .nth(2)
            .unwrap_or_default()
            .to_string();
        Reply::json(json!({
            "terms": {"url": "https://www.bankofcanada.ca/terms/"},
            "seriesDetail": {series.clone(): {"label": "USD/CAD", "description": "x"}},
            "observations": [
                {"d": "2026-01-02", series.clone(): {"v": "1.3316"}},
                {"d": "2026-01-05", series.clone(): {"v": "1.3421"}},
                {"d": "2026-01-06"}
            ]
        }))
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "series": ["FXUSDCAD", "FXEURCAD"], "start_date": "2026-01-01",
        "requests_per_minute": 100000
    }));
    let saved = json!({"FXEURCAD": "2026-01-04"});
    let connector = Declared::new(&BANK_OF_CANADA, &local());
    let (rows, cursor, _) = run_all(
        &connector,
        &request("observations", &config, Some(&saved), None),
        budget,
    )
    .await;
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0],
        json!({"date": "2026-01-02", "series": "FXUSDCAD", "value": "1.3316"})
    );
    assert_eq!(rows[2]["value"], Value::Null);
    assert_eq!(
        cursor,
        Some(json!({"FXUSDCAD": "2026-01-06", "FXEURCAD": "2026-01-06"}))
    );
    let seen = server.seen();
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let usd = &seen[0];
    assert!(
        usd.target.starts_with("/observations/FXUSDCAD/json"),
        "{}",
        usd.target
    );
    assert_eq!(usd.query("start_date").as_deref(), Some("2026-01-01"));
    assert_eq!(usd.query("end_date"), Some(today));
    let eur = seen
        .iter()
        .find(|s| s.target.contains("FXEURCAD"))
        .expect("asked");
    assert_eq!(
        eur.query("start_date").as_deref(),
        Some("2026-01-05"),
        "the day after its cursor"
    );
}

/// Open Exchange Rates: a request per day with the App ID in the query, never
/// shown; one row per currency; a refused App ID fails `authorized`.
#[tokio::test]
async fn open_exchange_rates_reads_a_day_per_request_and_keeps_the_app_id_out_of_errors() {
    let server = Server::start(|seen, _| {
        if seen.query("app_id").as_deref() != Some("oxr-app-SECRET") {
            return Reply::status(
                401,
                &format!(
                    r#"{{"error":true,"status":401,"message":"invalid_app_id","description":"{}"}}"#,
                    seen.target
                ),
            );
        }
        let day = seen.target.trim_start_matches("/historical/").split('.').next().unwrap_or_default().to_string();
        Reply::json(json!({
            "disclaimer": "Usage subject to terms", "license": "https://openexchangerates.org/license",
            "timestamp": 1_767_312_000, "base": "USD", "rates": {"EUR": 0.91, "GBP": 0.79}, "day": day
        }))
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "api_key": "oxr-app-SECRET", "start_date": "2026-01-01",
        "symbols": "EUR,GBP", "requests_per_minute": 100000
    }));
    let connector = Declared::new(&OPENEXCHANGERATES, &local());
    let mut req = request("historical_rates", &config, None, None);
    req.window = Some(RunWindow {
        from: "2026-01-01".parse().expect("a day"),
        to: "2026-01-03".parse().expect("a day"),
    });
    let (rows, cursor, _) = run_all(&connector, &req, budget).await;
    assert_eq!(rows.len(), 6);
    assert_eq!(
        rows[0],
        json!({"date": "2026-01-01", "base": "USD", "currency": "EUR", "rate": 0.91, "timestamp": 1_767_312_000})
    );
    assert_eq!(cursor, None, "a backfill moves no cursor");
    let targets: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.target.split('?').next().unwrap_or_default().to_string())
        .collect();
    assert!(targets.starts_with(&["/historical/2026-01-01.json".to_string()]));
    assert!(targets.contains(&"/historical/2026-01-03.json".to_string()));
    assert_eq!(
        server.seen()[0].query("symbols").as_deref(),
        Some("EUR%2CGBP")
    );

    let wrong = obj(json!({
        "base_url": server.url(), "api_key": "wrong-key-XYZ", "start_date": "2026-01-01",
        "requests_per_minute": 100000
    }));
    let err = connector
        .step(
            &request("historical_rates", &wrong, None, None),
            None,
            budget(),
        )
        .await
        .expect_err("a refused key");
    let text = err.to_string();
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains("wrong-key-XYZ"), "the key is shown: {text}");
    let probe = Probe {
        config: &wrong,
        files: Default::default(),
        credentials: None,
    };
    let test = connector.test(&probe).await;
    assert!(!test.ok);
    let failed = test.checks.iter().find(|c| !c.ok).expect("a failed check");
    assert_eq!(failed.check, "authorized");
    assert!(!format!("{test:?}").contains("wrong-key-XYZ"));
}

/// OpenHolidays: a request per country and year of the window.
#[tokio::test]
async fn openholidays_reads_a_year_per_request_per_country() {
    let server = Server::start(|seen, _| {
        let country = seen.query("countryIsoCode").unwrap_or_default();
        let from = seen.query("validFrom").unwrap_or_default();
        Reply::json(json!([{
            "id": format!("{country}-{from}"), "startDate": from, "endDate": from, "type": "Public",
            "name": [{"language": "EN", "text": "New Year's Day"}], "regionalScope": "National",
            "temporalScope": "FullDay", "nationwide": true
        }]))
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "countries": ["DE", "NL"], "start_date": "2025-06-01",
        "requests_per_minute": 100000
    }));
    let connector = Declared::new(&OPENHOLIDAYS, &local());
    let (rows, _, _) = run_all(
        &connector,
        &request("public_holidays", &config, None, None),
        budget,
    )
    .await;
    let next_year = chrono::Datelike::year(&chrono::Utc::now().date_naive()) + 1;
    let years = (next_year - 2025 + 1) as usize;
    assert_eq!(rows.len(), 2 * years);
    assert_eq!(rows[0]["id"], "DE-2025-06-01");
    assert_eq!(rows[0]["name"], "New Year's Day");
    assert_eq!(rows[0]["country"], "DE");
    assert_eq!(rows[1]["id"], "DE-2026-01-01");
    let first = &server.seen()[0];
    assert_eq!(first.query("validTo").as_deref(), Some("2025-12-31"));
    assert_eq!(first.query("languageIsoCode").as_deref(), Some("EN"));
    let last = server.seen().last().cloned().expect("asked");
    assert_eq!(last.query("countryIsoCode").as_deref(), Some("NL"));
    assert_eq!(last.query("validTo"), Some(format!("{next_year}-12-31")));
}

// ---- auth kinds, on a connector declared here ----

const THING: &[Column] = &[col("id", "int", "id", "")];

const THINGS: &[Stream] = &[Stream {
    name: "things",
    description: "",
    path: "/things",
    params: &[],
    each: None,
    slices: Slices::Whole,
    records: "$.items",
    paging: Paging::Token {
        param: "pageToken",
        path: "next",
    },
    page_size: None,
    explode: None,
    columns: THING,
    key: &["id"],
    cursor: None,
    incremental: Incremental::Full,
}];

static ALL_KINDS: RestConnector = RestConnector {
    name: "things",
    title: "Things",
    description: "",
    base_url: "",
    base_url_help: "",
    auth: &[
        Auth::OAuthRefreshToken,
        Auth::OAuthClientCredentials,
        Auth::ApiKey,
        Auth::Basic,
        Auth::Bearer,
        Auth::None,
    ],
    api_key: KeyPlace::Header("X-Api-Key"),
    api_key_help: "",
    token_url: "",
    fields: Vec::new,
    check_fields: sluice_domain::connectors::rest::no_checks,
    dated: false,
    horizon_days: 0,
    requests_per_minute: 100_000,
    rate_headers: None,
    since_format: "%Y-%m-%dT%H:%M:%SZ",
    streams: THINGS,
};

/// A source's secret fields in memory.
struct Store {
    fields: Mutex<Map<String, Value>>,
    saves: Mutex<u32>,
}

impl Store {
    fn new(fields: Value) -> Store {
        Store {
            fields: Mutex::new(obj(fields)),
            saves: Mutex::new(0),
        }
    }
    fn get(&self, name: &str) -> Value {
        self.fields
            .lock()
            .expect("lock")
            .get(name)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

#[async_trait]
impl Credentials for Store {
    fn source(&self) -> &str {
        "src_test"
    }
    async fn load(&self) -> Result<Map<String, Value>, ConnectorError> {
        Ok(self.fields.lock().expect("lock").clone())
    }
    async fn save(&self, fields: &Map<String, Value>) -> Result<(), ConnectorError> {
        self.fields.lock().expect("lock").extend(fields.clone());
        *self.saves.lock().expect("lock") += 1;
        Ok(())
    }
}

/// A token endpoint and an API: the API takes `Bearer access-N` for the N
/// the endpoint last issued (or the one a request names), and pages by token.
async fn oauth_server(refuse_first_api_call: bool) -> Server {
    let issued = Mutex::new(0u32);
    let refused = Mutex::new(!refuse_first_api_call);
    Server::start(move |seen, _| {
        if seen.target == "/token" {
            let mut n = issued.lock().expect("lock");
            *n += 1;
            let rotated = seen.body.contains("grant_type=refresh_token");
            let mut answer = json!({"access_token": format!("access-{n}"), "token_type": "Bearer", "expires_in": 3600});
            if rotated {
                answer["refresh_token"] = json!(format!("refresh-{n}"));
            }
            return Reply::json(answer);
        }
        let current = format!("Bearer access-{}", issued.lock().expect("lock"));
        if seen.header("authorization") != Some(current.as_str()) {
            return Reply::status(401, r#"{"error":"invalid_token"}"#);
        }
        let mut r = refused.lock().expect("lock");
        if !*r {
            *r = true;
            return Reply::status(401, r#"{"error":"token revoked"}"#);
        }
        match seen.query("pageToken").as_deref() {
            None => Reply::json(json!({"items": [{"id": 1}], "next": "p2"})),
            _ => Reply::json(json!({"items": [{"id": 2}], "next": null})),
        }
    })
    .await
}

/// Refresh token: the first call gets an access token for the refresh token,
/// the provider's rotated refresh token and the access token are written back,
/// and later steps use the stored token without asking again.
#[tokio::test]
async fn a_refresh_token_grant_is_renewed_before_the_call_and_written_back() {
    let server = oauth_server(false).await;
    let store = Store::new(json!({"client_secret": "cs-SECRET", "refresh_token": "refresh-0"}));
    let mut config = obj(json!({
        "base_url": server.url(), "token_url": format!("{}/token", server.url()),
        "client_id": "client-1", "client_secret": "cs-SECRET", "refresh_token": "refresh-0"
    }));
    let connector = Declared::new(&ALL_KINDS, &local());
    let mut req = request("things", &config, None, Some(&store));
    req.batch_size = 1;
    let out = connector
        .step(&req, None, Budget::new(1, Duration::from_secs(60)))
        .await
        .expect("the first step");
    assert_eq!(records(&out), [json!({"id": 1})]);
    assert_eq!(store.get("access_token"), "access-1");
    assert_eq!(
        store.get("refresh_token"),
        "refresh-1",
        "the rotated token is kept"
    );
    let expires = store
        .get("access_token_expires_at")
        .as_i64()
        .expect("an expiry");
    assert!(expires > chrono::Utc::now().timestamp() + 3000);
    assert!(
        out.log
            .iter()
            .any(|l| l.contains("Renewed the access token")),
        "{:?}",
        out.log
    );
    let grant = &server.seen()[0];
    assert_eq!(grant.method, "POST");
    assert!(
        grant.body.contains("grant_type=refresh_token")
            && grant.body.contains("refresh_token=refresh-0"),
        "{}",
        grant.body
    );
    assert!(
        grant
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );

    // The next step is given the stored fields, as a run reads them.
    config.extend(store.fields.lock().expect("lock").clone());
    let out = connector
        .step(
            &request("things", &config, None, Some(&store)),
            out.next.as_ref(),
            budget(),
        )
        .await
        .expect("the next step");
    assert_eq!(records(&out), [json!({"id": 2})]);
    assert_eq!(
        server
            .seen()
            .iter()
            .filter(|s| s.target == "/token")
            .count(),
        1,
        "no renewal while the token is fresh"
    );
    assert!(!format!("{:?}", out.log).contains("access-1"));
}

/// A token close to expiry is renewed before the call, never after a failure;
/// a token the API refuses anyway is renewed once and the call repeated.
#[tokio::test]
async fn a_token_near_expiry_is_renewed_first_and_a_refused_one_once() {
    let server = oauth_server(false).await;
    let store = Store::new(json!({"refresh_token": "refresh-0"}));
    let soon = chrono::Utc::now().timestamp() + 60;
    let config = obj(json!({
        "base_url": server.url(), "token_url": format!("{}/token", server.url()),
        "client_id": "c", "client_secret": "s", "refresh_token": "refresh-0",
        "access_token": "access-0", "access_token_expires_at": soon
    }));
    let connector = Declared::new(&ALL_KINDS, &local());
    let (rows, _, _) = run_all(
        &connector,
        &request("things", &config, None, Some(&store)),
        budget,
    )
    .await;
    assert_eq!(rows.len(), 2);
    let seen = server.seen();
    assert_eq!(seen[0].target, "/token", "renewed before the first call");
    assert!(
        seen.iter()
            .all(|s| s.target == "/token" || s.header("authorization") != Some("Bearer access-0")),
        "the expiring token is never sent"
    );

    let server = oauth_server(true).await;
    let store = Store::new(json!({"refresh_token": "refresh-0"}));
    let config = obj(json!({
        "base_url": server.url(), "token_url": format!("{}/token", server.url()),
        "client_id": "c", "client_secret": "s", "refresh_token": "refresh-0"
    }));
    let out = connector
        .step(
            &request("things", &config, None, Some(&store)),
            None,
            budget(),
        )
        .await
        .expect("renewed after the refusal");
    assert_eq!(records(&out).len(), 2);
    assert!(
        out.log
            .iter()
            .any(|l| l.contains("refused the access token")),
        "{:?}",
        out.log
    );
    assert_eq!(store.get("access_token"), "access-2");
}

/// Client credentials: a token for the client, kept by the process for the
/// next steps; the client secret and the token never in an error.
#[tokio::test]
async fn client_credentials_are_exchanged_once_and_kept_for_the_next_steps() {
    let server = oauth_server(false).await;
    let config = obj(json!({
        "base_url": server.url(), "token_url": format!("{}/token", server.url()),
        "auth": "oauth_client_credentials", "client_id": "cc-client", "client_secret": "cc-SECRET",
        "scope": "read:things"
    }));
    let connector = Declared::new(&ALL_KINDS, &local());
    let (rows, _, _) = run_all(&connector, &request("things", &config, None, None), budget).await;
    assert_eq!(rows.len(), 2);
    let grants: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|s| s.target == "/token")
        .collect();
    assert_eq!(grants.len(), 1, "one token for every step");
    assert!(grants[0].body.contains("grant_type=client_credentials"));
    assert!(grants[0].body.contains("scope=read%3Athings"));
}

/// An API key in its header, basic auth, a bearer token, and none; a missing
/// credential is a config error naming its field.
#[tokio::test]
async fn keys_basic_and_bearer_are_sent_as_declared() {
    let server = Server::start(|_, _| Reply::json(json!({"items": [{"id": 1}]}))).await;
    let connector = Declared::new(&ALL_KINDS, &local());
    for (config, header, want) in [
        (
            json!({"auth": "api_key", "api_key": "k-1"}),
            "x-api-key",
            Some("k-1"),
        ),
        (
            json!({"auth": "basic", "username": "ana@example.com", "password": "pw"}),
            "authorization",
            Some("Basic YW5hQGV4YW1wbGUuY29tOnB3"),
        ),
        (
            json!({"auth": "bearer", "token": "t-1"}),
            "authorization",
            Some("Bearer t-1"),
        ),
        (json!({"auth": "none"}), "authorization", None),
    ] {
        let mut config = obj(config);
        config.insert("base_url".into(), json!(server.url()));
        connector
            .step(&request("things", &config, None, None), None, budget())
            .await
            .expect("a step");
        let last = server.seen().last().cloned().expect("asked");
        assert_eq!(last.header(header), want, "{config:?}");
    }
    let missing = obj(json!({"base_url": server.url(), "auth": "basic", "username": "ana"}));
    let err = connector
        .step(&request("things", &missing, None, None), None, budget())
        .await
        .expect_err("no password");
    assert!(
        matches!(&err, ConnectorError::Config { field, .. } if field == "password"),
        "{err}"
    );
}

/// Every request is paced to `requests_per_minute`, and the wait is logged.
#[tokio::test]
async fn requests_keep_to_the_sources_budget() {
    let server = Server::start(|seen, _| match seen.query("pageToken").as_deref() {
        None => Reply::json(json!({"items": [{"id": 1}], "next": "a"})),
        Some("a") => Reply::json(json!({"items": [{"id": 2}], "next": "b"})),
        _ => Reply::json(json!({"items": [{"id": 3}]})),
    })
    .await;
    let config = obj(json!({"base_url": server.url(), "auth": "none", "requests_per_minute": 600}));
    let connector = Declared::new(&ALL_KINDS, &local());
    let out = connector
        .step(&request("things", &config, None, None), None, budget())
        .await
        .expect("a step");
    assert_eq!(records(&out).len(), 3);
    let paced = out
        .log
        .iter()
        .find(|l| l.starts_with("Kept to 600 requests a minute"))
        .expect("the pacing is logged");
    assert!(paced.contains("over 3 requests"), "{paced}");
}

/// Discovery lists the declared streams with their columns, types and keys;
/// a stream the connector does not have is named in the error.
#[tokio::test]
async fn discovery_lists_the_declared_streams_and_unknown_ones_are_refused() {
    let config = obj(json!({"token": TOKEN, "repositories": ["octo/one"]}));
    let connector = Declared::new(&GITHUB, &local());
    let probe = Probe {
        config: &config,
        files: Default::default(),
        credentials: None,
    };
    let streams = connector
        .streams(&probe)
        .await
        .expect("listed")
        .expect("declared");
    let names: Vec<&str> = streams.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "repositories",
            "issues",
            "pull_requests",
            "commits",
            "releases",
            "workflow_runs"
        ]
    );
    let issues = &streams[1];
    assert_eq!(issues.primary_key, ["id"]);
    let updated = issues
        .fields
        .iter()
        .find(|f| f.name == "updated_at")
        .expect("a field");
    assert_eq!(updated.cast.to_string(), "timestamp");
    let err = connector
        .step(&request("gists", &config, None, None), None, budget())
        .await
        .expect_err("no such stream");
    assert!(err.to_string().contains("repositories, issues"), "{err}");
}

/// Jira Cloud: issues by JQL on `updated` from the cursor (in its own offset),
/// a page token at a time, the changelog a row per changed field; the
/// projects by `startAt` until `isLast`; an API token as basic auth.
#[tokio::test]
async fn jira_issues_follow_page_tokens_from_the_cursor_and_projects_their_offsets() {
    use sluice_domain::connectors::jira::JIRA;
    let server = Server::start(|seen, _| {
        if seen.target.starts_with("/rest/api/3/project/search") {
            let at: u64 = seen
                .query("startAt")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            return Reply::json(json!({
                "startAt": at, "maxResults": 50, "isLast": at > 0,
                "values": [{"id": format!("{}", 100 + at), "key": format!("P{at}"), "name": "Ops",
                            "projectTypeKey": "software", "lead": {"displayName": "Ana"}}]
            }));
        }
        let change = |id: &str| {
            json!({"id": id, "created": "2026-03-01T09:00:00.000+0200",
                   "author": {"displayName": "Ana", "accountId": "a1"},
                   "items": [{"field": "status", "fieldId": "status", "fromString": "To Do", "toString": "Done"}]})
        };
        match seen.query("nextPageToken").as_deref() {
            None => Reply::json(json!({"issues": [{
                "id": "10001", "key": "OPS-1",
                "fields": {"summary": "Deploy", "updated": "2026-03-01T10:00:00.000+0200",
                           "issuetype": {"name": "Story", "hierarchyLevel": 0},
                           "status": {"name": "Done", "statusCategory": {"key": "done"}}, "labels": ["x"]},
                "changelog": {"histories": [change("1")]}
            }], "nextPageToken": "tok-2", "isLast": false})),
            Some(_) => Reply::json(json!({"issues": [{
                "id": "10002", "key": "OPS-2",
                "fields": {"summary": "Fix", "updated": "2026-03-02T10:00:00.000+0200"},
                "changelog": {"histories": [change("2"), change("3")]}
            }], "isLast": true})),
        }
    })
    .await;
    let config = obj(json!({
        "base_url": server.url(), "username": "ana@example.com", "password": "jira-api-SECRET",
        "jql": "project = OPS", "requests_per_minute": 100000
    }));
    let saved = json!("2026-02-28T12:30:00.000+0200");
    let connector = Declared::new(&JIRA, &local());
    let (rows, cursor, _) = run_all(
        &connector,
        &request("issues", &config, Some(&saved), None),
        budget,
    )
    .await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["key"], "OPS-1");
    assert_eq!(rows[0]["status_category"], "done");
    assert_eq!(rows[0]["hierarchy_level"], 0);
    assert_eq!(cursor, Some(json!("2026-03-02T10:00:00.000+0200")));
    let first = &server.seen()[0];
    let jql = first.query("jql").expect("a JQL query");
    assert_eq!(
        jql,
        "%28project+%3D+OPS%29+AND+updated+%3E%3D+%222026-02-28+12%3A30%22+ORDER+BY+updated+ASC"
    );
    assert_eq!(first.query("expand").as_deref(), Some("changelog"));
    assert!(
        first
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert_eq!(
        server.seen()[1].query("nextPageToken").as_deref(),
        Some("tok-2")
    );

    let (changes, _, _) = run_all(
        &connector,
        &request("issue_changelog", &config, None, None),
        budget,
    )
    .await;
    let ids: Vec<&str> = changes
        .iter()
        .filter_map(|r| r["history_id"].as_str())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(changes[0]["to_string"], "Done");
    assert_eq!(changes[2]["issue_key"], "OPS-2");

    let (projects, _, _) = run_all(
        &connector,
        &request("projects", &config, None, None),
        budget,
    )
    .await;
    let keys: Vec<&str> = projects.iter().filter_map(|r| r["key"].as_str()).collect();
    assert_eq!(
        keys,
        ["P0", "P1"],
        "offset by the records read, until isLast"
    );
    assert_eq!(projects[0]["lead"], "Ana");
}

/// A connection test says what happened after one retry: a closed port fails
/// `reachable`, and the checks after it are not tried.
#[tokio::test]
async fn a_connection_test_of_a_closed_port_fails_reachable_after_one_retry() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let config = obj(json!({
        "base_url": format!("http://127.0.0.1:{closed}"), "token": TOKEN,
        "repositories": ["octo/one"], "requests_per_minute": 100000
    }));
    let connector = Declared::new(&GITHUB, &local());
    let probe = Probe {
        config: &config,
        files: Default::default(),
        credentials: None,
    };
    let test = connector.test(&probe).await;
    assert!(!test.ok);
    assert_eq!(test.checks[0].check, "reachable", "{test:?}");
    let why = test.checks[0].reason.clone().unwrap_or_default();
    assert!(why.contains("gave up after 1 retry)"), "{why}");
    assert!(!why.contains(TOKEN), "{why}");
    assert!(test.checks[1..].iter().all(|c| !c.ok), "{test:?}");
}

/// A source may name any base URL or token endpoint, but requests go only
/// where the operator's egress policy allows: on its defaults, an API or a
/// token endpoint on this machine is out of reach, and nothing is sent.
#[tokio::test]
async fn a_base_url_or_token_endpoint_on_this_machine_is_out_of_reach_by_default() {
    let server = Server::start(|_, _| Reply::json(json!({"items": [], "access_token": "a"}))).await;
    let public = sluice_domain::net::Egress::public_only();
    let api = obj(json!({
        "base_url": server.url(), "token": TOKEN, "repositories": ["octo/one"],
        "requests_per_minute": 100000
    }));
    let err = Declared::new(&GITHUB, &public)
        .step(&request("repositories", &api, None, None), None, budget())
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("out of reach"), "{err}");
    assert!(!err.retryable());
    // The token endpoint is on this machine, the API elsewhere: the grant is
    // never sent.
    let oauth = obj(json!({
        "base_url": "https://api.example.com", "auth": "oauth_client_credentials",
        "token_url": format!("{}/token", server.url()), "client_id": "c", "client_secret": "s"
    }));
    let err = Declared::new(&ALL_KINDS, &public)
        .step(&request("things", &oauth, None, None), None, budget())
        .await
        .expect_err("refused");
    assert!(!err.to_string().contains("\"s\""), "{err}");
    assert!(server.seen().is_empty(), "nothing reached this machine");
}
