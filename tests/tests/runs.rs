//! Runs through the API on the embedded stack, with its stage workers: a `files`
//! data mart runs, lands in the warehouse and is queried; incremental runs resume
//! from the saved cursor; previews show rows before and after the mapping; bad
//! rows follow the error policy; pause, resume, cancel; merge and replace; and a
//! poison chunk goes to the DLQ, fails the run with its reason, and a retry after
//! the fix completes it with every row exactly once.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::time::Duration;

use serde_json::{Value, json};
use sluice_runs::{Limits, Machine, Outcome};
use sluice_tests::app::{spawn_app, spawn_app_without_workers, temp_dir};
use sluice_tests::runs::{
    deliver_twice, files_mart, files_mart_with, orders_mapping, start_run, table_files,
    table_totals, wait_final, write_orders,
};

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_files_run_lands_every_row_once_and_the_mart_can_be_queried() {
    let app = spawn_app().await;
    let dir = temp_dir("orders");
    let total = write_orders(&dir, 3, 500);
    let mart = files_mart(&app, &dir, json!({"batch_size": 200, "parallelism": 4})).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_read"], 1500);
    assert_eq!(done["counters"]["rows_written"], 1500);
    assert_eq!(done["counters"]["rows_failed"], 0);
    for stage in ["extract", "transform", "load", "finalize"] {
        assert_eq!(
            done["stages"][stage]["state"], "succeeded",
            "{stage}: {done}"
        );
        assert!(done["stages"][stage]["finished_at"].is_string(), "{stage}");
    }
    assert_eq!(done["progress"]["fraction"], 1.0);
    assert!(done["progress"]["rows_per_second"].as_f64().expect("rate") > 0.0);
    assert!(done["progress"]["chunks_total"].as_u64().expect("chunks") >= 8);

    let (n, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((n, ids), (1500, 1500));
    assert!((sum - total).abs() < 1e-6, "{sum} vs {total}");
    // The chunks landed joined: one table file, a row group per chunk.
    let files = table_files(&app, &mart).await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("-part-00000.parquet"), "{files:?}");

    // Mapping results: trimmed and upper-cased, cast, computed.
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT id, customer, quantity, amount, day FROM ${DATA_MART_TABLE} WHERE id = 3"})),
            200,
        )
        .await;
    assert_eq!(
        q["rows"][0],
        json!([3, "CUST 3", 4, 8.44, "2026-11-04"]),
        "{q}"
    );
    let types: Vec<(String, String)> = q["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().into(),
                c["type"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(types[0], ("id".into(), "Int64".into()), "{types:?}");

    // Pages: 1,500 ids in pages of 400, each id once.
    let mut seen = BTreeSet::new();
    let mut page: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body =
            json!({"sql": "SELECT id FROM ${DATA_MART_TABLE} ORDER BY id", "page_size": 400});
        if let Some(p) = &page {
            body["page"] = json!(p);
        }
        let r = app
            .owner(
                "POST",
                &format!("/v1/data-marts/{mart}/query"),
                Some(&body),
                200,
            )
            .await;
        pages += 1;
        for row in r["rows"].as_array().expect("rows") {
            assert!(seen.insert(row[0].as_i64().expect("id")));
        }
        match r["next_page"].as_str() {
            Some(p) => page = Some(p.to_string()),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (4, 1500));
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"sql": "SELECT * FROM ${DATA_MART_TABLE}", "page": "not-a-token"})),
        )
        .await;
    assert_eq!(
        (r.status, r.field()),
        (422, "page".to_string()),
        "{}",
        r.text
    );

    // The schema is actualized from the landed table.
    let dm = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await;
    let fields: Vec<&str> = dm["schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        fields,
        ["id", "customer", "quantity", "unit_price", "amount", "day"]
    );
    assert!(
        dm["schema"]
            .as_array()
            .expect("schema")
            .iter()
            .all(|f| f["status"] == "new")
    );

    // Incremental: nothing new → nothing read; a new file → only its rows.
    let again = start_run(&app, &mart, json!({})).await;
    let again = wait_final(&app, &again, LONG).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    assert_eq!(again["counters"]["rows_read"], 0, "{again}");
    tokio::time::sleep(Duration::from_millis(20)).await;
    std::fs::write(
        dir.join("late.ndjson"),
        "{\"order_id\": \"5001\", \"customer\": \"x\", \"quantity\": \"2\", \"unit_price\": \"1.50\", \"day\": \"2026-11-30\"}\n",
    )
    .expect("late file");
    let third = start_run(&app, &mart, json!({})).await;
    let third = wait_final(&app, &third, LONG).await;
    assert_eq!(third["counters"]["rows_written"], 1, "{third}");
    let (n, _, sum) = table_totals(&app, &mart).await;
    assert_eq!(n, 1501);
    assert!((sum - total - 3.0).abs() < 1e-6);
    // The second run found every field it landed already connected.
    let dm = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await;
    assert!(
        dm["schema"]
            .as_array()
            .expect("schema")
            .iter()
            .all(|f| f["status"] == "connected"),
        "{dm}"
    );

    // A backfill needs its window, and a window in order.
    for (body, field) in [
        (json!({"kind": "backfill"}), "from"),
        (
            json!({"kind": "backfill", "from": "2026-11-10", "to": "2026-11-01"}),
            "to",
        ),
    ] {
        app.refused("POST", &format!("/v1/data-marts/{mart}/runs"), &body, field)
            .await;
    }
    app.stop().await;
}

#[tokio::test]
async fn preview_shows_rows_before_and_after_the_mapping_and_names_bad_fields() {
    let app = spawn_app().await;
    let dir = temp_dir("preview");
    write_orders(&dir, 1, 30);
    std::fs::write(
        dir.join("zz-bad.ndjson"),
        "{\"order_id\": \"1\", \"customer\": \"dup\", \"quantity\": \"lots\", \"unit_price\": \"1\", \"day\": \"2026-11-01\"}\n",
    )
    .expect("file");
    let mart = files_mart(&app, &dir, json!({})).await;
    let p = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/preview"),
            Some(&json!({"limit": 50})),
            200,
        )
        .await;
    assert_eq!(
        p["before"]["rows"].as_array().expect("before").len(),
        31,
        "{p}"
    );
    assert_eq!(p["after"]["columns"][0]["name"], "id");
    assert_eq!(p["after"]["rows"][0][1], "CUST 1", "{p}");
    let kinds: BTreeSet<&str> = p["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["kind"].as_str().unwrap_or_default())
        .collect();
    assert!(kinds.contains("type_mismatch"), "{p}");
    assert!(kinds.contains("duplicate_key"), "{p}");

    let mut bad = orders_mapping();
    bad["columns"][1]["source"] = json!("no_such_column");
    let source = {
        let dm = app
            .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
            .await;
        dm["definition"]["source_id"].clone()
    };
    let definition = json!({"kind": "connector", "source_id": source, "streams": [{"name": "*.ndjson", "mapping": bad}]});
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{mart}/preview"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"definition": definition})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.field(), "definition.streams[0].mapping.columns[1].source");
    let mut bad_expr = orders_mapping();
    bad_expr["columns"][4]["expression"] = json!("quantity * * 2");
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{mart}/preview"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"definition": {"kind": "connector", "source_id": source, "streams": [{"name": "*.ndjson", "mapping": bad_expr}]}})),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.field(),
        "definition.streams[0].mapping.columns[4].expression"
    );
    app.stop().await;
}

/// 10 good rows, then a bad JSON line, a row whose quantity is not a number, a
/// line over the 16 MiB limit, and a gzip file cut in half.
fn write_bad_orders(dir: &std::path::Path) {
    write_orders(dir, 1, 10);
    let mut f = std::fs::File::create(dir.join("orders-900.ndjson")).expect("file");
    writeln!(f, "{{\"order_id\": \"11\", \"customer\": \"ok\", \"quantity\": \"1\", \"unit_price\": \"2\", \"day\": \"2026-11-01\"}}").expect("w");
    writeln!(f, "{{\"order_id\": \"12\", \"customer\": broken").expect("w");
    writeln!(f, "{{\"order_id\": \"13\", \"customer\": \"x\", \"quantity\": \"lots\", \"unit_price\": \"2\", \"day\": \"2026-11-01\"}}").expect("w");
    f.write_all(b"{\"order_id\": \"14\", \"note\": \"")
        .expect("w");
    f.write_all(&vec![b'x'; 17 << 20]).expect("w");
    f.write_all(b"\"}\n").expect("w");
    drop(f);
    let mut gz = flate2_encoder();
    for i in 0..2000 {
        writeln!(gz, "{{\"order_id\": \"{}\", \"customer\": \"g\", \"quantity\": \"1\", \"unit_price\": \"1\", \"day\": \"2026-11-02\"}}", 10_000 + i).expect("w");
    }
    let bytes = gz.finish().expect("gzip");
    std::fs::write(dir.join("orders-901.ndjson.gz"), &bytes[..bytes.len() / 2]).expect("cut gzip");
}

fn flate2_encoder() -> flate2::write::GzEncoder<Vec<u8>> {
    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default())
}

#[tokio::test]
async fn bad_rows_follow_the_error_policy_with_their_reasons() {
    let app = spawn_app().await;
    let dir = temp_dir("bad-rows");
    write_bad_orders(&dir);
    let mut mapping = orders_mapping();
    mapping["rules"] = json!([{"rule": "not_null", "column": "id"}]);
    let pattern = json!({"batch_size": 5000});

    // skip_and_log: the good rows land, each bad one is logged with its reason.
    let mut skip = pattern.clone();
    skip["error_policy"] = json!("skip_and_log");
    let mart = files_mart_with(&app, &dir, mapping.clone(), skip).await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let written = done["counters"]["rows_written"].as_u64().expect("written");
    let skipped = done["counters"]["rows_skipped"].as_u64().expect("skipped");
    assert!(written >= 11, "{done}");
    assert!(
        skipped >= 4,
        "bad JSON, bad type, long line, truncated gzip: {done}"
    );
    let reasons: Vec<String> = done["error_log"]
        .as_array()
        .expect("log")
        .iter()
        .map(|e| e["reason"].as_str().unwrap_or_default().to_lowercase())
        .collect();
    let all = reasons.join(" | ");
    assert!(reasons.iter().any(|r| r.contains("json")), "{all}");
    assert!(reasons.iter().any(|r| r.contains("lots")), "{all}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("16 mib") || r.contains("longer")),
        "{all}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("gzip") || r.contains("truncat") || r.contains("eof")),
        "{all}"
    );
    let (n, _, _) = table_totals(&app, &mart).await;
    assert_eq!(n as u64, written);

    // fail_fast: the run fails, naming a bad row; nothing is committed.
    let mut fail = pattern.clone();
    fail["error_policy"] = json!("fail_fast");
    let mart = files_mart_with(&app, &dir, mapping.clone(), fail).await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        done["error"].as_str().unwrap_or_default().len() > 10,
        "{done}"
    );
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"sql": "SELECT count(*) FROM ${DATA_MART_TABLE}"})),
        )
        .await;
    assert_eq!(r.status, 409, "nothing landed: {}", r.text);

    // continue: every chunk is transformed, the errors are reported at the end,
    // and the run fails without committing.
    let mut cont = pattern;
    cont["error_policy"] = json!("continue");
    let mart = files_mart_with(&app, &dir, mapping, cont).await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        done["counters"]["rows_failed"].as_u64().expect("failed") >= 4,
        "{done}"
    );
    assert!(
        done["error_log"].as_array().expect("log").len() >= 4,
        "{done}"
    );
    app.stop().await;
}

#[tokio::test]
async fn pause_resume_and_cancel() {
    // Without workers the run waits where the test leaves it.
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("pause");
    let total = write_orders(&dir, 2, 300);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &mart, json!({})).await;
    let paused = app
        .owner("POST", &format!("/v1/runs/{run}/pause"), None, 200)
        .await;
    assert_eq!(paused["status"], "paused");
    let r = app
        .send(
            "POST",
            &format!("/v1/runs/{run}/pause"),
            app.token(sluice_domain::Role::Owner),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "conflict".to_string()),
        "{}",
        r.text
    );
    // A paused run's messages are taken and dropped; resume enqueues its work again.
    let machine = Machine::new(app.deps.clone(), Limits::default()).expect("machine");
    drain(&app, &machine, 50).await;
    let still = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(still["status"], "paused", "{still}");
    let resumed = app
        .owner("POST", &format!("/v1/runs/{run}/resume"), None, 200)
        .await;
    assert_eq!(resumed["status"], "queued");
    drain(&app, &machine, 10_000).await;
    let done = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let (n, _, sum) = table_totals(&app, &mart).await;
    assert_eq!(n, 600);
    assert!((sum - total).abs() < 1e-6);

    // Cancel: nothing more is committed.
    let other = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &other, json!({})).await;
    drain(&app, &machine, 3).await;
    let cancelled = app
        .owner("POST", &format!("/v1/runs/{run}/cancel"), None, 200)
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    drain(&app, &machine, 10_000).await;
    let after = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(after["status"], "cancelled", "{after}");
    let left = app
        .deps
        .objects
        .as_ref()
        .expect("objects")
        .list(&format!("runs/{}/{run}/", app.project))
        .await
        .expect("list");
    assert!(
        left.is_empty(),
        "a cancelled run's chunks are removed: {left:?}"
    );
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{other}/query"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"sql": "SELECT count(*) FROM ${DATA_MART_TABLE}"})),
        )
        .await;
    assert_eq!(r.status, 409, "a cancelled run commits nothing: {}", r.text);
    let r = app
        .send(
            "POST",
            &format!("/v1/runs/{run}/resume"),
            app.token(sluice_domain::Role::Owner),
            None,
        )
        .await;
    assert_eq!(r.status, 409);
    app.stop().await;
}

