//! Every sample event in `events/` is an API Gateway v2 request that its function's
//! handler answers as the file name says: `ok.json` with the route's success status,
//! `NNN-….json` with status NNN. The events run through the same glue the Lambda
//! functions use (`sluice_lambda::from_lambda` / `to_lambda`) over embedded adapters
//! seeded with the records the events name.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use sluice_app::api::{ApiRequest, handle_route};
use sluice_app::auth::TokenKeys;
use sluice_app::{Deps, routes};
use sluice_domain::entities::*;
use sluice_domain::pipeline::{ChunkFormat, objects};
use sluice_domain::ports::ObjectStore;
use sluice_domain::ports::{Record, SecretValue, SystemClock};
use sluice_domain::{Id, Kind};
use sluice_engine::DataFusionWarehouse;
use sluice_local::{DirObjectStore, FileSecrets, LocalBus, SqliteQueue, SqliteStore};
use sluice_tests::app::temp_dir;

/// The key the sample events' tokens are signed with (not a secret: test data).
pub const EVENTS_KEY: &[u8] = b"sluice-events-signing-key-not-a-secret-0123";

/// Stage functions; their sample events are SQS batches (tests/tests/lambda_stages.rs).
const STAGE_FUNCTIONS: &[&str] = &[
    "extract-files",
    "extract-http-json",
    "transform-batch",
    "load-finalize",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixed(kind: Kind, n: &str) -> Id {
    Id::parse(kind, &format!("{}_01JD{:0>22}", kind.id_prefix(), n)).expect("fixed id")
}

async fn put<T: Entity>(deps: &Deps, e: &T) {
    let m = e.meta();
    let record = Record {
        project: m.project_id.clone(),
        kind: T::KIND,
        id: m.id.clone(),
        parent: e.parent(),
        version: 1,
        deleted: false,
        due_at: e.due_at(),
        body: serde_json::to_string(e).expect("json"),
    };
    deps.store.insert(&record).await.expect("seed");
}

async fn seeded_deps() -> (Deps, PathBuf) {
    let dir = temp_dir("events");
    let mut deps = Deps::new(
        Arc::new(SqliteStore::open(&dir.join("meta.db"), 1).expect("store")),
        Arc::new(
            FileSecrets::open(&dir.join("secrets.json"), &dir.join("secrets.key"))
                .expect("secrets"),
        ),
        Arc::new(SystemClock),
        Arc::new(TokenKeys::new(EVENTS_KEY).expect("key")),
    );
    let queues = sluice_runs::worker::queues();
    let queue_refs: Vec<(&str, u32)> = queues.iter().map(|(n, m)| (n.as_str(), *m)).collect();
    deps.queue = Some(Arc::new(
        SqliteQueue::open(&dir.join("meta.db"), &queue_refs).expect("queue"),
    ));
    let objects_root = dir.join("objects");
    let objects = Arc::new(DirObjectStore::open(&objects_root).expect("objects"));
    deps.objects = Some(objects.clone());
    deps.warehouse = Some(Arc::new(DataFusionWarehouse::new(&objects_root)));
    deps.bus = Some(Arc::new(LocalBus::new(16)));
    deps.previewer = Some(Arc::new(sluice_runs::EnginePreviewer));
    let project = fixed(Kind::Project, "1");
    let now = Utc::now();
    let meta = |kind: Kind, n: &str| Meta {
        id: fixed(kind, n),
        ..Meta::new(kind, &project, "events", now)
    };
    for n in ["2", "12"] {
        put(
            &deps,
            &Storage {
                meta: meta(Kind::Storage, n),
                title: "Lake".into(),
                config: StorageConfig::Local(LocalConfig {
                    schema: "main".into(),
                }),
            },
        )
        .await;
    }
    let secret_ref = format!("sluice/{project}/{}", fixed(Kind::Source, "3"));
    deps.secrets
        .put(
            &secret_ref,
            &SecretValue::new(r#"{"token":"ghp_seed"}"#.into()),
        )
        .await
        .expect("secret");
    let mut config = serde_json::Map::new();
    config.insert("repository".into(), json!("rust-lang/rust"));
    put(
        &deps,
        &Source {
            meta: meta(Kind::Source, "3"),
            title: "GitHub".into(),
            connector: "github".into(),
            settings: Settings {
                config,
                secret_fields: vec!["token".into()],
                secret_ref: Some(secret_ref),
            },
        },
    )
    .await;
    for n in ["4", "14"] {
        put(
            &deps,
            &DataMart {
                meta: meta(Kind::DataMart, n),
                title: "Issues".into(),
                description: None,
                storage_id: fixed(Kind::Storage, "2"),
                status: DataMartStatus::Draft,
                definition: Some(Definition::Sql {
                    query: "select 1".into(),
                }),
                schema: vec![],
                published_at: None,
            },
        )
        .await;
    }
    let mut hook = serde_json::Map::new();
    hook.insert("url".into(), json!("https://hooks.example.com/x"));
    put(
        &deps,
        &Destination {
            meta: meta(Kind::Destination, "5"),
            title: "Hook".into(),
            kind: "webhook".into(),
            settings: Settings {
                config: hook,
                ..Default::default()
            },
        },
    )
    .await;
    put(
        &deps,
        &Report {
            meta: meta(Kind::Report, "6"),
            title: "Weekly".into(),
            data_mart_id: fixed(Kind::DataMart, "4"),
            destination_id: fixed(Kind::Destination, "5"),
            query: None,
            cache_ttl_seconds: 0,
        },
    )
    .await;
    let trigger = CreateTrigger {
        target_kind: TargetKind::DataMart,
        target_id: fixed(Kind::DataMart, "4").to_string(),
        cron: "@daily".into(),
        timezone: "UTC".into(),
        enabled: true,
        retry: RetryPolicy::default(),
        sla_seconds: None,
        catch_up: CatchUp::Skip,
        catch_up_cap: 10,
        when_busy: WhenBusy::Wait,
    };
    put(
        &deps,
        &trigger
            .into_trigger(meta(Kind::Trigger, "7"))
            .expect("trigger"),
    )
    .await;
    put(
        &deps,
        &Run {
            status: RunStatus::Succeeded,
            ..Run::queued(
                meta(Kind::Run, "8"),
                fixed(Kind::DataMart, "4"),
                RunKind::Incremental,
            )
        },
    )
    .await;
    seed_runs(&deps, &dir, &meta, objects.as_ref()).await;
    (deps, dir)
}

/// A published `files` data mart (24) over a directory of NDJSON orders (source
/// 23), with data in its table, and runs of it in every state a run route acts on:
/// running (18), paused (19), failed (20).
async fn seed_runs(
    deps: &Deps,
    dir: &Path,
    meta: &dyn Fn(Kind, &str) -> Meta,
    objects: &dyn ObjectStore,
) {
    let files = dir.join("orders");
    std::fs::create_dir_all(&files).expect("dir");
    std::fs::write(
        files.join("2026-11-01.ndjson"),
        "{\"id\": \"1\", \"amount\": \"12.50\"}\n{\"id\": \"2\", \"amount\": \"7\"}\n",
    )
    .expect("orders file");
    let mut config = serde_json::Map::new();
    config.insert("location".into(), json!(files.display().to_string()));
    config.insert("format".into(), json!("ndjson"));
    put(
        deps,
        &Source {
            meta: meta(Kind::Source, "23"),
            title: "Orders".into(),
            connector: "files".into(),
            settings: Settings {
                config,
                ..Default::default()
            },
        },
    )
    .await;
    let definition: ConnectorDefinition = serde_json::from_value(json!({
        "source_id": fixed(Kind::Source, "23"),
        "streams": [{"name": "*.ndjson", "mapping": {"columns": [
            {"target": "id", "source": "id", "cast": "int"},
            {"target": "amount", "source": "amount", "cast": "float"}
        ]}}],
        "pipeline": {"max_active_runs": 5}
    }))
    .expect("definition");
    let mart = DataMart {
        meta: meta(Kind::DataMart, "24"),
        title: "Orders".into(),
        description: None,
        storage_id: fixed(Kind::Storage, "2"),
        status: DataMartStatus::Published,
        definition: Some(Definition::Connector(definition)),
        schema: vec![],
        published_at: Some(Utc::now()),
    };
    put(deps, &mart).await;
    let decoded = sluice_engine::transform::decode(
        ChunkFormat::Ndjson,
        b"{\"id\": 1, \"amount\": 12.5}\n{\"id\": 2, \"amount\": 7.0}\n",
        None,
    )
    .expect("rows");
    let parquet = sluice_engine::transform::write_parquet(&decoded.batch).expect("parquet");
    let key = objects::table_file(
        &mart.meta.project_id,
        &mart.meta.id,
        &fixed(Kind::Run, "17"),
        "seed",
    );
    objects.put(&key, parquet).await.expect("table file");
    for (n, status) in [
        ("18", RunStatus::Running),
        ("19", RunStatus::Paused),
        ("20", RunStatus::Failed),
    ] {
        put(
            deps,
            &Run {
                status,
                started_at: Some(Utc::now()),
                ..Run::queued(
                    meta(Kind::Run, n),
                    mart.meta.id.clone(),
                    RunKind::Incremental,
                )
            },
        )
        .await;
    }
}

fn to_api(json: &str) -> ApiRequest {
    let req = lambda_http::request::from_str(json).expect("an API Gateway event");
    sluice_lambda::from_lambda(req)
}

#[tokio::test]
async fn every_sample_event_gets_the_status_its_name_promises() {
    let events = root().join("events");
    let mut checked = 0;
    for route in routes::all() {
        let folder = events.join(route.name);
        assert!(
            folder.join("ok.json").is_file(),
            "events/{}/ok.json is missing",
            route.name
        );
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("events folder")
            .map(|e| e.expect("entry").path())
            .collect();
        cases.sort();
        for case in cases {
            let stem = case
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            let expected: u16 = if stem == "ok" {
                route.status
            } else {
                stem.split('-')
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("{}: name a case `ok` or `NNN-what`", case.display()))
            };
            let (deps, dir) = seeded_deps().await;
            let text = std::fs::read_to_string(&case).expect("read event");
            if stem.contains("already-published") {
                let publish = to_api(&text);
                assert_eq!(handle_route(&deps, route, publish).await.status, 200);
            }
            let response = handle_route(&deps, route, to_api(&text)).await;
            assert_eq!(
                response.status,
                expected,
                "events/{}/{stem}.json: {}",
                route.name,
                String::from_utf8_lossy(&response.body)
            );
            let lambda = sluice_lambda::to_lambda(response);
            assert_eq!(lambda.status().as_u16(), expected);
            if expected >= 400 {
                let body: serde_json::Value = match lambda.body() {
                    lambda_http::Body::Text(t) => serde_json::from_str(t).expect("JSON error body"),
                    other => panic!("error body is not text: {other:?}"),
                };
                assert!(body["error"]["code"].is_string());
            }
            let _ = std::fs::remove_dir_all(dir);
            checked += 1;
        }
    }
    let folders = std::fs::read_dir(&events)
        .expect("events")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            !STAGE_FUNCTIONS.contains(&name.to_string_lossy().as_ref())
        })
        .count();
    assert_eq!(
        folders,
        routes::all().len(),
        "every folder in events/ belongs to a route or a stage function"
    );
    assert!(checked >= routes::all().len());
}
