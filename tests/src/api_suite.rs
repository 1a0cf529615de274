//! The API suite: every route's success and 4xx paths, the role × project matrix,
//! pagination, secrets and concurrency, through the local server over HTTP. Each
//! check takes a running app, so the same suite runs over the embedded stack
//! (tests/tests/api.rs) and over the AWS adapters on moto (tests/tests/api_on_aws.rs).

use crate::app::TestApp;
use serde_json::{Value, json};
use sluice_app::routes;
use sluice_domain::entities::{
    Backfill, ChunkTally, CreateBackfill, DataMart, Meta, Run, RunCounters, RunKind, RunStatus,
    StageState, WindowSize,
};
use sluice_domain::{Id, IdOf, Kind, Role};

/// Fresh records of every kind, made by the owner.
#[derive(Clone)]
pub(crate) struct Fixture {
    pub(crate) storage: String,
    pub(crate) empty_storage: String,
    pub(crate) source: String,
    pub(crate) data_mart: String,
    pub(crate) destination: String,
    pub(crate) report: String,
    pub(crate) trigger: String,
    pub(crate) run: String,
    /// A published `files` data mart with data in its table.
    pub(crate) files_mart: String,
    /// Its source: a local folder holding `a.ndjson`.
    pub(crate) files_source: String,
    /// Runs of `files_mart`: running, paused, failed.
    pub(crate) running: String,
    pub(crate) paused: String,
    pub(crate) failed: String,
    pub(crate) backfill: String,
    /// A file of the project's landing area.
    pub(crate) file: String,
    /// Runs of `report`: queued (nothing moves it), failed.
    pub(crate) report_run: String,
    pub(crate) failed_report_run: String,
    /// A run of `report` that exported a file, still in place.
    pub(crate) exported_report_run: String,
    /// A `looker_studio` destination, a report of `files_mart` into it, and
    /// the destination's data key.
    pub(crate) data_destination: String,
    pub(crate) data_report: String,
    pub(crate) data_key: String,
    /// A value map no data mart applies, and a name no map has yet.
    pub(crate) value_map: String,
    pub(crate) unused_map_name: String,
    /// An API key of the project (its id).
    pub(crate) api_key: String,
    /// An open alarm about `data_mart`.
    pub(crate) alarm: String,
    /// Two members of the project (viewers, of users who never sign in): one
    /// to change, one to remove.
    pub(crate) member: String,
    pub(crate) spare_member: String,
    /// A custom role of the project no one holds, and a name no role has yet.
    pub(crate) custom_role: String,
    pub(crate) unused_role_name: String,
    /// A pending invitation to the project.
    pub(crate) invitation: String,
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

pub(crate) async fn seed(app: &TestApp) -> Fixture {
    let storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await);
    let empty_storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Spare", "kind": "local"})),
            201,
        )
        .await);
    let source = id(&app.owner("POST", "/v1/sources", Some(&json!({"title": "Tracker", "connector": "http_json", "config": {"base_url": "https://tracker.example.com/v1", "auth_value": "Bearer fixture"}})), 201).await);
    let data_mart = id(&app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Issues", "storage_id": storage})),
            201,
        )
        .await);
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{data_mart}/definition"),
        Some(&json!({"kind": "sql", "query": "select 1"})),
        200,
    )
    .await;
    let destination = id(&app.owner("POST", "/v1/destinations", Some(&json!({"title": "Hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/x"}})), 201).await);
    let report = id(&app.owner("POST", "/v1/reports", Some(&json!({"title": "Weekly", "data_mart_id": data_mart, "destination_id": destination})), 201).await);
    let trigger = id(&app
        .owner(
            "POST",
            "/v1/triggers",
            Some(&json!({"target_kind": "data_mart", "target_id": data_mart, "cron": "@daily"})),
            201,
        )
        .await);
    let now = chrono::Utc::now();
    let mut run = Run::queued(
        Meta::new(Kind::Run, &app.project, "test", now),
        IdOf::parse(&data_mart).expect("id"),
        RunKind::Incremental,
    );
    run.start(now).expect("queued → running");
    run.stages.extract.finish(StageState::Succeeded, now);
    run.succeed(ChunkTally::default(), now)
        .expect("running → succeeded");
    run.counters = RunCounters {
        rows_read: 10,
        rows_written: 10,
        ..Default::default()
    };
    insert_run(app, &run).await;
    let files_mart = published_files_mart(app, &storage).await;
    let files_source = app
        .owner("GET", &format!("/v1/data-marts/{files_mart}"), None, 200)
        .await["definition"]["source_id"]
        .as_str()
        .expect("its source")
        .to_string();
    let data_destination = id(&app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Looker", "kind": "looker_studio", "config": {}})),
            201,
        )
        .await);
    let data_report = id(&app.owner("POST", "/v1/reports", Some(&json!({"title": "Pulled", "data_mart_id": files_mart, "destination_id": data_destination})), 201).await);
    let data_key = app
        .owner(
            "POST",
            &format!("/v1/destinations/{data_destination}/rotate-key"),
            None,
            200,
        )
        .await["key"]
        .as_str()
        .expect("a key")
        .to_string();
    let mart_id: IdOf<DataMart> = IdOf::parse(&files_mart).expect("id");
    let mut states = vec![];
    for status in [RunStatus::Running, RunStatus::Paused, RunStatus::Failed] {
        let mut r = Run::queued(
            Meta::new(Kind::Run, &app.project, "test", now),
            mart_id.clone(),
            RunKind::Incremental,
        );
        r.start(now).expect("queued → running");
        match status {
            RunStatus::Paused => r.pause().expect("running → paused"),
            RunStatus::Failed => r.fail("seeded", now).expect("running → failed"),
            _ => {}
        }
        insert_run(app, &r).await;
        states.push(r.meta.id.to_string());
    }
    // A backfill still running: its one window is the running run above, which
    // nothing moves, so the backfill is running whenever a route meets it.
    let window = |d: &str| d.parse::<chrono::NaiveDate>().expect("date");
    let mut backfill = Backfill::running(
        Meta::new(Kind::Backfill, &app.project, "test", now),
        mart_id.clone(),
        &CreateBackfill {
            from: window("2026-01-01"),
            to: window("2026-01-02"),
            window: WindowSize::Day,
        },
    )
    .expect("one window");
    backfill.windows[0].run_id = Some(Id::parse(Kind::Run, &states[0]).expect("run id"));
    backfill.windows[0].status = Some(RunStatus::Running);
    app.seed(&backfill).await;
    let backfill = backfill.meta.id.to_string();
    let file = format!("fixture/{}.csv", backfill.to_lowercase());
    let up = app
        .send_raw(
            "PUT",
            &format!("/v1/files/{file}"),
            app.token(Role::Owner),
            Some("id,amount\n1,2.5\n".into()),
            Some("text/csv"),
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let store = app.deps.store.as_ref();
    let the_report = sluice_app::records::get::<sluice_domain::entities::Report>(
        store,
        &app.project,
        &Id::parse(Kind::Report, &report).expect("report id"),
    )
    .await
    .expect("read")
    .expect("the report");
    let the_destination = sluice_app::records::get::<sluice_domain::entities::Destination>(
        store,
        &app.project,
        &Id::parse(Kind::Destination, &destination).expect("destination id"),
    )
    .await
    .expect("read")
    .expect("the destination");
    let queued_delivery = sluice_domain::entities::ReportRun::queued(
        Meta::new(Kind::ReportRun, &app.project, "test", now),
        &the_report,
        &the_destination,
    );
    app.seed(&queued_delivery).await;
    let mut failed_delivery = sluice_domain::entities::ReportRun::queued(
        Meta::new(Kind::ReportRun, &app.project, "test", now),
        &the_report,
        &the_destination,
    );
    failed_delivery.start(now).expect("queued → running");
    failed_delivery
        .fail(now, "seeded")
        .expect("running → failed");
    app.seed(&failed_delivery).await;
    let export_destination = sluice_domain::entities::Destination {
        kind: "object_export".into(),
        ..the_destination.clone()
    };
    let mut exported = sluice_domain::entities::ReportRun::queued(
        Meta::new(Kind::ReportRun, &app.project, "test", now),
        &the_report,
        &export_destination,
    );
    let target = format!("fixture/{}.csv", exported.meta.id.as_str().to_lowercase());
    let bytes = b"id,amount\r\n1,2.5\r\n".to_vec();
    exported.start(now).expect("queued → running");
    exported
        .succeed(
            now,
            1,
            bytes.len() as u64,
            sluice_domain::entities::Delivered {
                target: target.clone(),
                format: Some("csv".into()),
                status: None,
            },
        )
        .expect("running → succeeded");
    app.seed(&exported).await;
    app.deps
        .objects
        .as_ref()
        .expect("an object store")
        .put(
            &format!(
                "{}{target}",
                sluice_domain::pipeline::objects::exports_of(&app.project)
            ),
            bytes,
        )
        .await
        .expect("the exported file");
    // Names unique to this seed: the suites seed one project many times.
    let suffix = backfill.to_lowercase();
    let value_map = id(&app
        .owner(
            "POST",
            "/v1/value-maps",
            Some(&json!({"name": format!("fx_{suffix}"), "title": "Statuses", "entries": [{"key": "Done", "value": "done"}]})),
            201,
        )
        .await);
    let api_key = id(&app
        .owner(
            "POST",
            "/v1/api-keys",
            Some(&json!({"name": "fixture", "role": "viewer"})),
            201,
        )
        .await);
    // An alarm, as the scheduler raises one when a run fails for good.
    let data_mart_id = Id::parse(Kind::DataMart, &data_mart).expect("a data mart id");
    let raised = sluice_domain::entities::Alarm::raised(
        &app.project,
        sluice_domain::entities::AlarmKind::RunFailed,
        &data_mart_id,
        Some(&run.meta.id),
        "the run failed",
        chrono::Utc::now(),
    );
    let alarm = raised.meta.id.to_string();
    sluice_app::services::alarms::raise(&app.deps, raised).await;
    let mut members = vec![];
    for _ in 0..2 {
        let email = crate::identity::new_email().to_lowercase();
        let user = Id::derived(Kind::User, &[&email]);
        let member = sluice_domain::entities::Member::new(
            &app.project,
            &user,
            &email,
            sluice_domain::entities::RoleRef::Builtin(Role::Viewer),
            None,
            "fixture",
            chrono::Utc::now(),
        );
        app.seed(&member).await;
        members.push(member.meta.id.to_string());
    }
    let custom_role = id(&app
        .owner(
            "POST",
            "/v1/roles",
            Some(&json!({"name": format!("fx_{suffix}"), "permissions": ["data-mart:get"]})),
            201,
        )
        .await);
    let invitation = id(&app
        .owner(
            "POST",
            "/v1/invitations",
            Some(&json!({"email": crate::identity::new_email(), "role": "viewer"})),
            201,
        )
        .await);
    Fixture {
        member: members[0].clone(),
        spare_member: members[1].clone(),
        custom_role,
        unused_role_name: format!("new_{suffix}"),
        invitation,
        alarm,
        api_key,
        value_map,
        unused_map_name: format!("new_{suffix}"),
        exported_report_run: exported.meta.id.to_string(),
        data_destination,
        data_report,
        data_key,
        report_run: queued_delivery.meta.id.to_string(),
        failed_report_run: failed_delivery.meta.id.to_string(),
        file,
        backfill,
        storage,
        empty_storage,
        source,
        data_mart,
        destination,
        report,
        trigger,
        run: run.meta.id.to_string(),
        files_mart,
        files_source,
        running: states[0].clone(),
        paused: states[1].clone(),
        failed: states[2].clone(),
    }
}