/// Handles up to `max` messages from the stage queues, one at a time, retrying at
/// once; returns how many it handled.
async fn drain(app: &sluice_tests::app::TestApp, machine: &Machine, max: usize) -> usize {
    let queue = app.deps.queue.clone().expect("queue");
    let mut handled = 0;
    let mut idle = 0;
    while handled < max && idle < 40 {
        let mut got = false;
        for name in sluice_domain::pipeline::stage_queues() {
            for m in queue
                .receive(&name, 1, Duration::from_secs(30))
                .await
                .expect("receive")
            {
                got = true;
                handled += 1;
                match machine.handle(&m).await {
                    Outcome::Done => queue.ack(&name, &m.receipt).await.expect("ack"),
                    Outcome::Retry(_) => queue
                        .set_visibility(&name, &m.receipt, Duration::ZERO)
                        .await
                        .expect("visibility"),
                    Outcome::Later(_) => {
                        assert!(
                            machine.put_back(&name, &m, Duration::ZERO).await,
                            "put back"
                        );
                        queue.ack(&name, &m.receipt).await.expect("ack");
                    }
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

#[tokio::test]
async fn merge_updates_by_key_and_replace_swaps_the_table() {
    let app = spawn_app().await;
    let dir = temp_dir("merge");
    let rows = |from: u64, to: u64, price: &str| -> String {
        (from..=to)
            .map(|i| format!("{{\"order_id\": \"{i}\", \"customer\": \"c\", \"quantity\": \"1\", \"unit_price\": \"{price}\", \"day\": \"2026-11-01\"}}\n"))
            .collect()
    };
    std::fs::write(dir.join("a.ndjson"), rows(1, 300, "1.00")).expect("file");
    let merge = files_mart(
        &app,
        &dir,
        json!({"write_mode": "merge", "batch_size": 100}),
    )
    .await;
    let replace = files_mart(
        &app,
        &dir,
        json!({"write_mode": "replace", "batch_size": 100}),
    )
    .await;
    for mart in [&merge, &replace] {
        let run = start_run(&app, mart, json!({})).await;
        assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    }
    let before = table_files(&app, &merge).await;
    assert_eq!(before.len(), 3, "{before:?}");
    tokio::time::sleep(Duration::from_millis(20)).await;
    std::fs::write(dir.join("b.ndjson"), rows(151, 450, "2.00")).expect("file");
    for mart in [&merge, &replace] {
        let run = start_run(&app, mart, json!({})).await;
        let done = wait_final(&app, &run, LONG).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["counters"]["rows_written"], 300);
    }
    // merge: 1-150 at 1.00, 151-450 at 2.00 (the run's rows win).
    let (n, ids, sum) = table_totals(&app, &merge).await;
    assert_eq!((n, ids), (450, 450));
    assert!((sum - (150.0 + 600.0)).abs() < 1e-6, "{sum}");
    // Only the old files holding keys of the run were rewritten: the first one
    // (ids 1-100) stands as it was, 101-200 and 201-300 lost rows (one of them
    // all of its rows, so only one base file is left of the two).
    let after = table_files(&app, &merge).await;
    let untouched = before.iter().filter(|k| after.contains(k)).count();
    assert_eq!(untouched, 1, "{before:?} → {after:?}");
    assert_eq!(
        after.iter().filter(|k| k.contains("-base-")).count(),
        1,
        "{after:?}"
    );
    assert_eq!(after.len(), 5, "one old, one base, three new: {after:?}");
    // replace: the table is the last run's rows.
    let (n, ids, sum) = table_totals(&app, &replace).await;
    assert_eq!((n, ids), (300, 300));
    assert!((sum - 600.0).abs() < 1e-6, "{sum}");
    // A merge over a mapping without a unique key is refused when saved.
    let mut keyless = orders_mapping();
    keyless["rules"] = json!([]);
    let dm = app
        .owner("GET", &format!("/v1/data-marts/{merge}"), None, 200)
        .await;
    let r = app
        .send(
            "POST",
            &format!("/v1/data-marts/{merge}/definition/validate"),
            app.token(sluice_domain::Role::Owner),
            Some(&json!({"kind": "connector", "source_id": dm["definition"]["source_id"], "streams": [{"name": "*.ndjson", "mapping": keyless}], "pipeline": {"write_mode": "merge"}})),
        )
        .await;
    assert!(r.text.contains("unique_key"), "{} {}", r.status, r.text);
    app.stop().await;
}

#[tokio::test]
async fn a_poison_chunk_goes_to_the_dlq_and_a_retry_after_the_fix_completes_the_run() {
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("poison");
    let total = write_orders(&dir, 2, 250);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &mart, json!({})).await;
    let machine = Machine::new(app.deps.clone(), Limits::default()).expect("machine");
    let queue = app.deps.queue.clone().expect("queue");
    let objects = app.deps.objects.clone().expect("objects");
    // Extract everything, leaving the transforms queued.
    let extract = sluice_domain::pipeline::extract_queue("files");
    loop {
        let msgs = queue
            .receive(&extract, 10, Duration::from_secs(30))
            .await
            .expect("receive");
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            assert!(matches!(machine.handle(&m).await, Outcome::Done));
            queue.ack(&extract, &m.receipt).await.expect("ack");
        }
    }
    // The cause: one raw chunk's object is gone.
    let raw: Vec<String> = objects
        .list(&format!("runs/{}/{run}/", app.project))
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .filter(|k| k.contains("raw"))
        .collect();
    assert_eq!(raw.len(), 6, "two files of 100 + 100 + 50 rows: {raw:?}");
    let victim = raw[2].clone();
    let saved = objects.get(&victim).await.expect("get").expect("raw chunk");
    objects.delete(&victim).await.expect("delete");

    drain(&app, &machine, 10_000).await;
    let failed = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["error"].as_str().unwrap_or_default();
    assert!(
        reason.contains("dead-letter") || reason.contains("missing"),
        "{reason}"
    );
    let dlq = format!(
        "{}{}",
        sluice_domain::pipeline::TRANSFORM_QUEUE,
        sluice_local::DLQ_SUFFIX
    );
    let dead = queue
        .receive(&dlq, 10, Duration::from_secs(30))
        .await
        .expect("dlq");
    assert_eq!(dead.len(), 1, "the poison message is in the DLQ");
    assert!(dead[0].receive_count >= 1);

    // Fix the cause, retry: only the failed chunk runs again.
    objects.put(&victim, saved).await.expect("restore");
    let retried = app
        .owner("POST", &format!("/v1/runs/{run}/retry"), None, 200)
        .await;
    assert_eq!(
        (retried["status"].as_str(), retried["attempt"].as_u64()),
        (Some("running"), Some(2))
    );
    drain(&app, &machine, 10_000).await;
    let done = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let (n, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((n, ids), (500, 500));
    assert!((sum - total).abs() < 1e-6);
    app.stop().await;
}

#[tokio::test]
async fn every_message_delivered_twice_still_lands_each_row_once() {
    // A table file per chunk, each joined by the commit: a repeated commit must
    // write the same parts.
    delivered_twice(Limits {
        step_chunks: 1,
        part_bytes: 1,
        ..Limits::default()
    })
    .await;
}

#[tokio::test]
async fn a_commit_copying_its_chunks_delivered_twice_still_lands_each_row_once() {
    // Every staged chunk landed as a table file by the store's copy (a link in
    // the directory), none read by the commit: a repeated commit copies again.
    delivered_twice(Limits {
        step_chunks: 1,
        link_bytes: 1,
        ..Limits::default()
    })
    .await;
}

async fn delivered_twice(limits: Limits) {
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("twice");
    let total = write_orders(&dir, 3, 250);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &mart, json!({})).await;
    let handled = deliver_twice(&app, limits).await;
    let done = app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(handled >= 10, "{handled}");
    assert_eq!(done["counters"]["rows_written"], 750, "{done}");
    let (n, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((n, ids), (750, 750));
    assert!((sum - total).abs() < 1e-6);
    let parts = table_files(&app, &mart).await;
    assert_eq!(
        parts.len() as u64,
        done["progress"]["chunks_total"].as_u64().expect("chunks"),
        "a part per chunk: {parts:?}"
    );
    app.stop().await;
}

/// A paginated JSON API on a free loopback port: `GET /orders?since=S&page=N&per_page=M`
/// answers `{"data": [...]}` with the orders updated after `S`, a page at a time;
/// it wants `Authorization: Bearer s3cret-token`, and throttles (429, Retry-After: 0)
/// the first request of every page 2. Returns its base URL and the request count.
async fn orders_api(
    orders: usize,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    tokio::task::JoinHandle<()>,
) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let count = Arc::new(AtomicUsize::new(0));
    let throttled = Arc::new(std::sync::Mutex::new(BTreeSet::<String>::new()));
    let seen = count.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (seen, throttled) = (seen.clone(), throttled.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let mut head = vec![];
                while !String::from_utf8_lossy(&head).contains("\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&head).to_string();
                let target = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let authorized = text
                    .lines()
                    .any(|l| l.eq_ignore_ascii_case("authorization: Bearer s3cret-token"));
                let param = |name: &str| -> Option<String> {
                    target.split_once('?')?.1.split('&').find_map(|kv| {
                        let (k, v) = kv.split_once('=')?;
                        (k == name).then(|| v.to_string())
                    })
                };
                let (status, body) = if !authorized {
                    (
                        "401 Unauthorized",
                        r#"{"message":"bad credentials"}"#.to_string(),
                    )
                } else if param("page").as_deref() == Some("2")
                    && throttled.lock().expect("lock").insert(target.clone())
                {
                    (
                        "429 Too Many Requests",
                        r#"{"message":"slow down"}"#.to_string(),
                    )
                } else {
                    let since: u64 = param("since").and_then(|s| s.parse().ok()).unwrap_or(0);
                    let page: usize = param("page").and_then(|s| s.parse().ok()).unwrap_or(1);
                    let per: usize = param("per_page")
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(100);
                    let matching: Vec<Value> = (1..=orders as u64)
                        .filter(|i| 1000 + i > since)
                        .map(|i| json!({"id": i, "amount": format!("{}.25", i % 50), "updated": 1000 + i}))
                        .collect();
                    let slice: Vec<Value> = matching
                        .into_iter()
                        .skip((page - 1) * per)
                        .take(per)
                        .collect();
                    ("200 OK", json!({"data": slice}).to_string())
                };
                let extra = if status.starts_with("429") {
                    "retry-after: 0\r\n"
                } else {
                    ""
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), count, task)
}

#[tokio::test]
async fn an_http_json_source_runs_through_pages_and_throttling_and_resumes_from_its_cursor() {
    let app = spawn_app().await;
    let (base, requests, server) = orders_api(250).await;
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
            Some(
                &json!({"title": "Orders API", "connector": "http_json", "config": {
                    "base_url": base, "auth_value": "Bearer s3cret-token", "pagination": "page",
                    "page_size": 100, "records_path": "$.data", "cursor_field": "updated"
                }}),
            ),
            201,
        )
        .await;
    assert!(!source.to_string().contains("s3cret"), "{source}");
    let mart = app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Orders", "storage_id": storage["id"]})),
            201,
        )
        .await;
    let mart = mart["id"].as_str().expect("id").to_string();
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{mart}/definition"),
        Some(&json!({
            "kind": "connector",
            "source_id": source["id"],
            "streams": [{"name": "/orders?since={cursor}", "mapping": {"columns": [
                {"target": "id", "source": "id", "cast": "int"},
                {"target": "amount", "source": "amount", "cast": "float"},
                {"target": "updated", "source": "updated", "cast": "int"}
            ], "rules": [{"rule": "unique_key", "columns": ["id"]}]}}],
            "pipeline": {"batch_size": 100, "write_mode": "merge"}
        })),
        200,
    )
    .await;
    app.owner("POST", &format!("/v1/data-marts/{mart}/publish"), None, 200)
        .await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(!done.to_string().contains("s3cret"), "{done}");
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT count(*), count(DISTINCT id), sum(amount), max(updated) FROM ${DATA_MART_TABLE}"})),
            200,
        )
        .await;
    let expected: f64 = (1..=250u64).map(|i| (i % 50) as f64 + 0.25).sum();
    assert_eq!(
        (q["rows"][0][0].as_i64(), q["rows"][0][1].as_i64()),
        (Some(250), Some(250)),
        "{q}"
    );
    assert!(
        (q["rows"][0][2].as_f64().expect("sum") - expected).abs() < 1e-6,
        "{q}"
    );
    assert_eq!(q["rows"][0][3], 1250);
    // Three pages (the short third one ends the stream), and page 2 asked twice:
    // once throttled, once after the Retry-After.
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 4);

    // Incremental: the saved cursor (max `updated`) goes into `{cursor}`.
    let again = start_run(&app, &mart, json!({})).await;
    let again = wait_final(&app, &again, LONG).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    assert_eq!(again["counters"]["rows_read"], 0, "{again}");

    // A wrong secret: the run fails with the API's refusal, and never shows the secret.
    app.owner(
        "PATCH",
        &format!("/v1/sources/{}", source["id"].as_str().expect("id")),
        Some(&json!({"config": {"auth_value": "Bearer wrong-one"}})),
        200,
    )
    .await;
    let bad = start_run(
        &app,
        &mart,
        json!({"kind": "backfill", "from": "2026-11-01", "to": "2026-11-02"}),
    )
    .await;
    let bad = wait_final(&app, &bad, LONG).await;
    assert_eq!(bad["status"], "failed", "{bad}");
    let why = bad["error"].as_str().unwrap_or_default();
    assert!(why.contains("401"), "{why}");
    assert!(!bad.to_string().contains("wrong-one"), "{bad}");
    server.abort();
    app.stop().await;
}

/// An object store that takes 40 ms per raw-chunk read and records how many such
/// reads (one per transform) were in flight at most.
struct SlowRawReads {
    inner: std::sync::Arc<dyn sluice_domain::ports::ObjectStore>,
    now: std::sync::atomic::AtomicUsize,
    max: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl sluice_domain::ports::ObjectStore for SlowRawReads {
    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
    ) -> Result<(), sluice_domain::ports::ObjectError> {
        self.inner.put(key, bytes).await
    }
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, sluice_domain::ports::ObjectError> {
        use std::sync::atomic::Ordering;
        if !key.contains("/raw/") {
            return self.inner.get(key).await;
        }
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(40)).await;
        let r = self.inner.get(key).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        r
    }
    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, sluice_domain::ports::ObjectError> {
        self.inner.get_range(key, start, len).await
    }
    async fn list(
        &self,
        prefix: &str,
    ) -> Result<Vec<sluice_domain::ports::ObjectInfo>, sluice_domain::ports::ObjectError> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, key: &str) -> Result<(), sluice_domain::ports::ObjectError> {
        self.inner.delete(key).await
    }
    async fn check(&self) -> Result<(), sluice_domain::ports::ObjectError> {
        self.inner.check().await
    }
}

/// Two processes (two machines with their own workers over one database, queue
/// and object store), each free to run 8 transforms at once: the run's
/// `parallelism` holds across both, and a waiting chunk never reaches the DLQ.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_keeps_at_most_its_parallelism_of_chunks_in_flight_across_processes() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("parallel");
    write_orders(&dir, 4, 300);
    let mut in_flight = vec![];
    for parallelism in [2u32, 6] {
        let slow = Arc::new(SlowRawReads {
            inner: app.deps.objects.clone().expect("objects"),
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
        });
        let mut deps = app.deps.clone();
        deps.objects = Some(slow.clone());
        let processes: Vec<_> = (0..2)
            .map(|_| {
                let machine =
                    Arc::new(Machine::new(deps.clone(), Limits::default()).expect("machine"));
                sluice_runs::worker::Workers::spawn(machine, 8)
            })
            .collect();
        let mart = files_mart(
            &app,
            &dir,
            json!({"batch_size": 100, "parallelism": parallelism}),
        )
        .await;
        let run = start_run(&app, &mart, json!({})).await;
        let done = wait_final(&app, &run, LONG).await;
        for workers in processes {
            workers.stop().await;
        }
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["counters"]["rows_written"], 1200);
        assert_eq!(done["counters"]["rows_failed"], 0);
        in_flight.push(slow.max.load(Ordering::SeqCst));
    }
    let queue = app.deps.queue.clone().expect("queue");
    let dead = queue
        .receive(
            &format!("{}-dlq", sluice_domain::pipeline::TRANSFORM_QUEUE),
            10,
            Duration::from_secs(1),
        )
        .await
        .expect("dlq");
    assert!(dead.is_empty(), "waiting chunks went to the DLQ: {dead:?}");
    assert!(in_flight[0] <= 2, "parallelism 2: {in_flight:?}");
    assert!(
        in_flight[1] > 2,
        "parallelism 6 runs more at once: {in_flight:?}"
    );
    app.stop().await;
}

