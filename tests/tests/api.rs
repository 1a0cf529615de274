//! The API suite (tests/src/api_suite.rs) over the embedded default: SQLite and the
//! encrypted secrets file, through the local server over HTTP; and what only the
//! embedded warehouse runs, SQL: a project's queries stay inside its wall and the
//! deployment's limits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use sluice_domain::ports::QueryLimits;
use sluice_domain::{Id, Kind, Role};
use sluice_engine::datafusion::arrow::array::{Int64Array, RecordBatch, StringArray};
use sluice_engine::datafusion::arrow::datatypes::{DataType, Field, Schema};
use sluice_tests::app::{TestApp, spawn_app, spawn_app_with_limits};

sluice_tests::api_suite_tests!(sluice_tests::app::spawn_app);

// The isolation suite (tests/src/isolation.rs) on the same stack.
sluice_tests::isolation_tests!(sluice_tests::app::spawn_app);

#[tokio::test]
async fn uploads_over_the_limit_are_refused_and_leave_nothing() {
    sluice_tests::isolation::uploads_over_the_limit_are_refused_and_leave_nothing().await;
}

/// A data mart of the project `token` belongs to, with `rows` rows (`id`, and a
/// `note` that says whose they are) in its table; its id and its project's.
async fn mart_with_rows(app: &TestApp, token: &str, rows: i64, note: &str) -> (String, Id) {
    let created = |r: sluice_tests::app::Reply| {
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    };
    let storage = created(
        app.send(
            "POST",
            "/v1/storages",
            token,
            Some(&json!({"title": "Lake", "kind": "local"})),
        )
        .await,
    );
    let mart = created(
        app.send(
            "POST",
            "/v1/data-marts",
            token,
            Some(&json!({"title": "Orders", "storage_id": storage["id"]})),
        )
        .await,
    );
    let project = Id::parse(
        Kind::Project,
        mart["project_id"].as_str().unwrap_or_default(),
    )
    .expect("a project id");
    let mart_id =
        Id::parse(Kind::DataMart, mart["id"].as_str().unwrap_or_default()).expect("a data mart id");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("note", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values(0..rows)),
            Arc::new(StringArray::from_iter_values((0..rows).map(|_| note))),
        ],
    )
    .expect("batch");
    let parquet = sluice_engine::transform::write_parquet(&batch).expect("parquet");
    let key = sluice_domain::pipeline::objects::table_file(
        &project,
        &mart_id,
        &Id::generate(Kind::Run, 1),
        "seed",
    );
    app.deps
        .objects
        .as_ref()
        .expect("an object store")
        .put(&key, parquet)
        .await
        .expect("table file");
    (mart_id.to_string(), project)
}

async fn query(app: &TestApp, role: Role, mart: &str, sql: &str) -> sluice_tests::app::Reply {
    app.send(
        "POST",
        &format!("/v1/data-marts/{mart}/query"),
        app.token(role),
        Some(&json!({"sql": sql})),
    )
    .await
}

#[tokio::test]
async fn a_projects_query_reads_its_own_table_and_nothing_of_another_project() {
    let app = spawn_app().await;
    let (mine, _) = mart_with_rows(&app, app.token(Role::Owner), 3, "ours").await;
    let stranger = app.strangers[&Role::Owner].clone();
    let (theirs, their_project) = mart_with_rows(&app, &stranger, 5, "THEIRS-SECRET").await;
    let r = query(
        &app,
        Role::Viewer,
        &mine,
        "SELECT count(*) AS n, min(note) AS note FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["rows"], json!([[3, "ours"]]));

    let their_table = theirs.to_ascii_lowercase();
    let their_dir = app
        .data_dir
        .join("objects")
        .join(sluice_domain::pipeline::objects::table(
            &their_project,
            &Id::parse(Kind::DataMart, &theirs).expect("id"),
        ));
    let their_file = std::fs::read_dir(&their_dir)
        .expect("their table")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "parquet"))
        .expect("their table file");
    let relative = their_file
        .strip_prefix(app.data_dir.join("objects"))
        .expect("under objects")
        .display()
        .to_string();
    for sql in [
        format!("SELECT * FROM {their_table}"),
        format!("SELECT * FROM {}", their_table.to_ascii_uppercase()),
        format!("SELECT * FROM \"{theirs}\""),
        format!("SELECT * FROM public.{their_table}"),
        format!("SELECT * FROM datafusion.public.{their_table}"),
        format!("SELECT * FROM ${{DATA_MART_TABLE}} UNION ALL SELECT * FROM {their_table}"),
        "SELECT * FROM information_schema.tables".into(),
        "SELECT * FROM information_schema.schemata".into(),
        "SHOW TABLES".into(),
        "SHOW ALL".into(),
        format!("SELECT * FROM '{}'", their_file.display()),
        format!("SELECT * FROM '{relative}'"),
        format!("SELECT * FROM '{}/'", their_dir.display()),
        format!("SELECT * FROM read_parquet('{}')", their_file.display()),
        format!("SELECT * FROM parquet_scan('{}')", their_file.display()),
        format!(
            "CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '{}'",
            their_dir.display()
        ),
        "SET datafusion.catalog.information_schema = true".into(),
    ] {
        let r = query(&app, Role::Owner, &mine, &sql).await;
        assert_eq!(
            (r.status, r.field()),
            (422, "sql".to_string()),
            "{sql}: {}",
            r.text
        );
        assert!(!r.text.contains("THEIRS-SECRET"), "{sql}: {}", r.text);
    }
    // Their data mart, by its id, is not found for this project.
    let r = query(
        &app,
        Role::Owner,
        &theirs,
        "SELECT * FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text);
    app.stop().await;
}