async fn insert_run(app: &TestApp, run: &Run) {
    let record = sluice_domain::ports::Record {
        project: app.project.clone(),
        kind: Kind::Run,
        id: run.meta.id.clone(),
        parent: Some(run.data_mart_id.as_id().clone()),
        version: 1,
        deleted: false,
        due_at: None,
        body: serde_json::to_string(run).expect("json"),
    };
    app.deps.store.insert(&record).await.expect("seed a run");
}

/// A `files` source over a directory of two NDJSON rows, a data mart over it,
/// published, and a Parquet file of the same rows in its table.
async fn published_files_mart(app: &TestApp, storage: &str) -> String {
    let dir = app.keep(crate::app::temp_dir("suite-files"));
    std::fs::write(
        dir.join("a.ndjson"),
        "{\"id\": \"1\", \"amount\": \"2.5\"}\n{\"id\": \"2\", \"amount\": \"4\"}\n",
    )
    .expect("file");
    let source = id(&app.owner("POST", "/v1/sources", Some(&json!({"title": "Files", "connector": "files", "config": {"location": dir.display().to_string(), "format": "ndjson"}})), 201).await);
    let mart = id(&app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Orders", "storage_id": storage})),
            201,
        )
        .await);
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        Some(&json!({"kind": "connector", "source_id": source, "streams": [{"name": "*.ndjson", "mapping": {"columns": [{"target": "id", "source": "id", "cast": "int"}, {"target": "amount", "source": "amount", "cast": "float"}]}}], "pipeline": {"max_active_runs": 10}})),
        200,
    )
    .await;
    app.owner("POST", &format!("/v1/data-marts/{mart}/publish"), None, 200)
        .await;
    let decoded = sluice_engine::transform::decode(
        sluice_domain::pipeline::ChunkFormat::Ndjson,
        b"{\"id\": 1, \"amount\": 2.5}\n{\"id\": 2, \"amount\": 4.0}\n",
        None,
    )
    .expect("rows");
    let parquet = sluice_engine::transform::write_parquet(&decoded.batch).expect("parquet");
    let mart_id = Id::parse(Kind::DataMart, &mart).expect("id");
    let key = sluice_domain::pipeline::objects::table_file(
        &app.project,
        &mart_id,
        &Id::generate(Kind::Run, 1),
        "seed",
    );
    if let Some(objects) = &app.deps.objects {
        objects.put(&key, parquet).await.expect("table file");
    }
    // As a run's finalize would: the schema of what landed.
    let schema: Vec<sluice_domain::entities::SchemaField> = serde_json::from_value(json!([
        {"name": "id", "type": "Int64", "status": "new"},
        {"name": "amount", "type": "Float64", "status": "new"}
    ]))
    .expect("schema");
    sluice_app::records::update::<sluice_domain::entities::DataMart>(
        app.deps.store.as_ref(),
        &app.project,
        &mart_id,
        chrono::Utc::now(),
        |d| {
            d.schema = schema.clone();
            true
        },
    )
    .await
    .expect("schema saved");
    mart
}

