//! Scheduler tick benchmark: one tick over N triggers of which 1,000 are due, on the
//! embedded store (SQLite), for N = 10k, 100k, 1M: wall time and store calls. Beside
//! it, the peer an index-less scheduler would be: listing every trigger of the
//! project to find the due ones, timed on the same store in the same run.
//!
//! `cargo bench -p sluice-app --bench tick -- [SIZES…]` (default `10000 100000 1000000`;
//! `REPS` ticks per size, default 3). Prints a JSON line per tick and a table of medians.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};
use sluice_app::Deps;
use sluice_app::api::{Api, ApiRequest, handle};
use sluice_app::auth::{Principal, TokenKeys};
use sluice_app::records;
use sluice_app::services::scheduler::{self, Scheduler};
use sluice_domain::entities::{CreateTrigger, Meta, Trigger};
use sluice_domain::ports::{
    DueQuery, ListQuery, Page, Record, RecordDue, RecordGet, RecordList, RecordPut, StoreError,
    SystemClock,
};
use sluice_domain::{Id, Kind, Role};
use sluice_local::{FileSecrets, LocalBus, SqliteQueue, SqliteStore};

const DUE: usize = 1_000;

/// Counts every call the scheduler makes on the store.
struct Counting {
    inner: SqliteStore,
    reads: AtomicU64,
    writes: AtomicU64,
}

#[async_trait]
impl RecordGet for Counting {
    async fn get(&self, p: &Id, k: Kind, id: &Id) -> Result<Option<Record>, StoreError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.get(p, k, id).await
    }
}
#[async_trait]
impl RecordPut for Counting {
    async fn insert(&self, r: &Record) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.insert(r).await
    }
    async fn replace(&self, r: &Record) -> Result<(), StoreError> {
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.replace(r).await
    }
}
#[async_trait]
impl RecordList for Counting {
    async fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.list(q).await
    }
}
#[async_trait]
impl RecordDue for Counting {
    async fn due(&self, q: &DueQuery) -> Result<Vec<Record>, StoreError> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.due(q).await
    }
}

struct Bench {
    api: Api,
    scheduler: Scheduler,
    store: Arc<Counting>,
    token: String,
    project: Id,
}

impl Bench {
    async fn call(&self, method: Method, path: &str, body: Value) -> Value {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {}", self.token)).expect("header"),
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let r = handle(
            &self.api,
            ApiRequest {
                method,
                path: path.into(),
                query: None,
                headers,
                body: Bytes::from(body.to_string()),
                spooled: None,
                authorized: None,
            },
        )
        .await;
        let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        assert!(r.status < 300, "{path}: {} {v}", r.status);
        v
    }

    /// Inserts `n` triggers on `marts` (round robin) firing yearly; the due ones
    /// are set to fire at `due_at`.
    async fn triggers(&self, marts: &[String], n: usize, due_at: Option<DateTime<Utc>>) {
        let now = Utc::now();
        for i in 0..n {
            let req: CreateTrigger = serde_json::from_value(json!({
                "target_kind": "data_mart",
                "target_id": marts[i % marts.len()],
                "cron": "0 0 1 1 *",
            }))
            .expect("trigger request");
            let mut t: Trigger = req
                .into_trigger(Meta::new(Kind::Trigger, &self.project, "bench", now))
                .expect("trigger");
            if let Some(at) = due_at {
                t.next_fire_at = Some(at);
            }
            self.store
                .inner
                .insert(&records::to_record(&t).expect("record"))
                .await
                .expect("insert");
        }
    }

