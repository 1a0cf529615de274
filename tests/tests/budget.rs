//! Request budgets through the API: a caller's requests past its budget for
//! the minute answer 429 with `Retry-After` and a JSON body that says so; the
//! next minute the budget is whole again; another caller and a public route
//! are not touched.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use sluice_app::Deps;
use sluice_app::api::{Api, ApiRequest, ApiResponse, handle};
use sluice_app::auth::{Principal, TokenKeys};
use sluice_domain::ports::Clock;
use sluice_domain::{Id, Kind, Role};
use sluice_local::{FileSecrets, SqliteStore};
use sluice_tests::app::temp_dir;

/// A clock the test moves.
struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock")
    }
}

async fn get(api: &Api, path: &str, token: Option<&str>) -> ApiResponse {
    let mut headers = http::HeaderMap::new();
    if let Some(t) = token {
        headers.insert(
            "authorization",
            format!("Bearer {t}").parse().expect("header"),
        );
    }
    handle(
        api,
        ApiRequest {
            method: http::Method::GET,
            path: path.into(),
            query: None,
            headers,
            body: Default::default(),
            spooled: None,
            authorized: None,
        },
    )
    .await
}

fn header<'a>(r: &'a ApiResponse, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_caller_past_its_budget_waits_for_the_next_minute_and_no_one_else_does() {
    let dir = temp_dir("budget");
    // 10 s into a minute (1_800_000_000 is a whole one): 50 s left of it.
    let start = Utc.timestamp_opt(1_800_000_010, 0).single().expect("time");
    let clock = Arc::new(TestClock(Mutex::new(start)));
    let keys = TokenKeys::sealed().expect("keys");
    let project = Id::generate(Kind::Project, 1_700_000_000_000);
    let token = |subject: &str| {
        keys.sign(
            &Principal::operator(subject, project.clone(), Role::Viewer),
            start.timestamp(),
            3600,
        )
        .expect("signed")
    };
    let (ann, bob) = (token("ann"), token("bob"));
    let mut deps = Deps::new(
        Arc::new(SqliteStore::open(&dir.join("m.db"), 1).expect("store")),
        Arc::new(FileSecrets::open(&dir.join("s.json"), &dir.join("s.key")).expect("secrets")),
        clock.clone(),
        Arc::new(keys),
    );
    deps.identity.requests_per_minute = 3;
    let api = Api::available(deps);

    for n in 1..=3 {
        let r = get(&api, "/v1/storages", Some(&ann)).await;
        assert_eq!(r.status, 200, "request {n} is within the budget");
    }
    let r = get(&api, "/v1/storages", Some(&ann)).await;
    assert_eq!(r.status, 429);
    assert_eq!(header(&r, "retry-after"), Some("50"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("JSON");
    assert_eq!(body["error"]["code"], "too_many_requests");
    assert_eq!(body["error"]["details"]["retry_after_seconds"], 50);
    assert_eq!(body["error"]["details"]["requests_per_minute"], 3);

    // Another caller has a budget of its own; a public route has none.
    assert_eq!(get(&api, "/v1/storages", Some(&bob)).await.status, 200);
    assert_eq!(get(&api, "/health", None).await.status, 200);

    // The next minute, the budget is whole again.
    *clock.0.lock().expect("clock") = start + chrono::Duration::seconds(50);
    assert_eq!(get(&api, "/v1/storages", Some(&ann)).await.status, 200);
}