/// A request that succeeds on `route` for a role allowed to call it.
pub(crate) fn request_for(route: &str, f: &Fixture) -> (String, Option<Value>) {
    let p = |s: &str| s.to_string();
    match route {
        "api-health" => (p("/health"), None),
        "api-openapi" => (p("/openapi.json"), None),
        "api-list-connectors" => (p("/v1/connectors"), None),
        "api-get-connector" => (p("/v1/connectors/http_json"), None),
        "api-list-destination-kinds" => (p("/v1/destination-kinds"), None),
        "api-create-storage" => (
            p("/v1/storages"),
            Some(
                json!({"title": "Athena", "kind": "athena", "config": {"region": "eu-west-1", "database": "marts", "output_location": "s3://acme-results/x/"}}),
            ),
        ),
        "api-list-storages" => (p("/v1/storages"), None),
        "api-get-storage" => (format!("/v1/storages/{}", f.storage), None),
        "api-update-storage" => (
            format!("/v1/storages/{}", f.storage),
            Some(json!({"title": "Renamed"})),
        ),
        "api-delete-storage" => (format!("/v1/storages/{}", f.empty_storage), None),
        "api-create-source" => (
            p("/v1/sources"),
            Some(
                json!({"title": "API", "connector": "http_json", "config": {"base_url": "https://api.example.com", "auth_value": "Bearer pw-1"}}),
            ),
        ),
        "api-list-sources" => (p("/v1/sources"), None),
        "api-get-source" => (format!("/v1/sources/{}", f.source), None),
        "api-update-source" => (
            format!("/v1/sources/{}", f.source),
            Some(json!({"config": {"base_url": "https://tracker.example.com/v2"}})),
        ),
        "api-delete-source" => (format!("/v1/sources/{}", f.source), None),
        "api-create-data-mart" => (
            p("/v1/data-marts"),
            Some(json!({"title": "New", "storage_id": f.storage})),
        ),
        "api-list-data-marts" => (p("/v1/data-marts"), None),
        "api-get-data-mart" => (format!("/v1/data-marts/{}", f.data_mart), None),
        "api-update-data-mart" => (
            format!("/v1/data-marts/{}", f.data_mart),
            Some(json!({"description": "d"})),
        ),
        "api-delete-data-mart" => (format!("/v1/data-marts/{}", f.data_mart), None),
        "api-set-data-mart-definition" => (
            format!("/v1/data-marts/{}/definition", f.data_mart),
            Some(
                json!({"kind": "connector", "source_id": f.source, "streams": [{"name": "issues"}]}),
            ),
        ),
        "api-validate-data-mart-definition" => (
            format!("/v1/data-marts/{}/definition/validate", f.data_mart),
            None,
        ),
        "api-publish-data-mart" => (format!("/v1/data-marts/{}/publish", f.data_mart), None),
        "api-create-destination" => (
            p("/v1/destinations"),
            Some(json!({"title": "Mail", "kind": "email", "config": {"to": ["ops@example.com"]}})),
        ),
        "api-list-destinations" => (p("/v1/destinations"), None),
        "api-get-destination" => (format!("/v1/destinations/{}", f.destination), None),
        "api-update-destination" => (
            format!("/v1/destinations/{}", f.destination),
            Some(json!({"title": "Hook 2"})),
        ),
        "api-delete-destination" => (format!("/v1/destinations/{}", f.destination), None),
        "api-create-report" => (
            p("/v1/reports"),
            Some(
                json!({"title": "R", "data_mart_id": f.data_mart, "destination_id": f.destination}),
            ),
        ),
        "api-list-reports" => (p("/v1/reports"), None),
        "api-get-report" => (format!("/v1/reports/{}", f.report), None),
        "api-update-report" => (
            format!("/v1/reports/{}", f.report),
            Some(json!({"cache_ttl_seconds": 60})),
        ),
        "api-delete-report" => (format!("/v1/reports/{}", f.report), None),
        "api-start-report-run" => (format!("/v1/reports/{}/runs", f.report), None),
        "api-list-report-runs" => (format!("/v1/reports/{}/runs", f.report), None),
        "api-get-report-run" => (format!("/v1/report-runs/{}", f.report_run), None),
        "api-download-report-run" => (
            format!("/v1/report-runs/{}/download", f.exported_report_run),
            None,
        ),
        "api-cancel-report-run" => (format!("/v1/report-runs/{}/cancel", f.report_run), None),
        "api-retry-report-run" => (
            format!("/v1/report-runs/{}/retry", f.failed_report_run),
            None,
        ),
        "api-create-trigger" => (
            p("/v1/triggers"),
            Some(
                json!({"target_kind": "report", "target_id": f.report, "cron": "0 8 * * 1-5", "timezone": "America/New_York"}),
            ),
        ),
        "api-list-triggers" => (p("/v1/triggers"), None),
        "api-get-trigger" => (format!("/v1/triggers/{}", f.trigger), None),
        "api-update-trigger" => (
            format!("/v1/triggers/{}", f.trigger),
            Some(json!({"enabled": false})),
        ),
        "api-delete-trigger" => (format!("/v1/triggers/{}", f.trigger), None),
        "api-list-runs" => (p("/v1/runs"), None),
        "api-list-data-mart-runs" => (format!("/v1/data-marts/{}/runs", f.files_mart), None),
        "api-get-run" => (format!("/v1/runs/{}", f.run), None),
        "api-watch-run" => (format!("/v1/runs/{}/events", f.run), None),
        "api-start-run" => (
            format!("/v1/data-marts/{}/runs", f.files_mart),
            Some(json!({"kind": "incremental"})),
        ),
        "api-pause-run" => (format!("/v1/runs/{}/pause", f.running), None),
        "api-resume-run" => (format!("/v1/runs/{}/resume", f.paused), None),
        "api-cancel-run" => (format!("/v1/runs/{}/cancel", f.running), None),
        "api-retry-run" => (format!("/v1/runs/{}/retry", f.failed), None),
        "api-preview-data-mart" => (
            format!("/v1/data-marts/{}/preview", f.files_mart),
            Some(json!({"limit": 5})),
        ),
        "api-query-data-mart" => (
            format!("/v1/data-marts/{}/query", f.files_mart),
            Some(json!({"sql": "SELECT id, amount FROM ${DATA_MART_TABLE} ORDER BY id"})),
        ),
        "api-create-backfill" => (
            format!("/v1/data-marts/{}/backfills", f.files_mart),
            Some(json!({"from": "2026-02-01", "to": "2026-02-15", "window": "week"})),
        ),
        "api-list-backfills" => (p("/v1/backfills"), None),
        "api-get-backfill" => (format!("/v1/backfills/{}", f.backfill), None),
        "api-cancel-backfill" => (format!("/v1/backfills/{}/cancel", f.backfill), None),
        "api-get-data-mart-lineage" => (format!("/v1/data-marts/{}/lineage", f.data_mart), None),
        "api-get-project" => ("/v1/project".into(), None),
        "api-update-project" => (
            "/v1/project".into(),
            Some(json!({"webhook_url": "https://hooks.example.com/services/T0/B0/s3cr3t-path"})),
        ),
        "api-upload-file" => (
            "/v1/files/uploads/orders.csv".into(),
            Some(json!("order,amount\n1,12.50\n")),
        ),
        "api-list-files" => ("/v1/files?prefix=fixture/".into(), None),
        "api-delete-file" => (format!("/v1/files/{}", f.file), None),
        "api-test-destination" => (
            format!("/v1/destinations/{}/test", f.data_destination),
            None,
        ),
        "api-test-source" => (format!("/v1/sources/{}/test", f.files_source), None),
        "api-list-source-streams" => (format!("/v1/sources/{}/streams", f.files_source), None),
        "api-suggest-mapping" => (
            format!("/v1/sources/{}/suggest-mapping", f.files_source),
            Some(json!({"stream": "a.ndjson"})),
        ),
        "api-create-source-data-marts" => (
            format!("/v1/sources/{}/data-marts", f.files_source),
            Some(json!({"storage_id": f.storage, "marts": [{"stream": "a.ndjson", "title": "A"}]})),
        ),
        "api-rotate-destination-key" => (
            format!("/v1/destinations/{}/rotate-key", f.data_destination),
            None,
        ),
        "api-get-report-data" => (
            format!("/v1/reports/{}/data?format=json", f.data_report),
            None,
        ),
        "api-create-value-map" => (
            p("/v1/value-maps"),
            Some(
                json!({"name": f.unused_map_name, "title": "Levels", "entries": [{"key": "Epic", "value": 1}, {"key": "Story", "value": 0}]}),
            ),
        ),
        "api-list-value-maps" => (p("/v1/value-maps"), None),
        "api-get-value-map" => (format!("/v1/value-maps/{}", f.value_map), None),
        "api-update-value-map" => (
            format!("/v1/value-maps/{}", f.value_map),
            Some(json!({"case_insensitive": true})),
        ),
        "api-delete-value-map" => (format!("/v1/value-maps/{}", f.value_map), None),
        "api-get-jwks" => (p("/.well-known/jwks.json"), None),
        "api-get-me" => (p("/v1/me"), None),
        "api-create-api-key" => (
            p("/v1/api-keys"),
            Some(json!({"name": "ci", "role": "viewer"})),
        ),
        "api-list-api-keys" => (p("/v1/api-keys"), None),
        "api-list-audit" => (p("/v1/audit"), None),
        "api-list-alarms" => (p("/v1/alarms"), None),
        "api-acknowledge-alarm" => (format!("/v1/alarms/{}/acknowledge", f.alarm), None),
        "api-delete-api-key" => (format!("/v1/api-keys/{}", f.api_key), None),
        "api-list-projects" => (p("/v1/projects"), None),
        "api-list-members" => (p("/v1/members"), None),
        "api-update-member" => (
            format!("/v1/members/{}", f.member),
            Some(json!({"role": "editor"})),
        ),
        "api-delete-member" => (format!("/v1/members/{}", f.spare_member), None),
        "api-list-permissions" => (p("/v1/permissions"), None),
        "api-create-role" => (
            p("/v1/roles"),
            Some(json!({"name": f.unused_role_name, "permissions": ["run:*", "*:list"]})),
        ),
        "api-list-roles" => (p("/v1/roles"), None),
        "api-get-role" => (format!("/v1/roles/{}", f.custom_role), None),
        "api-update-role" => (
            format!("/v1/roles/{}", f.custom_role),
            Some(json!({"description": "Reads data marts"})),
        ),
        "api-delete-role" => (format!("/v1/roles/{}", f.custom_role), None),
        "api-create-invitation" => (
            p("/v1/invitations"),
            Some(json!({"email": crate::identity::new_email(), "role": "viewer"})),
        ),
        "api-list-invitations" => (p("/v1/invitations"), None),
        "api-delete-invitation" => (format!("/v1/invitations/{}", f.invitation), None),
        other => panic!("no request written for route {other}; add one"),
    }
}

/// A user's routes: their requests name the user's session, address and
/// password rather than a record.
pub(crate) const SESSION_ROUTES: &[&str] = &[
    "api-sign-up",
    "api-sign-in",
    "api-refresh-session",
    "api-sign-out",
    "api-sign-out-everywhere",
    "api-change-password",
    "api-create-project",
    "api-switch-project",
    "api-accept-invitation",
];

/// The request of one of [`SESSION_ROUTES`] by the user `u`: its path, its
/// body, and the credential it is sent with.
fn session_request(route: &str, u: &crate::identity::SignedIn) -> (String, Option<Value>, String) {
    let p = |s: &str| s.to_string();
    match route {
        // Sign-up is closed: the deployment has users.
        "api-sign-up" => (
            p("/v1/auth/sign-up"),
            Some(
                json!({"email": crate::identity::new_email(), "password": crate::identity::PASSWORD}),
            ),
            String::new(),
        ),
        "api-sign-in" => (
            p("/v1/auth/sign-in"),
            Some(json!({"email": u.email, "password": crate::identity::PASSWORD})),
            String::new(),
        ),
        "api-refresh-session" => (
            p("/v1/auth/refresh"),
            Some(json!({"refresh_token": u.refresh})),
            String::new(),
        ),
        "api-sign-out" => (p("/v1/auth/sign-out"), None, u.access.clone()),
        "api-sign-out-everywhere" => (p("/v1/auth/sign-out-everywhere"), None, u.access.clone()),
        "api-change-password" => (
            p("/v1/auth/password"),
            Some(
                json!({"current_password": crate::identity::PASSWORD, "new_password": "another long password"}),
            ),
            u.access.clone(),
        ),
        "api-create-project" => (
            p("/v1/projects"),
            Some(json!({"name": "Side project"})),
            u.access.clone(),
        ),
        // The project the user's token is for.
        "api-switch-project" => (
            p("/v1/auth/switch-project"),
            Some(json!({"project_id": u.project})),
            u.access.clone(),
        ),
        "api-accept-invitation" => (
            p("/v1/auth/accept-invitation"),
            Some(json!({"token": u.invitation})),
            u.access.clone(),
        ),
        other => panic!("{other} is not a session route"),
    }
}

/// The status a route answers when allowed: its own, but sign-up's, which is
/// closed once a deployment has users.
pub(crate) fn allowed_status(route: &routes::RouteSpec) -> u16 {
    if route.name == "api-sign-up" {
        403
    } else {
        route.status
    }
}

/// The routes at even places in the table (the check is split in two, which run
/// side by side).
pub async fn every_route_answers_every_role_of_its_own_project_as_its_role_allows_1_of_2(
    app: TestApp,
) {
    every_route_answers_every_role(app, 0).await;
}

/// The routes at odd places in the table.
pub async fn every_route_answers_every_role_of_its_own_project_as_its_role_allows_2_of_2(
    app: TestApp,
) {
    every_route_answers_every_role(app, 1).await;
}