/// Puts the order files of `dir` under `prefix` in the app's object store, the
/// second one gzipped; one more file outside the prefix must not be read. Uploaded
/// through the API into the project's landing area.
async fn upload_orders(app: &sluice_tests::app::TestApp, dir: &std::path::Path, prefix: &str) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for (i, path) in names.iter().enumerate() {
        let bytes = std::fs::read(path).expect("file");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let (key, body) = if i == 1 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&bytes).expect("gzip");
            (format!("{prefix}{name}.gz"), gz.finish().expect("gzip"))
        } else {
            (format!("{prefix}{name}"), bytes)
        };
        let size = body.len() as u64;
        let r = app.upload(&key, body).await;
        assert_eq!(r.status, 201, "{key}: {}", r.text);
        assert_eq!(r.json()["size"], json!(size));
    }
    let r = app
        .upload(
            "elsewhere/orders-999.ndjson",
            b"{\"order_id\": \"999999\"}\n".to_vec(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

/// `files` over `store://…`: objects bigger than one range read (8 MiB), plain and
/// gzipped, land every row once; nothing outside the prefix is read.
#[tokio::test]
async fn a_files_source_reads_the_object_store_a_range_at_a_time() {
    let app = spawn_app().await;
    let dir = temp_dir("store-orders");
    let total = write_orders(&dir, 2, 100_000);
    assert!(
        std::fs::metadata(dir.join("orders-000.ndjson"))
            .expect("file")
            .len()
            > 8 << 20,
        "the plain object spans more than one range"
    );
    upload_orders(&app, &dir, "orders/").await;
    let mart = files_mart(
        &app,
        std::path::Path::new("store://orders"),
        json!({"batch_size": 10000, "parallelism": 4}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let r = wait_final(&app, &run, Duration::from_secs(180)).await;
    assert_eq!(r["status"], json!("succeeded"), "{r}");
    let (count, ids, sum) = table_totals(&app, &mart).await;
    assert_eq!((count, ids), (200_000, 200_000));
    assert!((sum - total).abs() < 0.01, "{sum} vs {total}");
    // A location no source may read is refused when saved, naming the field.
    let r = app
        .refused(
            "POST",
            "/v1/sources",
            &json!({"title": "S3", "connector": "files", "config": {"location": "s3://bucket/x", "format": "ndjson"}}),
            "config.location",
        )
        .await;
    assert!(r.text.contains("store://"), "{}", r.text);
    app.stop().await;
}

/// The same on the AWS adapters: the objects are in S3 (moto), read by range.
#[tokio::test]
async fn a_files_source_reads_s3_objects_on_the_aws_stack() {
    let mut app = sluice_tests::app::spawn_app_on_moto().await;
    app.start_engine().await;
    let dir = temp_dir("s3-orders");
    write_orders(&dir, 3, 500);
    upload_orders(&app, &dir, "orders/").await;
    let mart = files_mart(
        &app,
        std::path::Path::new("store://orders/"),
        json!({"batch_size": 200}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let r = wait_final(&app, &run, LONG).await;
    assert_eq!(r["status"], json!("succeeded"), "{r}");
    assert_eq!(r["counters"]["rows_read"], json!(1500));
    assert_eq!(r["counters"]["rows_written"], json!(1500));
    app.stop().await;
}

/// CSV records whose quoted fields hold newlines, from a zstd file, land whole.
#[tokio::test]
async fn csv_records_with_newlines_in_quotes_and_zstd_files_land_whole() {
    let app = spawn_app().await;
    let dir = temp_dir("csv-zstd");
    let mut text = String::from("id,note\n");
    for i in 1..=300 {
        if i % 3 == 0 {
            text.push_str(&format!("{i},\"line one\nline \"\"two\"\", {i}\"\n"));
        } else {
            text.push_str(&format!("{i},plain {i}\n"));
        }
    }
    let packed = zstd_pack(text.as_bytes());
    std::fs::write(dir.join("notes.csv.zst"), packed).expect("file");
    let mart = sluice_tests::runs::files_mart_of(
        &app,
        json!({"location": dir.display().to_string(), "format": "csv"}),
        "*.csv.zst",
        json!({"columns": [{"target": "id", "source": "id", "cast": "int"}, {"target": "note", "source": "note"}]}),
        json!({"batch_size": 100}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let r = wait_final(&app, &run, LONG).await;
    assert_eq!(r["status"], json!("succeeded"), "{r}");
    assert_eq!(r["counters"]["rows_written"], json!(300));
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT note FROM ${DATA_MART_TABLE} WHERE id = 150"})),
            200,
        )
        .await;
    assert_eq!(q["rows"][0][0], json!("line one\nline \"two\", 150"));
    app.stop().await;
}

fn zstd_pack(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).expect("zstd")
}

/// One request a receiver got: its headers (names lower-cased) and body.
type Received = (Vec<(String, String)>, Vec<u8>);

/// A receiver of webhook deliveries on 127.0.0.1: answers each request with the
/// next status of `statuses` (the last one from then on) and keeps what came.
struct Receiver {
    url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

async fn receiver(statuses: &'static [u16]) -> Receiver {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let got = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let seen = got.clone();
    let task = tokio::spawn(async move {
        let mut n = 0usize;
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![];
            let mut chunk = vec![0u8; 65536];
            // Read the head, then as many body bytes as it announces.
            let (head_end, length) = loop {
                let k = s.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break (None, 0);
                }
                buf.extend_from_slice(&chunk[..k]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    break (Some(i + 4), length);
                }
            };
            let Some(start) = head_end else { continue };
            while buf.len() < start + length {
                let k = s.read(&mut chunk).await.unwrap_or(0);
                if k == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..k]);
            }
            let head = String::from_utf8_lossy(&buf[..start]).to_string();
            let headers: Vec<(String, String)> = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            seen.lock()
                .expect("lock")
                .push((headers, buf[start..].to_vec()));
            let status = statuses[n.min(statuses.len() - 1)];
            n += 1;
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    Receiver {
        url: format!("http://{addr}/hooks/T0/s3cr3t-token"),
        got,
        task,
    }
}

async fn wait_report_run(app: &sluice_tests::app::TestApp, id: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let r = app
            .owner("GET", &format!("/v1/report-runs/{id}"), None, 200)
            .await;
        if matches!(
            r["status"].as_str(),
            Some("succeeded" | "failed" | "cancelled")
        ) {
            return r;
        }
        assert!(start.elapsed() < LONG, "report run still going: {r}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_report_is_exported_and_posted_signed_and_each_run_delivers_once() {
    let app = spawn_app().await;
    let dir = temp_dir("report-orders");
    write_orders(&dir, 2, 60);
    let mart = files_mart(&app, &dir, json!({})).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");

    // An export destination: what a project names stays in its exports.
    for (config, field) in [
        (json!({"folder": "../other"}), "config.folder"),
        (json!({"file_name": "a/b"}), "config.file_name"),
        (json!({"format": "xlsx"}), "config.format"),
    ] {
        app.refused(
            "POST",
            "/v1/destinations",
            &json!({"title": "x", "kind": "object_export", "config": config}),
            field,
        )
        .await;
    }
    let export = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(
                &json!({"title": "Exports", "kind": "object_export", "config": {
                    "folder": "weekly/sales", "format": "csv", "compression": "gzip",
                    "file_name": "orders-{date}"
                }}),
            ),
            201,
        )
        .await;
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Orders", "data_mart_id": mart, "destination_id": export["id"],
                "query": "SELECT id, customer, amount FROM ${DATA_MART_TABLE} WHERE id <= 100 ORDER BY id"})),
            201,
        )
        .await;
    let rid = report["id"].as_str().expect("id");
    let queued = app
        .owner("POST", &format!("/v1/reports/{rid}/runs"), None, 202)
        .await;
    assert_eq!(queued["status"], "queued", "{queued}");
    let done = wait_report_run(&app, queued["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 100);
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let name = format!("weekly/sales/orders-{day}.csv.gz");
    assert_eq!(done["delivered"]["target"], json!(name), "{done}");
    assert!(done["duration_ms"].is_u64(), "{done}");
    let key = format!(
        "{}{name}",
        sluice_domain::pipeline::objects::exports_of(&app.project)
    );
    let objects = app.deps.objects.clone().expect("objects");
    let gz = objects.get(&key).await.expect("get").expect("the export");
    assert_eq!(done["bytes"], json!(gz.len()), "the file's size");
    let mut csv = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut csv)
        .expect("gzip");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 101, "a header and 100 rows");
    assert_eq!(lines[0], "id,customer,amount");
    assert!(lines[1].starts_with("1,CUST 1,"), "{}", lines[1]);
    let listed = app
        .owner(
            "GET",
            &format!("/v1/reports/{rid}/runs?limit=10"),
            None,
            200,
        )
        .await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );

    // A report trigger's fire delivers it too, once however many ticks see it.
    let trigger = app
        .owner(
            "POST",
            "/v1/triggers",
            Some(&json!({"target_kind": "report", "target_id": rid, "cron": "0 6 * * *", "timezone": "UTC"})),
            201,
        )
        .await;
    let due: chrono::DateTime<chrono::Utc> = trigger["next_fire_at"]
        .as_str()
        .expect("next_fire_at")
        .parse()
        .expect("a time");
    let first = sluice_app::services::scheduler::tick(&app.scheduler(), due).await;
    assert_eq!(first.started, 1, "{first:?}");
    let second = sluice_app::services::scheduler::tick(&app.scheduler(), due).await;
    assert_eq!(second.started, 0, "{second:?}");
    let listed = app
        .owner("GET", &format!("/v1/reports/{rid}/runs"), None, 200)
        .await;
    let items = listed["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 2, "{listed}");
    let fired = items
        .iter()
        .find(|r| r["trigger_id"] == trigger["id"])
        .expect("the trigger's run");
    let fired = wait_report_run(&app, fired["id"].as_str().expect("id")).await;
    assert_eq!(fired["status"], "succeeded", "{fired}");

    // A webhook: signed, retried past a 503, the same delivery id on each try.
    let hook = receiver(&[503, 200]).await;
    let secret = "whsec-0123456789abcdef";
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Hook", "kind": "webhook", "config": {
                "url": hook.url, "signing_secret": secret,
                "auth_header": "X-Api-Key", "auth_value": "k-123"
            }})),
            201,
        )
        .await;
    assert!(!dest.to_string().contains("s3cr3t"), "{dest}");
    assert!(!dest.to_string().contains(secret), "{dest}");
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(
                &json!({"title": "Hooked", "data_mart_id": mart, "destination_id": dest["id"],
                "query": "SELECT id, amount FROM ${DATA_MART_TABLE} WHERE id <= 3 ORDER BY id"}),
            ),
            201,
        )
        .await;
    let hrid = report["id"].as_str().expect("id").to_string();
    let queued = app
        .owner("POST", &format!("/v1/reports/{hrid}/runs"), None, 202)
        .await;
    let run_id = queued["id"].as_str().expect("id").to_string();
    let done = wait_report_run(&app, &run_id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(!done.to_string().contains("s3cr3t"), "{done}");
    assert_eq!(done["delivered"]["status"], 200);
    let log = done["log"].to_string();
    assert!(log.contains("Try 1") && log.contains("503"), "{log}");
    assert!(log.contains("Try 2"), "{log}");
    let got = hook.got.lock().expect("lock").clone();
    assert_eq!(got.len(), 2, "one retry after the 503");
    let (headers, body) = &got[1];
    assert_eq!(header(headers, "sluice-delivery-id"), format!("{run_id}.1"));
    assert_eq!(
        header(&got[0].0, "sluice-delivery-id"),
        format!("{run_id}.1")
    );
    assert_eq!(header(headers, "x-api-key"), "k-123");
    // The signature, checked as a receiver would.
    let sig = header(headers, "sluice-signature");
    let (t, v1) = sig
        .strip_prefix("t=")
        .and_then(|r| r.split_once(",v1="))
        .expect("t=…,v1=…");
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected);
    let doc: Value = serde_json::from_slice(body).expect("a JSON body");
    assert_eq!(doc["report_run_id"], json!(run_id));
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(3), "{doc}");
    assert_eq!(doc["rows"][0]["id"], 1, "{doc}");

    // The same message again (a redelivery): nothing is sent twice.
    let queue = app.deps.queue.clone().expect("queue");
    let again = sluice_domain::pipeline::Message::Deliver {
        project: app.project.clone(),
        report_run: sluice_domain::Id::parse(sluice_domain::Kind::ReportRun, &run_id).expect("id"),
    };
    queue
        .send("sluice-deliver-webhook", &again.to_json(), Duration::ZERO)
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        hook.got.lock().expect("lock").len(),
        2,
        "not delivered twice"
    );

    // A refusal fails the run with the origin only; a retry is a new attempt.
    let refusing = receiver(&[400]).await;
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{}", dest["id"].as_str().expect("id")),
        Some(&json!({"config": {"url": refusing.url}})),
        200,
    )
    .await;
    let queued = app
        .owner("POST", &format!("/v1/reports/{hrid}/runs"), None, 202)
        .await;
    let failed_id = queued["id"].as_str().expect("id").to_string();
    let failed = wait_report_run(&app, &failed_id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["error"].as_str().expect("error");
    assert!(reason.contains("answered 400"), "{reason}");
    assert!(!failed.to_string().contains("s3cr3t"), "{failed}");
    app.owner(
        "POST",
        &format!("/v1/report-runs/{failed_id}/cancel"),
        None,
        409,
    )
    .await;
    let retried = app
        .owner(
            "POST",
            &format!("/v1/report-runs/{failed_id}/retry"),
            None,
            200,
        )
        .await;
    assert_eq!(
        (retried["status"].as_str(), retried["attempt"].as_u64()),
        (Some("queued"), Some(2))
    );
    let again = wait_report_run(&app, &failed_id).await;
    assert_eq!(again["status"], "failed");
    let tries = refusing.got.lock().expect("lock").clone();
    assert_eq!(
        tries.len(),
        2,
        "one request per attempt (a 400 is not retried)"
    );
    assert_eq!(
        header(&tries[1].0, "sluice-delivery-id"),
        format!("{failed_id}.2")
    );

    // Addresses of the platform's own network are out of reach.
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{}", dest["id"].as_str().expect("id")),
        Some(&json!({"config": {"url": "http://169.254.169.254/latest/meta-data/"}})),
        200,
    )
    .await;
    let queued = app
        .owner("POST", &format!("/v1/reports/{hrid}/runs"), None, 202)
        .await;
    let blocked = wait_report_run(&app, queued["id"].as_str().expect("id")).await;
    assert_eq!(blocked["status"], "failed");
    assert!(
        blocked["error"]
            .as_str()
            .unwrap_or_default()
            .contains("not a public address"),
        "{blocked}"
    );

    hook.task.abort();
    refusing.task.abort();
    app.stop().await;
}

/// An `email` destination: the report goes to a real SMTP server as a CSV
/// attachment with its first rows inline, from the deployment's sender, its
/// Message-ID the run's delivery id; recipients are checked when saved; without
/// a mail transport the run fails saying how to configure one.
#[tokio::test]
async fn a_report_is_mailed_with_its_rows_attached_and_inline() {
    let smtp = sluice_tests::smtp::SmtpServer::start();
    let mut app = spawn_app_without_workers().await;
    app.deps.mailer = Some(std::sync::Arc::new(
        sluice_connectors::smtp::SmtpMailer::new(&smtp.url(), "reports@sluice.test")
            .expect("a mailer"),
    ));
    app.start_engine().await;
    let dir = temp_dir("report-mail");
    write_orders(&dir, 1, 40);
    let mart = files_mart(&app, &dir, json!({})).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");

    let many: Vec<String> = (0..51).map(|i| format!("r{i}@example.com")).collect();
    for (config, field) in [
        (json!({"to": ["not-an-address"]}), "config.to[0]"),
        (json!({"to": []}), "config.to"),
        (json!({"to": many}), "config.to"),
    ] {
        app.refused(
            "POST",
            "/v1/destinations",
            &json!({"title": "x", "kind": "email", "config": config}),
            field,
        )
        .await;
    }
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Finance", "kind": "email", "config": {
                "to": ["ops@example.com", "cfo@example.com"],
                "subject": "{report} for {date}"
            }})),
            201,
        )
        .await;
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Orders <Q1>", "data_mart_id": mart, "destination_id": dest["id"],
                "query": "SELECT id, customer, amount FROM ${DATA_MART_TABLE} WHERE id <= 30 ORDER BY id"})),
            201,
        )
        .await;
    let rid = report["id"].as_str().expect("id").to_string();
    let queued = app
        .owner("POST", &format!("/v1/reports/{rid}/runs"), None, 202)
        .await;
    let run_id = queued["id"].as_str().expect("id").to_string();
    let done = wait_report_run(&app, &run_id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 30);
    assert_eq!(done["delivered"]["target"], "2 recipient(s)", "{done}");
    assert_eq!(done["delivered"]["format"], "csv", "{done}");
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "one message for both recipients");
    // As the Maildir keeps it: line ends as `\n`.
    let mail = mails[0].replace("\r\n", "\n");
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(mail.contains("From: reports@sluice.test"), "{mail}");
    assert!(
        mail.contains("To: ops@example.com, cfo@example.com"),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("Subject: Orders <Q1> for {day}")),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("Message-ID: <{run_id}.1@sluice>")),
        "{mail}"
    );
    assert!(mail.contains("multipart/mixed"), "{mail}");
    // The attachment: every row, as CSV.
    assert!(mail.contains("Content-Type: text/csv"), "{mail}");
    assert!(mail.contains(&format!("{rid}-{day}.csv\"")), "{mail}");
    assert!(
        mail.contains("id,customer,amount\n1,CUST 1,2.74\n"),
        "{mail}"
    );
    assert!(mail.contains("\n30,CUST "), "{mail}");
    // The body: the first 20 rows as a table, the title escaped.
    assert!(mail.contains("<h2>Orders &lt;Q1&gt;</h2>"), "{mail}");
    assert!(mail.contains("<tr><td>20</td>"), "{mail}");
    assert!(!mail.contains("<tr><td>21</td>"), "{mail}");
    assert!(mail.contains("The first 20 of 30 rows"), "{mail}");

    // Without a mail transport, the run fails and says how to configure one.
    let bare = spawn_app().await;
    let mart = files_mart(&bare, &dir, json!({})).await;
    let run = start_run(&bare, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&bare, &run, LONG).await["status"], "succeeded");
    let dest = bare
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Finance", "kind": "email", "config": {"to": ["ops@example.com"]}})),
            201,
        )
        .await;
    let report = bare
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Orders", "data_mart_id": mart, "destination_id": dest["id"]})),
            201,
        )
        .await;
    let queued = bare
        .owner(
            "POST",
            &format!("/v1/reports/{}/runs", report["id"].as_str().expect("id")),
            None,
            202,
        )
        .await;
    let failed = wait_report_run(&bare, queued["id"].as_str().expect("id")).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap_or_default()
            .contains("--smtp-url"),
        "{failed}"
    );
}

/// People, with a null note and a null score among them, a float and a
/// timestamp each: what a `database` destination writes.
fn write_people(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("people dir");
    let mut text = String::new();
    for id in 1..=6 {
        let row = json!({
            "id": id.to_string(),
            "name": format!("person {id}"),
            "score": if id == 4 { Value::Null } else { json!(format!("{id}.5")) },
            "at": format!("2026-11-0{id}T10:30:00Z"),
            "note": if id % 2 == 0 { Value::Null } else { json!(format!("note, \"{id}\"")) },
        });
        text.push_str(&format!("{row}\n"));
    }
    std::fs::write(dir.join("people.ndjson"), text).expect("people file");
}

/// A published data mart over [`write_people`]'s file; its id.
async fn people_mart(app: &sluice_tests::app::TestApp, dir: &std::path::Path) -> String {
    write_people(dir);
    files_mart_with(
        app,
        dir,
        json!({"columns": [
            {"target": "id", "source": "id", "cast": "int"},
            {"target": "name", "source": "name"},
            {"target": "score", "source": "score", "cast": "float"},
            {"target": "at", "source": "at", "cast": "timestamp"},
            {"target": "note", "source": "note"}
        ]}),
        json!({}),
    )
    .await
}

async fn pg_count(pg: &tokio_postgres::Client, table: &str) -> i64 {
    pg.query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .expect("count")
        .get(0)
}

