//! Every sample event in `events/` is an API Gateway v2 request that its function's
//! handler answers as the file name says: `ok.json` with the route's success status,
//! `NNN-….json` with status NNN. The events run through the same glue the Lambda
//! functions use (`sluice_lambda::from_lambda` / `to_lambda`) over embedded adapters
//! seeded with the records the events name. The scheduler functions' events are
//! EventBridge events, handled here by the services their functions call.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use serde_json::json;
use sluice_app::api::{Api, ApiRequest, handle_route};
use sluice_app::auth::TokenKeys;
use sluice_app::services::scheduler::{self, Scheduler};
use sluice_app::{Deps, routes};
use sluice_domain::entities::*;
use sluice_domain::pipeline::{ChunkFormat, objects};
use sluice_domain::ports::ObjectStore;
use sluice_domain::ports::{Record, RunEvent, RunEventKind, SecretValue, SystemClock};
use sluice_domain::{Id, IdOf, Kind};
use sluice_engine::DataFusionWarehouse;
use sluice_local::{DirObjectStore, FileSecrets, LocalBus, SqliteQueue, SqliteStore};
use sluice_tests::app::temp_dir;

/// The key the sample events' tokens are signed with (not a secret: test data).
pub const EVENTS_KEY: &str = "sluice-events-signing-key-not-a-secret-0123";

/// Stage functions besides each connector's extraction; their sample events
/// are SQS batches (tests/tests/lambda_stages.rs).
const STAGE_FUNCTIONS: &[&str] = &[
    "transform-batch",
    "load-finalize",
    "materialize",
    "deliver-object-export",
    "deliver-webhook",
    "deliver-email",
    "deliver-google-sheets",
    "deliver-database",
];

/// Scheduler functions; their sample events are EventBridge events: a scheduled
/// event for the tick, run events from the run-event bus for the reaction.
const SCHEDULER_FUNCTIONS: &[&str] = &["scheduler-tick", "scheduler-react"];

/// The engine function; its sample events are the calls the routes that plan or
/// preview send it over Lambda Invoke.
const ENGINE_FUNCTIONS: &[&str] = &["engine"];