/// Each route of `half` (0 or 1: its place in the table modulo two), called by
/// every role of the project, answers as the role allows.
async fn every_route_answers_every_role(app: TestApp, half: usize) {
    // Reads and refusals change nothing, so they share one fixture; each write
    // the role may make gets a fresh one.
    let shared = seed(&app).await;
    for route in routes::all().iter().skip(half).step_by(2) {
        for role in Role::ALL {
            let allowed = route.role.is_none_or(|need| role.allows(need));
            let (path, body, token) = if SESSION_ROUTES.contains(&route.name) {
                let u = crate::identity::signed_in(&app, &app.project, role).await;
                session_request(route.name, &u)
            } else {
                let fresh;
                let f = if route.method == http::Method::GET || !allowed {
                    &shared
                } else {
                    fresh = seed(&app).await;
                    &fresh
                };
                let (path, body) = request_for(route.name, f);
                // The data endpoint takes its destination's key, whoever holds it.
                let token = if route.name == "api-get-report-data" {
                    f.data_key.clone()
                } else {
                    app.token(role).to_string()
                };
                (path, body, token)
            };
            let r = app
                .send(route.method.as_str(), &path, &token, body.as_ref())
                .await;
            if allowed {
                assert_eq!(
                    r.status,
                    allowed_status(route),
                    "{} as {}: {}",
                    route.name,
                    role.as_str(),
                    r.text
                );
                if route.name == "api-download-report-run" {
                    // The file itself (followed from S3's link on AWS).
                    assert_eq!(r.text, "id,amount\r\n1,2.5\r\n", "{}", route.name);
                } else if route.streams_events() {
                    // The fixture's run is over: its state, then the end.
                    assert!(
                        r.text.starts_with("id: 1\nevent: run\ndata: {")
                            && r.text.ends_with("}\n\n")
                            && r.text.matches("event: run").count() == 1,
                        "{}: {}",
                        route.name,
                        r.text
                    );
                } else if r.status != 204 {
                    r.json();
                }
                if route.writes() {
                    // The write left its entry: the newest of its route.
                    let audit = app
                        .owner(
                            "GET",
                            &format!("/v1/audit?action={}&limit=1", route.name),
                            None,
                            200,
                        )
                        .await;
                    let entry = &audit["items"][0];
                    assert_eq!(
                        entry["action"],
                        json!(route.name),
                        "{} as {}: {audit}",
                        route.name,
                        role.as_str()
                    );
                    assert_eq!(entry["status"], json!(r.status), "{}", route.name);
                    assert_eq!(
                        entry["method"],
                        json!(route.method.as_str()),
                        "{}",
                        route.name
                    );
                    let credential = if SESSION_ROUTES.contains(&route.name) {
                        "session"
                    } else {
                        "operator"
                    };
                    assert_eq!(
                        entry["actor"]["credential"],
                        json!(credential),
                        "{}",
                        route.name
                    );
                }
            } else {
                assert_eq!(
                    (r.status, r.code()),
                    (403, "forbidden".into()),
                    "{} as {}: {}",
                    route.name,
                    role.as_str(),
                    r.text
                );
            }
        }
    }
    app.stop().await;
}

pub async fn another_projects_token_sees_nothing_and_changes_nothing(app: TestApp) {
    // One fixture for every request: none may change it, and after each the
    // owner checks that none did. What a request may create in the stranger's
    // own project gets a name of its own.
    let shared = seed(&app).await;
    let mut n = 0;
    for route in routes::all() {
        for role in Role::ALL {
            n += 1;
            let f = Fixture {
                unused_role_name: format!("{}_{n}", shared.unused_role_name),
                unused_map_name: format!("{}_{n}", shared.unused_map_name),
                ..shared.clone()
            };
            let (path, body, token) = if SESSION_ROUTES.contains(&route.name) {
                // Another project's user (switching to this project, which
                // is not theirs).
                let u = crate::identity::signed_in(&app, &app.stranger_project, role).await;
                let (path, mut body, token) = session_request(route.name, &u);
                if route.name == "api-switch-project" {
                    body = Some(json!({"project_id": app.project}));
                }
                (path, body, token)
            } else {
                let (path, body) = request_for(route.name, &f);
                (path, body, app.strangers[&role].clone())
            };
            let r = app
                .send(route.method.as_str(), &path, &token, body.as_ref())
                .await;
            let what = format!(
                "{} as another project's {}: {}",
                route.name,
                role.as_str(),
                r.text
            );
            let names_a_record = route.path.contains("{id}") || route.name == "api-delete-file";
            let refers_to_records = body.as_ref().is_some_and(|b| b.to_string().contains("_id"));
            if !route.role.is_none_or(|need| role.allows(need)) {
                assert_eq!(r.status, 403, "{what}");
            } else if route.name == "api-get-report-data" {
                // A user token of any project is not a data key.
                assert_eq!((r.status, r.code()), (401, "unauthorized".into()), "{what}");
            } else if names_a_record {
                assert_eq!((r.status, r.code()), (404, "not_found".into()), "{what}");
            } else if refers_to_records {
                assert_eq!(r.status, 422, "{what}");
            } else {
                assert_eq!(r.status, allowed_status(route), "{what}");
                if route.path.starts_with("/v1/") && route.method == http::Method::GET {
                    let items = r.json()["items"].as_array().cloned().unwrap_or_default();
                    let ours = json!(app.project.to_string());
                    assert!(items.iter().all(|i| i["project_id"] != ours), "{what}");
                    assert!(items.iter().all(|i| i["path"] != json!(f.file)), "{what}");
                }
            }
            // The owner still sees the fixture unchanged, its file included.
            let files = app
                .owner("GET", &format!("/v1/files?prefix={}", f.file), None, 200)
                .await;
            assert!(
                files["items"]
                    .as_array()
                    .is_some_and(|i| i.iter().any(|x| x["path"] == json!(f.file))),
                "{what}: removed another project's file"
            );
            let dm = app
                .owner("GET", &format!("/v1/data-marts/{}", f.data_mart), None, 200)
                .await;
            assert_eq!(
                dm["version"],
                json!(2),
                "{what}: changed another project's data mart"
            );
        }
    }
    app.stop().await;
}

pub async fn missing_malformed_and_expired_credentials_are_401_with_json(app: TestApp) {
    for route in routes::all().iter().filter(|r| r.role.is_some()) {
        let path = route
            .path
            .replace("{id}", "x")
            .replace("{name}", "files")
            .replace("{path+}", "a/b.csv");
        for token in ["", "not-a-jwt", "a.b.c"] {
            let r = app.send(route.method.as_str(), &path, token, None).await;
            assert_eq!(
                (r.status, r.code()),
                (401, "unauthorized".into()),
                "{} with {token:?}: {}",
                route.name,
                r.text
            );
            assert!(
                !r.text.contains(token) || token.is_empty(),
                "the token is never echoed"
            );
        }
    }
    let expired = {
        let keys = &app.deps.auth;
        keys.sign(
            &sluice_app::auth::Principal::operator("old", app.project.clone(), Role::Owner),
            1_000,
            60,
        )
        .expect("signed")
    };
    let r = app.send("GET", "/v1/storages", &expired, None).await;
    assert_eq!(r.status, 401);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("expired")
    );
    app.stop().await;
}

pub async fn lists_are_paginated_newest_first_with_a_cursor(app: TestApp) {
    let mut made = vec![];
    for i in 0..7 {
        made.push(id(&app
            .owner(
                "POST",
                "/v1/storages",
                Some(&json!({"title": format!("s{i}"), "kind": "local"})),
                201,
            )
            .await));
    }
    made.reverse();
    let mut seen = vec![];
    let mut path = "/v1/storages?limit=3".to_string();
    loop {
        let page = app.owner("GET", &path, None, 200).await;
        seen.extend(page["items"].as_array().expect("items").iter().map(id));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/storages?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, made);
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=x", "limit"),
        ("cursor=nope", "cursor"),
        ("colour=red", "colour"),
    ] {
        let r = app
            .send(
                "GET",
                &format!("/v1/storages?{q}"),
                app.token(Role::Viewer),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.field()),
            (422, field.to_string()),
            "{q}: {}",
            r.text
        );
    }
    app.stop().await;
}