/// Starts a run of report `rid` and waits for its end.
async fn deliver_report(app: &sluice_tests::app::TestApp, rid: &str) -> Value {
    let queued = app
        .owner("POST", &format!("/v1/reports/{rid}/runs"), None, 202)
        .await;
    wait_report_run(app, queued["id"].as_str().expect("id")).await
}

#[tokio::test]
async fn a_report_is_written_to_a_postgres_table_once_per_delivery_in_each_write_mode() {
    let server = sluice_tests::postgres::Postgres::start()
        .await
        .expect("postgres starts");
    let pg = server.client().await.expect("a client");
    let password = server.password().to_string();
    let app = spawn_app().await;
    let dir = temp_dir("report-people");
    let mart = people_mart(&app, &dir).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");

    // What a destination names is checked when it is saved.
    let url = server.url();
    for (config, field) in [
        (json!({"url": "mysql://db/app", "table": "t"}), "config.url"),
        (json!({"url": url, "table": "people; drop"}), "config.table"),
        (
            json!({"url": url, "table": "people", "write_mode": "upsert"}),
            "config.key_columns",
        ),
    ] {
        app.refused(
            "POST",
            "/v1/destinations",
            &json!({"title": "x", "kind": "database", "config": config}),
            field,
        )
        .await;
    }
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Postgres", "kind": "database", "config": {
                "url": url, "table": "people"
            }})),
            201,
        )
        .await;
    assert!(!dest.to_string().contains(&password), "{dest}");
    let did = dest["id"].as_str().expect("id").to_string();
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(
                &json!({"title": "People", "data_mart_id": mart, "destination_id": did,
                "query": "SELECT id, name, score, at, note FROM ${DATA_MART_TABLE} ORDER BY id"}),
            ),
            201,
        )
        .await;
    let rid = report["id"].as_str().expect("id").to_string();
    let mut seen = vec![];

    // replace: the table is created from the report's columns, with its rows.
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 6, "{done}");
    assert_eq!(done["delivered"]["target"], "public.people", "{done}");
    assert!(done["log"].to_string().contains("without TLS"), "{done}");
    seen.push(done.clone());
    let types: Vec<(String, String)> = pg
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = 'people' ORDER BY ordinal_position",
            &[],
        )
        .await
        .expect("columns")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected: Vec<(String, String)> = [
        ("id", "bigint"),
        ("name", "text"),
        ("score", "double precision"),
        ("at", "timestamp with time zone"),
        ("note", "text"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(types, expected);
    let rows = pg
        .query(
            "SELECT id, name, score, extract(epoch FROM at)::bigint, note FROM public.people ORDER BY id",
            &[],
        )
        .await
        .expect("rows");
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    assert_eq!(first.get::<_, i64>(0), 1);
    assert_eq!(first.get::<_, String>(1), "person 1");
    assert_eq!(first.get::<_, Option<f64>>(2), Some(1.5));
    // 2026-11-01T10:30:00Z
    assert_eq!(first.get::<_, i64>(3), 1_793_529_000);
    assert_eq!(
        first.get::<_, Option<String>>(4).as_deref(),
        Some("note, \"1\"")
    );
    assert_eq!(rows[3].get::<_, Option<f64>>(2), None, "a null score");
    assert_eq!(rows[1].get::<_, Option<String>>(4), None, "a null note");

    // append: the same rows again.
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        Some(&json!({"config": {"write_mode": "append"}})),
        200,
    )
    .await;
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    seen.push(done);
    assert_eq!(pg_count(&pg, "public.people").await, 12);

    // An upsert needs its keys, named when saved; and a unique index on them in a
    // table Sluice did not create: the run fails saying so, and the rows stay.
    app.refused(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        &json!({"config": {"write_mode": "upsert"}}),
        "config.key_columns",
    )
    .await;
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        Some(&json!({"config": {"write_mode": "upsert", "key_columns": ["id"]}})),
        200,
    )
    .await;
    let failed = deliver_report(&app, &rid).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["error"].as_str().expect("error");
    assert!(
        reason.contains("no unique index on exactly (id)"),
        "{reason}"
    );
    seen.push(failed);
    assert_eq!(
        pg_count(&pg, "public.people").await,
        12,
        "the old rows stay"
    );

    // upsert into a table it creates (with a unique index on the keys): rows
    // changed since are updated, rows gone are inserted again, none twice.
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        Some(&json!({"config": {"schema": "marts", "table": "people_by_id"}})),
        200,
    )
    .await;
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["delivered"]["target"], "marts.people_by_id", "{done}");
    seen.push(done);
    pg.batch_execute(
        "UPDATE marts.people_by_id SET name = 'stale', score = 0 WHERE id = 1; \
         DELETE FROM marts.people_by_id WHERE id = 2",
    )
    .await
    .expect("change rows");
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let upserted_id = done["id"].as_str().expect("id").to_string();
    seen.push(done);
    let people = "marts.people_by_id";
    assert_eq!(pg_count(&pg, people).await, 6);
    let restored = pg
        .query_one(
            "SELECT name, score FROM marts.people_by_id WHERE id = 1",
            &[],
        )
        .await
        .expect("row 1");
    assert_eq!(
        (
            restored.get::<_, String>(0),
            restored.get::<_, Option<f64>>(1)
        ),
        ("person 1".to_string(), Some(1.5))
    );

    // Each delivery is recorded beside the table, in its transaction.
    let recorded: i64 = pg
        .query_one(
            "SELECT rows FROM marts.sluice_deliveries WHERE delivery_id = $1",
            &[&format!("{upserted_id}.1")],
        )
        .await
        .expect("recorded")
        .get(0);
    assert_eq!(recorded, 6);

    // The same message again after the run was recorded: nothing to do.
    let queue = app.deps.queue.clone().expect("queue");
    let run_key =
        sluice_domain::Id::parse(sluice_domain::Kind::ReportRun, &upserted_id).expect("id");
    let again = sluice_domain::pipeline::Message::Deliver {
        project: app.project.clone(),
        report_run: run_key.clone(),
    };
    queue
        .send("sluice-deliver-database", &again.to_json(), Duration::ZERO)
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(pg_count(&pg, people).await, 6);

    // A worker that committed and stopped before it recorded the run: the run
    // is still running when its message comes back, and the table already
    // holds the delivery. It is recorded as delivered, with nothing written twice.
    pg.batch_execute("UPDATE marts.people_by_id SET name = 'changed after' WHERE id = 3")
        .await
        .expect("change a row");
    let stored = app
        .deps
        .store
        .get(&app.project, sluice_domain::Kind::ReportRun, &run_key)
        .await
        .expect("get")
        .expect("the run");
    let mut body: Value = serde_json::from_str(&stored.body).expect("json");
    body["status"] = json!("running");
    let rewound = sluice_domain::ports::Record {
        version: stored.version + 1,
        body: body.to_string(),
        ..stored
    };
    app.deps.store.replace(&rewound).await.expect("rewound");
    queue
        .send("sluice-deliver-database", &again.to_json(), Duration::ZERO)
        .await
        .expect("send");
    let redone = wait_report_run(&app, &upserted_id).await;
    assert_eq!(redone["status"], "succeeded", "{redone}");
    assert_eq!(redone["rows"], 6, "{redone}");
    assert!(
        redone["log"]
            .to_string()
            .contains("was committed to marts.people_by_id before"),
        "{redone}"
    );
    seen.push(redone);
    assert_eq!(pg_count(&pg, people).await, 6);
    let kept: String = pg
        .query_one("SELECT name FROM marts.people_by_id WHERE id = 3", &[])
        .await
        .expect("row 3")
        .get(0);
    assert_eq!(kept, "changed after", "nothing was written again");

    // A table whose columns differ from the report's is never altered: the run
    // fails naming them, and the table keeps its rows.
    pg.batch_execute(
        "CREATE TABLE public.typed (id bigint, name boolean, at timestamptz); \
         INSERT INTO public.typed VALUES (99, true, now())",
    )
    .await
    .expect("a table of another shape");
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        Some(&json!({"config": {"schema": "public", "table": "typed", "write_mode": "replace"}})),
        200,
    )
    .await;
    let failed = deliver_report(&app, &rid).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["error"].as_str().expect("error");
    assert!(
        reason.contains("table public.typed does not match"),
        "{reason}"
    );
    assert!(reason.contains("no column `score`, `note`"), "{reason}");
    assert!(
        reason.contains("`name` is boolean, the report's is text"),
        "{reason}"
    );
    seen.push(failed);
    assert_eq!(pg_count(&pg, "public.typed").await, 1);

    // A wrong password fails the run without showing either password.
    let wrong = url.replace(&password, "not-the-password");
    app.owner(
        "PATCH",
        &format!("/v1/destinations/{did}"),
        Some(&json!({"config": {"url": wrong, "table": "people"}})),
        200,
    )
    .await;
    let refused = deliver_report(&app, &rid).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    let reason = refused["error"].as_str().expect("error");
    assert!(
        reason.contains("password authentication failed"),
        "{reason}"
    );
    assert!(
        !refused.to_string().contains("not-the-password"),
        "{refused}"
    );
    seen.push(refused);

    // No record, log or error ever shows the URL's password.
    let listed = app
        .owner(
            "GET",
            &format!("/v1/reports/{rid}/runs?limit=50"),
            None,
            200,
        )
        .await;
    seen.push(listed);
    seen.push(
        app.owner("GET", &format!("/v1/destinations/{did}"), None, 200)
            .await,
    );
    for v in &seen {
        assert!(!v.to_string().contains(&password), "{v}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_database_is_out_of_reach_unless_opened_and_is_reached_over_tls_as_its_url_asks() {
    let server = sluice_tests::postgres::Postgres::start_tls_only()
        .await
        .expect("postgres starts");
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("report-closed");
    let mart = people_mart(&app, &dir).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    let opened = Machine::new(app.deps.clone(), Limits::default()).expect("machine");
    drain(&app, &opened, 1_000).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Postgres", "kind": "database", "config": {
                "url": server.url(), "table": "people"
            }})),
            201,
        )
        .await;
    let did = dest["id"].as_str().expect("id").to_string();
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "People", "data_mart_id": mart, "destination_id": did})),
            201,
        )
        .await;
    let rid = report["id"].as_str().expect("id").to_string();
    let queued = app
        .owner("POST", &format!("/v1/reports/{rid}/runs"), None, 202)
        .await;
    // This process's operator opened no network: 127.0.0.1 is out of reach.
    let mut deps = app.deps.clone();
    deps.egress = sluice_domain::net::Egress::public_only();
    let closed = Machine::new(deps, Limits::default()).expect("machine");
    drain(&app, &closed, 10).await;
    let failed = wait_report_run(&app, queued["id"].as_str().expect("id")).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let reason = failed["error"].as_str().expect("error");
    assert!(
        reason.contains(&format!(
            "the database at 127.0.0.1:{} is out of reach",
            server.port()
        )) && reason.contains("not a public address"),
        "{reason}"
    );
    assert!(!failed.to_string().contains(server.password()), "{failed}");
    let pg = server.client().await.expect("a client");
    let tables: i64 = pg
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('people', 'sluice_deliveries')",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(tables, 0, "nothing was written");

    // Opened, the server takes logins over TLS only (its certificate is
    // self-signed): each sslmode does what libpq's does.
    for (sslmode, refused) in [
        ("", None),
        ("?sslmode=require", None),
        ("?sslmode=disable", Some("no encryption")),
        ("?sslmode=verify-full", Some("invalid peer certificate")),
    ] {
        app.owner(
            "PATCH",
            &format!("/v1/destinations/{did}"),
            Some(&json!({"config": {"url": format!("{}{sslmode}", server.url())}})),
            200,
        )
        .await;
        let queued = app
            .owner("POST", &format!("/v1/reports/{rid}/runs"), None, 202)
            .await;
        drain(&app, &opened, 10).await;
        let done = wait_report_run(&app, queued["id"].as_str().expect("id")).await;
        assert!(!done.to_string().contains(server.password()), "{done}");
        match refused {
            None => {
                assert_eq!(done["status"], "succeeded", "{sslmode}: {done}");
                assert_eq!(done["rows"], 6, "{done}");
                assert!(done["log"].to_string().contains("over TLS"), "{done}");
            }
            Some(why) => {
                assert_eq!(done["status"], "failed", "{sslmode}: {done}");
                let reason = done["error"].as_str().unwrap_or_default();
                assert!(reason.contains(why), "{sslmode}: {reason}");
            }
        }
    }
    assert_eq!(pg_count(&pg, "public.people").await, 6);
    app.stop().await;
}

/// A `google_sheets` destination over `google`'s spreadsheet `1SheetAbc`,
/// as service account `key`, writing `sheet` from `start`; its id.
async fn sheets_destination(
    app: &sluice_tests::app::TestApp,
    key: &sluice_tests::google::TestKey,
    sheet: &str,
    start: &str,
) -> String {
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(
                &json!({"title": "Sheet", "kind": "google_sheets", "config": {
                    "spreadsheet_id": "1SheetAbc", "sheet_name": sheet, "start_cell": start,
                    "service_account_json": key.json
                }}),
            ),
            201,
        )
        .await;
    assert_eq!(dest["config"]["service_account_json"], "********", "{dest}");
    dest["id"].as_str().expect("id").to_string()
}

/// A report of `mart` into destination `did` with `query`; its id.
async fn report_of(app: &sluice_tests::app::TestApp, mart: &str, did: &str, query: &str) -> String {
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(
                &json!({"title": "People", "data_mart_id": mart, "destination_id": did,
                "query": query}),
            ),
            201,
        )
        .await;
    report["id"].as_str().expect("id").to_string()
}

/// Puts a delivered report run back to `running` and its message back on the
/// queue: a worker that wrote and stopped before it recorded the run.
async fn redeliver(app: &sluice_tests::app::TestApp, queue_name: &str, run_id: &str) {
    let key = sluice_domain::Id::parse(sluice_domain::Kind::ReportRun, run_id).expect("id");
    let stored = app
        .deps
        .store
        .get(&app.project, sluice_domain::Kind::ReportRun, &key)
        .await
        .expect("get")
        .expect("the run");
    let mut body: Value = serde_json::from_str(&stored.body).expect("json");
    body["status"] = json!("running");
    let rewound = sluice_domain::ports::Record {
        version: stored.version + 1,
        body: body.to_string(),
        ..stored
    };
    app.deps.store.replace(&rewound).await.expect("rewound");
    let again = sluice_domain::pipeline::Message::Deliver {
        project: app.project.clone(),
        report_run: key,
    };
    app.deps
        .queue
        .clone()
        .expect("queue")
        .send(queue_name, &again.to_json(), Duration::ZERO)
        .await
        .expect("send");
}

/// The Sheets API calls seen (the token endpoint's aside), as `METHOD path`.
fn sheets_calls(seen: &[sluice_tests::google::Seen]) -> Vec<String> {
    seen.iter()
        .filter(|s| s.path != "/token")
        .map(|s| format!("{} {}", s.method, s.path))
        .collect()
}

