//! The scheduler: trigger fires (exactly once under concurrent ticks, on SQLite and
//! on DynamoDB), stale versions, catch-up after downtime, busy targets, retries
//! with backoff, stuck runs, SLA misses with their webhook, backfills under the
//! max-active-runs limit, and upstream dependencies with their lineage.
//!
//! Ticks are called with the instant they run at, so a test moves time forward
//! without waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sluice_app::services::scheduler::{self, TickReport};
use sluice_domain::ports::{
    DueQuery, ListQuery, MetadataStore, Page, Record, RecordDue, RecordGet, RecordList, RecordPut,
    RunEvent, RunEventKind, StoreError,
};
use sluice_domain::{Id, IdOf, Kind};
use sluice_tests::app::{
    TestApp, spawn_app, spawn_app_on_moto, spawn_app_without_workers, temp_dir,
};
use sluice_tests::runs::{files_mart, wait_final, write_orders};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("an instant"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

async fn tick(app: &TestApp, now: DateTime<Utc>) -> TickReport {
    scheduler::tick(&app.scheduler(), now).await
}

async fn runs_of(app: &TestApp, mart: &str) -> Vec<Value> {
    let r = app
        .owner(
            "GET",
            &format!("/v1/runs?data_mart_id={mart}&limit=200"),
            None,
            200,
        )
        .await;
    r["items"].as_array().expect("items").clone()
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.owner("GET", path, None, 200).await
}

/// The alarm of `kind` about `subject`, once it is there (run events are
/// handled a moment after the run ends).
async fn alarm(app: &TestApp, kind: &str, subject: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let all = get(app, "/v1/alarms").await;
        let found = all["items"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|x| x["kind"] == json!(kind) && x["subject_id"] == json!(subject))
            })
            .cloned();
        if let Some(a) = found {
            return a;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no {kind} alarm: {all}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn trigger(app: &TestApp, body: Value) -> Value {
    app.owner("POST", "/v1/triggers", Some(&body), 201).await
}

/// Runs not over yet.
fn active(runs: &[Value]) -> usize {
    runs.iter()
        .filter(|r| {
            !matches!(
                r["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            )
        })
        .count()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

/// A published `files` mart over a directory of a few orders.
async fn mart(app: &TestApp, pipeline: Value) -> String {
    let dir = app.keep(temp_dir("sched-orders"));
    write_orders(&dir, 1, 20);
    files_mart(app, &dir, pipeline).await
}

/// Ten triggers due at one instant, four ticks at once, then the same tick again
/// (a retried invocation): each trigger fires exactly once.
async fn concurrent_ticks_fire_each_due_trigger_once(app: TestApp) {
    let m = mart(&app, json!({"max_active_runs": 16})).await;
    let mut triggers = vec![];
    for _ in 0..10 {
        triggers.push(
            trigger(
                &app,
                json!({"target_kind": "data_mart", "target_id": m, "cron": "*/5 * * * *", "timezone": "Europe/Berlin"}),
            )
            .await,
        );
    }
    let due = at(&triggers[0]["next_fire_at"]);
    assert!(triggers.iter().all(|t| at(&t["next_fire_at"]) == due));
    let now = due + chrono::Duration::seconds(3);
    let reports = futures_join(vec![
        tick(&app, now),
        tick(&app, now),
        tick(&app, now),
        tick(&app, now),
    ])
    .await;
    let started: usize = reports.iter().map(|r| r.started).sum();
    assert_eq!(started, 10, "{reports:?}");
    let again = tick(&app, now).await;
    assert_eq!(again.started, 0, "a retried tick starts nothing: {again:?}");
    let runs = runs_of(&app, &m).await;
    assert_eq!(runs.len(), 10, "one run per trigger");
    for t in &triggers {
        let t = get(&app, &format!("/v1/triggers/{}", id(t))).await;
        let fires = t["recent_fires"].as_array().expect("fires");
        assert_eq!(fires.len(), 1, "{t}");
        assert_eq!(fires[0]["outcome"], json!("started"));
        assert_eq!(at(&fires[0]["scheduled_for"]), due);
        let run = fires[0]["run_id"].as_str().expect("run id");
        assert!(runs.iter().any(|r| r["id"] == json!(run)));
        assert_eq!(t["pending"], json!([]));
        assert_eq!(at(&t["next_fire_at"]), due + chrono::Duration::minutes(5));
        let r = get(&app, &format!("/v1/runs/{run}")).await;
        assert_eq!(r["trigger_id"], t["id"]);
        assert_eq!(at(&r["scheduled_for"]), due);
    }
    app.stop().await;
}

async fn futures_join(
    ticks: Vec<impl std::future::Future<Output = TickReport>>,
) -> Vec<TickReport> {
    let mut set = vec![];
    for t in ticks {
        set.push(t);
    }
    let mut out = vec![];
    // All four polled together on this task: their store calls interleave.
    let joined = async {
        let mut it = set.into_iter();
        let (a, b, c, d) = (
            it.next().expect("4"),
            it.next().expect("4"),
            it.next().expect("4"),
            it.next().expect("4"),
        );
        tokio::join!(a, b, c, d)
    };
    let (a, b, c, d) = joined.await;
    out.extend([a, b, c, d]);
    out
}

#[tokio::test]
async fn concurrent_ticks_fire_each_due_trigger_once_on_sqlite() {
    concurrent_ticks_fire_each_due_trigger_once(spawn_app_without_workers().await).await;
}

#[tokio::test]
async fn concurrent_ticks_fire_each_due_trigger_once_on_dynamodb() {
    concurrent_ticks_fire_each_due_trigger_once(spawn_app_on_moto().await).await;
}

/// A store that lets a test change a trigger at the worst moment: after the tick
/// found it due (`Due`), or after the tick read it and before it claims it
/// (`Claim`).
struct MeddlingStore {
    inner: Arc<dyn MetadataStore>,
    when: Meddle,
    armed: AtomicBool,
    change: Box<dyn Fn(&mut Value) + Send + Sync>,
}

#[derive(PartialEq)]
enum Meddle {
    Due,
    Claim,
}

impl MeddlingStore {
    async fn meddle(&self, project: &Id, id: &Id) {
        if !self.armed.swap(false, Ordering::SeqCst) {
            return;
        }
        let mut r = self
            .inner
            .get(project, Kind::Trigger, id)
            .await
            .expect("get")
            .expect("trigger");
        let mut body: Value = serde_json::from_str(&r.body).expect("json");
        (self.change)(&mut body);
        let t: sluice_domain::entities::Trigger = serde_json::from_value(body).expect("trigger");
        let mut next = sluice_app::records::to_record(&t).expect("record");
        next.version = r.version + 1;
        r = next;
        self.inner.replace(&r).await.expect("the user's edit");
    }
}

#[async_trait]
impl RecordGet for MeddlingStore {
    async fn get(&self, project: &Id, kind: Kind, id: &Id) -> Result<Option<Record>, StoreError> {
        self.inner.get(project, kind, id).await
    }
}
#[async_trait]
impl RecordPut for MeddlingStore {
    async fn insert(&self, r: &Record) -> Result<(), StoreError> {
        self.inner.insert(r).await
    }
    async fn replace(&self, r: &Record) -> Result<(), StoreError> {
        if r.kind == Kind::Trigger && self.when == Meddle::Claim {
            self.meddle(&r.project, &r.id).await;
        }
        self.inner.replace(r).await
    }
}
#[async_trait]
impl RecordList for MeddlingStore {
    async fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        self.inner.list(q).await
    }
}
#[async_trait]
impl RecordDue for MeddlingStore {
    async fn due(&self, q: &DueQuery) -> Result<Vec<Record>, StoreError> {
        let found = self.inner.due(q).await?;
        if self.when == Meddle::Due {
            for r in found.iter().filter(|r| r.kind == Kind::Trigger) {
                self.meddle(&r.project, &r.id).await;
            }
        }
        Ok(found)
    }
}

#[tokio::test]
async fn a_trigger_changed_between_found_and_claimed_does_not_fire_its_stale_version() {
    let app = spawn_app_without_workers().await;
    let m = mart(&app, json!({"max_active_runs": 16})).await;
    type Change = Box<dyn Fn(&mut Value) + Send + Sync>;
    let cases: Vec<(Meddle, Change)> = vec![
        (Meddle::Due, Box::new(|t| t["enabled"] = json!(false))),
        (Meddle::Claim, Box::new(|t| t["enabled"] = json!(false))),
        // Edited to a schedule that is not due yet.
        (
            Meddle::Claim,
            Box::new(|t| {
                t["cron"] = json!("0 0 1 1 *");
                t["next_fire_at"] = json!("2099-01-01T00:00:00Z");
            }),
        ),
    ];
    for (when, change) in cases {
        let t = trigger(
            &app,
            json!({"target_kind": "data_mart", "target_id": m, "cron": "* * * * *"}),
        )
        .await;
        let now = at(&t["next_fire_at"]) + chrono::Duration::seconds(1);
        let mut deps = app.deps.clone();
        deps.store = Arc::new(MeddlingStore {
            inner: app.deps.store.clone(),
            when,
            armed: AtomicBool::new(true),
            change,
        });
        let before = runs_of(&app, &m).await.len();
        let report = scheduler::tick(
            &sluice_app::services::scheduler::Scheduler::new(deps.clone()).expect("a queue"),
            now,
        )
        .await;
        assert_eq!(report.started, 0, "{report:?}");
        assert_eq!(
            runs_of(&app, &m).await.len(),
            before,
            "no run of the stale version"
        );
        let t = get(&app, &format!("/v1/triggers/{}", id(&t))).await;
        assert_eq!(t["recent_fires"], json!([]), "{t}");
        // Leave it off for the next case.
        app.owner(
            "PATCH",
            &format!("/v1/triggers/{}", id(&t)),
            Some(&json!({"enabled": false})),
            200,
        )
        .await;
    }
    app.stop().await;
}

#[tokio::test]
async fn after_downtime_the_catch_up_policy_decides_what_runs_and_disabled_triggers_never_fire() {
    let app = spawn_app_without_workers().await;
    let m = mart(&app, json!({"max_active_runs": 16})).await;
    let mk = |catch_up: &str| json!({"target_kind": "data_mart", "target_id": m, "cron": "*/15 * * * *", "timezone": "Asia/Kathmandu", "catch_up": catch_up, "catch_up_cap": 3});
    let skip = trigger(&app, mk("skip")).await;
    let latest = trigger(&app, mk("latest")).await;
    let all = trigger(&app, mk("all")).await;
    let off = trigger(
        &app,
        json!({"target_kind": "data_mart", "target_id": m, "cron": "* * * * *", "enabled": false}),
    )
    .await;
    assert_eq!(off["next_fire_at"], Value::Null);
    let first = at(&skip["next_fire_at"]);
    // Down for two hours: 8 fires missed (first, +15, … +105 min), now 2 h after the first.
    let now = first + chrono::Duration::minutes(120) - chrono::Duration::seconds(30)
        + chrono::Duration::minutes(10);
    tick(&app, now).await;
    let fires = |t: &Value| t["recent_fires"].as_array().cloned().unwrap_or_default();
    let started = |t: &Value| {
        fires(t)
            .iter()
            .filter(|f| f["outcome"] == json!("started"))
            .count()
    };
    let skip = get(&app, &format!("/v1/triggers/{}", id(&skip))).await;
    let latest = get(&app, &format!("/v1/triggers/{}", id(&latest))).await;
    let all = get(&app, &format!("/v1/triggers/{}", id(&all))).await;
    assert_eq!(started(&skip), 0, "{skip}");
    assert_eq!(started(&latest), 1, "{latest}");
    assert_eq!(started(&all), 3, "{all}");
    for (t, missed) in [(&skip, 9), (&latest, 8), (&all, 6)] {
        let dropped: Vec<Value> = fires(t)
            .into_iter()
            .filter(|f| f["outcome"] == json!("skipped_missed"))
            .collect();
        assert_eq!(dropped.len(), 1, "{t}");
        let detail = dropped[0]["detail"].as_str().expect("detail");
        assert!(
            detail.starts_with(&format!("{missed} fire(s) missed")),
            "{detail}"
        );
        assert!(at(&t["next_fire_at"]) > now);
    }
    // `latest` ran the latest missed fire.
    let latest_fire = fires(&latest)
        .into_iter()
        .find(|f| f["outcome"] == json!("started"))
        .expect("started");
    assert_eq!(latest_fire["cause"], json!("catch_up"));
    assert!(now - at(&latest_fire["scheduled_for"]) < chrono::Duration::minutes(15));
    assert_eq!(runs_of(&app, &m).await.len(), 4);
    let off = get(&app, &format!("/v1/triggers/{}", id(&off))).await;
    assert_eq!(off["recent_fires"], json!([]), "disabled never fires");
    app.stop().await;
}

#[tokio::test]
async fn a_busy_data_mart_makes_fires_wait_or_skip_and_never_overlap() {
    let app = spawn_app_without_workers().await;
    let m = mart(&app, json!({"max_active_runs": 1})).await;
    // A run is in flight (nothing consumes the queues here).
    let first = id(&app
        .owner(
            "POST",
            &format!("/v1/data-marts/{m}/runs"),
            Some(&json!({})),
            201,
        )
        .await);
    let skipper = trigger(&app, json!({"target_kind": "data_mart", "target_id": m, "cron": "0 * * * *", "when_busy": "skip"})).await;
    let waiter = trigger(&app, json!({"target_kind": "data_mart", "target_id": m, "cron": "0 * * * *", "when_busy": "wait"})).await;
    let t0 = at(&skipper["next_fire_at"]);
    assert_eq!(at(&waiter["next_fire_at"]), t0);
    let r = tick(&app, t0 + chrono::Duration::seconds(1)).await;
    assert_eq!((r.started, r.skipped, r.waiting), (0, 1, 1), "{r:?}");
    let s = get(&app, &format!("/v1/triggers/{}", id(&skipper))).await;
    assert_eq!(
        s["recent_fires"][0]["outcome"],
        json!("skipped_busy"),
        "{s}"
    );
    assert!(
        s["recent_fires"][0]["detail"]
            .as_str()
            .expect("detail")
            .contains(&first)
    );
    assert_eq!(s["pending"], json!([]));
    let w = get(&app, &format!("/v1/triggers/{}", id(&waiter))).await;
    assert_eq!(w["pending"].as_array().map(Vec::len), Some(1), "{w}");
    assert_eq!(w["recent_fires"], json!([]));
    // Still busy at the next look: still waiting, nothing overlaps.
    let r = tick(&app, t0 + chrono::Duration::seconds(35)).await;
    assert_eq!((r.started, r.waiting), (0, 1), "{r:?}");
    // The API refuses a second overlapping run too.
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{m}/runs"),
            app.token(sluice_domain::Role::Editor),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // The first run ends: the waiting fire starts at the next look.
    app.owner("POST", &format!("/v1/runs/{first}/cancel"), None, 200)
        .await;
    let r = tick(&app, t0 + chrono::Duration::seconds(70)).await;
    assert_eq!(r.started, 1, "{r:?}");
    let w = get(&app, &format!("/v1/triggers/{}", id(&waiter))).await;
    assert_eq!(w["pending"], json!([]));
    assert_eq!(w["recent_fires"][0]["outcome"], json!("started"));
    assert_eq!(at(&w["recent_fires"][0]["scheduled_for"]), t0);
    let runs = runs_of(&app, &m).await;
    assert_eq!((runs.len(), active(&runs)), (2, 1));
    app.stop().await;
}

#[tokio::test]
async fn a_failed_run_is_retried_with_backoff_and_every_attempt_is_kept() {
    let app = spawn_app().await;
    let dir = temp_dir("sched-retry");
    // No data yet: the source directory is gone after the source was saved, so
    // extraction fails.
    let missing = dir.join("later");
    std::fs::create_dir_all(&missing).expect("dir");
    let m = files_mart(&app, &missing, json!({})).await;
    std::fs::remove_dir(&missing).expect("remove");
    let t = trigger(&app, json!({"target_kind": "data_mart", "target_id": m, "cron": "0 3 * * *", "retry": {"max_retries": 2, "backoff_seconds": 60}})).await;
    let due = at(&t["next_fire_at"]);
    tick(&app, due).await;
    let run = id(&runs_of(&app, &m).await[0]);
    // Attempt 1 fails; a retry is scheduled 30-60 s later (first step 60 s, jittered).
    let r = wait_for(&app, &run, |r| r["status"] == json!("failed")).await;
    assert_eq!(r["attempt"], json!(1));
    let failed_at = at(&r["finished_at"]);
    let retry_at = at(&r["next_retry_at"]);
    let wait = (retry_at - failed_at).num_milliseconds();
    assert!((30_000..=60_000).contains(&wait), "first backoff {wait} ms");
    // Not yet: the tick before the backoff is over leaves it.
    let early = tick(&app, retry_at - chrono::Duration::seconds(1)).await;
    assert_eq!(early.retried, 0);
    let r = tick(&app, retry_at).await;
    assert_eq!(r.retried, 1, "{r:?}");
    // Attempt 2 fails too; its backoff doubles (60-120 s).
    let r = wait_for(&app, &run, |r| {
        r["status"] == json!("failed") && r["attempt"] == json!(2)
    })
    .await;
    let wait = (at(&r["next_retry_at"]) - at(&r["finished_at"])).num_milliseconds();
    assert!(
        (60_000..=120_000).contains(&wait),
        "second backoff {wait} ms"
    );
    // The cause is fixed before attempt 3: it succeeds, and every attempt is kept.
    write_orders(&missing, 2, 10);
    tick(&app, at(&r["next_retry_at"])).await;
    let r = wait_final(&app, &run, Duration::from_secs(60)).await;
    assert_eq!(r["status"], json!("succeeded"), "{r}");
    assert_eq!(r["attempt"], json!(3));
    let attempts = r["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2);
    for (i, a) in attempts.iter().enumerate() {
        assert_eq!(a["attempt"], json!(i + 1));
        assert_eq!(a["status"], json!("failed"));
        assert!(a["error"].as_str().is_some_and(|e| !e.is_empty()), "{a}");
    }
    assert_eq!(r["counters"]["rows_written"], json!(20));
    app.stop().await;
}

#[tokio::test]
async fn retries_stop_at_the_policy_and_the_failure_is_final() {
    let app = spawn_app().await;
    // A line that is not JSON, and `fail_fast`: every attempt fails at once.
    let dir = temp_dir("sched-final");
    std::fs::write(dir.join("bad.ndjson"), "{\"order_id\": \"1\"}\nnot json\n").expect("file");
    let m = files_mart(&app, &dir, json!({"error_policy": "fail_fast"})).await;
    let t = trigger(&app, json!({"target_kind": "data_mart", "target_id": m, "cron": "0 3 * * *", "retry": {"max_retries": 1, "backoff_seconds": 1}})).await;
    tick(&app, at(&t["next_fire_at"])).await;
    let run = id(&runs_of(&app, &m).await[0]);
    let r = wait_for(&app, &run, |r| r["status"] == json!("failed")).await;
    tick(&app, at(&r["next_retry_at"])).await;
    let r = wait_for(&app, &run, |r| {
        r["status"] == json!("failed") && r["attempt"] == json!(2)
    })
    .await;
    assert_eq!(r["next_retry_at"], Value::Null, "no retries left: {r}");
    let later = tick(&app, Utc::now() + chrono::Duration::days(1)).await;
    assert_eq!(later.retried, 0);
    // The failure for good raised the data mart's alarm, once (the first
    // attempt had a retry left); acknowledged, it leaves the open ones.
    let a = alarm(&app, "run_failed", &m).await;
    assert_eq!(
        (a["count"].clone(), a["state"].clone()),
        (json!(1), json!("open")),
        "{a}"
    );
    assert_eq!(a["last_run_id"], json!(run));
    assert!(a["message"].as_str().is_some_and(|m| !m.is_empty()), "{a}");
    let acked = app
        .owner(
            "POST",
            &format!("/v1/alarms/{}/acknowledge", id(&a)),
            None,
            200,
        )
        .await;
    assert_eq!(acked["state"], json!("acknowledged"));
    assert!(acked["acknowledged_by"].is_string(), "{acked}");
    let open = get(&app, "/v1/alarms?state=open").await;
    assert_eq!(open["items"], json!([]), "{open}");
    let acknowledged = get(&app, "/v1/alarms?state=acknowledged").await;
    assert_eq!(acknowledged["items"][0]["id"], a["id"]);
    app.stop().await;
}

async fn wait_for(app: &TestApp, run: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = std::time::Instant::now();
    loop {
        let r = get(app, &format!("/v1/runs/{run}")).await;
        if done(&r) {
            return r;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "run never got there: {r}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A run nobody moves (no workers) is found stuck when its lease runs out, resumed
/// from its records, and finishes once workers are there; one stuck for good fails.
#[tokio::test]
async fn stuck_runs_are_resumed_then_failed_never_left_running() {
    let mut app = spawn_app_without_workers().await;
    let dir = temp_dir("sched-stuck");
    write_orders(&dir, 2, 10);
    let m = files_mart(&app, &dir, json!({"max_active_runs": 2})).await;
    let run = id(&app
        .owner(
            "POST",
            &format!("/v1/data-marts/{m}/runs"),
            Some(&json!({})),
            201,
        )
        .await);
    let lease = chrono::Duration::seconds(sluice_domain::entities::RUN_LEASE_SECONDS);
    let r = tick(&app, Utc::now() + lease + chrono::Duration::seconds(5)).await;
    assert_eq!(r.resumed, 1, "{r:?}");
    let a = alarm(&app, "stuck_run_resumed", &m).await;
    assert_eq!(a["count"], json!(1), "{a}");
    assert!(
        a["message"].as_str().is_some_and(|t| t.contains("resumed")),
        "{a}"
    );
    let v = get(&app, &format!("/v1/runs/{run}")).await;
    assert_eq!(
        (v["stalls"].clone(), v["interruptions"].clone()),
        (json!(1), json!(1)),
        "{v}"
    );
    // Workers come back: the resumed run finishes exactly once.
    app.start_engine().await;
    let v = wait_final(&app, &run, Duration::from_secs(60)).await;
    assert_eq!(v["status"], json!("succeeded"));
    assert_eq!(v["counters"]["rows_written"], json!(20));
    app.stop().await;

    // No workers at all: after three leases without progress the run fails.
    let app = spawn_app_without_workers().await;
    let m = files_mart(&app, &dir, json!({})).await;
    let run = id(&app
        .owner(
            "POST",
            &format!("/v1/data-marts/{m}/runs"),
            Some(&json!({})),
            201,
        )
        .await);
    let mut now = Utc::now();
    for _ in 0..4 {
        now += lease + chrono::Duration::seconds(5);
        tick(&app, now).await;
    }
    let v = get(&app, &format!("/v1/runs/{run}")).await;
    assert_eq!(v["status"], json!("failed"), "{v}");
    assert!(v["error"].as_str().expect("error").contains("stuck"), "{v}");
    app.stop().await;
}

/// A webhook receiver: counts POSTs and keeps their bodies.
async fn webhook() -> (
    String,
    Arc<std::sync::Mutex<Vec<Value>>>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let got = Arc::new(std::sync::Mutex::new(vec![]));
    let seen = got.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = vec![];
            let mut chunk = [0u8; 4096];
            // Read headers and the body (Content-Length).
            loop {
                let n = s.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        let body: Value = serde_json::from_slice(&buf[end + 4..end + 4 + len])
                            .unwrap_or(Value::Null);
                        seen.lock().expect("lock").push(body);
                        break;
                    }
                }
            }
            let _ = s
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (format!("http://{addr}/hooks/T0/s3cr3t-token"), got, task)
}

#[tokio::test]
async fn a_run_over_its_sla_raises_run_sla_missed_once_and_posts_the_webhook() {
    let mut app = spawn_app_without_workers().await;
    app.deps.notifier = Some(Arc::new(sluice_connectors::webhook::WebhookNotifier::new(
        &app.deps.egress,
    )));
    let (url, got, server) = webhook().await;
    let project = app
        .owner(
            "PATCH",
            "/v1/project",
            Some(&json!({"webhook_url": url})),
            200,
        )
        .await;
    assert!(!project.to_string().contains("s3cr3t"), "{project}");
    assert_eq!(
        project["webhook"]["origin"],
        json!(url.split("/hooks").next().expect("origin"))
    );
    let shown = get(&app, "/v1/project").await;
    assert!(!shown.to_string().contains("s3cr3t"), "{shown}");
    let m = mart(&app, json!({})).await;
    let t = trigger(&app, json!({"target_kind": "data_mart", "target_id": m, "cron": "0 4 * * *", "sla_seconds": 600})).await;
    let due = at(&t["next_fire_at"]);
    tick(&app, due).await;
    let run = id(&runs_of(&app, &m).await[0]);
    let within = tick(&app, due + chrono::Duration::seconds(590)).await;
    assert_eq!(within.sla_missed, 0);
    let over = tick(&app, Utc::now().max(due) + chrono::Duration::seconds(700)).await;
    assert_eq!(over.sla_missed, 1, "{over:?}");
    let again = tick(&app, Utc::now().max(due) + chrono::Duration::seconds(800)).await;
    assert_eq!(again.sla_missed, 0, "raised once");
    // The miss itself, and the alarm it opened, each announced once (the run,
    // which no worker moves, is also found stuck: another alarm).
    let posts = got.lock().expect("lock").clone();
    let count = |event: &str, kind: Option<&str>| {
        posts
            .iter()
            .filter(|p| p["event"] == json!(event) && kind.is_none_or(|k| p["kind"] == json!(k)))
            .count()
    };
    assert_eq!(count("RunSlaMissed", None), 1, "{posts:?}");
    assert_eq!(count("AlarmRaised", Some("SLA missed")), 1, "{posts:?}");
    let of = |event: &str| {
        posts
            .iter()
            .find(|p| p["event"] == json!(event))
            .unwrap_or_else(|| panic!("no {event} in {posts:?}"))
            .clone()
    };
    let missed = of("RunSlaMissed");
    assert_eq!(missed["run_id"], json!(run));
    assert_eq!(missed["sla_seconds"], json!(600));
    let alarmed = posts
        .iter()
        .find(|p| p["kind"] == json!("SLA missed"))
        .expect("the SLA alarm")
        .clone();
    assert_eq!(alarmed["event"], json!("AlarmRaised"), "{alarmed}");
    assert!(alarmed.get("run_id").is_none(), "{alarmed}");
    assert!(alarmed["alarm_id"].is_string(), "{alarmed}");
    assert_eq!(alarmed["status"], json!("alarm"), "{alarmed}");
    assert_eq!(alarmed["kind"], json!("SLA missed"), "{alarmed}");
    let r = get(&app, &format!("/v1/runs/{run}")).await;
    assert!(r["sla_missed_at"].is_string(), "{r}");
    let a = alarm(&app, "sla_missed", &m).await;
    assert_eq!(
        (a["count"].clone(), a["last_run_id"].clone()),
        (json!(1), json!(run)),
        "{a}"
    );
    server.abort();
    app.stop().await;
}

#[tokio::test]
async fn a_backfill_runs_one_window_per_run_never_more_at_once_than_allowed() {
    let app = spawn_app().await;
    let dir = temp_dir("sched-backfill");
    write_orders(&dir, 1, 5);
    let m = files_mart(&app, &dir, json!({"max_active_runs": 2})).await;
    // Bad ranges first: the field is named.
    for (body, field) in [
        (
            json!({"from": "2026-02-01", "to": "2026-01-01", "window": "day"}),
            "to",
        ),
        (
            json!({"from": "2020-01-01", "to": "2026-01-01", "window": "day"}),
            "from",
        ),
        (
            json!({"from": "2026-01-01", "to": "2026-01-08", "window": "fortnight"}),
            "window",
        ),
    ] {
        app.refused(
            "POST",
            &format!("/v1/data-marts/{m}/backfills"),
            &body,
            field,
        )
        .await;
    }
    let b = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{m}/backfills"),
            Some(&json!({"from": "2026-01-01", "to": "2026-01-07", "window": "day"})),
            201,
        )
        .await;
    assert_eq!(b["windows"].as_array().map(Vec::len), Some(6));
    let bid = id(&b);
    let start = std::time::Instant::now();
    let mut most = 0;
    loop {
        let runs = runs_of(&app, &m).await;
        most = most.max(active(&runs));
        let b = get(&app, &format!("/v1/backfills/{bid}")).await;
        if b["status"] != json!("running") {
            assert_eq!(b["status"], json!("succeeded"), "{b}");
            // The last windows may have started and ended since `runs` was read.
            let runs = runs_of(&app, &m).await;
            assert_eq!(runs.len(), 6, "{runs:?}");
            for (i, w) in b["windows"].as_array().expect("windows").iter().enumerate() {
                let run = get(
                    &app,
                    &format!("/v1/runs/{}", w["run_id"].as_str().expect("run")),
                )
                .await;
                assert_eq!(run["kind"], json!("backfill"));
                assert_eq!(run["backfill_id"], json!(bid));
                assert_eq!(run["window"]["from"], w["from"]);
                assert_eq!(run["window"]["to"], w["to"]);
                assert_eq!(w["from"], json!(format!("2026-01-{:02}", i + 1)));
            }
            break;
        }
        // The engine's reactions start the next windows as runs end; a tick also would.
        tick(&app, Utc::now()).await;
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "backfill still running: {b}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(most <= 2, "{most} runs at once, the limit is 2");
    app.stop().await;
}

#[tokio::test]
async fn upstream_triggers_form_a_dag_fire_once_per_success_and_refuse_cycles() {
    let app = spawn_app().await;
    let a = mart(&app, json!({})).await;
    let b = mart(&app, json!({})).await;
    let c = mart(&app, json!({})).await;
    // b after a (any); c after a and b (all).
    let tb = trigger(&app, json!({"target_kind": "data_mart", "target_id": b, "upstream": {"data_mart_ids": [a], "mode": "any"}})).await;
    let tc = trigger(
        &app,
        json!({"target_kind": "data_mart", "target_id": c, "upstream": {"data_mart_ids": [a, b]}}),
    )
    .await;
    assert_eq!(tc["next_fire_at"], Value::Null);
    assert_eq!(tc["upstream"]["mode"], json!("all"));
    // Cycles, self-dependencies, foreign marts, both kinds of trigger: 422 naming the field.
    let other_project = app
        .send(
            "POST",
            "/v1/storages",
            &app.strangers[&sluice_domain::Role::Owner],
            Some(&json!({"title": "L", "kind": "local"})),
        )
        .await
        .json();
    let foreign = app
        .send(
            "POST",
            "/v1/data-marts",
            &app.strangers[&sluice_domain::Role::Owner],
            Some(&json!({"title": "F", "storage_id": other_project["id"]})),
        )
        .await
        .json();
    let cases = [
        (
            json!({"target_kind": "data_mart", "target_id": a, "upstream": {"data_mart_ids": [c]}}),
            "upstream.data_mart_ids",
            "cycle",
        ),
        (
            json!({"target_kind": "data_mart", "target_id": a, "upstream": {"data_mart_ids": [a]}}),
            "upstream.data_mart_ids",
            "itself",
        ),
        (
            json!({"target_kind": "data_mart", "target_id": a, "upstream": {"data_mart_ids": [foreign["id"]]}}),
            "upstream.data_mart_ids[0]",
            "not found",
        ),
        (
            json!({"target_kind": "data_mart", "target_id": a, "cron": "@daily", "upstream": {"data_mart_ids": [b]}}),
            "upstream",
            "not both",
        ),
        (
            json!({"target_kind": "data_mart", "target_id": a}),
            "cron",
            "set a schedule",
        ),
    ];
    for (body, field, says) in cases {
        let r = app.refused("POST", "/v1/triggers", &body, field).await;
        assert!(r.text.contains(says), "{}", r.text);
    }
    let r = app.send("POST", "/v1/triggers", app.token(sluice_domain::Role::Editor), Some(&json!({"target_kind": "data_mart", "target_id": a, "upstream": {"data_mart_ids": [c]}}))).await;
    assert!(
        r.text.contains(&format!("{c} → {a} → ")) || r.text.contains(&format!("{a} → ")),
        "the cycle is named: {}",
        r.text
    );
    // Lineage, both ways, transitively.
    let la = get(&app, &format!("/v1/data-marts/{a}/lineage")).await;
    let down: Vec<(String, u64)> = la["downstream"]
        .as_array()
        .expect("down")
        .iter()
        .map(|l| {
            (
                l["data_mart_id"].as_str().expect("id").to_string(),
                l["depth"].as_u64().expect("depth"),
            )
        })
        .collect();
    assert!(
        down.contains(&(b.clone(), 1)) && down.contains(&(c.clone(), 1)),
        "{la}"
    );
    assert_eq!(la["upstream"], json!([]));
    let lc = get(&app, &format!("/v1/data-marts/{c}/lineage")).await;
    assert_eq!(lc["upstream"].as_array().map(Vec::len), Some(2), "{lc}");
    // a succeeds → b fires (any) → b succeeds → c fires (a and b done): one run each.
    let run_a = id(&app
        .owner(
            "POST",
            &format!("/v1/data-marts/{a}/runs"),
            Some(&json!({})),
            201,
        )
        .await);
    wait_final(&app, &run_a, Duration::from_secs(60)).await;
    let start = std::time::Instant::now();
    let run_c = loop {
        let runs = runs_of(&app, &c).await;
        if let Some(r) = runs.first() {
            break id(r);
        }
        assert!(start.elapsed() < Duration::from_secs(60), "c never ran");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let rc = wait_final(&app, &run_c, Duration::from_secs(60)).await;
    assert_eq!(rc["status"], json!("succeeded"));
    assert_eq!(runs_of(&app, &b).await.len(), 1);
    let run_b = id(&runs_of(&app, &b).await[0]);
    // Events delivered again (EventBridge is at least once) fire nothing again.
    for (mart, run) in [(&a, &run_a), (&b, &run_b)] {
        let event = RunEvent {
            kind: RunEventKind::RunSucceeded,
            project_id: app.project.clone(),
            run_id: Id::parse(Kind::Run, run).expect("run id"),
            data_mart_id: Id::parse(Kind::DataMart, mart).expect("mart id"),
            at: Utc::now(),
        };
        scheduler::on_event(&app.scheduler(), &event)
            .await
            .expect("react");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs_of(&app, &b).await.len(), 1);
    assert_eq!(runs_of(&app, &c).await.len(), 1);
    let tc = get(&app, &format!("/v1/triggers/{}", id(&tc))).await;
    assert_eq!(tc["recent_fires"].as_array().map(Vec::len), Some(1), "{tc}");
    assert_eq!(tc["recent_fires"][0]["cause"], json!("upstream"));
    let tb = get(&app, &format!("/v1/triggers/{}", id(&tb))).await;
    assert_eq!(tb["recent_fires"][0]["run_id"], json!(run_b));
    app.stop().await;
}

/// A report run whose delivery stopped for good (its function died on every
/// try, its message in the dead-letter queue) is failed by the tick past its
/// deadline, on both stores, and is due no more.
#[tokio::test]
async fn a_report_run_that_stopped_delivering_is_failed_past_its_deadline() {
    use sluice_domain::entities::{
        DELIVERY_LEASE_SECONDS, Destination, Meta, Report, ReportRun, Settings,
    };
    for app in [spawn_app_without_workers().await, spawn_app_on_moto().await] {
        let now = Utc::now();
        let started = now - chrono::Duration::seconds(DELIVERY_LEASE_SECONDS + 60);
        let report = Report {
            meta: Meta::new(Kind::Report, &app.project, "t", started),
            title: "r".into(),
            data_mart_id: IdOf::generate(1_700_000_000_000),
            destination_id: IdOf::generate(1_700_000_000_000),
            query: None,
            output: None,
            cache_ttl_seconds: 0,
        };
        let destination = Destination {
            meta: Meta::new(Kind::Destination, &app.project, "t", started),
            title: "d".into(),
            kind: "webhook".into(),
            settings: Settings::default(),
        };
        let mut stuck = ReportRun::queued(
            Meta::new(Kind::ReportRun, &app.project, "t", started),
            &report,
            &destination,
        );
        stuck.start(started).expect("start");
        app.seed(&stuck).await;
        let mut fresh = ReportRun::queued(
            Meta::new(Kind::ReportRun, &app.project, "t", now),
            &report,
            &destination,
        );
        fresh.start(now).expect("start");
        app.seed(&fresh).await;

        tick(&app, now).await;
        let read = |id: &Id| {
            let path = format!("/v1/report-runs/{id}");
            let app = &app;
            async move { app.owner("GET", &path, None, 200).await }
        };
        let failed = read(&stuck.meta.id).await;
        assert_eq!(failed["status"], "failed", "{failed}");
        assert!(
            failed["error"]
                .as_str()
                .unwrap_or_default()
                .contains("retry it"),
            "{failed}"
        );
        assert_eq!(read(&fresh.meta.id).await["status"], "running");
        // Over: not due again.
        let again = tick(&app, now + chrono::Duration::seconds(1)).await;
        assert_eq!(again.errors, 0, "{again:?}");
        app.stop().await;
    }
}

/// A message a stage gave up on, in its dead-letter queue, raises a
/// `dead_letters` alarm on its run's data mart: counted once per run however
/// many of the run's messages are there, and left in the queue for the
/// operator to redrive.
async fn a_dead_letter_raises_its_data_marts_alarm_once_per_run(app: TestApp) {
    use sluice_domain::pipeline::{FINALIZE_QUEUE, Message, TRANSFORM_QUEUE, dead_letter_queue};
    let m = mart(&app, json!({})).await;
    let started = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{m}/runs"),
            Some(&json!({})),
            201,
        )
        .await;
    let run = Id::parse(Kind::Run, &id(&started)).expect("a run id");
    let queue = app.deps.queue.clone().expect("a queue");
    let project = app.project.clone();
    let finalize = Message::Finalize {
        project: project.clone(),
        run: run.clone(),
    };
    queue
        .send(
            &dead_letter_queue(FINALIZE_QUEUE),
            &finalize.to_json(),
            Duration::ZERO,
        )
        .await
        .expect("a dead letter");
    let first = tick(&app, Utc::now()).await;
    assert_eq!((first.dead_letters, first.errors), (1, 0), "{first:?}");
    let a = alarm(&app, "dead_letters", &m).await;
    assert_eq!(a["count"], json!(1), "{a}");
    assert_eq!(a["last_run_id"], json!(run), "{a}");
    let message = a["message"].as_str().expect("a message");
    assert!(
        message.contains("finalize") && message.contains("-dlq"),
        "{a}"
    );
    // Another message of the same run, in another stage's dead-letter queue.
    let chunk = Id::generate(Kind::Chunk, 1);
    let transform = Message::Transform {
        project,
        run: run.clone(),
        chunk,
    };
    queue
        .send(
            &dead_letter_queue(TRANSFORM_QUEUE),
            &transform.to_json(),
            Duration::ZERO,
        )
        .await
        .expect("a dead letter");
    let second = tick(&app, Utc::now()).await;
    assert_eq!(
        second.dead_letters, 1,
        "the first is hidden a minute: {second:?}"
    );
    let a = alarm(&app, "dead_letters", &m).await;
    assert_eq!(a["count"], json!(1), "one run, one count: {a}");
    app.stop().await;
}

#[tokio::test]
async fn a_dead_letter_raises_an_alarm_on_the_embedded_queue() {
    a_dead_letter_raises_its_data_marts_alarm_once_per_run(spawn_app_without_workers().await).await;
}

#[tokio::test]
async fn a_dead_letter_raises_an_alarm_on_sqs() {
    a_dead_letter_raises_its_data_marts_alarm_once_per_run(spawn_app_on_moto().await).await;
}