pub async fn bad_bodies_get_a_precise_4xx_naming_the_field(app: TestApp) {
    let f = seed(&app).await;
    let owner = app.token(Role::Owner);
    let cases: Vec<(&str, String, &str, u16, &str)> = vec![
        ("POST", "/v1/storages".into(), r#"{"title":"x","kind":"local""#, 400, ""),
        ("POST", "/v1/storages".into(), r#"{"title":"x","kind":"local"} trailing"#, 400, ""),
        ("POST", "/v1/storages".into(), "", 400, ""),
        ("POST", "/v1/storages".into(), r#"["x","local"]"#, 422, "body"),
        ("PATCH", "/v1/project".into(), "[null,null]", 422, "body"),
        ("POST", "/v1/storages".into(), "\"local\"", 422, "body"),
        ("POST", "/v1/storages".into(), r#"{"title":"x","kind":"local","colour":1}"#, 422, "colour"),
        ("POST", "/v1/storages".into(), r#"{"title":7,"kind":"local"}"#, 422, "title"),
        ("POST", "/v1/storages".into(), r#"{"title":"x","kind":"oracle"}"#, 422, "kind"),
        ("POST", "/v1/storages".into(), r#"{"title":"  ","kind":"local"}"#, 422, "title"),
        ("POST", "/v1/storages".into(), r#"{"title":"x","kind":"athena","config":{"region":"mars","database":"d","output_location":"s3://bkt/"}}"#, 422, "config.region"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"oracle"}"#, 422, "connector"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"http_json","config":{"auth_value":"t"}}"#, 422, "config.base_url"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"http_json","config":{"base_url":"https://a.example","page_size":"100"}}"#, 422, "config.page_size"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"postgres","config":{"url":"mysql://u:p@db.example/app"}}"#, 422, "config.url"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"postgres","config":{"url":"postgres://u:p@db.example/app","cursor_column":""}}"#, 422, "config.cursor_column"),
        ("POST", "/v1/sources".into(), r#"{"title":"x","connector":"postgres","config":{}}"#, 422, "config.url"),
        ("POST", "/v1/data-marts".into(), format!(r#"{{"title":"x","storage_id":"{}"}}"#, "sto_01JD0000000000000000000099").leak(), 422, "storage_id"),
        ("POST", "/v1/data-marts".into(), r#"{"title":"x","storage_id":"dm_123"}"#, 422, "storage_id"),
        ("PUT", format!("/v1/data-marts/{}/definition", f.data_mart), r#"{"kind":"sql","query":" "}"#, 422, "definition.query"),
        ("PUT", format!("/v1/data-marts/{}/definition", f.data_mart), r#"{"kind":"cube"}"#, 422, "definition.kind"),
        ("PUT", format!("/v1/data-marts/{}/definition", f.data_mart), format!(r#"{{"kind":"connector","source_id":"{}","streams":[{{"name":"issues","mapping":{{"columns":[{{"target":"x"}}]}}}}]}}"#, f.source).leak(), 422, "definition.streams[0].mapping.columns[0]"),
        ("PUT", format!("/v1/data-marts/{}/definition", f.data_mart), format!(r#"{{"kind":"connector","source_id":"{}","streams":[{{"name":"issues"}}],"pipeline":{{"batch_size":200000}}}}"#, f.source).leak(), 422, "definition.pipeline.batch_size"),
        ("PUT", format!("/v1/data-marts/{}/definition", f.data_mart), format!(r#"{{"kind":"connector","source_id":"{}","streams":[{{"name":"issues"}}],"pipeline":{{"batchsize":2000}}}}"#, f.source).leak(), 422, "definition.pipeline.batchsize"),
        ("POST", "/v1/triggers".into(), format!(r#"{{"target_kind":"data_mart","target_id":"{}","cron":"0 25 * * *"}}"#, f.data_mart).leak(), 422, "cron"),
        ("POST", "/v1/triggers".into(), format!(r#"{{"target_kind":"data_mart","target_id":"{}","cron":"@daily","timezone":"Europe/Atlantis"}}"#, f.data_mart).leak(), 422, "timezone"),
        ("POST", "/v1/triggers".into(), format!(r#"{{"target_kind":"report","target_id":"{}","cron":"@daily"}}"#, f.data_mart).leak(), 422, "target_id"),
        ("POST", "/v1/triggers".into(), format!(r#"{{"target_kind":"data_mart","target_id":"{}","cron":"@daily","retry":{{"max_retries":50}}}}"#, f.data_mart).leak(), 422, "retry.max_retries"),
        ("POST", "/v1/destinations".into(), r#"{"title":"x","kind":"email","config":{"to":["not-an-address"]}}"#, 422, "config.to[0]"),
        ("POST", "/v1/reports".into(), format!(r#"{{"title":"x","data_mart_id":"{}","destination_id":"{}","cache_ttl_seconds":99999999}}"#, f.data_mart, f.destination).leak(), 422, "cache_ttl_seconds"),
    ];
    for (method, path, body, status, field) in cases {
        let r = app
            .send_raw(method, &path, owner, Some(body.to_string()), None)
            .await;
        assert_eq!(r.status, status, "{method} {path} {body}: {}", r.text);
        assert!(
            r.json()["error"]["message"].is_string(),
            "an error envelope"
        );
        if !field.is_empty() {
            assert_eq!(r.field(), field, "{method} {path} {body}: {}", r.text);
        }
    }
    // Size, media type, routes and methods.
    let big = format!(
        r#"{{"title":"{}","kind":"local"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    assert_eq!(
        app.send_raw("POST", "/v1/storages", owner, Some(big), None)
            .await
            .status,
        413
    );
    assert_eq!(
        app.send_raw(
            "POST",
            "/v1/storages",
            owner,
            Some("<xml/>".into()),
            Some("application/xml")
        )
        .await
        .status,
        415
    );
    let r = app.send("GET", "/v1/nothing-here", owner, None).await;
    assert_eq!((r.status, r.code()), (404, "not_found".into()));
    let r = app.send("DELETE", "/v1/storages", owner, None).await;
    assert_eq!((r.status, r.code()), (405, "method_not_allowed".into()));
    // Nothing above was written.
    let storages = app.owner("GET", "/v1/storages", None, 200).await;
    assert_eq!(
        storages["items"].as_array().map(Vec::len),
        Some(2),
        "only the fixture's storages exist"
    );
    app.stop().await;
}

pub async fn data_mart_lifecycle_refuses_invalid_state_changes(app: TestApp) {
    let f = seed(&app).await;
    let draft = id(&app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Bare", "storage_id": f.storage})),
            201,
        )
        .await);
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{draft}/publish"),
            app.token(Role::Editor),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "definition".into()),
        "publishing without a definition"
    );
    let report = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{draft}/definition/validate"),
            None,
            200,
        )
        .await;
    assert_eq!(report["valid"], json!(false));
    let candidate = json!({"kind": "connector", "source_id": f.source, "streams": [{"name": "issues", "mapping": {"columns": [{"target": "t"}]}}]});
    let report = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{draft}/definition/validate"),
            Some(&candidate),
            200,
        )
        .await;
    assert_eq!(
        report["problems"][0]["field"],
        json!("definition.streams[0].mapping.columns[0]")
    );
    let good = json!({"kind": "connector", "source_id": f.source, "streams": [{"name": "issues", "mapping": {"columns": [{"target": "title", "source": "title", "ops": [{"op": "trim"}]}], "rules": [{"rule": "unique_key", "columns": ["title"]}]}}], "pipeline": {"write_mode": "merge"}});
    let dm = app
        .owner(
            "PUT",
            &format!("/v1/data-marts/{draft}/definition"),
            Some(&good),
            200,
        )
        .await;
    assert_eq!(
        dm["definition"]["pipeline"]["batch_size"],
        json!(5000),
        "defaults are filled in"
    );
    let dm = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{draft}/publish"),
            None,
            200,
        )
        .await;
    assert_eq!(dm["status"], json!("published"));
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{draft}/publish"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "conflict".into()),
        "publishing a published mart"
    );
    // Stale version.
    let r = app
        .send(
            "PATCH",
            &format!("/v1/data-marts/{draft}"),
            app.token(Role::Owner),
            Some(&json!({"title": "T", "version": 1})),
        )
        .await;
    assert_eq!(r.status, 409);
    let dm = app
        .owner(
            "PATCH",
            &format!("/v1/data-marts/{draft}"),
            Some(&json!({"title": "T", "version": dm["version"]})),
            200,
        )
        .await;
    assert_eq!(dm["title"], json!("T"));
    // A storage in use cannot go; a deleted mart cannot change.
    let r = app
        .send(
            "DELETE",
            &format!("/v1/storages/{}", f.storage),
            app.token(Role::Admin),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    app.owner("DELETE", &format!("/v1/data-marts/{draft}"), None, 204)
        .await;
    app.owner("GET", &format!("/v1/data-marts/{draft}"), None, 404)
        .await;
    let r = app
        .send(
            "PUT",
            &format!("/v1/data-marts/{draft}/definition"),
            app.token(Role::Owner),
            Some(&good),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "conflict".into()),
        "defining a deleted mart: {}",
        r.text
    );
    let listed = app.owner("GET", "/v1/data-marts", None, 200).await;
    assert!(
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|m| m["id"] != json!(draft)),
        "deleted marts are not listed"
    );
    app.stop().await;
}

pub async fn secret_fields_are_write_only_and_never_leave_the_secret_store(app: TestApp) {
    let secret = "ghp_TOPSECRET_4f9a";
    let created = app.owner("POST", "/v1/sources", Some(&json!({"title": "API", "connector": "http_json", "config": {"base_url": "https://api.example.com", "auth_value": secret}})), 201).await;
    let sid = id(&created);
    assert_eq!(created["config"]["auth_value"], json!("********"));
    let got = app
        .owner("GET", &format!("/v1/sources/{sid}"), None, 200)
        .await;
    let listed = app.owner("GET", "/v1/sources", None, 200).await;
    // Echoing the mask back keeps the secret; a new value replaces it.
    app.owner(
        "PATCH",
        &format!("/v1/sources/{sid}"),
        Some(&json!({"title": "API 2", "config": {"auth_value": "********"}})),
        200,
    )
    .await;
    let name = format!("sluice/{}/{sid}", app.project);
    let stored = app
        .deps
        .secrets
        .get(&name)
        .await
        .expect("get")
        .expect("stored");
    assert!(
        stored.expose().contains(secret),
        "the secret is in the secret store"
    );
    app.owner(
        "PATCH",
        &format!("/v1/sources/{sid}"),
        Some(&json!({"config": {"auth_value": "ghp_rotated"}})),
        200,
    )
    .await;
    let stored = app
        .deps
        .secrets
        .get(&name)
        .await
        .expect("get")
        .expect("stored");
    assert!(stored.expose().contains("ghp_rotated") && !stored.expose().contains(secret));
    // A required secret cannot be removed.
    let hook = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/x"}})),
            201,
        )
        .await;
    let r = app
        .send(
            "PATCH",
            &format!("/v1/destinations/{}", id(&hook)),
            app.token(Role::Owner),
            Some(&json!({"config": {"url": null}})),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "config.url".into()),
        "{}",
        r.text
    );
    for body in [created.to_string(), got.to_string(), listed.to_string()] {
        assert!(!body.contains(secret) && !body.contains("ghp_rotated"));
    }
    // The embedded stack keeps files; none holds the plain secret.
    let files = std::fs::read_dir(&app.data_dir).into_iter().flatten();
    for entry in files {
        let bytes = std::fs::read(entry.expect("entry").path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(secret) && !text.contains("ghp_rotated"),
            "no plain secret on disk"
        );
    }
    app.owner("DELETE", &format!("/v1/sources/{sid}"), None, 204)
        .await;
    assert!(
        app.deps.secrets.get(&name).await.expect("get").is_none(),
        "deleting the source deletes its secret"
    );
    app.stop().await;
}

pub async fn triggers_show_their_next_fires_and_disabling_stops_them(app: TestApp) {
    let f = seed(&app).await;
    let t = app.owner("POST", "/v1/triggers", Some(&json!({"target_kind": "data_mart", "target_id": f.data_mart, "cron": "30 2 * * *", "timezone": "America/New_York"})), 201).await;
    let fires = t["next_fire_times"].as_array().expect("fires");
    assert_eq!(fires.len(), 5);
    assert_eq!(t["next_fire_at"], fires[0]);
    let tid = id(&t);
    let off = app
        .owner(
            "PATCH",
            &format!("/v1/triggers/{tid}"),
            Some(&json!({"enabled": false})),
            200,
        )
        .await;
    assert_eq!(off["next_fire_at"], Value::Null);
    assert_eq!(off["next_fire_times"], json!([]));
    let listed = app
        .owner(
            "GET",
            &format!("/v1/triggers?target_id={}", f.data_mart),
            None,
            200,
        )
        .await;
    let ids: Vec<String> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(id)
        .collect();
    assert!(ids.contains(&tid) && ids.contains(&f.trigger), "{ids:?}");
    let r = app
        .send(
            "PATCH",
            &format!("/v1/triggers/{tid}"),
            app.token(Role::Editor),
            Some(&json!({"cron": "* * *"})),
        )
        .await;
    assert_eq!((r.status, r.field()), (422, "cron".into()));
    let unchanged = app
        .owner("GET", &format!("/v1/triggers/{tid}"), None, 200)
        .await;
    assert_eq!(
        unchanged["cron"],
        json!("30 2 * * *"),
        "a refused edit writes nothing"
    );
    app.stop().await;
}

/// The console's schema editor: aliases and descriptions of a data mart's
/// fields, saved by PATCH, refused whole when one is wrong, out of reach of a
/// viewer and of another project.
pub async fn schema_fields_take_aliases_and_descriptions(app: TestApp) {
    let f = seed(&app).await;
    let path = format!("/v1/data-marts/{}", f.files_mart);
    let dm = app
        .owner(
            "PATCH",
            &path,
            Some(&json!({"fields": [{"name": "amount", "alias": "Amount (EUR)", "description": "Gross, VAT included"}]})),
            200,
        )
        .await;
    let amount = |dm: &Value| {
        dm["schema"]
            .as_array()
            .and_then(|s| s.iter().find(|f| f["name"] == json!("amount")).cloned())
            .expect("the amount field")
    };
    assert_eq!(amount(&dm)["alias"], json!("Amount (EUR)"));
    assert_eq!(amount(&dm)["description"], json!("Gross, VAT included"));
    assert_eq!(amount(&dm)["type"], json!("Float64"), "its type is kept");
    let read = app.owner("GET", &path, None, 200).await;
    assert_eq!(amount(&read), amount(&dm), "saved as answered");

    // One wrong note refuses the whole body, naming it; nothing is written.
    for (body, field) in [
        (
            json!({"fields": [{"name": "amount", "alias": null}, {"name": "price", "alias": "P"}]}),
            "fields[1].name",
        ),
        (
            json!({"fields": [{"name": "id", "alias": "Amount (EUR)"}]}),
            "fields[0].alias",
        ),
        (
            json!({"fields": [{"name": "id", "colour": "red"}]}),
            "fields[0].colour",
        ),
        (
            json!({"fields": [{"name": "id", "description": "x".repeat(2001)}]}),
            "fields[0].description",
        ),
    ] {
        let r = app
            .send("PATCH", &path, app.token(Role::Owner), Some(&body))
            .await;
        assert_eq!((r.status, r.field()), (422, field.to_string()), "{body}");
    }
    let after = app.owner("GET", &path, None, 200).await;
    assert_eq!(
        after["version"], read["version"],
        "refused edits write nothing"
    );

    // null clears; a viewer may not; a stale version is a conflict.
    let dm = app
        .owner(
            "PATCH",
            &path,
            Some(&json!({"fields": [{"name": "amount", "description": null}], "version": after["version"]})),
            200,
        )
        .await;
    assert_eq!(amount(&dm)["alias"], json!("Amount (EUR)"));
    assert_eq!(amount(&dm)["description"], Value::Null);
    let r = app
        .send(
            "PATCH",
            &path,
            app.token(Role::Viewer),
            Some(&json!({"fields": [{"name": "amount", "alias": "Mine"}]})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r = app
        .send(
            "PATCH",
            &path,
            app.token(Role::Owner),
            Some(&json!({"fields": [{"name": "amount", "alias": "Old"}], "version": after["version"]})),
        )
        .await;
    assert_eq!(r.status, 409, "a stale version");
    app.stop().await;
}

pub async fn concurrent_updates_never_lose_a_write(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let f = seed(&app).await;
    let path = format!("/v1/data-marts/{}", f.data_mart);
    let mut tasks = vec![];
    for i in 0..16 {
        let app = app.clone();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            app.send(
                "PATCH",
                &path,
                app.token(Role::Editor),
                Some(&json!({"description": format!("writer {i}")})),
            )
            .await
            .status
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task") {
            200 => ok += 1,
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    let dm = app.owner("GET", &path, None, 200).await;
    assert_eq!(
        dm["version"],
        json!(2 + ok),
        "every accepted write is counted exactly once"
    );
    assert!(ok >= 1);
}

pub async fn the_openapi_document_describes_every_route(app: TestApp) {
    let doc = app.send("GET", "/openapi.json", "", None).await.json();
    assert_eq!(doc["openapi"], json!("3.1.0"));
    for r in routes::all() {
        let op =
            &doc["paths"][r.path.replace("+}", "}").as_str()][r.method.as_str().to_lowercase()];
        assert_eq!(op["operationId"], json!(r.name));
        assert!(
            op["responses"][r.status.to_string()].is_object(),
            "{}",
            r.name
        );
    }
    assert!(doc["components"]["schemas"]["CreateTrigger"].is_object());
    app.stop().await;
}

/// `/health` asks every part the server holds (store, secrets, queue, objects,
/// warehouse), without a token, and is not cached on the way.
pub async fn health_asks_every_part_the_server_holds(app: TestApp) {
    let r = app.send("GET", "/health", "", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let body = r.json();
    assert_eq!(body["status"], json!("ok"));
    assert_eq!(
        body["checks"],
        json!({"store": "ok", "secrets": "ok", "queue": "ok", "objects": "ok", "warehouse": "ok"})
    );
    app.stop().await;
}

/// The audit log: a record's writes with the versions around each, newest
/// first, found by the record; a secret the writes sent is nowhere in it; an
/// API key's writes name the key; another project sees none of it.
pub async fn the_audit_log_holds_each_write_with_its_versions_and_no_secret(app: TestApp) {
    let secret = "ghp_AUDITSECRET_77c1";
    let created = app.owner("POST", "/v1/sources", Some(&json!({"title": "API", "connector": "http_json", "config": {"base_url": "https://api.example.com", "auth_value": secret}})), 201).await;
    let sid = id(&created);
    app.owner(
        "PATCH",
        &format!("/v1/sources/{sid}"),
        Some(&json!({"config": {"auth_value": "ghp_AUDITROTATED_9d2"}})),
        200,
    )
    .await;
    app.owner("DELETE", &format!("/v1/sources/{sid}"), None, 204)
        .await;
    let r = app
        .send(
            "GET",
            &format!("/v1/audit?resource_id={sid}"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for s in [secret, "ghp_AUDITROTATED_9d2", "AUDIT"] {
        assert!(!r.text.contains(s), "no secret in the log: {}", r.text);
    }
    let log = r.json();
    let items = log["items"].as_array().expect("items");
    let actions: Vec<&str> = items.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "api-delete-source",
            "api-update-source",
            "api-create-source"
        ]
    );
    for e in items {
        assert_eq!(e["resource"], json!({"kind": "source", "id": sid}));
        assert_eq!(
            e["path"].as_str().map(|p| p.starts_with("/v1/sources")),
            Some(true)
        );
        assert!(
            e["at"].is_string() && e["actor"]["subject"].is_string(),
            "{e}"
        );
    }
    let (delete, update, create) = (&items[0], &items[1], &items[2]);
    assert!(create["version_before"].is_null(), "{create}");
    assert_eq!(create["version_after"], json!(1));
    assert_eq!(update["version_before"], json!(1));
    assert_eq!(update["version_after"], json!(2));
    assert_eq!(delete["version_before"], json!(2));
    assert!(
        delete["version_after"].as_u64().is_none_or(|v| v > 2),
        "{delete}"
    );
    assert_eq!(create["status"], json!(201));

    // A write through an API key names the key.
    let key = app
        .owner(
            "POST",
            "/v1/api-keys",
            Some(&json!({"name": "ci", "role": "admin"})),
            201,
        )
        .await;
    let secret_key = key["key"].as_str().expect("the key").to_string();
    let key_id = id(&key);
    let r = app
        .send(
            "POST",
            "/v1/storages",
            &secret_key,
            Some(&json!({"title": "Keyed", "kind": "local"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let by_key = app
        .owner("GET", &format!("/v1/audit?subject={key_id}"), None, 200)
        .await;
    let entry = &by_key["items"][0];
    assert_eq!(entry["action"], json!("api-create-storage"), "{by_key}");
    assert_eq!(entry["actor"]["credential"], json!("api_key"));
    assert_eq!(entry["actor"]["credential_id"], json!(key_id));
    assert_eq!(entry["resource"]["id"], json!(id(&r.json())));
    let whole = app
        .owner("GET", "/v1/audit?limit=200", None, 200)
        .await
        .to_string();
    assert!(
        !whole.contains(&secret_key),
        "the key itself is in no entry"
    );

    // Another project's admin sees none of it; a bad filter names its field.
    let r = app
        .send(
            "GET",
            &format!("/v1/audit?resource_id={sid}"),
            &app.strangers[&Role::Owner],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["items"], json!([]));
    let r = app
        .send(
            "GET",
            "/v1/audit?action=api-list-sources",
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "action".to_string()),
        "{}",
        r.text
    );
    app.stop().await;
}

pub async fn an_oversized_id_or_path_is_a_small_404_that_does_not_echo_it(app: TestApp) {
    let sent = "Z".repeat(10 * 1024);
    let f = seed(&app).await;
    for path in [
        format!("/v1/data-marts/{sent}"),
        format!("/v1/data-marts/dm_{sent}/lineage"),
        format!("/v1/runs/{sent}"),
        format!("/v1/storages/{sent}"),
        format!("/v1/connectors/{sent}"),
        format!("/v1/{sent}"),
    ] {
        let r = app.send("GET", &path, app.token(Role::Owner), None).await;
        let what = format!("GET {}…: {}", &path[..20], &r.text[..r.text.len().min(300)]);
        assert_eq!((r.status, r.code()), (404, "not_found".into()), "{what}");
        assert!(r.text.len() < 512, "{what}");
        assert!(!r.text.contains(&"Z".repeat(100)), "{what}");
    }
    // A record's own id, of the right shape, is still named.
    let missing = Id::generate(Kind::DataMart, 1);
    let r = app
        .send(
            "GET",
            &format!("/v1/data-marts/{missing}"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(r.text.contains(missing.as_str()), "{}", r.text);
    // A query naming a huge column answers briefly (locally a 422 quoting the
    // name cut short; moto's Athena runs no SQL).
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{}/query", f.files_mart),
            app.token(Role::Owner),
            Some(&json!({"sql": format!("SELECT `{sent}` FROM ${{DATA_MART_TABLE}}")})),
        )
        .await;
    assert_ne!(r.status, 500, "{}", &r.text[..r.text.len().min(300)]);
    assert!(r.text.len() < 2048, "{}", &r.text[..r.text.len().min(300)]);
    app.stop().await;
}

/// A data mart over a connector nothing extracts (its source written by a version
/// that listed it) cannot start: a 409 saying so, and neither a run left queued
/// nor a slot held, so the mart is not blocked once its source is fixed.
pub async fn a_run_nothing_can_extract_is_refused_and_holds_nothing(app: TestApp) {
    let f = seed(&app).await;
    let mart = id(&app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Issues", "storage_id": f.storage})),
            201,
        )
        .await);
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        Some(&json!({"kind": "connector", "source_id": f.source, "streams": [{"name": "issues"}]})),
        200,
    )
    .await;
    app.owner("POST", &format!("/v1/data-marts/{mart}/publish"), None, 200)
        .await;
    // Its source now names a connector this build does not extract.
    let source_id = Id::parse(Kind::Source, &f.source).expect("a source id");
    let mut record = app
        .deps
        .store
        .get(&app.project, Kind::Source, &source_id)
        .await
        .expect("get")
        .expect("the source");
    let mut body: Value = serde_json::from_str(&record.body).expect("json");
    body["connector"] = json!("sap_hana");
    record.body = body.to_string();
    record.version += 1;
    app.deps.store.replace(&record).await.expect("replace");
    for _ in 0..2 {
        let r = app
            .send(
                "POST",
                &format!("/v1/data-marts/{mart}/runs"),
                app.token(Role::Owner),
                Some(&json!({"kind": "incremental"})),
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert!(r.text.contains("has no extraction"), "{}", r.text);
    }
    let runs = app
        .owner("GET", &format!("/v1/runs?data_mart_id={mart}"), None, 200)
        .await;
    let items = runs["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{runs}");
    let of_mart = app
        .owner(
            "GET",
            &format!("/v1/data-marts/{mart}/runs?limit=1"),
            None,
            200,
        )
        .await;
    assert_eq!(of_mart["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(of_mart["items"][0]["id"], items[0]["id"]);
    assert!(of_mart["next_cursor"].is_string(), "{of_mart}");
    for r in items {
        assert_eq!(r["status"], json!("failed"), "{r}");
    }
    app.stop().await;
}

/// What validates runs: the `coalesce` family validates, saves, publishes and
/// previews; an expression the engine cannot plan is refused at validation, at
/// save and at publish, naming the field, with the engine's reason and no
/// "internal error".
pub async fn what_validates_runs_and_what_the_engine_refuses_is_refused_at_validation(
    app: TestApp,
) {
    let storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "W", "kind": "local"})),
            201,
        )
        .await);
    let mart = published_files_mart(&app, &storage).await;
    let source = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await["definition"]["source_id"]
        .clone();
    let with = |expression: &str| {
        json!({"kind": "connector", "source_id": source, "streams": [{"name": "*.ndjson", "mapping": {"columns": [
            {"target": "id", "source": "id", "cast": "int"},
            {"target": "total", "expression": expression, "cast": "float"}
        ]}}]})
    };
    for good in [
        "coalesce(amount, '0') || ''",
        "ifnull(amount, '0')",
        "nvl(amount, '0')",
        // Function names are found as the engine finds them when it runs.
        "UPPER(amount)",
    ] {
        let report = app
            .owner(
                "POST",
                &format!("/v1/data-marts/{mart}/definition/validate"),
                Some(&with(good)),
                200,
            )
            .await;
        assert_eq!(report["valid"], true, "{good}: {report}");
        app.owner(
            "PUT",
            &format!("/v1/data-marts/{mart}/definition"),
            Some(&with(good)),
            200,
        )
        .await;
        let preview = app
            .owner(
                "POST",
                &format!("/v1/data-marts/{mart}/preview"),
                Some(&json!({})),
                200,
            )
            .await;
        assert_eq!(
            preview["after"]["rows"].as_array().map(Vec::len),
            Some(2),
            "{good}: {preview}"
        );
    }
    let field = "definition.streams[0].mapping.columns[1].expression";
    for bad in [
        "amount * * 2",
        "amount +",
        "(amount",
        // Parses, but names no function the engine has.
        "no_such_function(amount)",
        "\"UPPER\"(amount)",
    ] {
        let report = app
            .owner(
                "POST",
                &format!("/v1/data-marts/{mart}/definition/validate"),
                Some(&with(bad)),
                200,
            )
            .await;
        assert_eq!(report["valid"], false, "{bad}: {report}");
        assert_eq!(report["problems"][0]["field"], field, "{bad}: {report}");
        let refused = app
            .refused(
                "PUT",
                &format!("/v1/data-marts/{mart}/definition"),
                &with(bad),
                field,
            )
            .await;
        assert!(
            !refused.text.to_lowercase().contains("internal"),
            "{bad}: {}",
            refused.text
        );
    }
    app.stop().await;
}

/// A `files` definition over the source of `mart` whose second column is
/// `status` through the ops `ops`.
fn status_definition(source: &Value, ops: Value) -> Value {
    json!({"kind": "connector", "source_id": source, "streams": [{"name": "*.ndjson", "mapping": {"columns": [
        {"target": "id", "source": "id", "cast": "int"},
        {"target": "category", "source": "amount", "ops": ops}
    ]}}]})
}

pub async fn value_maps_are_checked_named_once_and_kept_while_a_mart_applies_them(app: TestApp) {
    let created = app
        .owner(
            "POST",
            "/v1/value-maps",
            Some(
                &json!({"name": "amounts", "title": "Amount bands", "entries": [
                    {"key": "2.5", "value": "small"}, {"key": "4", "value": "large"}
                ]}),
            ),
            201,
        )
        .await;
    let map = id(&created);
    assert!(map.starts_with("vm_"), "{created}");
    assert_eq!(created["case_insensitive"], false);
    assert_eq!(created["entries"][1], json!({"key": "4", "value": "large"}));
    // The name is the project's once.
    let again = app
        .send(
            "POST",
            "/v1/value-maps",
            app.token(Role::Owner),
            Some(&json!({"name": "amounts", "title": "Again"})),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "conflict".into()),
        "{}",
        again.text
    );
    // Bad input is a 422 naming the field.
    for (body, field) in [
        (json!({"name": "Amounts", "title": "x"}), "name"),
        (json!({"name": "a-b", "title": "x"}), "name"),
        (json!({"name": "ok", "title": " "}), "title"),
        (
            json!({"name": "ok", "title": "x", "entries": [{"key": "a", "value": 1}, {"key": "a", "value": 2}]}),
            "entries[1].key",
        ),
        (
            json!({"name": "ok", "title": "x", "case_insensitive": true, "entries": [{"key": "a", "value": 1}, {"key": "A", "value": 2}]}),
            "entries[1].key",
        ),
        (
            json!({"name": "ok", "title": "x", "entries": [{"key": "a", "value": {"nested": 1}}]}),
            "entries[0].value",
        ),
        (
            json!({"name": "ok", "title": "x", "entries": [{"key": "a", "value": 1, "colour": "red"}]}),
            "entries[0]",
        ),
    ] {
        let r = app
            .send(
                "POST",
                "/v1/value-maps",
                app.token(Role::Owner),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
        assert!(r.field().starts_with(field), "{body}: {}", r.text);
    }
    let changed = app
        .owner(
            "PATCH",
            &format!("/v1/value-maps/{map}"),
            Some(&json!({"entries": [{"key": "2.5", "value": "small"}, {"key": "4", "value": "medium"}], "version": 1})),
            200,
        )
        .await;
    assert_eq!(changed["version"], 2);
    let stale = app
        .send(
            "PATCH",
            &format!("/v1/value-maps/{map}"),
            app.token(Role::Owner),
            Some(&json!({"title": "Late", "version": 1})),
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    app.refused(
        "PATCH",
        &format!("/v1/value-maps/{map}"),
        &json!({"entries": [{"key": "x", "value": [1]}]}),
        "entries[0].value",
    )
    .await;

    // A definition naming a map the project lacks is refused at the op's field,
    // when validated, saved and previewed; one naming a map it has runs through
    // the preview as it will run.
    let storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "W", "kind": "local"})),
            201,
        )
        .await);
    let mart = published_files_mart(&app, &storage).await;
    let source = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await["definition"]["source_id"]
        .clone();
    let field = "definition.streams[0].mapping.columns[1].ops[0].map";
    let missing = status_definition(&source, json!([{"op": "map", "map": "nope"}]));
    let report = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/definition/validate"),
            Some(&missing),
            200,
        )
        .await;
    assert_eq!(report["valid"], false, "{report}");
    assert_eq!(report["problems"][0]["field"], field, "{report}");
    app.refused(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        &missing,
        field,
    )
    .await;
    app.refused(
        "POST",
        &format!("/v1/data-marts/{mart}/preview"),
        &json!({"definition": missing}),
        field,
    )
    .await;
    let badly_named = status_definition(&source, json!([{"op": "map", "map": "Bad Name"}]));
    app.refused(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        &badly_named,
        field,
    )
    .await;
    let mapped = status_definition(
        &source,
        json!([{"op": "map", "map": "amounts", "default": "other"}]),
    );
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        Some(&mapped),
        200,
    )
    .await;
    let preview = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/preview"),
            Some(&json!({})),
            200,
        )
        .await;
    assert_eq!(
        preview["after"]["rows"],
        json!([[1, "small"], [2, "medium"]]),
        "{preview}"
    );

    // While the mart applies it, the map stays, and the refusal names the mart.
    let refused = app
        .send(
            "DELETE",
            &format!("/v1/value-maps/{map}"),
            app.token(Role::Owner),
            None,
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (409, "conflict".into()),
        "{}",
        refused.text
    );
    assert!(refused.text.contains(&mart), "{}", refused.text);
    app.owner("GET", &format!("/v1/value-maps/{map}"), None, 200)
        .await;
    // Once no mart applies it, it goes; its name is free again.
    app.owner("DELETE", &format!("/v1/data-marts/{mart}"), None, 204)
        .await;
    app.owner("DELETE", &format!("/v1/value-maps/{map}"), None, 204)
        .await;
    app.owner("GET", &format!("/v1/value-maps/{map}"), None, 404)
        .await;
    let listed = app.owner("GET", "/v1/value-maps", None, 200).await;
    assert!(
        listed["items"]
            .as_array()
            .is_some_and(|i| i.iter().all(|m| m["id"] != json!(map))),
        "{listed}"
    );
    let reborn = app
        .owner(
            "POST",
            "/v1/value-maps",
            Some(&json!({"name": "amounts", "title": "Again", "entries": []})),
            201,
        )
        .await;
    assert_eq!(id(&reborn), map, "the name's id");
    assert_eq!(reborn["title"], "Again");
    assert_eq!(reborn["entries"], json!([]));
    app.stop().await;
}

/// `POST /v1/sources/{id}/data-marts`: the marts of one request are written
/// together or not at all, each with its definition.
pub async fn marts_over_a_source_are_created_together_or_not_at_all(app: TestApp) {
    let dir = crate::app::temp_dir("suite-wizard");
    std::fs::write(
        dir.join("a.ndjson"),
        "{\"orderId\": \"1\", \"Unit Price\": \"2.5\"}\n{\"orderId\": \"2\", \"Unit Price\": \"4\"}\n",
    )
    .expect("file");
    let source = id(&app.owner("POST", "/v1/sources", Some(&json!({"title": "Files", "connector": "files", "config": {"location": dir.display().to_string(), "format": "ndjson"}})), 201).await);
    let storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await);
    let path = format!("/v1/sources/{source}/data-marts");
    let ids = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(id)
            .collect()
    };
    let before = ids(app
        .owner("GET", "/v1/data-marts?limit=200", None, 200)
        .await);
    let bad = json!({"storage_id": storage, "marts": [
        {"stream": "a.ndjson"},
        {"stream": "a.ndjson", "title": "Amounts", "mapping": {"columns": [
            {"target": "x", "expression": "no_such_function(\"orderId\")"}]}}
    ]});
    app.refused(
        "POST",
        &path,
        &bad,
        "marts[1].mapping.columns[0].expression",
    )
    .await;
    let after = ids(app
        .owner("GET", "/v1/data-marts?limit=200", None, 200)
        .await);
    assert_eq!(after, before, "nothing was written");
    let created = app
        .owner(
            "POST",
            &path,
            Some(&json!({"storage_id": storage, "marts": [
                {"stream": "a.ndjson"},
                {"stream": "a.ndjson", "title": "Amounts", "mapping": {"columns": [
                    {"target": "amount", "source": "Unit Price", "cast": "float"}]}}
            ]})),
            201,
        )
        .await;
    let items = created["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{created}");
    assert_eq!(items[0]["title"], "a.ndjson");
    assert_eq!(items[1]["title"], "Amounts");
    let mut targets: Vec<&str> = items[0]["definition"]["streams"][0]["mapping"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["target"].as_str().expect("target"))
        .collect();
    targets.sort_unstable();
    assert_eq!(targets, ["order_id", "unit_price"], "{created}");
    assert_eq!(
        items[0]["definition"]["pipeline"]["write_mode"], "append",
        "no key, no merge"
    );
    for m in items {
        assert_eq!(m["status"], "draft");
        let stored = app
            .owner("GET", &format!("/v1/data-marts/{}", id(m)), None, 200)
            .await;
        assert_eq!(stored["definition"], m["definition"]);
    }
}

pub async fn a_project_never_reaches_another_projects_value_map(app: TestApp) {
    // Another project has a map named `theirs`; this project has none by that name.
    let stranger = &app.strangers[&Role::Owner];
    let theirs = app
        .send(
            "POST",
            "/v1/value-maps",
            stranger,
            Some(&json!({"name": "theirs", "title": "Theirs", "entries": [{"key": "2.5", "value": "leaked"}]})),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let their_id = id(&theirs.json());
    // Not by id: every route answers 404, as for a map that never was.
    for (method, body) in [
        ("GET", None),
        ("PATCH", Some(json!({"title": "Mine now"}))),
        ("DELETE", None),
    ] {
        let r = app
            .send(
                method,
                &format!("/v1/value-maps/{their_id}"),
                app.token(Role::Owner),
                body.as_ref(),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (404, "not_found".into()),
            "{method}: {}",
            r.text
        );
    }
    let ours = app.owner("GET", "/v1/value-maps", None, 200).await;
    assert!(!ours.to_string().contains("leaked"), "{ours}");
    // Not by name: a definition applying `theirs` names a map this project lacks.
    let storage = id(&app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "W", "kind": "local"})),
            201,
        )
        .await);
    let mart = published_files_mart(&app, &storage).await;
    let source = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await["definition"]["source_id"]
        .clone();
    let def = status_definition(&source, json!([{"op": "map", "map": "theirs"}]));
    let refused = app
        .refused(
            "PUT",
            &format!("/v1/data-marts/{mart}/definition"),
            &def,
            "definition.streams[0].mapping.columns[1].ops[0].map",
        )
        .await;
    assert!(
        refused.text.contains("not found in this project"),
        "{}",
        refused.text
    );
    // The same name in this project is this project's own map, with its own id.
    let mine = app
        .owner(
            "POST",
            "/v1/value-maps",
            Some(&json!({"name": "theirs", "title": "Mine", "entries": [{"key": "2.5", "value": "mine"}]})),
            201,
        )
        .await;
    assert_ne!(id(&mine), their_id);
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        Some(&def),
        200,
    )
    .await;
    let preview = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/preview"),
            Some(&json!({})),
            200,
        )
        .await;
    assert_eq!(preview["after"]["rows"][0], json!([1, "mine"]), "{preview}");
    // And the other project's map is as it was.
    let r = app
        .send("GET", &format!("/v1/value-maps/{their_id}"), stranger, None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["title"], "Theirs");
    app.stop().await;
}

/// One `#[tokio::test]` per check of this suite, each on a fresh app from `$spawn`.
#[macro_export]
macro_rules! api_suite_tests {
    ($spawn:path) => {
        $crate::api_suite_tests!(@each $spawn;
            every_route_answers_every_role_of_its_own_project_as_its_role_allows_1_of_2,
            every_route_answers_every_role_of_its_own_project_as_its_role_allows_2_of_2,
            another_projects_token_sees_nothing_and_changes_nothing,
            missing_malformed_and_expired_credentials_are_401_with_json,
            lists_are_paginated_newest_first_with_a_cursor,
            bad_bodies_get_a_precise_4xx_naming_the_field,
            data_mart_lifecycle_refuses_invalid_state_changes,
            secret_fields_are_write_only_and_never_leave_the_secret_store,
            triggers_show_their_next_fires_and_disabling_stops_them,
            the_openapi_document_describes_every_route,
            health_asks_every_part_the_server_holds,
            the_audit_log_holds_each_write_with_its_versions_and_no_secret,
            concurrent_updates_never_lose_a_write,
            schema_fields_take_aliases_and_descriptions,
            an_oversized_id_or_path_is_a_small_404_that_does_not_echo_it,
            a_run_nothing_can_extract_is_refused_and_holds_nothing,
            what_validates_runs_and_what_the_engine_refuses_is_refused_at_validation,
            value_maps_are_checked_named_once_and_kept_while_a_mart_applies_them,
            a_project_never_reaches_another_projects_value_map,
            marts_over_a_source_are_created_together_or_not_at_all,
        );
    };
    (@each $spawn:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                $crate::api_suite::$name($spawn().await).await;
            }
        )*
    };
}