/// A `google_sheets` destination, end to end against a local Google that
/// checks every assertion's signature: the report fills its block from the
/// start cell (the sheet's grid grown first, the block recorded before any
/// value is written), values keep their kinds, a user's cells outside the
/// block stay as they were, a narrower and shorter report leaves nothing of
/// the old one, and a redelivered message gives the same sheet. The key is
/// never shown.
#[tokio::test]
async fn a_report_fills_its_block_of_a_sheet_and_a_narrower_one_leaves_nothing_behind() {
    let key =
        sluice_tests::google::TestKey::generate("reports@sluice-test.iam.gserviceaccount.com");
    let google = sluice_tests::google::Google::start(&key, "1SheetAbc").await;
    google.add_sheet("Report", 5, 4);
    google.set("Report", "A1", json!("My notes"));
    google.set("Report", "A6", json!("=SUM(B4:B9)"));
    google.set("Report", "B2", json!(42));
    let mut app = spawn_app_without_workers().await;
    app.deps.google = google.apis();
    app.start_engine().await;
    let dir = temp_dir("report-sheets");
    let mart = people_mart(&app, &dir).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");

    // What a destination names is checked when saved; the key is never quoted.
    for (config, field) in [
        (
            json!({"spreadsheet_id": "../../drive/v3/files", "service_account_json": key.json}),
            "config.spreadsheet_id",
        ),
        (
            json!({"spreadsheet_id": "1SheetAbc", "start_cell": "B3:C4", "service_account_json": key.json}),
            "config.start_cell",
        ),
        (
            json!({"spreadsheet_id": "1SheetAbc", "service_account_json": key.json.replace("client_email", "email")}),
            "config.service_account_json",
        ),
    ] {
        let r = app
            .refused(
                "POST",
                "/v1/destinations",
                &json!({"title": "x", "kind": "google_sheets", "config": config}),
                field,
            )
            .await;
        assert!(!r.text.contains(&key.private_body[100..160]), "{}", r.text);
    }
    let did = sheets_destination(&app, &key, "Report", "B3").await;
    let rid = report_of(
        &app,
        &mart,
        &did,
        "SELECT id, name, score, at, note FROM ${DATA_MART_TABLE} ORDER BY id",
    )
    .await;
    google.forget();
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 6);
    assert_eq!(
        done["delivered"]["target"], "'Report'!B3:F9 of spreadsheet 1SheetAbc",
        "{done}"
    );

    // The requests, in order: a token, the spreadsheet's sheets, the grid grown
    // and the block recorded at once, the block cleared, then its values.
    let seen = google.seen();
    assert_eq!(seen[0].path, "/token");
    assert_eq!(
        seen[0].body["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
    assert_eq!(
        sheets_calls(&seen),
        [
            "GET /v4/spreadsheets/1SheetAbc",
            "POST /v4/spreadsheets/1SheetAbc:batchUpdate",
            "POST /v4/spreadsheets/1SheetAbc/values:batchClear",
            "POST /v4/spreadsheets/1SheetAbc/values:batchUpdate",
        ]
    );
    assert!(seen.iter().all(|s| s.status == 200), "{seen:?}");
    assert!(
        seen[1].query.contains("fields=spreadsheetId,sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(")
            && !seen[1].query.contains("includeGridData=true"),
        "{}",
        seen[1].query
    );
    assert!(seen[1..].iter().all(|s| s.token == "ya29.test-1"));
    assert_eq!(
        seen[2].body,
        json!({"requests": [
            {"appendDimension": {"sheetId": 1001, "dimension": "ROWS", "length": 4}},
            {"appendDimension": {"sheetId": 1001, "dimension": "COLUMNS", "length": 2}},
            {"createDeveloperMetadata": {"developerMetadata": {
                "metadataKey": "sluice.block.B3", "metadataValue": "B3:F9",
                "location": {"sheetId": 1001}, "visibility": "DOCUMENT"
            }}}
        ]})
    );
    assert_eq!(seen[3].body, json!({"ranges": ["'Report'!B3:F9"]}));
    let write = &seen[4].body;
    assert_eq!(write["valueInputOption"], "RAW");
    assert_eq!(write["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(write["data"][0]["range"], "'Report'!B3:F9");
    assert_eq!(write["data"][0]["majorDimension"], "ROWS");
    assert_eq!(
        write["data"][0]["values"][0],
        json!(["id", "name", "score", "at", "note"])
    );
    // The assertion: signed by the key (checked by the server), with Google's claims.
    let claims = google.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["iss"], key.client_email);
    assert_eq!(
        claims[0]["scope"],
        "https://www.googleapis.com/auth/spreadsheets"
    );
    assert_eq!(claims[0]["aud"], "https://oauth2.googleapis.com/token");
    assert_eq!(
        claims[0]["exp"].as_i64().expect("exp") - claims[0]["iat"].as_i64().expect("iat"),
        3600
    );

    // The sheet: the user's cells as they were, the report in its block,
    // numbers as numbers, nulls as empty cells.
    assert_eq!(google.size("Report"), Some((9, 6)));
    let grid = google.grid("Report").expect("the sheet");
    assert_eq!(grid.len(), 9);
    assert_eq!(
        grid[0],
        [
            json!("My notes"),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );
    assert_eq!(grid[1][1], json!(42));
    assert_eq!(grid[5][0], json!("=SUM(B4:B9)"));
    assert_eq!(
        grid[2][1..],
        [
            json!("id"),
            json!("name"),
            json!("score"),
            json!("at"),
            json!("note")
        ]
    );
    assert_eq!(grid[3][1..3], [json!(1), json!("person 1")]);
    assert_eq!(grid[3][3], json!(1.5));
    assert!(
        grid[3][4]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-11-01")),
        "{:?}",
        grid[3][4]
    );
    assert_eq!(grid[3][5], json!("note, \"1\""));
    assert_eq!(grid[4][5], Value::Null, "a null note is an empty cell");
    assert_eq!(grid[6][1..4], [json!(4), json!("person 4"), Value::Null]);
    assert_eq!(grid[8][1..3], [json!(6), json!("person 6")]);
    assert_eq!(
        google.metadata("Report"),
        [("sluice.block.B3".to_string(), "B3:F9".to_string())]
    );

    // A redelivered message of the delivered run sends nothing.
    google.forget();
    let queue = "sluice-deliver-google-sheets";
    let run_id = done["id"].as_str().expect("id").to_string();
    app.deps
        .queue
        .clone()
        .expect("queue")
        .send(
            queue,
            &sluice_domain::pipeline::Message::Deliver {
                project: app.project.clone(),
                report_run: sluice_domain::Id::parse(sluice_domain::Kind::ReportRun, &run_id)
                    .expect("id"),
            }
            .to_json(),
            Duration::ZERO,
        )
        .await
        .expect("send");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(google.seen().is_empty(), "{:?}", google.seen());

    // A narrower, shorter report at the same place: the old block's other
    // cells are cleared, the user's are not.
    app.owner(
        "PATCH",
        &format!("/v1/reports/{rid}"),
        Some(
            &json!({"query": "SELECT id, name FROM ${DATA_MART_TABLE} WHERE id <= 3 ORDER BY id"}),
        ),
        200,
    )
    .await;
    google.forget();
    let narrow = deliver_report(&app, &rid).await;
    assert_eq!(narrow["status"], "succeeded", "{narrow}");
    assert_eq!(
        narrow["delivered"]["target"], "'Report'!B3:C6 of spreadsheet 1SheetAbc",
        "{narrow}"
    );
    let seen = google.seen();
    assert_eq!(
        sheets_calls(&seen),
        [
            "GET /v4/spreadsheets/1SheetAbc",
            "POST /v4/spreadsheets/1SheetAbc:batchUpdate",
            "POST /v4/spreadsheets/1SheetAbc/values:batchClear",
            "POST /v4/spreadsheets/1SheetAbc/values:batchUpdate",
            "POST /v4/spreadsheets/1SheetAbc:batchUpdate",
        ]
    );
    let recorded = |value: &str| {
        json!({"requests": [{"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {
                "metadataKey": "sluice.block.B3", "metadataLocation": {"sheetId": 1001}
            }}],
            "developerMetadata": {"metadataValue": value},
            "fields": "metadataValue"
        }}]})
    };
    // Before any value changes, the record covers the old block and the new.
    assert_eq!(seen[2].body, recorded("B3:F9,B3:C6"));
    assert_eq!(
        seen[3].body,
        json!({"ranges": ["'Report'!B3:F9", "'Report'!B3:C6"]})
    );
    assert_eq!(seen[4].body["data"][0]["range"], "'Report'!B3:C6");
    assert_eq!(seen[5].body, recorded("B3:C6"));
    let narrow_grid = google.grid("Report").expect("the sheet");
    let expected = vec![
        vec![json!("My notes"), Value::Null, Value::Null],
        vec![Value::Null, json!(42), Value::Null],
        vec![Value::Null, json!("id"), json!("name")],
        vec![Value::Null, json!(1), json!("person 1")],
        vec![Value::Null, json!(2), json!("person 2")],
        vec![json!("=SUM(B4:B9)"), json!(3), json!("person 3")],
    ];
    assert_eq!(narrow_grid, expected);
    assert_eq!(
        google.metadata("Report"),
        [("sluice.block.B3".to_string(), "B3:C6".to_string())]
    );

    // The worker wrote and stopped before it recorded the run: the message
    // comes back, the delivery is redone, and the sheet is the same.
    let narrow_id = narrow["id"].as_str().expect("id").to_string();
    redeliver(&app, queue, &narrow_id).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = wait_report_run(&app, &narrow_id).await;
    assert_eq!(again["status"], "succeeded", "{again}");
    assert_eq!(google.grid("Report").expect("the sheet"), expected);
    assert_eq!(google.size("Report"), Some((9, 6)));

    // No record or response shows the key.
    let mut shown = vec![
        done,
        narrow,
        again,
        app.owner("GET", &format!("/v1/destinations/{did}"), None, 200)
            .await,
        app.owner(
            "GET",
            &format!("/v1/reports/{rid}/runs?limit=50"),
            None,
            200,
        )
        .await,
    ];
    shown.push(app.owner("GET", "/v1/destinations", None, 200).await);
    for v in &shown {
        let text = v.to_string();
        assert!(!text.contains(&key.private_body[100..160]), "{text}");
        assert!(!text.contains("PRIVATE KEY"), "{text}");
    }
    app.stop().await;
}

/// A `google_sheets` delivery rides out throttling (429 `RESOURCE_EXHAUSTED`,
/// tried again) and an expired token (one new token, the call tried again),
/// writes a long report in batches, refuses a report past the spreadsheet's
/// cell limit before writing anything, and fails with a reason that names
/// what failed, never the key, when Google refuses the key or knows no such
/// spreadsheet.
#[tokio::test]
async fn a_sheets_delivery_rides_out_throttling_and_expired_tokens_and_refuses_what_cannot_fit() {
    let key =
        sluice_tests::google::TestKey::generate("reports@sluice-test.iam.gserviceaccount.com");
    let google = sluice_tests::google::Google::start(&key, "1SheetAbc").await;
    let mut app = spawn_app_without_workers().await;
    app.deps.google = google.apis();
    app.start_engine().await;
    let dir = temp_dir("report-sheets-long");
    write_orders(&dir, 1, 1_500);
    let mart = files_mart(&app, &dir, json!({"batch_size": 1000})).await;
    let run = start_run(&app, &mart, json!({"kind": "incremental"})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    let did = sheets_destination(&app, &key, "Sheet1", "A1").await;
    let rid = report_of(
        &app,
        &mart,
        &did,
        "SELECT id, customer FROM ${DATA_MART_TABLE} ORDER BY id",
    )
    .await;

    // Throttled twice: tried again after the wait Google asks, and delivered.
    google.throttle(2);
    let done = deliver_report(&app, &rid).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 1_500);
    let seen = google.seen();
    let statuses: Vec<u16> = seen.iter().map(|s| s.status).collect();
    assert_eq!(statuses[..4], [200, 429, 429, 200], "{statuses:?}");
    assert_eq!(
        seen[1].path, seen[3].path,
        "the throttled call is tried again"
    );
    assert!(
        done["log"].to_string().contains("429 RESOURCE_EXHAUSTED"),
        "{done}"
    );
    // 1,501 rows with the header: two requests, each within its rows.
    let writes: Vec<&sluice_tests::google::Seen> = seen
        .iter()
        .filter(|s| s.path.ends_with("/values:batchUpdate"))
        .collect();
    assert_eq!(writes.len(), 2);
    assert_eq!(writes[0].body["data"][0]["range"], "'Sheet1'!A1:B1000");
    assert_eq!(
        writes[0].body["data"][0]["values"].as_array().map(Vec::len),
        Some(1000)
    );
    assert_eq!(writes[1].body["data"][0]["range"], "'Sheet1'!A1001:B1501");
    assert_eq!(
        writes[1].body["data"][0]["values"].as_array().map(Vec::len),
        Some(501)
    );
    let grid = google.grid("Sheet1").expect("the sheet");
    assert_eq!(grid.len(), 1_501);
    assert_eq!(grid[0], [json!("id"), json!("customer")]);
    assert_eq!(grid[1500], [json!(1500), json!("CUST 5")]);
    assert_eq!(google.size("Sheet1"), Some((1_501, 26)));

    // The token expires after one more call: a new one, and the call again.
    google.forget();
    google.expire_tokens_after(1);
    let renewed = deliver_report(&app, &rid).await;
    assert_eq!(renewed["status"], "succeeded", "{renewed}");
    let seen = google.seen();
    let refused = seen
        .iter()
        .position(|s| s.status == 401)
        .expect("a call refused for its token");
    assert_eq!(seen[refused + 1].path, "/token");
    assert_eq!(seen[refused + 2].path, seen[refused].path);
    assert_eq!(seen[refused + 2].status, 200);
    assert_ne!(seen[refused + 2].token, seen[refused].token);
    assert_eq!(
        google.claims().len(),
        3,
        "one token per delivery, and one more"
    );
    assert!(
        renewed["log"].to_string().contains("got a new one"),
        "{renewed}"
    );
    assert_eq!(
        google.grid("Sheet1").expect("the sheet"),
        grid,
        "the same sheet"
    );

    // Past the spreadsheet's 10,000,000 cells: refused before anything is written.
    google.add_sheet("Big", 9_940_000, 1);
    let far = sheets_destination(&app, &key, "Sheet1", "A2000").await;
    let far_report = report_of(
        &app,
        &mart,
        &far,
        "SELECT id FROM ${DATA_MART_TABLE} ORDER BY id",
    )
    .await;
    google.forget();
    let too_large = deliver_report(&app, &far_report).await;
    assert_eq!(too_large["status"], "failed", "{too_large}");
    let reason = too_large["error"].as_str().expect("error");
    assert!(
        reason.contains("past Google Sheets' limit of 10000000")
            && reason.contains("nothing was written"),
        "{reason}"
    );
    assert_eq!(
        sheets_calls(&google.seen()),
        ["GET /v4/spreadsheets/1SheetAbc"],
        "only read"
    );
    assert_eq!(google.size("Sheet1"), Some((1_501, 26)));
    assert_eq!(google.grid("Sheet1").expect("the sheet"), grid);

    // A key Google does not take, and a spreadsheet it does not know: the
    // reason names what failed and the service account, never the key.
    let stranger =
        sluice_tests::google::TestKey::generate("other@sluice-test.iam.gserviceaccount.com");
    let denied_dest = sheets_destination(&app, &stranger, "Sheet1", "A1").await;
    let denied_report = report_of(
        &app,
        &mart,
        &denied_dest,
        "SELECT id FROM ${DATA_MART_TABLE}",
    )
    .await;
    let denied = deliver_report(&app, &denied_report).await;
    assert_eq!(denied["status"], "failed", "{denied}");
    let reason = denied["error"].as_str().expect("error");
    assert!(
        reason.contains(
            "Google refused the key of service account other@sluice-test.iam.gserviceaccount.com"
        ) && reason.contains("invalid_grant"),
        "{reason}"
    );
    let missing_dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(
                &json!({"title": "Sheet", "kind": "google_sheets", "config": {
                    "spreadsheet_id": "1NoSuchSheet", "service_account_json": key.json
                }}),
            ),
            201,
        )
        .await;
    let missing_report = report_of(
        &app,
        &mart,
        missing_dest["id"].as_str().expect("id"),
        "SELECT id FROM ${DATA_MART_TABLE}",
    )
    .await;
    let missing = deliver_report(&app, &missing_report).await;
    assert_eq!(missing["status"], "failed", "{missing}");
    let reason = missing["error"].as_str().expect("error");
    assert!(
        reason.contains("404 NOT_FOUND") && reason.contains("check the spreadsheet id"),
        "{reason}"
    );
    for v in [&done, &renewed, &too_large, &denied, &missing] {
        let text = v.to_string();
        for k in [&key, &stranger] {
            assert!(!text.contains(&k.private_body[100..160]), "{text}");
        }
    }
    app.stop().await;
}

/// The connection check a destination test route runs: authorized, the
/// spreadsheet reached and the sheet found (or created), edit access proved
/// by a request that changes nothing; a key Google refuses is a reason.
#[tokio::test]
async fn a_sheets_destination_checks_its_key_spreadsheet_and_edit_access_without_changing_values() {
    use sluice_connectors::google_sheets::{SheetsError, check};
    let key =
        sluice_tests::google::TestKey::generate("reports@sluice-test.iam.gserviceaccount.com");
    let google = sluice_tests::google::Google::start(&key, "1SheetAbc").await;
    google.set("Sheet1", "C3", json!("kept"));
    let config = |sheet: &str, key: &sluice_tests::google::TestKey| {
        json!({"spreadsheet_id": "1SheetAbc", "sheet_name": sheet, "start_cell": "A1",
            "service_account_json": key.json})
        .as_object()
        .cloned()
        .expect("an object")
    };
    let checked = check(&google.apis(), &config("Sheet1", &key))
        .await
        .expect("checked");
    assert_eq!(checked.sheet, "Sheet1");
    assert!(!checked.created);
    assert_eq!((checked.rows, checked.columns), (1000, 26));
    assert_eq!(checked.client_email, key.client_email);
    let seen = google.seen();
    assert_eq!(
        sheets_calls(&seen),
        [
            "GET /v4/spreadsheets/1SheetAbc",
            "POST /v4/spreadsheets/1SheetAbc:batchUpdate"
        ]
    );
    assert_eq!(
        seen[2].body,
        json!({"requests": [{"updateSheetProperties": {
            "properties": {"sheetId": 0, "title": "Sheet1"}, "fields": "title"
        }}]})
    );
    assert_eq!(
        google.grid("Sheet1"),
        Some(vec![
            vec![Value::Null, Value::Null, Value::Null],
            vec![Value::Null, Value::Null, Value::Null],
            vec![Value::Null, Value::Null, json!("kept")],
        ])
    );

    let created = check(&google.apis(), &config("Weekly", &key))
        .await
        .expect("checked");
    assert!(created.created);
    assert_eq!(google.size("Weekly"), Some((1, 1)));

    let stranger =
        sluice_tests::google::TestKey::generate("other@sluice-test.iam.gserviceaccount.com");
    match check(&google.apis(), &config("Sheet1", &stranger)).await {
        Err(e @ SheetsError::Denied(_)) => {
            assert!(e.to_string().contains("other@sluice-test"), "{e}");
            assert!(
                !e.to_string().contains(&stranger.private_body[100..160]),
                "{e}"
            );
        }
        other => panic!("not denied: {other:?}"),
    }
    let mut broken = config("Sheet1", &key);
    broken.insert("start_cell".into(), json!("1A"));
    assert!(matches!(
        check(&google.apis(), &broken).await,
        Err(SheetsError::Config(_))
    ));
}

