//! Helpers of the run suites: NDJSON order files with known totals, a published
//! `files` data mart over them, and following a run to its end.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::TestApp;

/// Writes `files` NDJSON files of `rows_per_file` orders each into `dir`, ids
/// 1..=n; returns the sum of `amount` (= quantity × unit price) over all rows.
pub fn write_orders(dir: &Path, files: usize, rows_per_file: usize) -> f64 {
    std::fs::create_dir_all(dir).expect("orders dir");
    let mut total = 0.0;
    let mut id = 0u64;
    for f in 0..files {
        let mut text = String::new();
        for _ in 0..rows_per_file {
            id += 1;
            let qty = id % 7 + 1;
            let cents = 100 + (id * 37) % 900;
            total += qty as f64 * cents as f64 / 100.0;
            text.push_str(&format!(
                "{{\"order_id\": \"{id}\", \"customer\": \"  cust {} \", \"quantity\": \"{qty}\", \"unit_price\": \"{}.{:02}\", \"day\": \"2026-11-{:02}\"}}\n",
                id % 13,
                cents / 100,
                cents % 100,
                id % 28 + 1
            ));
        }
        std::fs::write(dir.join(format!("orders-{f:03}.ndjson")), text).expect("orders file");
    }
    total
}

/// The mapping the run suites use: casts, a string operation, an expression, a
/// unique key.
pub fn orders_mapping() -> Value {
    json!({
        "columns": [
            {"target": "id", "source": "order_id", "cast": "int"},
            {"target": "customer", "source": "customer", "ops": [{"op": "trim"}, {"op": "upper"}]},
            {"target": "quantity", "source": "quantity", "cast": "int"},
            {"target": "unit_price", "source": "unit_price", "cast": "float"},
            {"target": "amount", "expression": "CAST(quantity AS DOUBLE) * CAST(unit_price AS DOUBLE)", "cast": "float"},
            {"target": "day", "source": "day", "cast": "date"}
        ],
        "rules": [{"rule": "unique_key", "columns": ["id"]}, {"rule": "not_null", "column": "id"}]
    })
}

/// A storage, a `files` source over `dir` and a published data mart reading its
/// `*.ndjson*` (plain and gzipped) with [`orders_mapping`] and `pipeline`; returns the data mart's id.
pub async fn files_mart(app: &TestApp, dir: &Path, pipeline: Value) -> String {
    files_mart_with(app, dir, orders_mapping(), pipeline).await
}

pub async fn files_mart_with(app: &TestApp, dir: &Path, mapping: Value, pipeline: Value) -> String {
    files_mart_of(
        app,
        json!({"location": dir.display().to_string(), "format": "ndjson"}),
        "*.ndjson*",
        mapping,
        pipeline,
    )
    .await
}

/// A storage, a `files` source with `config`, and a published data mart reading
/// `stream` with `mapping` and `pipeline`; returns the data mart's id.
pub async fn files_mart_of(
    app: &TestApp,
    config: Value,
    stream: &str,
    mapping: Value,
    pipeline: Value,
) -> String {
    connector_mart(app, "files", config, stream, mapping, pipeline).await
}

/// A storage, a `connector` source with `config`, and a published data mart
/// reading `stream` with `mapping` and `pipeline`; returns the data mart's id.
pub async fn connector_mart(
    app: &TestApp,
    connector: &str,
    config: Value,
    stream: &str,
    mapping: Value,
    pipeline: Value,
) -> String {
    let storage = app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await;
    let source = app
        .owner(
            "POST",
            "/v1/sources",
            Some(&json!({"title": "Orders", "connector": connector, "config": config})),
            201,
        )
        .await;
    let mart = app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Orders", "storage_id": storage["id"]})),
            201,
        )
        .await;
    let id = mart["id"].as_str().expect("id").to_string();
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{id}/definition"),
        Some(&json!({
            "kind": "connector",
            "source_id": source["id"],
            "streams": [{"name": stream, "mapping": mapping}],
            "pipeline": pipeline
        })),
        200,
    )
    .await;
    app.owner("POST", &format!("/v1/data-marts/{id}/publish"), None, 200)
        .await;
    id
}

/// Polls the run until it is final (or `timeout` passes); returns its last view.
pub async fn wait_final(app: &TestApp, run: &str, timeout: Duration) -> Value {
    let start = Instant::now();
    loop {
        let r = app
            .owner("GET", &format!("/v1/runs/{run}"), None, 200)
            .await;
        let status = r["status"].as_str().unwrap_or_default();
        if matches!(status, "succeeded" | "failed" | "cancelled") {
            return r;
        }
        assert!(
            start.elapsed() < timeout,
            "run {run} is still {status} after {timeout:?}: {r}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts a run of `mart` with `body` (`{}`: incremental); its id.
pub async fn start_run(app: &TestApp, mart: &str, body: Value) -> String {
    let run = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/runs"),
            Some(&body),
            201,
        )
        .await;
    assert_eq!(run["status"], "queued", "{run}");
    run["id"].as_str().expect("id").to_string()
}

/// The object keys of the mart's table files, sorted.
pub async fn table_files(app: &TestApp, mart: &str) -> Vec<String> {
    let mart = sluice_domain::Id::parse(sluice_domain::Kind::DataMart, mart).expect("a mart id");
    let location = sluice_domain::pipeline::objects::table(&app.project, &mart);
    let objects = app.deps.objects.as_ref().expect("an object store");
    let mut keys: Vec<String> = objects
        .list(&location)
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect();
    keys.sort();
    keys
}

/// `count(*)`, `count(distinct id)` and `sum(amount)` of the mart's table.
pub async fn table_totals(app: &TestApp, mart: &str) -> (i64, i64, f64) {
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(amount) AS total FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    let row = &r["rows"][0];
    (
        row[0].as_i64().expect("count"),
        row[1].as_i64().expect("distinct"),
        row[2].as_f64().expect("sum"),
    )
}

/// Drives every stage queue of `app` (started without workers) through a
/// machine with `limits` until they stay empty, each message handled, "crashed"
/// before its delete, received again and handled again. Returns how many
/// messages came.
pub async fn deliver_twice(app: &TestApp, limits: sluice_runs::Limits) -> usize {
    let machine = sluice_runs::Machine::new(app.deps.clone(), limits).expect("machine");
    let queue = app.deps.queue.clone().expect("queue");
    let mut idle = 0;
    let mut handled = 0;
    while idle < 40 {
        let mut got = false;
        for name in sluice_domain::pipeline::stage_queues() {
            for m in queue
                .receive(&name, 5, Duration::from_secs(30))
                .await
                .expect("receive")
            {
                got = true;
                handled += 1;
                let _ = machine.handle(&m).await;
                queue
                    .set_visibility(&name, &m.receipt, Duration::ZERO)
                    .await
                    .expect("visible");
                let again = queue
                    .receive(&name, 10, Duration::from_secs(30))
                    .await
                    .expect("receive");
                for a in again {
                    let _ = machine.handle(&a).await;
                    queue.ack(&name, &a.receipt).await.expect("ack");
                }
            }
        }
        if got {
            idle = 0;
        } else {
            idle += 1;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    handled
}
