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

// The identity suite (tests/src/identity.rs) on the same stack.
sluice_tests::access_tests!(sluice_tests::app::spawn_app);

sluice_tests::identity_tests!(sluice_tests::app::spawn_app_without_workers);

#[tokio::test]
async fn failed_sign_ins_are_slowed_then_locked_and_look_alike_to_a_guesser() {
    sluice_tests::identity::failed_sign_ins_are_slowed_then_locked_and_look_alike_to_a_guesser(
        sluice_tests::identity::spawn_with_quick_lockout().await,
    )
    .await;
}

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

/// The report's data as the holder of `key` reads it: status, cache, body.
async fn pull(app: &TestApp, report: &str, query: &str, key: &str) -> (u16, String, String) {
    let r = app
        .send(
            "GET",
            &format!("/v1/reports/{report}/data{query}"),
            key,
            None,
        )
        .await;
    let cache = r
        .headers
        .get("x-sluice-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (r.status, cache, r.text)
}

/// The data endpoint: a report pulled with its `looker_studio` destination's
/// key in each format, from the cache until it expires or the data mart's data
/// changes; keys rotate with a grace, stop when the destination goes, and open
/// only their own project's reports.
#[tokio::test]
async fn a_report_is_pulled_with_its_destinations_key_and_served_from_a_cache_its_data_refreshes() {
    let app = spawn_app().await;
    let owner = app.token(Role::Owner).to_string();
    let (mart, project) = mart_with_rows(&app, &owner, 3, "ours").await;
    let destination = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Looker", "kind": "looker_studio", "config": {}})),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Pulled", "data_mart_id": mart, "destination_id": destination,
                "query": "SELECT id, note, id * 1.5 AS score, CASE WHEN id = 1 THEN NULL ELSE 'x,y' END AS maybe FROM ${DATA_MART_TABLE} ORDER BY id"})),
            201,
        )
        .await;
    assert_eq!(
        report["cache_ttl_seconds"],
        json!(300),
        "the default cache time"
    );
    let report = report["id"].as_str().expect("id").to_string();
    // Pulled, not delivered: no report run to start.
    let r = app
        .send("POST", &format!("/v1/reports/{report}/runs"), &owner, None)
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("/data"), "{}", r.text);
    // No key yet: nothing opens it.
    assert_eq!(
        pull(&app, &report, "", &owner).await.0,
        401,
        "a user token is not a data key"
    );
    let issued = app
        .owner(
            "POST",
            &format!("/v1/destinations/{destination}/rotate-key"),
            None,
            200,
        )
        .await;
    let key = issued["key"].as_str().expect("a key").to_string();
    assert!(issued["previous_key_valid_until"].is_null(), "{issued}");
    // The key is shown once: not in the destination, nor its list.
    for path in [
        format!("/v1/destinations/{destination}"),
        "/v1/destinations".into(),
    ] {
        let text = app.owner("GET", &path, None, 200).await.to_string();
        assert!(!text.contains(&key[10..]), "{path}: {text}");
    }

    let (status, cache, body) = pull(&app, &report, "", &key).await;
    assert_eq!((status, cache.as_str()), (200, "miss"), "{body}");
    assert_eq!(
        body,
        "{\"id\":0,\"note\":\"ours\",\"score\":0.0,\"maybe\":\"x,y\"}\n{\"id\":1,\"note\":\"ours\",\"score\":1.5,\"maybe\":null}\n{\"id\":2,\"note\":\"ours\",\"score\":3.0,\"maybe\":\"x,y\"}\n"
    );
    let (status, cache, again) = pull(&app, &report, "", &key).await;
    assert_eq!((status, cache.as_str(), again), (200, "hit", body.clone()));
    let (_, cache, csv) = pull(&app, &report, "?format=csv&limit=2", &key).await;
    assert_eq!(cache, "miss", "other parameters are another result");
    assert_eq!(
        csv,
        "id,note,score,maybe\r\n0,ours,0.0,\"x,y\"\r\n1,ours,1.5,\r\n"
    );
    let (_, _, doc) = pull(&app, &report, "?format=json", &key).await;
    let doc: Value = serde_json::from_str(&doc).expect("a JSON document");
    assert_eq!(doc["schema"][0], json!({"name": "id", "type": "Int64"}));
    assert_eq!(doc["schema"][2]["type"], json!("Float64"));
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(3));
    let r = app
        .send(
            "GET",
            &format!("/v1/reports/{report}/data?format=xlsx"),
            &key,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["details"]["field"].clone()),
        (422, json!("format"))
    );

    // Past the report's cache time, the result is computed again.
    let cache_dir =
        app.data_dir
            .join("objects")
            .join(sluice_domain::pipeline::objects::report_cache(
                &project,
                &Id::parse(Kind::Report, &report).expect("id"),
            ));
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in std::fs::read_dir(&cache_dir).expect("cached results") {
        std::fs::File::options()
            .write(true)
            .open(entry.expect("entry").path())
            .and_then(|f| f.set_modified(an_hour_ago))
            .expect("aged");
    }
    assert_eq!(pull(&app, &report, "", &key).await.1, "miss", "expired");
    assert_eq!(pull(&app, &report, "", &key).await.1, "hit");

    // A run of the data mart adds rows: the next read has them.
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("note", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from_iter_values([7])),
            Arc::new(StringArray::from_iter_values(["new"])),
        ],
    )
    .expect("batch");
    let mart_id = Id::parse(Kind::DataMart, &mart).expect("id");
    app.deps
        .objects
        .as_ref()
        .expect("objects")
        .put(
            &sluice_domain::pipeline::objects::table_file(
                &project,
                &mart_id,
                &Id::generate(Kind::Run, 2),
                "next",
            ),
            sluice_engine::transform::write_parquet(&batch).expect("parquet"),
        )
        .await
        .expect("a run's file");
    let (_, cache, body) = pull(&app, &report, "", &key).await;
    assert_eq!(cache, "miss", "the data changed");
    assert_eq!(body.lines().count(), 4, "{body}");
    assert!(body.contains("\"note\":\"new\""), "{body}");
    // The results of before are gone from the cache (the CSV one is kept
    // until this report is read as CSV again).
    let left = std::fs::read_dir(&cache_dir).expect("cache").count();
    assert!(left <= 2, "{left} cached results");

    // Another project's key (or another destination's) opens nothing here.
    let stranger = app.strangers[&Role::Owner].clone();
    let (their_mart, _) = mart_with_rows(&app, &stranger, 1, "THEIRS").await;
    let their_destination = app
        .send(
            "POST",
            "/v1/destinations",
            &stranger,
            Some(&json!({"title": "L", "kind": "looker_studio", "config": {}})),
        )
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let their_report = app
        .send("POST", "/v1/reports", &stranger, Some(&json!({"title": "T", "data_mart_id": their_mart, "destination_id": their_destination})))
        .await
        .json()["id"]
        .as_str()
        .expect("id")
        .to_string();
    let their_key = app
        .send(
            "POST",
            &format!("/v1/destinations/{their_destination}/rotate-key"),
            &stranger,
            None,
        )
        .await
        .json()["key"]
        .as_str()
        .expect("key")
        .to_string();
    let r = app
        .send(
            "GET",
            &format!("/v1/reports/{report}/data"),
            &their_key,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (401, "unauthorized".into()),
        "{}",
        r.text
    );
    assert!(!r.text.contains("ours"));
    assert_eq!(pull(&app, &their_report, "", &key).await.0, 401);
    assert_eq!(pull(&app, &their_report, "", &their_key).await.0, 200);
    // A key of the right shape with a made-up secret, or a forged project.
    let forged = format!("sk.{project}.{}", "A".repeat(43));
    assert_eq!(pull(&app, &report, "", &forged).await.0, 401);

    // Rotation: the old key works for the grace, and a destination without
    // grace stops it at once.
    let second = app
        .owner(
            "POST",
            &format!("/v1/destinations/{destination}/rotate-key"),
            None,
            200,
        )
        .await;
    assert!(second["previous_key_valid_until"].is_string(), "{second}");
    let second = second["key"].as_str().expect("key").to_string();
    assert_ne!(second, key);
    assert_eq!(
        pull(&app, &report, "", &key).await.0,
        200,
        "within its grace"
    );
    assert_eq!(pull(&app, &report, "", &second).await.0, 200);
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{destination}"),
        Some(&json!({"config": {"key_grace_seconds": 0}})),
        200,
    )
    .await;
    let third = app
        .owner(
            "POST",
            &format!("/v1/destinations/{destination}/rotate-key"),
            None,
            200,
        )
        .await["key"]
        .as_str()
        .expect("key")
        .to_string();
    assert_eq!(pull(&app, &report, "", &second).await.0, 401, "no grace");
    assert_eq!(
        pull(&app, &report, "", &key).await.0,
        401,
        "two rotations ago"
    );
    assert_eq!(pull(&app, &report, "", &third).await.0, 200);
    let r = app
        .send(
            "PATCH",
            &format!("/v1/destinations/{destination}"),
            &owner,
            Some(&json!({"config": {"key_grace_seconds": 999_999_999}})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["details"]["field"].clone()),
        (422, json!("config.key_grace_seconds"))
    );
    // A webhook destination has no key to rotate.
    let hook = app
        .owner("POST", "/v1/destinations", Some(&json!({"title": "Hook", "kind": "webhook", "config": {"url": "https://hooks.example.com/x"}})), 201)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let r = app
        .send(
            "POST",
            &format!("/v1/destinations/{hook}/rotate-key"),
            &owner,
            None,
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // A viewer may read the destination but not issue its keys.
    let r = app
        .send(
            "POST",
            &format!("/v1/destinations/{destination}/rotate-key"),
            app.token(Role::Viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    // A deleted destination's key stops.
    app.owner(
        "DELETE",
        &format!("/v1/destinations/{destination}"),
        None,
        204,
    )
    .await;
    assert_eq!(pull(&app, &report, "", &third).await.0, 401);
    app.stop().await;
}