/// `POST /v1/destinations/{id}/test` of every kind, against the real parts:
/// each is tried as its delivery would reach it and says which of reachable,
/// authorized and writable fails, and why, never quoting a credential.
#[tokio::test]
async fn each_destination_is_tested_as_its_delivery_would_reach_it() {
    let smtp = sluice_tests::smtp::SmtpServer::start();
    let pg = sluice_tests::postgres::Postgres::start()
        .await
        .expect("postgres starts");
    let key =
        sluice_tests::google::TestKey::generate("reports@sluice-test.iam.gserviceaccount.com");
    let google = sluice_tests::google::Google::start(&key, "1SheetAbc").await;
    google.set("Sheet1", "C3", json!("kept"));
    let hook = receiver(&[204, 401]).await;
    let smtp_url = smtp.url();
    let apis = google.apis();
    let app = sluice_tests::app::spawn_app_with(move |deps| {
        deps.mailer = Some(std::sync::Arc::new(
            sluice_connectors::smtp::SmtpMailer::new(&smtp_url, "reports@sluice.test")
                .expect("a mailer"),
        ));
        deps.google = apis;
    })
    .await;
    let create = |kind: &'static str, config: Value| {
        let app = &app;
        async move {
            app.owner(
                "POST",
                "/v1/destinations",
                Some(&json!({"title": kind, "kind": kind, "config": config})),
                201,
            )
            .await["id"]
                .as_str()
                .expect("id")
                .to_string()
        }
    };
    let mut shown = String::new();
    let mut test = async |id: &str| -> Vec<(String, bool)> {
        let r = app
            .owner("POST", &format!("/v1/destinations/{id}/test"), None, 200)
            .await;
        shown.push_str(&r.to_string());
        let checks = r["checks"].as_array().expect("checks").clone();
        assert_eq!(
            r["ok"],
            json!(checks.iter().all(|c| c["ok"] == json!(true))),
            "{r}"
        );
        checks
            .iter()
            .map(|c| {
                assert!(c["ok"] == json!(true) || c["reason"].is_string(), "{c}");
                (
                    c["check"].as_str().expect("name").to_string(),
                    c["ok"].as_bool().expect("ok"),
                )
            })
            .collect()
    };
    let all = |ok: [bool; 3]| -> Vec<(String, bool)> {
        ["reachable", "authorized", "writable"]
            .iter()
            .zip(ok)
            .map(|(c, ok)| (c.to_string(), ok))
            .collect()
    };

    // A webhook gets one signed request with no rows; a 401 is not authorized.
    let secret = "whsec-0123456789abcdef";
    let webhook = create(
        "webhook",
        json!({"url": hook.url, "signing_secret": secret, "auth_value": "Bearer tok-s3cr3t"}),
    )
    .await;
    assert_eq!(test(&webhook).await, all([true, true, true]));
    {
        let got = hook.got.lock().expect("lock");
        let (headers, body) = &got[0];
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(header("sluice-test"), "true");
        assert_eq!(header("authorization"), "Bearer tok-s3cr3t");
        let t: i64 = header("sluice-timestamp").parse().expect("a timestamp");
        assert_eq!(
            header("sluice-signature"),
            sluice_connectors::webhook::signature(secret, t, body)
        );
        let sent: Value = serde_json::from_slice(body).expect("JSON");
        assert_eq!(
            (sent["test"].clone(), sent["rows"].clone()),
            (json!(true), json!([]))
        );
    }
    assert_eq!(test(&webhook).await, all([true, false, false]));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let nowhere = create(
        "webhook",
        json!({"url": format!("http://{closed}/hooks/s3cr3t-path")}),
    )
    .await;
    assert_eq!(test(&nowhere).await, all([false, false, false]));

    // A database: a login, then the privileges a delivery needs.
    let database = create("database", json!({"url": pg.url(), "table": "people"})).await;
    assert_eq!(test(&database).await, all([true, true, true]));
    let wrong = pg.url().replace(pg.password(), "not-the-password");
    let refused = create("database", json!({"url": wrong, "table": "people"})).await;
    assert_eq!(test(&refused).await, all([true, false, false]));
    let gone = create(
        "database",
        json!({"url": format!("postgres://u:pw-s3cr3t@{closed}/app"), "table": "people"}),
    )
    .await;
    assert_eq!(test(&gone).await, all([false, false, false]));
    // A user that may not write there.
    let admin = pg.client().await.expect("a client");
    admin
        .batch_execute(
            "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'; CREATE TABLE public.people (id bigint); \
             GRANT SELECT ON public.people TO reader; REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        )
        .await
        .expect("a read-only role");
    let reader_url = format!(
        "postgres://reader:reader-pw@{}",
        pg.url().split('@').nth(1).expect("host")
    );
    let reader = create("database", json!({"url": reader_url, "table": "people"})).await;
    assert_eq!(test(&reader).await, all([true, true, false]));

    // Mail: a session with the SMTP server, no message.
    let email = create("email", json!({"to": ["ops@example.com"]})).await;
    assert_eq!(test(&email).await, all([true, true, true]));
    assert!(smtp.messages().is_empty(), "a test mails no one");

    // Google Sheets: a token, the sheet, an edit that changes nothing.
    let sheets = create(
        "google_sheets",
        json!({"spreadsheet_id": "1SheetAbc", "service_account_json": key.json}),
    )
    .await;
    assert_eq!(test(&sheets).await, all([true, true, true]));
    assert_eq!(google.cell("Sheet1", "C3"), json!("kept"));
    let stranger =
        sluice_tests::google::TestKey::generate("other@sluice-test.iam.gserviceaccount.com");
    let denied = create(
        "google_sheets",
        json!({"spreadsheet_id": "1SheetAbc", "service_account_json": stranger.json}),
    )
    .await;
    assert_eq!(test(&denied).await, all([true, false, false]));

    // An export folder takes a file, removed again.
    let export = create("object_export", json!({"folder": "weekly"})).await;
    assert_eq!(test(&export).await, all([true, true, true]));
    let exports = sluice_domain::pipeline::objects::exports_of(&app.project);
    let left = app
        .deps
        .objects
        .as_ref()
        .expect("objects")
        .list(&exports)
        .await
        .expect("list");
    assert!(left.is_empty(), "{left:?}");

    // A data endpoint is ready once it has a key.
    let looker = create("looker_studio", json!({})).await;
    assert_eq!(test(&looker).await, all([true, false, true]));
    app.owner(
        "POST",
        &format!("/v1/destinations/{looker}/rotate-key"),
        None,
        200,
    )
    .await;
    assert_eq!(test(&looker).await, all([true, true, true]));

    // No credential shows in any answer.
    for secret in [
        secret,
        "tok-s3cr3t",
        "s3cr3t-path",
        pg.password(),
        "pw-s3cr3t",
        "reader-pw",
        "PRIVATE KEY",
    ] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    app.stop().await;
}

/// The rows of `sql` over data mart `mart` (through the query route).
async fn query_rows(app: &sluice_tests::app::TestApp, mart: &str, sql: &str) -> Vec<Value> {
    let r = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": sql, "page_size": 1000})),
            200,
        )
        .await;
    r["rows"].as_array().cloned().unwrap_or_default()
}

/// A data mart of `definition` in `storage`, published; its id.
async fn mart_of(app: &sluice_tests::app::TestApp, storage: &Value, definition: Value) -> String {
    let mart = app
        .owner(
            "POST",
            "/v1/data-marts",
            Some(&json!({"title": "Derived", "storage_id": storage["id"]})),
            201,
        )
        .await;
    let id = mart["id"].as_str().expect("id").to_string();
    app.owner(
        "PUT",
        &format!("/v1/data-marts/{id}/definition"),
        Some(&definition),
        200,
    )
    .await;
    app.owner("POST", &format!("/v1/data-marts/{id}/publish"), None, 200)
        .await;
    id
}