/// The HTTP API's Lambda authorizer; its sample events are the REQUEST events
/// (payload 2.0) API Gateway sends it: `ok…` authorized, `deny-…` refused.
const AUTHORIZER_FUNCTIONS: &[&str] = &["authorizer"];
/// The WebSocket API's functions (live run views on AWS).
const WEBSOCKET_FUNCTIONS: &[&str] = &["ws-connect", "ws-disconnect", "ws-push"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixed(kind: Kind, n: &str) -> Id {
    Id::parse(kind, &format!("{}_01JD{:0>22}", kind.id_prefix(), n)).expect("fixed id")
}

fn fixed_of<E: Entity>(n: &str) -> IdOf<E> {
    IdOf::of(fixed(E::KIND, n)).expect("an id of its kind")
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

async fn seeded_deps() -> (Deps, sluice_tests::app::TempDir) {
    let dir = temp_dir("events");
    let mut deps = Deps::new(
        Arc::new(SqliteStore::open(&dir.join("meta.db"), 1).expect("store")),
        Arc::new(
            FileSecrets::open(&dir.join("secrets.json"), &dir.join("secrets.key"))
                .expect("secrets"),
        ),
        Arc::new(SystemClock),
        Arc::new(TokenKeys::from_secret_value(EVENTS_KEY).expect("key")),
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
    deps.egress = sluice_tests::app::loopback_allowed();
    deps.tester = Some(Arc::new(sluice_connectors::tester::Tester::new(
        &deps.egress,
        &deps.google,
    )));
    deps.import_roots = Arc::new(
        sluice_domain::files::ImportRoots::new(
            &[std::env::temp_dir()],
            std::slice::from_ref(&objects_root),
        )
        .expect("the temp dir exists"),
    );
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
            &SecretValue::new(r#"{"auth_value":"Bearer seed"}"#.into()),
        )
        .await
        .expect("secret");
    let mut config = serde_json::Map::new();
    config.insert("base_url".into(), json!("https://tracker.example.com/v1"));
    put(
        &deps,
        &Source {
            meta: meta(Kind::Source, "3"),
            title: "Tracker".into(),
            connector: "http_json".into(),
            settings: Settings {
                config,
                secret_fields: vec!["auth_value".into()],
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
                storage_id: fixed_of("2"),
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
            data_mart_id: fixed_of("4"),
            destination_id: fixed_of("5"),
            query: None,
            output: None,
            cache_ttl_seconds: 0,
        },
    )
    .await;
    // Report runs of report 6: queued (27), failed (28).
    let report = Report {
        meta: meta(Kind::Report, "6"),
        title: "Weekly".into(),
        data_mart_id: fixed_of("4"),
        destination_id: fixed_of("5"),
        query: None,
        output: None,
        cache_ttl_seconds: 0,
    };
    let hook_destination = Destination {
        meta: meta(Kind::Destination, "5"),
        title: "Hook".into(),
        kind: "webhook".into(),
        settings: Settings::default(),
    };
    let queued = ReportRun::queued(meta(Kind::ReportRun, "27"), &report, &hook_destination);
    put(&deps, &queued).await;
    let mut failed = ReportRun::queued(meta(Kind::ReportRun, "28"), &report, &hook_destination);
    failed.start(now).expect("start");
    failed
        .fail(now, "the webhook at https://hooks.example.com answered 500")
        .expect("fail");
    put(&deps, &failed).await;
    // A report run (32) that exported a file, still in place.
    let export_destination = Destination {
        meta: meta(Kind::Destination, "33"),
        title: "Exports".into(),
        kind: "object_export".into(),
        settings: Settings::default(),
    };
    let file = b"id,amount\r\n1,12.5\r\n".to_vec();
    let mut exported = ReportRun::queued(meta(Kind::ReportRun, "32"), &report, &export_destination);
    exported.start(now).expect("start");
    exported
        .succeed(
            now,
            1,
            file.len() as u64,
            sluice_domain::entities::Delivered {
                target: "weekly/orders.csv".into(),
                format: Some("csv".into()),
                status: None,
            },
        )
        .expect("succeed");
    put(&deps, &exported).await;
    deps.objects
        .as_ref()
        .expect("objects")
        .put(
            &format!(
                "{}weekly/orders.csv",
                sluice_domain::pipeline::objects::exports_of(&project)
            ),
            file,
        )
        .await
        .expect("the exported file");
    let trigger = CreateTrigger {
        target_kind: TargetKind::DataMart,
        target_id: fixed(Kind::DataMart, "4").to_string(),
        cron: Some("@daily".into()),
        upstream: None,
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
    // Data mart 4 runs after data mart 24 (a lineage link; a reaction to 24's runs).
    let downstream = CreateTrigger {
        target_kind: TargetKind::DataMart,
        target_id: fixed(Kind::DataMart, "4").to_string(),
        cron: None,
        upstream: Some(UpstreamRequest {
            data_mart_ids: vec![fixed(Kind::DataMart, "24").to_string()],
            mode: UpstreamMode::All,
        }),
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
        &downstream
            .into_trigger(meta(Kind::Trigger, "9"))
            .expect("upstream trigger"),
    )
    .await;
    put(
        &deps,
        &sluice_tests::run_in(
            RunStatus::Succeeded,
            meta(Kind::Run, "8"),
            fixed(Kind::DataMart, "4"),
        ),
    )
    .await;
    seed_runs(&deps, &dir, &meta, objects.as_ref()).await;
    // Value maps `statuses` (applied by data mart 40's definition) and
    // `levels` (applied by none); their ids derive from project and name.
    for (name, entries) in [
        ("statuses", json!([{"key": "Open", "value": "To Do"}])),
        ("levels", json!([{"key": "Epic", "value": 1}])),
    ] {
        put(
            &deps,
            &ValueMap {
                meta: Meta {
                    id: ValueMap::id_for(&project, name).into_id(),
                    ..Meta::new(Kind::ValueMap, &project, "events", now)
                },
                name: name.into(),
                title: name.into(),
                description: None,
                case_insensitive: false,
                entries: serde_json::from_value(entries).expect("entries"),
            },
        )
        .await;
    }
    put(
        &deps,
        &DataMart {
            meta: meta(Kind::DataMart, "40"),
            title: "Statuses".into(),
            description: None,
            storage_id: fixed_of("2"),
            status: DataMartStatus::Draft,
            definition: Some(
                Definition::from_json(json!({
                    "kind": "connector",
                    "source_id": fixed(Kind::Source, "3"),
                    "streams": [{"name": "issues", "mapping": {"columns": [
                        {"target": "status", "source": "status", "ops": [{"op": "map", "map": "statuses"}]}
                    ]}}]
                }))
                .expect("a definition"),
            ),
            schema: vec![],
            published_at: None,
        },
    )
    .await;
    seed_identity(&deps, &project, now).await;
    // A `looker_studio` destination (30) with the sample events' data key, and
    // a report (31) of data mart 24 into it.
    let mut grace = serde_json::Map::new();
    grace.insert("key_grace_seconds".into(), json!(86_400));
    put(
        &deps,
        &Destination {
            meta: meta(Kind::Destination, "30"),
            title: "Looker".into(),
            kind: "looker_studio".into(),
            settings: Settings {
                config: grace,
                ..Default::default()
            },
        },
    )
    .await;
    put(
        &deps,
        &Report {
            meta: meta(Kind::Report, "31"),
            title: "Pulled".into(),
            data_mart_id: fixed_of("24"),
            destination_id: fixed_of("30"),
            query: None,
            output: None,
            cache_ttl_seconds: 300,
        },
    )
    .await;
    deps.secrets
        .put(
            &format!("sluice/{project}/{}/data-key", fixed(Kind::Destination, "30")),
            // SHA-256 of the events' key `sk.prj_01JD…1.c2x1aWNl…`.
            &SecretValue::new(
                r#"{"current":"c1af1c4f70ceda3517c38909a11b8fbffd6393662f6f58b9e894cd234db1455d","previous":null,"previous_until_ms":null}"#.into(),
            ),
        )
        .await
        .expect("data key digests");
    (deps, dir)
}

/// The user `ann@example.com` (password `events-password-1`), owner of project
/// 1, signed in as session 50 (the events' session token names it) with the
/// refresh token 51; and the API key `slk_evtkey23_…`, admin of project 1. The
/// user is written as the operator adds one, without claiming the deployment:
/// a sign-up is the first one. Beside them: `bob@example.com`, an editor of
/// project 1 (membership 62); the custom role 60 of project 1; invitation 61
/// of project 1 for `carl@example.com`, and 63 of project 2 for Ann (its
/// token's secret is `events-invitation-secret`).
async fn seed_identity(deps: &Deps, project: &Id, now: chrono::DateTime<Utc>) {
    use sluice_domain::entities::{
        ApiKey, CustomRole, Email, Hidden, Invitation, Member, RefreshToken, RoleRef, Session,
        User, identity_partition,
    };
    let partition = identity_partition();
    let meta = |id: Id| Meta {
        id,
        ..Meta::new(Kind::User, &partition, "events", now)
    };
    let far = chrono::DateTime::parse_from_rfc3339("2100-01-01T00:00:00Z")
        .expect("a time")
        .with_timezone(&Utc);
    let email = Email::parse("email", "ann@example.com").expect("an address");
    let user = User {
        meta: meta(User::id_for(&email)),
        email: email.as_str().into(),
        password_hash: Hidden(EVENTS_PASSWORD_HASH.into()),
        projects: vec![project.clone()],
        legacy_project: None,
        legacy_role: None,
        failed_attempts: 0,
        last_failed_at: None,
        locked_until: None,
        sessions_valid_after: None,
        kept_session: None,
    };
    put(deps, &user).await;
    put(
        deps,
        &sluice_domain::entities::Member::new(
            project,
            &user.meta.id,
            email.as_str(),
            sluice_domain::entities::RoleRef::Builtin(sluice_domain::Role::Owner),
            None,
            "events",
            now,
        ),
    )
    .await;
    let mut session_meta = meta(fixed(Kind::Session, "50"));
    // Older than any sign-out a case makes: `now` itself would tie with it.
    session_meta.created_at = now - chrono::Duration::minutes(1);
    put(
        deps,
        &Session {
            meta: session_meta,
            user_id: user.meta.id.clone(),
            project: Some(project.clone()),
            expires_at: far,
            revoked_at: None,
            revoked_because: None,
        },
    )
    .await;
    put(
        deps,
        &RefreshToken {
            meta: meta(fixed(Kind::RefreshToken, "51")),
            session_id: fixed(Kind::Session, "50"),
            // SHA-256 of the events' refresh token's secret part.
            digest: Hidden(
                "29e2007970e9feb029593c1943b317fda3d88e355fa135e83d184faae0933e03".into(),
            ),
            used_at: None,
        },
    )
    .await;
    put(
        deps,
        &ApiKey {
            meta: meta(ApiKey::id_for("evtkey23")),
            project: project.clone(),
            name: "events".into(),
            role: sluice_domain::Role::Admin,
            prefix: "evtkey23".into(),
            // SHA-256 of the events' key `slk_evtkey23_c2x1aWNl…`.
            digest: Hidden(
                "1fc889912763d8b9c0ca3d7de5afc801f94caaaf28b29477d94cfd94b52827c0".into(),
            ),
            expires_at: None,
            last_used_at: None,
        },
    )
    .await;
    let bob = Email::parse("email", "bob@example.com").expect("an address");
    let mut member = Member::new(
        project,
        &User::id_for(&bob),
        bob.as_str(),
        RoleRef::Builtin(sluice_domain::Role::Editor),
        None,
        "events",
        now,
    );
    member.meta.id = fixed(Kind::Member, "62");
    put(deps, &member).await;
    put(
        deps,
        &CustomRole {
            meta: meta(fixed(Kind::CustomRole, "60")),
            project: project.clone(),
            name: "Analyst".into(),
            description: String::new(),
            permissions: vec!["data-mart:get".into(), "*:list".into()],
        },
    )
    .await;
    for (n, invited_to, email) in [
        ("61", project.clone(), "carl@example.com"),
        ("63", fixed(Kind::Project, "2"), "ann@example.com"),
    ] {
        put(
            deps,
            &Invitation {
                meta: meta(fixed(Kind::Invitation, n)),
                project: invited_to,
                email: email.into(),
                role: RoleRef::Builtin(sluice_domain::Role::Viewer),
                data_marts: None,
                digest: Hidden(sluice_app::auth::secret::digest("events-invitation-secret")),
                expires_at: far,
                accepted_at: None,
                accepted_by: None,
            },
        )
        .await;
    }
}

/// Argon2id of `events-password-1` (test data, not a secret).
const EVENTS_PASSWORD_HASH: &str = "$argon2id$v=19$m=19456,t=6,p=1$quJr/YXcGUl35LNs9rIWmA$BErFZf8Viuj/MtDcG0scIKdH00oUCXwZex0bofDm+V0";

/// A published `files` data mart (24) over a directory of NDJSON orders (source
/// 23), with data in its table, runs of it in every state a run route acts on:
/// running (18), paused (19), failed (20), succeeded (21), and backfills of it:
/// running (25, no window started yet) and succeeded (26).
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
        storage_id: fixed_of("2"),
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
    // A file in the project's landing area (the delete-file event removes it).
    objects
        .put(
            &format!(
                "{}seed/orders.csv",
                sluice_domain::files::landing_prefix(&mart.meta.project_id)
            ),
            b"order_id,amount\n1,12.50\n".to_vec(),
        )
        .await
        .expect("landing file");
    for (n, status) in [
        ("18", RunStatus::Running),
        ("19", RunStatus::Paused),
        ("20", RunStatus::Failed),
        ("21", RunStatus::Succeeded),
    ] {
        put(
            deps,
            &sluice_tests::run_in(status, meta(Kind::Run, n), mart.meta.id.clone()),
        )
        .await;
    }
    let range = CreateBackfill {
        from: "2026-10-01".parse().expect("date"),
        to: "2026-10-04".parse().expect("date"),
        window: WindowSize::Day,
    };
    for (n, status) in [
        ("25", BackfillStatus::Running),
        ("26", BackfillStatus::Succeeded),
    ] {
        put(deps, &{
            let mut b = Backfill::running(
                meta(Kind::Backfill, n),
                sluice_domain::IdOf::of_record(&mart),
                &range,
            )
            .expect("windows");
            if status == BackfillStatus::Succeeded {
                for w in &mut b.windows {
                    w.status = Some(RunStatus::Succeeded);
                }
                b.settle(None, Utc::now());
            }
            assert_eq!(b.status(), status);
            b
        })
        .await;
    }
    // An open alarm about the data mart (its id fixed for the sample events).
    let mut alarm = Alarm::raised(
        &mart.meta.project_id,
        AlarmKind::RunFailed,
        &mart.meta.id,
        None,
        "the run failed",
        Utc::now(),
    );
    alarm.meta = meta(Kind::Alarm, "40");
    put(deps, &alarm).await;
}

fn to_api(json: &str) -> ApiRequest {
    let req = lambda_http::request::from_str(json).expect("an API Gateway event");
    sluice_lambda::from_lambda(req)
}

#[tokio::test]
async fn every_sample_event_gets_the_status_its_name_promises() {
    let events = root().join("events");
    let mut checked = 0;
    for route in routes::on_lambda() {
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
            let (deps, _dir) = seeded_deps().await;
            // As the function does: its route bound to the parts it takes.
            let api = Api::one(deps, route).unwrap_or_else(|(r, m)| panic!("{r}: {m}"));
            let text = std::fs::read_to_string(&case).expect("read event");
            if stem.contains("already-published") {
                let publish = to_api(&text);
                assert_eq!(handle_route(&api, route, publish).await.status, 200);
            }
            // As the function does: a streamed body read into the response.
            let response = handle_route(&api, route, to_api(&text))
                .await
                .collected(sluice_lambda::MAX_RESPONSE_BYTES)
                .await;
            if route.name == "api-download-report-run" && stem == "ok" {
                assert_eq!(
                    String::from_utf8_lossy(&response.body),
                    "id,amount\r\n1,12.5\r\n",
                    "the exported file"
                );
            }
            if route.name == "api-list-source-streams" && stem == "ok" {
                let body: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON");
                let stream = &body["streams"][0];
                assert_eq!(stream["name"], "2026-11-01.ndjson", "{body}");
                assert_eq!(stream["found_by"], "sample", "{body}");
                let fields: Vec<(&str, &str)> = stream["fields"]
                    .as_array()
                    .expect("fields")
                    .iter()
                    .map(|f| {
                        (
                            f["name"].as_str().unwrap_or(""),
                            f["cast"].as_str().unwrap_or(""),
                        )
                    })
                    .collect();
                assert_eq!(fields, [("amount", "float"), ("id", "int")], "{body}");
            }
            if route.name == "api-suggest-mapping" && stem == "ok" {
                let body: serde_json::Value = serde_json::from_slice(&response.body).expect("JSON");
                let pairs: Vec<(&str, &str)> = body["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|c| {
                        (
                            c["target"].as_str().unwrap_or(""),
                            c["source"].as_str().unwrap_or(""),
                        )
                    })
                    .collect();
                assert_eq!(
                    pairs,
                    [("order_id", "id"), ("total_amount", "amount")],
                    "{body}"
                );
                assert_eq!(
                    body["mapping"]["columns"][1]["cast"], "decimal(12,2)",
                    "{body}"
                );
            }
            if route.name == "api-get-report-data" && stem == "ok" {
                assert_eq!(
                    String::from_utf8_lossy(&response.body),
                    "amount,id\r\n12.5,1\r\n7.0,2\r\n",
                    "the report's rows as CSV"
                );
            }
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
            checked += 1;
        }
    }
    let folders = folder_names("events")
        .into_iter()
        .filter(|name| {
            !STAGE_FUNCTIONS.contains(&name.as_str())
                && !sluice_domain::connectors::registry()
                    .iter()
                    .any(|c| c.function() == *name)
                && !SCHEDULER_FUNCTIONS.contains(&name.as_str())
                && !ENGINE_FUNCTIONS.contains(&name.as_str())
                && !AUTHORIZER_FUNCTIONS.contains(&name.as_str())
                && !WEBSOCKET_FUNCTIONS.contains(&name.as_str())
        })
        .count();
    assert_eq!(
        folders,
        routes::on_lambda().count(),
        "every folder in events/ belongs to a route, a stage, a scheduler, the engine or the authorizer function"
    );
    assert!(checked >= routes::on_lambda().count());
}

fn folder_names(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}/: {e}"))
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_function_has_sample_events_and_every_sample_event_a_function() {
    assert_eq!(folder_names("events"), folder_names("functions"));
    for name in folder_names("events") {
        assert!(
            root().join("events").join(&name).join("ok.json").is_file(),
            "events/{name}/ok.json is missing"
        );
    }
}

/// The sample events of `function`, by file name.
fn sample_events(function: &str) -> Vec<(String, serde_json::Value)> {
    let folder = root().join("events").join(function);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("events folder")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    cases
        .into_iter()
        .map(|case| {
            let name = format!(
                "events/{function}/{}",
                case.file_name().expect("name").display()
            );
            let text = std::fs::read_to_string(&case).expect("read event");
            let event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, event)
        })
        .collect()
}

/// The envelope EventBridge wraps every event in, as a Lambda target receives it.
fn assert_eventbridge_envelope(name: &str, event: &serde_json::Value) {
    for key in [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ] {
        assert!(event.get(key).is_some(), "{name}: no `{key}`");
    }
    assert_eq!(event["version"], "0", "{name}");
    let time = event["time"].as_str().unwrap_or_default();
    assert!(
        chrono::DateTime::parse_from_rfc3339(time).is_ok(),
        "{name}: `time` is not RFC 3339: {time}"
    );
    assert!(event["resources"].is_array(), "{name}: `resources`");
    assert!(event["detail"].is_object(), "{name}: `detail`");
}

/// `ok.json` (an operator's token) and `ok-session.json` (the events' user's
/// session) are authorized with their principal in the context, as the route
/// functions read it; each `deny-….json` is refused, with no context.
#[tokio::test]
async fn the_authorizer_events_are_authorized_or_refused_as_named() {
    use sluice_app::auth::{Credential, Principal};
    use sluice_lambda::authorizer::{self, AuthorizerRequest, PRINCIPAL_CONTEXT};
    let events = sample_events("authorizer");
    assert!(events.len() >= 3);
    for (name, event) in events {
        let request: AuthorizerRequest = serde_json::from_value(event)
            .unwrap_or_else(|e| panic!("{name}: not an authorizer event: {e}"));
        let (deps, _dir) = seeded_deps().await;
        let answer = authorizer::authorize(&deps, request)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The answer crosses the wire as JSON, in the simple format.
        let wire = serde_json::to_value(&answer).expect("json");
        let stem = name.rsplit('/').next().unwrap_or_default();
        if stem.starts_with("ok") {
            assert_eq!(wire["isAuthorized"], true, "{name}: {wire}");
            let principal: Principal = serde_json::from_str(
                wire["context"][PRINCIPAL_CONTEXT]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: no principal: {wire}")),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(principal.project, fixed(Kind::Project, "1"), "{name}");
            assert_eq!(principal.role, sluice_domain::Role::Owner, "{name}");
            if stem == "ok-session.json" {
                assert!(
                    matches!(principal.credential, Credential::Session { ref session, .. } if *session == fixed(Kind::Session, "50")),
                    "{name}: {principal:?}"
                );
            } else {
                assert_eq!(principal.credential, Credential::Operator, "{name}");
                assert_eq!(principal.subject, "events", "{name}");
            }
        } else {
            assert!(
                stem.starts_with("deny-"),
                "{name}: name a case `ok…` or `deny-…`"
            );
            assert_eq!(wire["isAuthorized"], false, "{name}: {wire}");
            assert!(
                wire["context"]
                    .as_object()
                    .is_none_or(|c| c.get(PRINCIPAL_CONTEXT).is_none()),
                "{name}: {wire}"
            );
        }
    }
}

/// `ok.json` plans cleanly; `problems-….json` answers the problems the engine
/// finds, each naming its field.
#[tokio::test]
async fn the_engine_events_are_calls_it_answers() {
    use sluice_app::engine::{EngineCall, EngineReply, answer};
    let events = sample_events("engine");
    assert!(events.len() >= 2);
    for (name, event) in events {
        let call: EngineCall = serde_json::from_value(event)
            .unwrap_or_else(|e| panic!("{name}: not an engine call: {e}"));
        let (deps, _dir) = seeded_deps().await;
        let reply = answer(&deps, &sluice_runs::EnginePreviewer, call).await;
        // The reply crosses the wire as JSON.
        let reply: EngineReply =
            serde_json::from_str(&serde_json::to_string(&reply).expect("json")).expect("a reply");
        let problems = reply
            .into_problems()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.ends_with("/ok.json") {
            assert!(problems.is_empty(), "{name}: {problems:?}");
        } else {
            assert!(
                problems
                    .iter()
                    .any(|p| p.field.starts_with("definition.streams[0].mapping")),
                "{name}: {problems:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_scheduler_tick_events_are_scheduled_events_and_a_tick_handles_what_is_due() {
    for (name, event) in sample_events("scheduler-tick") {
        assert_eventbridge_envelope(&name, &event);
        assert_eq!(event["source"], "aws.events", "{name}");
        assert_eq!(event["detail-type"], "Scheduled Event", "{name}");
        let rule = event["resources"][0].as_str().unwrap_or_default();
        assert!(
            rule.starts_with("arn:aws:events:") && rule.contains(":rule/"),
            "{name}: {rule}"
        );
        // scheduler-tick ignores the event's content: each one is a tick at the clock's now.
        let (deps, _dir) = seeded_deps().await;
        let scheduler = Scheduler::new(deps).expect("a queue");
        let report = scheduler::tick(&scheduler, Utc::now()).await;
        assert_eq!(report.errors, 0, "{name}: {report:?}");
        assert_eq!(
            report.backfills, 1,
            "{name}: the running backfill is due: {report:?}"
        );
    }
}

#[tokio::test]
async fn the_scheduler_react_events_are_run_events_it_reacts_to() {
    for (name, event) in sample_events("scheduler-react") {
        assert_eventbridge_envelope(&name, &event);
        assert_eq!(event["source"], sluice_aws::EVENT_SOURCE, "{name}");
        // What sluice_lambda::scheduler::react reads: the detail, as a run event.
        let run_event: RunEvent = serde_json::from_value(event["detail"].clone())
            .unwrap_or_else(|e| panic!("{name}: `detail` is not a run event: {e}"));
        assert_eq!(event["detail-type"], run_event.kind.as_str(), "{name}");
        assert!(
            matches!(
                run_event.kind,
                RunEventKind::RunSucceeded | RunEventKind::RunFailed
            ),
            "{name}: the rule delivers only RunSucceeded and RunFailed"
        );
        let (deps, _dir) = seeded_deps().await;
        let scheduler = Scheduler::new(deps).expect("a queue");
        let report = scheduler::on_event(&scheduler, &run_event)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            report.backfills, 1,
            "{name}: the data mart's running backfill moves on: {report:?}"
        );
        if run_event.kind == RunEventKind::RunSucceeded {
            // Data mart 4 runs after 24, but is no connector data mart: not runnable.
            assert_eq!(
                report.skipped, 1,
                "{name}: the downstream trigger fired: {report:?}"
            );
        }
    }
}

/// The WebSocket functions' events read as their handlers read them: API
/// Gateway's WebSocket requests (the connection, the credential among the
/// subprotocols, the run), and run events from the bus.
#[test]
fn the_websocket_events_are_what_their_functions_read() {
    use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
    for function in ["ws-connect", "ws-disconnect"] {
        for (name, event) in sample_events(function) {
            let req: ApiGatewayWebsocketProxyRequest = serde_json::from_value(event)
                .unwrap_or_else(|e| panic!("{name}: not a WebSocket request: {e}"));
            assert!(req.request_context.connection_id.is_some(), "{name}");
            if function == "ws-connect" {
                let protocols = req.headers["sec-websocket-protocol"]
                    .to_str()
                    .expect("text");
                assert!(
                    protocols.contains(sluice_lambda::websocket::SUBPROTOCOL),
                    "{name}"
                );
                assert!(
                    protocols.contains(sluice_lambda::websocket::BEARER_PROTOCOL),
                    "{name}"
                );
                let run = req.query_string_parameters.first("run").expect("?run=");
                assert!(
                    sluice_domain::Id::parse(sluice_domain::Kind::Run, run).is_some(),
                    "{name}"
                );
            }
        }
    }
    for (name, event) in sample_events("ws-push") {
        assert_eventbridge_envelope(&name, &event);
        let run_event: RunEvent = serde_json::from_value(event["detail"].clone())
            .unwrap_or_else(|e| panic!("{name}: `detail` is not a run event: {e}"));
        assert_eq!(event["detail-type"], run_event.kind.as_str(), "{name}");
    }
}