#[tokio::test]
async fn a_heavy_query_stops_at_the_time_limit_while_light_ones_answer() {
    let app = spawn_app_with_limits(QueryLimits {
        // Generous: a light query must answer inside it on a loaded machine.
        timeout: Duration::from_secs(10),
        ..QueryLimits::default()
    })
    .await;
    let (mart, _) = mart_with_rows(&app, app.token(Role::Owner), 3_000, "row").await;
    // A sum, not a count: a cross join's count comes from the statistics alone.
    let heavy_sql = "SELECT sum(a.id + b.id + c.id) FROM ${DATA_MART_TABLE} a \
        CROSS JOIN ${DATA_MART_TABLE} b CROSS JOIN ${DATA_MART_TABLE} c";
    let heavy_done = AtomicBool::new(false);
    let heavy = async {
        let r = query(&app, Role::Viewer, &mart, heavy_sql).await;
        heavy_done.store(true, Ordering::SeqCst);
        r
    };
    let light = async {
        let mut answered_meanwhile = 0;
        for _ in 0..3 {
            let r = query(
                &app,
                Role::Viewer,
                &mart,
                "SELECT count(*) AS n FROM ${DATA_MART_TABLE}",
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.json()["rows"], json!([[3_000]]));
            if !heavy_done.load(Ordering::SeqCst) {
                answered_meanwhile += 1;
            }
        }
        answered_meanwhile
    };
    let (heavy, answered_meanwhile) = tokio::join!(heavy, light);
    assert_eq!(
        (heavy.status, heavy.code(), heavy.field()),
        (422, "query_limit_exceeded".into(), "sql".into()),
        "{}",
        heavy.text
    );
    let details = &heavy.json()["error"]["details"];
    assert_eq!(
        (details["limit"].clone(), details["seconds"].clone()),
        (json!("time"), json!(10))
    );
    let message = heavy.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("time limit of 10 s"), "{message}");
    assert!(
        answered_meanwhile > 0,
        "the light queries waited for the heavy one"
    );
    // The server is still itself afterwards.
    let r = query(
        &app,
        Role::Viewer,
        &mart,
        "SELECT max(id) AS m FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert_eq!(r.json()["rows"], json!([[2_999]]), "{}", r.text);
    app.stop().await;
}

#[tokio::test]
async fn a_query_over_the_memory_limit_is_a_422_naming_the_limit() {
    let app = spawn_app_with_limits(QueryLimits {
        timeout: Duration::from_secs(600),
        memory_mb: 16,
    })
    .await;
    let (mart, _) = mart_with_rows(&app, app.token(Role::Owner), 3_000, "row").await;
    // Nine million distinct keys: far over 16 MB of hash table.
    let r = query(
        &app,
        Role::Viewer,
        &mart,
        "SELECT count(*) FROM (SELECT DISTINCT a.id * 100000 + b.id AS k \
         FROM ${DATA_MART_TABLE} a CROSS JOIN ${DATA_MART_TABLE} b)",
    )
    .await;
    assert_eq!(
        (r.status, r.code()),
        (422, "query_limit_exceeded".into()),
        "{}",
        r.text
    );
    let details: Value = r.json()["error"]["details"].clone();
    assert_eq!(details["limit"], "memory");
    assert_eq!(details["megabytes"], 16);
    app.stop().await;
}

// Every catalog connector runs on this stack (tests/src/connectors.rs).
sluice_tests::connector_tests!(sluice_tests::app::spawn_app_without_workers);