/// Every kind of data mart works over the project's own data: a `sql` mart
/// joins a connector mart to a storage table and is materialized by its run
/// (again, with the same result, when its message comes twice); a `table`
/// mart reads a folder of Parquet in the landing area; a `table_pattern` mart
/// the union of the daily shards its pattern matches; a `view` (and a view of
/// it) is evaluated when read. Each run actualizes the schema. A definition
/// is checked by planning it (its columns, or the line and column of what is
/// wrong), and another project's data mart or storage table is not found,
/// exactly like one that never existed.
#[tokio::test]
async fn every_data_mart_kind_runs_and_reads_only_its_own_project() {
    let app = spawn_app().await;
    let dir = temp_dir("orders-kinds");
    let total = write_orders(&dir, 2, 300);
    let orders = files_mart(&app, &dir, json!({"batch_size": 200})).await;
    let run = start_run(&app, &orders, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    let orders_table = orders.to_ascii_lowercase();

    // Storage tables: the orders' Parquet, uploaded as three daily shards.
    let file = &table_files(&app, &orders).await[0];
    let bytes = app
        .deps
        .objects
        .as_ref()
        .expect("an object store")
        .get(file)
        .await
        .expect("get")
        .expect("the table's file");
    for day in ["20251231", "20260101", "20260102"] {
        let up = app
            .upload(&format!("logs/events_{day}/part-0.parquet"), bytes.clone())
            .await;
        assert_eq!(up.status, 201, "{}", up.text);
    }
    let storage = app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await;

    // A dry run: the columns, or what is wrong and where.
    let any = mart_of(
        &app,
        &storage,
        json!({"kind": "view", "query": "SELECT 1 AS one"}),
    )
    .await;
    let check = |q: &str| json!({"kind": "sql", "query": q});
    let ok = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{any}/definition/validate"),
            Some(&check(&format!(
                "SELECT customer, sum(amount) AS total\nFROM {orders_table} GROUP BY customer"
            ))),
            200,
        )
        .await;
    assert_eq!(ok["valid"], true, "{ok}");
    let names: Vec<&str> = ok["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["customer", "total"]);
    let bad = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{any}/definition/validate"),
            Some(&check(&format!("SELECT id,\n  nope FROM {orders_table}"))),
            200,
        )
        .await;
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["problems"][0]["field"], "definition.query", "{bad}");
    let reason = bad["problems"][0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("nope") && reason.contains("line 2, column 3"),
        "{reason}"
    );
    let syntax = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{any}/definition/validate"),
            Some(&check("SELECT id,, amount FROM x")),
            200,
        )
        .await;
    assert!(
        syntax["problems"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("Line: 1")),
        "{syntax}"
    );
    // What does not plan is not saved.
    let refused = app
        .refused(
            "PUT",
            &format!("/v1/data-marts/{any}/definition"),
            &check("SELECT * FROM logs.nothing_here"),
            "definition.query",
        )
        .await;
    assert!(refused.text.contains("nothing_here"), "{}", refused.text);

    // sql: a connector mart joined to a storage table, materialized.
    let by_customer = mart_of(
        &app,
        &storage,
        check(&format!(
            "SELECT o.customer, count(*) AS orders, sum(o.amount) AS total \
             FROM {orders_table} o JOIN logs.events_20260101 e ON o.id = e.id \
             GROUP BY o.customer"
        )),
    )
    .await;
    let run = start_run(&app, &by_customer, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], 13, "{done}");
    let sums = query_rows(
        &app,
        &by_customer,
        "SELECT sum(orders), sum(total) FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert_eq!(sums[0][0], 600);
    assert!(
        (sums[0][1].as_f64().expect("a sum") - total).abs() < 1e-6,
        "{sums:?}"
    );
    let mart = app
        .owner("GET", &format!("/v1/data-marts/{by_customer}"), None, 200)
        .await;
    let schema: Vec<&str> = mart["schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(schema, ["customer", "orders", "total"]);
    let files = table_files(&app, &by_customer).await;
    // The same message again lands the same table.
    let key = sluice_domain::Id::parse(sluice_domain::Kind::Run, &run).expect("run id");
    let stored = app
        .deps
        .store
        .get(&app.project, sluice_domain::Kind::Run, &key)
        .await
        .expect("get")
        .expect("the run");
    let mut body: Value = serde_json::from_str(&stored.body).expect("json");
    body["status"] = json!("running");
    app.deps
        .store
        .replace(&sluice_domain::ports::Record {
            version: stored.version + 1,
            body: body.to_string(),
            ..stored
        })
        .await
        .expect("rewound");
    let again = sluice_domain::pipeline::Message::Materialize {
        project: app.project.clone(),
        run: key,
    };
    app.deps
        .queue
        .clone()
        .expect("queue")
        .send(
            sluice_domain::pipeline::MATERIALIZE_QUEUE,
            &again.to_json(),
            Duration::ZERO,
        )
        .await
        .expect("send");
    wait_final(&app, &run, LONG).await;
    let deadline = std::time::Instant::now() + LONG;
    while app
        .owner("GET", &format!("/v1/runs/{run}"), None, 200)
        .await["status"]
        != "succeeded"
    {
        assert!(std::time::Instant::now() < deadline, "the redelivery ends");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(table_files(&app, &by_customer).await, files);
    let again = query_rows(
        &app,
        &by_customer,
        "SELECT sum(orders) FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert_eq!(again[0][0], 600);

    // table and table_pattern: the storage's Parquet as it is.
    let one_day = mart_of(
        &app,
        &storage,
        json!({"kind": "table", "table": "logs.events_20260101"}),
    )
    .await;
    let days = mart_of(
        &app,
        &storage,
        json!({"kind": "table_pattern", "pattern": "logs.events_2026*"}),
    )
    .await;
    for (mart, rows) in [(&one_day, 600), (&days, 1200)] {
        let run = start_run(&app, mart, json!({})).await;
        let done = wait_final(&app, &run, LONG).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        let n = query_rows(&app, mart, "SELECT count(*) FROM ${DATA_MART_TABLE}").await;
        assert_eq!(n[0][0], rows, "{mart}");
        let got = app
            .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
            .await;
        assert_eq!(got["schema"].as_array().map(Vec::len), Some(6), "{got}");
    }

    // view, and a view of it: evaluated when read, so it follows its input.
    let dear = mart_of(
        &app,
        &storage,
        json!({"kind": "view", "query": format!("SELECT id, amount FROM {orders_table} WHERE amount > 20")}),
    )
    .await;
    let dearest = mart_of(
        &app,
        &storage,
        json!({"kind": "view", "query": format!(
            "WITH d AS (SELECT * FROM {}) SELECT max(amount) AS highest FROM d",
            dear.to_ascii_lowercase()
        )}),
    )
    .await;
    let n = query_rows(
        &app,
        &dear,
        "SELECT count(*), min(amount) FROM ${DATA_MART_TABLE}",
    )
    .await;
    assert!(n[0][0].as_i64().is_some_and(|c| c > 0 && c < 600), "{n:?}");
    assert!(n[0][1].as_f64().is_some_and(|m| m > 20.0), "{n:?}");
    let top = query_rows(&app, &dearest, "SELECT highest FROM ${DATA_MART_TABLE}").await;
    assert!(top[0][0].as_f64().is_some_and(|t| t > 20.0), "{top:?}");
    let run = start_run(&app, &dearest, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");

    // Another project names this project's mart and storage table: not found,
    // word for word as a mart that never was.
    let stranger = app.strangers[&sluice_domain::Role::Owner].clone();
    let theirs = app
        .send(
            "POST",
            "/v1/storages",
            &stranger,
            Some(&json!({"title": "Theirs", "kind": "local"})),
        )
        .await
        .json();
    let their_mart = app
        .send(
            "POST",
            "/v1/data-marts",
            &stranger,
            Some(&json!({"title": "Prying", "storage_id": theirs["id"]})),
        )
        .await
        .json();
    let never = sluice_domain::Id::generate(sluice_domain::Kind::DataMart, 1_800_000_000_000)
        .as_str()
        .to_ascii_lowercase();
    let reason_of = |reply: sluice_tests::app::Reply, name: &str| {
        let v = reply.json();
        assert_eq!(v["valid"], false, "{v}");
        v["problems"][0]["reason"]
            .as_str()
            .unwrap_or_default()
            .replace(name, "NAME")
    };
    let validate = |sql: String| {
        let (app, stranger, id) = (&app, &stranger, their_mart["id"].clone());
        async move {
            app.send(
                "POST",
                &format!(
                    "/v1/data-marts/{}/definition/validate",
                    id.as_str().unwrap_or_default()
                ),
                stranger,
                Some(&json!({"kind": "sql", "query": sql})),
            )
            .await
        }
    };
    let mine = reason_of(
        validate(format!("SELECT * FROM {orders_table}")).await,
        &orders_table,
    );
    let missing = reason_of(validate(format!("SELECT * FROM {never}")).await, &never);
    assert_eq!(mine, missing);
    assert!(mine.contains("not found"), "{mine}");
    let table = reason_of(
        validate("SELECT * FROM logs.events_20260101".into()).await,
        "logs.events_20260101",
    );
    let none = reason_of(
        validate("SELECT * FROM logs.events_29990101".into()).await,
        "logs.events_29990101",
    );
    assert_eq!(table, none);
    app.stop().await;
}

/// The rows of a `?format=json` answer as arrays, in its schema's order.
fn rows_in_order(got: &Value) -> Vec<Value> {
    let names: Vec<&str> = got["schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default())
        .collect();
    got["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| Value::Array(names.iter().map(|n| r[*n].clone()).collect()))
        .collect()
}

/// A report's output controls over a run data mart: columns under aliases,
/// filters with a parameter the request fills (its default otherwise), sort
/// and limit, each row as the same query written by hand gives it; grouping
/// by a month bucket and a dimension with every aggregation and a totals row
/// last; report runs take parameter values; and bad controls or values are a
/// 422 naming the field.
#[tokio::test]
async fn a_reports_output_controls_shape_its_rows_and_bad_ones_name_their_field() {
    let app = spawn_app().await;
    let dir = temp_dir("orders-output");
    let total = write_orders(&dir, 2, 300);
    let orders = files_mart(&app, &dir, json!({"batch_size": 200})).await;
    let run = start_run(&app, &orders, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    let owner = app.token(sluice_domain::Role::Owner).to_string();
    let looker = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Looker", "kind": "looker_studio", "config": {}})),
            201,
        )
        .await["id"]
        .clone();
    let key = app
        .owner(
            "POST",
            &format!(
                "/v1/destinations/{}/rotate-key",
                looker.as_str().expect("id")
            ),
            None,
            200,
        )
        .await["key"]
        .as_str()
        .expect("a key")
        .to_string();
    let report = |output: Value| json!({"title": "Shaped", "data_mart_id": orders, "destination_id": looker, "output": output});
    let filtered = json!({
        "columns": [{"column": "id"}, {"column": "customer", "alias": "who"}, {"column": "quantity"}],
        "filters": [
            {"column": "quantity", "op": "gte", "value": {"param": "qmin"}},
            {"column": "customer", "op": "starts_with", "value": "CUST 1"}
        ],
        "sort": [{"column": "id", "descending": true}],
        "limit": 5,
        "parameters": [{"name": "qmin", "type": "number", "default": 3}]
    });
    let shaped = app
        .owner("POST", "/v1/reports", Some(&report(filtered.clone())), 201)
        .await;
    let shaped = shaped["id"].as_str().expect("id").to_string();
    let pull = |query: String| {
        let (app, key, shaped) = (&app, key.clone(), shaped.clone());
        async move {
            app.send(
                "GET",
                &format!("/v1/reports/{shaped}/data?format=json{query}"),
                &key,
                None,
            )
            .await
        }
    };
    for (query, qmin) in [(String::new(), 3), ("&param[qmin]=7".to_string(), 7)] {
        let got = pull(query).await;
        assert_eq!(got.status, 200, "{}", got.text);
        let got = got.json();
        let names: Vec<&str> = got["schema"]
            .as_array()
            .expect("schema")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(names, ["id", "who", "quantity"]);
        let by_hand = query_rows(
            &app,
            &orders,
            &format!(
                "SELECT id, customer, quantity FROM ${{DATA_MART_TABLE}} \
                 WHERE quantity >= {qmin} AND customer LIKE 'CUST 1%' ORDER BY id DESC LIMIT 5"
            ),
        )
        .await;
        assert_eq!(by_hand.len(), 5);
        assert_eq!(rows_in_order(&got), by_hand, "qmin {qmin}");
    }
    let bad = pull("&param[qmin]=lots".into()).await;
    assert_eq!(
        (bad.status, bad.field()),
        (422, "param[qmin]".to_string()),
        "{}",
        bad.text
    );
    let bad = pull("&param[other]=1".into()).await;
    assert_eq!(
        (bad.status, bad.field()),
        (422, "param[other]".to_string()),
        "{}",
        bad.text
    );

    // Grouped by month and customer, with a totals row last.
    let grouped = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&report(json!({
                "group_by": [{"column": "day", "bucket": "month", "alias": "month"}, {"column": "customer"}],
                "aggregations": [
                    {"function": "sum", "column": "amount", "alias": "total"},
                    {"function": "count", "alias": "n"},
                    {"function": "count_distinct", "column": "id", "alias": "ids"},
                    {"function": "avg", "column": "amount", "alias": "mean"},
                    {"function": "min", "column": "quantity", "alias": "least"},
                    {"function": "max", "column": "quantity", "alias": "most"},
                    {"function": "percentile", "column": "quantity", "percentile": 0.5, "alias": "median"}
                ],
                "sort": [{"column": "total", "descending": true}],
                "totals": true,
                "time_zone": "Europe/Berlin"
            }))),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let got = app
        .send(
            "GET",
            &format!("/v1/reports/{grouped}/data?format=json"),
            &key,
            None,
        )
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    let rows = rows_in_order(&got.json());
    assert_eq!(
        rows.len(),
        14,
        "13 customers in one month, then the totals: {rows:?}"
    );
    let (body, last) = rows.split_at(13);
    assert!(body.iter().all(|r| r[0] == "2026-11-01"), "{body:?}");
    let totals: Vec<f64> = body.iter().map(|r| r[2].as_f64().expect("total")).collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "sorted by total: {totals:?}"
    );
    let last = &last[0];
    assert!(last[0].is_null() && last[1].is_null(), "{last}");
    assert!(
        (last[2].as_f64().expect("sum") - total).abs() < 1e-6,
        "{last}"
    );
    assert_eq!((last[3].clone(), last[4].clone()), (json!(600), json!(600)));
    assert_eq!((last[6].clone(), last[7].clone()), (json!(1), json!(7)));

    // Bad controls name their field; the mart's schema is known after its run.
    for (output, field) in [
        (
            json!({"columns": [{"column": "nope"}]}),
            "output.columns[0].column",
        ),
        (
            json!({"filters": [{"column": "id", "op": "in", "value": []}]}),
            "output.filters[0].value",
        ),
        (
            json!({"group_by": [{"column": "customer", "bucket": "day"}], "aggregations": [{"function": "count", "alias": "n"}]}),
            "output.group_by[0].bucket",
        ),
        (
            json!({"sort": [{"column": "who"}], "columns": [{"column": "id"}]}),
            "output.sort[0].column",
        ),
    ] {
        app.refused("POST", "/v1/reports", &report(output), field)
            .await;
    }
    let mut both = report(json!({}));
    both["query"] = json!("SELECT 1");
    app.refused("POST", "/v1/reports", &both, "output").await;

    // A report run takes the values of its parameters.
    let export = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Exports", "kind": "object_export", "config": {"folder": "shaped"}})),
            201,
        )
        .await["id"]
        .clone();
    let mut exported = report(filtered);
    exported["destination_id"] = export;
    let exported = app.owner("POST", "/v1/reports", Some(&exported), 201).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let path = format!("/v1/reports/{exported}/runs");
    app.refused(
        "POST",
        &path,
        &json!({"parameters": {"nope": 1}}),
        "parameters.nope",
    )
    .await;
    app.refused(
        "POST",
        &path,
        &json!({"parameters": {"qmin": "x"}}),
        "parameters.qmin",
    )
    .await;
    let started = app
        .send(
            "POST",
            &path,
            &owner,
            Some(&json!({"parameters": {"qmin": 7}})),
        )
        .await;
    assert_eq!(started.status, 202, "{}", started.text);
    let started = started.json();
    assert_eq!(started["parameters"], json!({"qmin": 7}));
    let done = wait_report_run(&app, started["id"].as_str().expect("id")).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["rows"], 5, "{done}");
    app.stop().await;
}

/// Waits until `r` has received `n` requests; their JSON bodies.
async fn received_json(r: &Receiver, n: usize) -> Vec<Value> {
    let start = std::time::Instant::now();
    loop {
        let got: Vec<Value> = r
            .got
            .lock()
            .expect("lock")
            .iter()
            .map(|(_, body)| serde_json::from_slice(body).unwrap_or(Value::Null))
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(start.elapsed() < LONG, "{n} requests expected, got {got:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A project hears how runs end where it asked: a failed data mart run at its
/// webhook (JSON), Slack and Teams (their incoming webhooks' message shapes)
/// and by e-mail, each with the run's id, reason and link; a repeated run
/// event announces nothing again; successes only once switched on; a report
/// run's failure too. The URLs stay secrets: the project shows their origins.
#[tokio::test]
async fn a_run_that_ends_is_announced_once_where_the_project_asked() {
    let smtp = sluice_tests::smtp::SmtpServer::start();
    let mut app = spawn_app_without_workers().await;
    app.deps.mailer = Some(std::sync::Arc::new(
        sluice_connectors::smtp::SmtpMailer::new(&smtp.url(), "sluice@sluice.test")
            .expect("a mailer"),
    ));
    app.start_engine().await;
    let (hook, slack, teams) = (
        receiver(&[200]).await,
        receiver(&[200]).await,
        receiver(&[200]).await,
    );
    let project = app
        .owner(
            "PATCH",
            "/v1/project",
            Some(&json!({
                "webhook_url": hook.url, "slack_webhook_url": slack.url, "teams_webhook_url": teams.url,
                "notifications": {"emails": ["ops@example.com"]}
            })),
            200,
        )
        .await;
    assert_eq!(
        project["notifications"],
        json!({"on_failure": true, "on_success": false, "emails": ["ops@example.com"]})
    );
    assert!(
        project["slack"]["origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("http://127.0.0.1")),
        "{project}"
    );
    let shown = app.owner("GET", "/v1/project", None, 200).await.to_string();
    assert!(!shown.contains("s3cr3t-token"), "{shown}");
    app.refused(
        "PATCH",
        "/v1/project",
        &json!({"notifications": {"emails": ["nobody"]}}),
        "notifications.emails[0]",
    )
    .await;

    // A run that succeeds is not announced (successes are off).
    let dir = temp_dir("orders-notify");
    write_orders(&dir, 1, 50);
    let orders = files_mart(&app, &dir, json!({})).await;
    let run = start_run(&app, &orders, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    // One that fails is, on every channel.
    let storage = app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "Lake", "kind": "local"})),
            201,
        )
        .await;
    let broken = mart_of(
        &app,
        &storage,
        json!({"kind": "sql", "query": format!("SELECT CAST(customer AS BIGINT) AS n FROM {}", orders.to_ascii_lowercase())}),
    )
    .await;
    let failed = start_run(&app, &broken, json!({})).await;
    let done = wait_final(&app, &failed, LONG).await;
    assert_eq!(done["status"], "failed", "{done}");
    let json_hook = received_json(&hook, 1).await;
    assert_eq!(
        json_hook.len(),
        1,
        "the success went unannounced: {json_hook:?}"
    );
    let j = &json_hook[0];
    assert_eq!(
        (j["event"].as_str(), j["status"].as_str()),
        (Some("RunFailed"), Some("failed")),
        "{j}"
    );
    assert_eq!(j["run_id"], json!(failed));
    assert_eq!(j["link"], json!(format!("/v1/runs/{failed}")));
    assert!(
        j["error"]
            .as_str()
            .is_some_and(|e| e.to_ascii_lowercase().contains("cast")),
        "{j}"
    );
    let s = &received_json(&slack, 1).await[0];
    let text = s["text"].as_str().unwrap_or_default();
    assert!(text.contains("failed") && text.contains(&failed), "{s}");
    assert_eq!(s["blocks"][0]["type"], "section");
    let t = &received_json(&teams, 1).await[0];
    assert_eq!(
        (t["@type"].as_str(), t["themeColor"].as_str()),
        (Some("MessageCard"), Some("D63333")),
        "{t}"
    );
    assert_eq!(
        t["potentialAction"][0]["targets"][0]["uri"],
        json!(format!("/v1/runs/{failed}"))
    );
    let start = std::time::Instant::now();
    while smtp.messages().is_empty() {
        assert!(start.elapsed() < LONG, "the notice is mailed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mail = smtp.messages().join("\n");
    assert!(
        mail.contains("Data mart run failed") && mail.contains(&failed),
        "{mail}"
    );

    // The same event again (at-least-once delivery) announces nothing more.
    let event = sluice_domain::ports::RunEvent {
        kind: sluice_domain::ports::RunEventKind::RunFailed,
        project_id: app.project.clone(),
        run_id: sluice_domain::Id::parse(sluice_domain::Kind::Run, &failed).expect("id"),
        data_mart_id: sluice_domain::Id::parse(sluice_domain::Kind::DataMart, &broken).expect("id"),
        at: chrono::Utc::now(),
    };
    let mut deps = app.deps.clone();
    deps.notifier = Some(std::sync::Arc::new(
        sluice_connectors::webhook::WebhookNotifier::new(&deps.egress),
    ));
    sluice_app::services::scheduler::on_event(
        &sluice_app::services::scheduler::Scheduler::new(deps.clone()).expect("a queue"),
        &event,
    )
    .await
    .expect("reacted");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.got.lock().expect("lock").len(), 1);
    assert_eq!(slack.got.lock().expect("lock").len(), 1);
    assert_eq!(smtp.messages().len(), 1);

    // Successes once switched on; a report run's failure as well.
    app.owner(
        "PATCH",
        "/v1/project",
        Some(&json!({"notifications": {"on_success": true}})),
        200,
    )
    .await;
    let again = start_run(&app, &orders, json!({})).await;
    assert_eq!(wait_final(&app, &again, LONG).await["status"], "succeeded");
    let j = &received_json(&hook, 2).await[1];
    assert_eq!(
        (j["event"].as_str(), j["run_id"].as_str()),
        (Some("RunSucceeded"), Some(again.as_str())),
        "{j}"
    );
    let export = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Exports", "kind": "object_export", "config": {"folder": "notices"}})),
            201,
        )
        .await["id"]
        .clone();
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Of the broken", "data_mart_id": broken, "destination_id": export})),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rr = app
        .owner("POST", &format!("/v1/reports/{report}/runs"), None, 202)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(wait_report_run(&app, &rr).await["status"], "failed");
    let j = &received_json(&hook, 3).await[2];
    assert_eq!(
        (j["event"].as_str(), j["run_id"].as_str()),
        (Some("ReportRunFailed"), Some(rr.as_str())),
        "{j}"
    );
    assert_eq!(j["title"], "Of the broken");
    for r in [hook, slack, teams] {
        r.task.abort();
    }
    app.stop().await;
}

/// A report exported as Parquet keeps its columns' types, and a run's file is
/// downloaded through the API (locally the bytes, a piece at a time) by any
/// role of the project and by no one else; a run whose file a later delivery
/// replaced says so.
#[tokio::test]
async fn a_parquet_export_keeps_its_types_and_is_downloaded_from_its_run() {
    use sluice_engine::datafusion::arrow::array::{Array, Float64Array};
    use sluice_engine::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let app = spawn_app().await;
    let dir = temp_dir("orders-parquet");
    let total = write_orders(&dir, 2, 300);
    let orders = files_mart(&app, &dir, json!({"batch_size": 200})).await;
    let run = start_run(&app, &orders, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    app.refused(
        "POST",
        "/v1/destinations",
        &json!({"title": "x", "kind": "object_export", "config": {"format": "parquet", "compression": "gzip"}}),
        "config.compression",
    )
    .await;
    let export = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Lake", "kind": "object_export",
                "config": {"format": "parquet", "folder": "typed", "file_name": "orders"}})),
            201,
        )
        .await["id"]
        .clone();
    let report = |limit: u64| {
        json!({"title": "Typed", "data_mart_id": orders, "destination_id": export,
            "output": {"columns": [{"column": "id"}, {"column": "amount"}, {"column": "day"}, {"column": "customer"}],
                       "sort": [{"column": "id"}], "limit": limit}})
    };
    let all = app
        .owner("POST", "/v1/reports", Some(&report(1000)), 201)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rr = app
        .owner("POST", &format!("/v1/reports/{all}/runs"), None, 202)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let done = wait_report_run(&app, &rr).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["delivered"]["target"], "typed/orders.parquet");
    let path = format!("/v1/report-runs/{rr}/download");
    let viewer = app.token(sluice_domain::Role::Viewer).to_string();
    let got = app.send("GET", &path, &viewer, None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(
        got.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/vnd.apache.parquet")
    );
    assert!(
        got.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("orders.parquet")),
        "{:?}",
        got.headers
    );
    let raw = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(&viewer)
        .send()
        .await
        .expect("fetched")
        .bytes()
        .await
        .expect("the file");
    assert_eq!(raw.len() as u64, done["bytes"].as_u64().expect("bytes"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(raw)
        .expect("a Parquet file")
        .build()
        .expect("a reader");
    let (mut rows, mut sum) = (0usize, 0.0);
    for batch in reader {
        let batch = batch.expect("a batch");
        let schema = batch.schema();
        let types: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.data_type().to_string())
            .collect();
        assert_eq!(
            types,
            ["Int64", "Float64", "Date32", "Utf8"],
            "typed columns"
        );
        let amounts = batch
            .column(1)
            .as_any()
            .downcast_ref::<Float64Array>()
            .expect("amounts");
        sum += amounts.iter().flatten().sum::<f64>();
        rows += batch.num_rows();
        assert_eq!(batch.column(0).null_count(), 0);
    }
    assert_eq!(rows, 600);
    assert!((sum - total).abs() < 1e-6, "{sum} {total}");

    // No one of another project.
    let stranger = app.strangers[&sluice_domain::Role::Owner].clone();
    assert_eq!(app.send("GET", &path, &stranger, None).await.status, 404);
    // A later, smaller delivery to the same file replaces the first one's.
    let fewer = app
        .owner("POST", "/v1/reports", Some(&report(10)), 201)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let later = app
        .owner("POST", &format!("/v1/reports/{fewer}/runs"), None, 202)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(wait_report_run(&app, &later).await["status"], "succeeded");
    let replaced = app.send("GET", &path, &viewer, None).await;
    assert_eq!(replaced.status, 409, "{}", replaced.text);
    assert!(replaced.text.contains("replaced"), "{}", replaced.text);
    assert_eq!(
        app.send(
            "GET",
            &format!("/v1/report-runs/{later}/download"),
            &viewer,
            None
        )
        .await
        .status,
        200
    );
    app.stop().await;
}