    /// The peer: what a scheduler without a due index reads to find the same fires.
    async fn scan(&self, now: DateTime<Utc>) -> (usize, u64) {
        let mut due = 0;
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = self
                .store
                .inner
                .list(&ListQuery {
                    project: self.project.clone(),
                    kind: Kind::Trigger,
                    parent: None,
                    after,
                    limit: 1000,
                })
                .await
                .expect("list");
            pages += 1;
            for r in &page.records {
                let t: Trigger = records::from_record(r).expect("trigger");
                if t.due().is_some_and(|d| d <= now) {
                    due += 1;
                }
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        (due, pages)
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000, 1_000_000]
    } else {
        sizes
    };
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let dir = std::env::temp_dir().join(format!("sluice-tick-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("files")).expect("dir");
    std::fs::write(dir.join("files/a.ndjson"), "{\"id\": \"1\"}\n").expect("file");
    let db = dir.join("metadata.db");
    let store = Arc::new(Counting {
        inner: SqliteStore::open(&db, 4).expect("store"),
        reads: AtomicU64::new(0),
        writes: AtomicU64::new(0),
    });
    let queues: Vec<(String, u32)> = sluice_domain::pipeline::stage_queues()
        .into_iter()
        .map(|q| (q, sluice_domain::pipeline::MAX_RECEIVES))
        .collect();
    let queue_refs: Vec<(&str, u32)> = queues.iter().map(|(n, m)| (n.as_str(), *m)).collect();
    let keys = TokenKeys::sealed().expect("key");
    let project = Id::generate(Kind::Project, Utc::now().timestamp_millis() as u64);
    let token = keys
        .sign(
            &Principal::operator("bench", project.clone(), Role::Owner),
            Utc::now().timestamp(),
            86_400,
        )
        .expect("signed");
    let mut deps = Deps::new(
        store.clone(),
        Arc::new(
            FileSecrets::open(&dir.join("secrets.json"), &dir.join("secrets.key"))
                .expect("secrets"),
        ),
        Arc::new(SystemClock),
        Arc::new(keys),
    );
    deps.queue = Some(Arc::new(
        SqliteQueue::open(&db, &queue_refs).expect("queue"),
    ));
    deps.bus = Some(Arc::new(LocalBus::new(16)));
    // The routes its parts serve (a queue and a bus: no files or queries).
    let api = Api::available(deps.clone());
    let b = Bench {
        api,
        scheduler: Scheduler::new(deps).expect("a queue"),
        store,
        token,
        project,
    };
    eprintln!("creating {DUE} published data marts…");
    let storage = b
        .call(
            Method::POST,
            "/v1/storages",
            json!({"title": "Lake", "kind": "local"}),
        )
        .await;
    let source = b
        .call(
            Method::POST,
            "/v1/sources",
            json!({"title": "Files", "connector": "files", "config": {"location": dir.join("files").display().to_string(), "format": "ndjson"}}),
        )
        .await;
    let mut marts = vec![];
    for i in 0..DUE {
        let m = b
            .call(
                Method::POST,
                "/v1/data-marts",
                json!({"title": format!("Mart {i}"), "storage_id": storage["id"]}),
            )
            .await;
        let id = m["id"].as_str().expect("id").to_string();
        b.call(
            Method::PUT,
            &format!("/v1/data-marts/{id}/definition"),
            json!({"kind": "connector", "source_id": source["id"], "streams": [{"name": "*.ndjson"}], "pipeline": {"max_active_runs": 16}}),
        )
        .await;
        b.call(
            Method::POST,
            &format!("/v1/data-marts/{id}/publish"),
            json!({}),
        )
        .await;
        marts.push(id);
    }
    let mut total = 0usize;
    let mut table = vec![];
    for &size in &sizes {
        let mut walls = vec![];
        let mut scans = vec![];
        let mut reads = vec![];
        let mut writes = vec![];
        for rep in 0..reps {
            // Fill to `size` with triggers not due, then add 1,000 due ones.
            let fill = size.saturating_sub(total + DUE);
            let started = Instant::now();
            b.triggers(&marts[..1], fill, None).await;
            total += fill;
            let now = Utc::now() + Duration::seconds(60);
            b.triggers(&marts, DUE, Some(now - Duration::seconds(1)))
                .await;
            total += DUE;
            let fill_s = started.elapsed().as_secs_f64();
            b.store.reads.store(0, Ordering::Relaxed);
            b.store.writes.store(0, Ordering::Relaxed);
            let t = Instant::now();
            let report = scheduler::tick(&b.scheduler, now).await;
            let wall = t.elapsed().as_secs_f64();
            let (r, w) = (
                b.store.reads.load(Ordering::Relaxed),
                b.store.writes.load(Ordering::Relaxed),
            );
            assert_eq!(report.started, DUE, "{report:?}");
            let t = Instant::now();
            let (found, pages) = b.scan(now).await;
            let scan = t.elapsed().as_secs_f64();
            assert!(found <= DUE, "the tick fired them all: {found}");
            println!(
                "{}",
                json!({"triggers": total, "due": DUE, "rep": rep, "tick_s": wall, "store_reads": r, "store_writes": w,
                       "started": report.started, "scan_peer_s": scan, "scan_peer_pages": pages, "fill_s": fill_s})
            );
            walls.push(wall);
            scans.push(scan);
            reads.push(r as f64);
            writes.push(w as f64);
        }
        table.push((
            total,
            median(&mut walls),
            median(&mut reads),
            median(&mut writes),
            median(&mut scans),
        ));
    }
    println!();
    println!(
        "{:>10} {:>6} {:>12} {:>12} {:>12} {:>16} {:>10}",
        "triggers", "due", "tick (ms)", "store reads", "writes", "scan peer (ms)", "vs first"
    );
    let first = table.first().map_or(1.0, |t| t.1);
    for (n, wall, r, w, scan) in &table {
        println!(
            "{n:>10} {DUE:>6} {:>12.1} {r:>12} {w:>12} {:>16.1} {:>9.2}×",
            wall * 1000.0,
            scan * 1000.0,
            wall / first
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