/// A report mailed as XLSX carries an Excel workbook of every row: a bold
/// header, numbers as numbers, dates as dates, text as shared strings (read back by Python's
/// own `email` and `zipfile`, as another program would).
#[tokio::test]
async fn a_report_mailed_as_xlsx_carries_a_workbook_of_its_rows() {
    let smtp = sluice_tests::smtp::SmtpServer::start();
    let mut app = spawn_app_without_workers().await;
    app.deps.mailer = Some(std::sync::Arc::new(
        sluice_connectors::smtp::SmtpMailer::new(&smtp.url(), "reports@sluice.test")
            .expect("a mailer"),
    ));
    app.start_engine().await;
    let dir = temp_dir("report-xlsx");
    write_orders(&dir, 1, 30);
    let mart = files_mart(&app, &dir, json!({})).await;
    let run = start_run(&app, &mart, json!({})).await;
    assert_eq!(wait_final(&app, &run, LONG).await["status"], "succeeded");
    app.refused(
        "POST",
        "/v1/destinations",
        &json!({"title": "x", "kind": "email", "config": {"to": ["a@example.com"], "attachment": "pdf"}}),
        "config.attachment",
    )
    .await;
    let dest = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Finance", "kind": "email",
                "config": {"to": ["ops@example.com"], "attachment": "xlsx"}})),
            201,
        )
        .await["id"]
        .clone();
    let report = app
        .owner(
            "POST",
            "/v1/reports",
            Some(&json!({"title": "Orders", "data_mart_id": mart, "destination_id": dest,
                "output": {"columns": [{"column": "id"}, {"column": "customer"}, {"column": "amount"}, {"column": "day"}],
                           "sort": [{"column": "id"}]}})),
            201,
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let rr = app
        .owner("POST", &format!("/v1/reports/{report}/runs"), None, 202)
        .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let done = wait_report_run(&app, &rr).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["delivered"]["format"], "xlsx");
    let mail = smtp.messages().pop().expect("a message");
    let script = r#"
import email, io, json, re, sys, zipfile
msg = email.message_from_string(sys.stdin.read())
part = next(p for p in msg.walk() if (p.get_filename() or "").endswith(".xlsx"))
book = zipfile.ZipFile(io.BytesIO(part.get_payload(decode=True)))
sheet = book.read("xl/worksheets/sheet1.xml").decode()
strings = re.findall(r"<t[^>]*>([^<]*)</t>", book.read("xl/sharedStrings.xml").decode())
cells = re.findall(r'<c r="([A-Z]+[0-9]+)"([^>]*)>(?:<v>([^<]*)</v>)?', sheet)
print(json.dumps({"type": part.get_content_type(), "rows": sheet.count("<row "),
    "strings": strings, "cells": {r: [a, v] for r, a, v in cells}}))
"#;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), mail.as_bytes())
        .expect("the message");
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let book: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        book["type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(book["rows"], 31, "a header and 30 rows: {book}");
    let strings: Vec<&str> = book["strings"]
        .as_array()
        .expect("strings")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(&strings[..3], ["id", "customer", "amount"]);
    assert!(strings.contains(&"CUST 1"), "{strings:?}");
    // A2 is the number 1 (no `t="s"`: not a string); A1 a shared string.
    assert_eq!(book["cells"]["A2"][1], "1", "{book}");
    assert!(
        !book["cells"]["A2"][0]
            .as_str()
            .unwrap_or_default()
            .contains("t=\"s\"")
    );
    assert!(
        book["cells"]["A1"][0]
            .as_str()
            .unwrap_or_default()
            .contains("t=\"s\"")
    );
    assert_eq!(book["cells"]["C2"][1], "2.74", "{book}");
    // D2 is order 1's day, 2026-11-02, as an Excel date: its serial number
    // (days since 1899-12-30) in a cell with a date style, not text.
    assert_eq!(book["cells"]["D2"][1], "46328", "{book}");
    let d2 = book["cells"]["D2"][0].as_str().unwrap_or_default();
    assert!(d2.contains(" s=\"") && !d2.contains("t=\"s\""), "{book}");
    app.stop().await;
}

/// Jira issues from a CSV file: each status through the project's value map of
/// status categories (unknown statuses take its default), each issue type
/// through a case-insensitive map of hierarchy levels (numbers land as numbers).
#[tokio::test]
async fn a_csv_column_mapped_through_a_value_map_lands_the_maps_values() {
    let app = spawn_app().await;
    let dir = temp_dir("jira-csv");
    std::fs::write(
        dir.join("issues.csv"),
        "key,status,type\n\
         SL-1,To Do,Story\n\
         SL-2,In Review,BUG\n\
         SL-3,Done,epic\n\
         SL-4,Closed,Sub-task\n\
         SL-5,Won't Fix,Spike\n\
         SL-6,Backlog,Task\n\
         SL-7,In Progress,Story\n",
    )
    .expect("file");
    let entries = |pairs: &[(&str, Value)]| -> Value {
        pairs
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect()
    };
    app.owner(
        "POST",
        "/v1/value-maps",
        Some(&json!({"name": "status_categories", "title": "Jira status categories", "entries": entries(&[
            ("Backlog", json!("To Do")), ("To Do", json!("To Do")),
            ("In Progress", json!("In Progress")), ("In Review", json!("In Progress")),
            ("Done", json!("Done")), ("Closed", json!("Done"))
        ])})),
        201,
    )
    .await;
    app.owner(
        "POST",
        "/v1/value-maps",
        Some(&json!({"name": "hierarchy_levels", "title": "Issue type levels", "case_insensitive": true, "entries": entries(&[
            ("Epic", json!(1)), ("Story", json!(0)), ("Task", json!(0)), ("Bug", json!(0)), ("Sub-task", json!(-1))
        ])})),
        201,
    )
    .await;
    let mart = sluice_tests::runs::files_mart_of(
        &app,
        json!({"location": dir.display().to_string(), "format": "csv"}),
        "*.csv",
        json!({"columns": [
            {"target": "key", "source": "key"},
            {"target": "status", "source": "status"},
            {"target": "category", "source": "status", "ops": [{"op": "trim"}, {"op": "map", "map": "status_categories", "default": "Other"}]},
            {"target": "level", "source": "type", "ops": [{"op": "map", "map": "hierarchy_levels"}]}
        ]}),
        json!({"batch_size": 100}),
    )
    .await;
    let run = start_run(&app, &mart, json!({})).await;
    let done = wait_final(&app, &run, LONG).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["counters"]["rows_written"], 7, "{done}");
    let q = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT key, category, level, level + 1 AS next_level FROM ${DATA_MART_TABLE} ORDER BY key"})),
            200,
        )
        .await;
    assert_eq!(
        q["rows"],
        json!([
            ["SL-1", "To Do", 0, 1],
            ["SL-2", "In Progress", 0, 1],
            ["SL-3", "Done", 1, 2],
            ["SL-4", "Done", -1, 0],
            ["SL-5", "Other", null, null],
            ["SL-6", "To Do", 0, 1],
            ["SL-7", "In Progress", 0, 1]
        ]),
        "{q}"
    );
    let counts = app
        .owner(
            "POST",
            &format!("/v1/data-marts/{mart}/query"),
            Some(&json!({"sql": "SELECT category, count(*) AS n FROM ${DATA_MART_TABLE} GROUP BY category ORDER BY category"})),
            200,
        )
        .await;
    assert_eq!(
        counts["rows"],
        json!([["Done", 2], ["In Progress", 2], ["Other", 1], ["To Do", 2]]),
        "{counts}"
    );
    // The schema the run actualized has the maps' types.
    let schema = app
        .owner("GET", &format!("/v1/data-marts/{mart}"), None, 200)
        .await["schema"]
        .clone();
    let type_of = |name: &str| {
        schema
            .as_array()
            .and_then(|f| f.iter().find(|f| f["name"] == name))
            .map(|f| f["type"].clone())
    };
    assert_eq!(type_of("level"), Some(json!("int")), "{schema}");
    assert_eq!(type_of("category"), Some(json!("string")), "{schema}");

    // A map gone from under a published mart (deleted while it was being
    // saved) fails the next run, naming the op, instead of landing anything.
    let project = app.project.clone();
    let map_id = sluice_domain::entities::ValueMap::id_for(&project, "hierarchy_levels");
    sluice_app::records::update::<sluice_domain::entities::ValueMap>(
        app.deps.store.as_ref(),
        &project,
        map_id.as_id(),
        chrono::Utc::now(),
        |m| {
            m.meta.deleted_at = Some(chrono::Utc::now());
            true
        },
    )
    .await
    .expect("deleted")
    .expect("the map");
    std::fs::write(dir.join("later.csv"), "key,status,type\nSL-8,Done,Epic\n").expect("file");
    let run = start_run(&app, &mart, json!({})).await;
    let failed = wait_final(&app, &run, LONG).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let text = failed.to_string();
    assert!(
        text.contains("columns[3].ops[0].map") && text.contains("`hierarchy_levels` not found"),
        "{failed}"
    );
    app.stop().await;
}

/// A live view of a run (`GET /v1/runs/{id}/events`), read as it arrives.
struct LiveView {
    response: reqwest::Response,
    buffer: String,
}

/// One server-sent event: its `id`, `event` and `data` lines.
#[derive(Debug)]
struct Sse {
    id: u64,
    event: String,
    data: Value,
}

impl LiveView {
    async fn open(app: &sluice_tests::app::TestApp, run: &str, token: &str) -> LiveView {
        let response = app
            .client
            .get(format!("{}/v1/runs/{run}/events", app.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("the live view answers");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().ok(),
            Some("text/event-stream")
        );
        LiveView {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (heartbeat comments skipped); `None` when the stream ends.
    async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (0, String::new(), String::new());
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("id: ") {
                        id = v.parse().expect("a numeric id");
                    } else if let Some(v) = line.strip_prefix("event: ") {
                        event = v.to_string();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if event.is_empty() {
                    continue; // a comment: the heartbeat
                }
                let data = serde_json::from_str(&data).expect("each event's data is JSON");
                return Some(Sse { id, event, data });
            }
            match self.response.chunk().await.expect("the stream reads") {
                Some(bytes) => self
                    .buffer
                    .push_str(std::str::from_utf8(&bytes).expect("UTF-8")),
                None => {
                    assert!(
                        self.buffer.trim().is_empty(),
                        "a cut event: {}",
                        self.buffer
                    );
                    return None;
                }
            }
        }
    }
}

/// The live view sends the run's whole state first, then again as its events
/// come, in order (counters and chunks only grow), and ends after the state in
/// which the run is over.
#[tokio::test]
async fn a_run_is_followed_live_in_order_until_it_ends() {
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("live");
    write_orders(&dir, 3, 200);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &mart, json!({})).await;
    let owner = app.token(sluice_domain::Role::Owner).to_string();
    let mut view = LiveView::open(&app, &run, &owner).await;
    let first = view.next().await.expect("the snapshot");
    assert_eq!((first.id, first.event.as_str()), (1, "run"));
    assert_eq!(first.data["event"], "snapshot", "{}", first.data);
    assert_eq!(first.data["run"]["id"], json!(run));
    assert_eq!(first.data["run"]["status"], "queued");
    // The stages run while the view reads (one message at a time).
    let machine = Machine::new(app.deps.clone(), Limits::default()).expect("machine");
    let reader = tokio::spawn(async move {
        let mut seen = vec![];
        while let Some(e) = view.next().await {
            seen.push(e);
        }
        seen
    });
    drain(&app, &machine, 10_000).await;
    let seen = tokio::time::timeout(LONG, reader)
        .await
        .expect("the stream ends once the run is over")
        .expect("the reader");
    assert!(seen.len() >= 2, "{seen:?}");
    let (mut id, mut written, mut done) = (first.id, 0, 0);
    for e in &seen {
        assert_eq!(e.event, "run");
        assert!(e.id > id, "ids grow: {seen:?}");
        id = e.id;
        let r = &e.data["run"];
        let w = r["counters"]["rows_written"].as_u64().expect("counters");
        let d = r["progress"]["chunks_done"].as_u64().expect("progress");
        assert!(w >= written && d >= done, "{seen:?}");
        (written, done) = (w, d);
        assert!(e.data["event_at"].is_string());
    }
    let kinds: Vec<&str> = seen
        .iter()
        .filter_map(|e| e.data["event"].as_str())
        .collect();
    assert!(
        kinds.contains(&"RunStarted") || kinds.contains(&"RunProgressed"),
        "{kinds:?}"
    );
    let last = &seen.last().expect("an end").data;
    assert_eq!(last["event"], "RunSucceeded", "{last}");
    assert_eq!(last["run"]["status"], "succeeded", "{last}");
    assert_eq!(last["run"]["progress"]["fraction"], 1.0);
    assert_eq!(last["run"]["counters"]["rows_written"], 600);
    // A run that is over: its state, and the end at once.
    let mut again = LiveView::open(&app, &run, &owner).await;
    let only = again.next().await.expect("the snapshot");
    assert_eq!(only.data["run"]["status"], "succeeded");
    assert!(
        again.next().await.is_none(),
        "nothing follows a finished run"
    );
    app.stop().await;
}

/// The live view takes a credential like every route (in the header: never in
/// the URL), and another project's run is not found, like a missing one.
#[tokio::test]
async fn a_live_view_needs_a_credential_and_stays_in_its_project() {
    let app = spawn_app_without_workers().await;
    let dir = temp_dir("live-walls");
    write_orders(&dir, 1, 10);
    let mart = files_mart(&app, &dir, json!({"batch_size": 100})).await;
    let run = start_run(&app, &mart, json!({})).await;
    let path = format!("/v1/runs/{run}/events");
    for token in ["", "not-a-token"] {
        let r = app.send("GET", &path, token, None).await;
        assert_eq!(
            (r.status, r.code()),
            (401, "unauthorized".into()),
            "{}",
            r.text
        );
    }
    let stranger = app.strangers[&sluice_domain::Role::Owner].clone();
    let r = app.send("GET", &path, &stranger, None).await;
    assert_eq!(
        (r.status, r.code()),
        (404, "not_found".into()),
        "{}",
        r.text
    );
    let r = app
        .send(
            "GET",
            "/v1/runs/run_nope/events",
            app.token(sluice_domain::Role::Viewer),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    // A viewer may follow it; the same request with the token in the query
    // string is no credential.
    let r = app
        .send("GET", &format!("{path}?access_token={stranger}"), "", None)
        .await;
    assert_eq!(r.status, 401, "{}", r.text);
    let mut view = LiveView::open(&app, &run, app.token(sluice_domain::Role::Viewer)).await;
    let first = view.next().await.expect("the snapshot");
    assert_eq!(first.data["run"]["status"], "queued");
    // Cancelled: the view gets the end and closes.
    app.owner("POST", &format!("/v1/runs/{run}/cancel"), None, 200)
        .await;
    let end = view.next().await.expect("the cancel");
    assert_eq!(end.data["run"]["status"], "cancelled", "{:?}", end);
    assert_eq!(end.data["event"], "RunFailed");
    assert!(view.next().await.is_none());
    app.stop().await;
}
