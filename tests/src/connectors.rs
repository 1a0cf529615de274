//! Every connector in the catalog runs: a run of a data mart over each one is
//! started through the API, its first message is found on that connector's own
//! extraction queue, and the extraction stage (the Lambda glue a deployed
//! function runs) takes it and moves the run. Run on both stacks (the embedded
//! one, and AWS over moto) by `connector_tests!`.
//!
//! A connector added to the catalog without a runnable fixture here fails the
//! test: the catalog lists only what runs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sluice_domain::connectors::registry;
use sluice_domain::entities::StageState;
use sluice_lambda::stage::{Extract, handle_batch};
use sluice_runs::{Limits, Machine};

use crate::app::{TestApp, temp_dir};
use crate::as_sqs_event;

/// What a fixture keeps running until its connector's run is checked.
enum Served {
    Task(tokio::task::JoinHandle<()>),
    Database(crate::postgres::Postgres),
    Mysql(crate::mysql::Mysql),
    Files(crate::app::TempDir),
}

/// A source config a run of `connector` can extract, with what it needs served.
async fn fixture(connector: &str) -> (Value, String, Served) {
    match connector {
        "files" => {
            let dir = temp_dir("every-connector");
            std::fs::write(dir.join("orders.csv"), "id,amount\n1,2.5\n2,3.5\n")
                .expect("write the fixture file");
            (
                json!({"location": dir.to_string_lossy(), "format": "csv"}),
                "*.csv".into(),
                Served::Files(dir),
            )
        }
        "http_json" => {
            // An API answering one page of two records, then an empty one.
            let (server, url) = replay(|target| {
                if target.contains("page=2") {
                    "[]".into()
                } else {
                    r#"[{"id":1,"amount":2.5},{"id":2,"amount":3.5}]"#.into()
                }
            })
            .await;
            (
                json!({"base_url": url}),
                "orders".into(),
                Served::Task(server),
            )
        }
        "postgres" => {
            // A server of the distribution's, with a table of two rows.
            let pg = crate::postgres::Postgres::start()
                .await
                .expect("postgres starts");
            pg.client()
                .await
                .expect("a client")
                .batch_execute(
                    "CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10,2));
                     INSERT INTO orders VALUES (1, 2.5), (2, 3.5);",
                )
                .await
                .expect("the fixture table");
            (
                json!({"url": pg.url()}),
                "public.orders".into(),
                Served::Database(pg),
            )
        }
        "mysql" => {
            // A MariaDB of the distribution's, with a table of two rows.
            let my = crate::mysql::Mysql::start().await.expect("mariadb starts");
            my.exec(
                "CREATE TABLE orders (id bigint PRIMARY KEY, amount decimal(10,2));
                 INSERT INTO orders VALUES (1, 2.5), (2, 3.5);",
            )
            .await
            .expect("the fixture table");
            (
                json!({"url": my.url()}),
                "sluice_test.orders".into(),
                Served::Mysql(my),
            )
        }
        "github" | "jira" | "bank_of_canada" | "openholidays" | "openexchangerates" => {
            let (mut config, stream, answer): (Value, &str, fn(&str) -> String) = match connector {
                "github" => (
                    json!({"token": "ghp_fixture", "repositories": ["octo/hello"]}),
                    "issues",
                    github,
                ),
                "jira" => (
                    json!({"username": "ana@example.com", "password": "atlassian-api-token"}),
                    "issues",
                    jira,
                ),
                "bank_of_canada" => (
                    json!({"series": ["FXUSDCAD"], "start_date": days_ago(3)}),
                    "observations",
                    bank_of_canada,
                ),
                "openholidays" => (
                    json!({"countries": ["DE"], "start_date": days_ago(3)}),
                    "public_holidays",
                    openholidays,
                ),
                _ => (
                    json!({"api_key": "oxr-fixture", "start_date": days_ago(2), "symbols": "EUR"}),
                    "historical_rates",
                    openexchangerates,
                ),
            };
            let (server, url) = replay(answer).await;
            config["base_url"] = json!(url);
            config["requests_per_minute"] = json!(100_000);
            (config, stream.to_string(), Served::Task(server))
        }
        other => panic!(
            "connector `{other}` is in the catalog with no runnable fixture in tests/src/connectors.rs"
        ),
    }
}

/// The day `n` days before today, as a config's `start_date`.
fn days_ago(n: u64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Days::new(n))
        .format("%Y-%m-%d")
        .to_string()
}

/// An API on a free port answering each request's path and query with the
/// JSON `answer` gives, one request per connection; its base URL is put in
/// the fixture's config by the caller.
async fn replay(answer: fn(&str) -> String) -> (tokio::task::JoinHandle<()>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = s.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let target = head.split(' ').nth(1).unwrap_or("/").to_string();
            let body = answer(&target);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
        }
    });
    (server, format!("http://{addr}"))
}

/// GitHub's repository and its issues, as its REST API answers them.
fn github(target: &str) -> String {
    if target.starts_with("/repos/octo/hello/issues") {
        json!([{
            "id": 1, "number": 1, "title": "Found a bug", "state": "open",
            "user": {"login": "octocat"}, "labels": [], "comments": 0,
            "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-02T09:00:00Z"
        }])
    } else {
        json!({"id": 1296269, "full_name": "octo/hello", "name": "hello", "owner": {"login": "octo"}})
    }
    .to_string()
}

/// Jira Cloud's issue search: one page of one issue.
fn jira(_: &str) -> String {
    json!({"issues": [{"id": "10001", "key": "OPS-1", "fields": {
        "summary": "Deploy", "updated": "2026-11-02T09:00:00.000+0000",
        "status": {"name": "Done", "statusCategory": {"key": "done"}}}}], "isLast": true})
    .to_string()
}

/// Valet's observations of a series.
fn bank_of_canada(_: &str) -> String {
    json!({"seriesDetail": {"FXUSDCAD": {"label": "USD/CAD"}}, "observations": [
        {"d": days_ago(1), "FXUSDCAD": {"v": "1.3990"}}
    ]})
    .to_string()
}

/// OpenHolidays' public holidays.
fn openholidays(_: &str) -> String {
    json!([{"id": "a1b2", "startDate": days_ago(1), "endDate": days_ago(1), "type": "Public",
        "name": [{"language": "EN", "text": "A holiday"}], "nationwide": true}])
    .to_string()
}

/// A day's rates from Open Exchange Rates.
fn openexchangerates(_: &str) -> String {
    json!({"timestamp": 1_795_000_000, "base": "USD", "rates": {"EUR": 0.93}}).to_string()
}

/// The source tested and discovered through the API, as a run reaches it: every
/// check passes, the fixture's stream is offered (or, where the user names
/// streams, read by its name) with its two fields and their casts.
async fn check_source(app: &TestApp, connector: &str, source: &Value, stream: &str) {
    if let Some(declared) = registry()
        .iter()
        .find(|c| c.name == connector)
        .and_then(|c| c.rest)
    {
        return check_declared_source(app, declared, source, stream).await;
    }
    let id = source["id"].as_str().expect("source id");
    let test = app
        .owner("POST", &format!("/v1/sources/{id}/test"), None, 200)
        .await;
    assert_eq!(test["ok"], true, "{connector}: {test}");
    let checks: Vec<&str> = test["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["check"].as_str())
        .collect();
    let want: &[&str] = match connector {
        "http_json" => &["reachable", "authorized"],
        _ => &["reachable", "authorized", "readable"],
    };
    assert_eq!(checks, want, "{connector}: {test}");
    let (listed, offered) = match connector {
        "files" => ("orders.csv", true),
        "postgres" => ("public.orders", true),
        "mysql" => ("sluice_test.orders", true),
        _ => (stream, false),
    };
    if offered {
        let all = app
            .owner("GET", &format!("/v1/sources/{id}/streams"), None, 200)
            .await;
        let names: Vec<&str> = all["streams"]
            .as_array()
            .expect("streams")
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(names, [listed], "{connector}: {all}");
    } else {
        let refused = app
            .send(
                "GET",
                &format!("/v1/sources/{id}/streams"),
                app.token(sluice_domain::Role::Owner),
                None,
            )
            .await;
        assert_eq!(refused.status, 422, "{connector}: {}", refused.text);
        assert_eq!(refused.field(), "name", "{connector}: {}", refused.text);
    }
    let one = app
        .owner(
            "GET",
            &format!("/v1/sources/{id}/streams?name={listed}"),
            None,
            200,
        )
        .await;
    let s = &one["streams"][0];
    let mut fields: Vec<(String, String)> = s["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| (f["name"].to_string(), f["cast"].to_string()))
        .collect();
    fields.sort();
    let (amount, key, found_by) = match connector {
        "postgres" | "mysql" => ("\"decimal(10,2)\"", json!(["id"]), "catalog"),
        _ => ("\"float\"", json!([]), "sample"),
    };
    assert_eq!(
        fields,
        [
            ("\"amount\"".to_string(), amount.to_string()),
            ("\"id\"".to_string(), "\"int\"".to_string())
        ],
        "{connector}: {one}"
    );
    assert_eq!(s["primary_key"], key, "{connector}: {one}");
    assert_eq!(s["found_by"], found_by, "{connector}: {one}");
    assert!(
        s["cursor_candidates"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("id"))),
        "{connector}: an integer key can carry a cursor: {one}"
    );
    // Into a table of its own names: each field matched, the casts the target's.
    let suggested = app
        .owner(
            "POST",
            &format!("/v1/sources/{id}/suggest-mapping"),
            Some(&json!({"stream": listed, "columns": [
                {"name": "order_amount", "cast": "decimal(12,2)"},
                {"name": "order_id", "cast": "int"}
            ]})),
            200,
        )
        .await;
    let pairs: Vec<(&str, &str)> = suggested["mapping"]["columns"]
        .as_array()
        .expect("mapping")
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
        [("order_amount", "amount"), ("order_id", "id")],
        "{connector}: {suggested}"
    );
}

/// A connector of the REST kit tested and discovered through the API: its
/// first stream's first page passes every check; discovery lists its declared
/// streams, and the fixture's stream with its declared columns and key.
async fn check_declared_source(
    app: &TestApp,
    declared: &sluice_domain::connectors::rest::RestConnector,
    source: &Value,
    stream: &str,
) {
    let id = source["id"].as_str().expect("source id");
    let name = declared.name;
    let test = app
        .owner("POST", &format!("/v1/sources/{id}/test"), None, 200)
        .await;
    assert_eq!(test["ok"], true, "{name}: {test}");
    let all = app
        .owner("GET", &format!("/v1/sources/{id}/streams"), None, 200)
        .await;
    let names: Vec<&str> = all["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    let declared_names: Vec<&str> = declared.streams.iter().map(|s| s.name).collect();
    assert_eq!(names, declared_names, "{name}: {all}");
    let one = app
        .owner(
            "GET",
            &format!("/v1/sources/{id}/streams?name={stream}"),
            None,
            200,
        )
        .await;
    let s = &one["streams"][0];
    let spec = declared.stream(stream).expect("declared");
    let fields: Vec<&str> = s["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    let columns: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    assert_eq!(fields, columns, "{name}: {one}");
    assert_eq!(s["primary_key"], json!(spec.key), "{name}: {one}");
    assert_eq!(s["found_by"], "catalog", "{name}: {one}");
}

/// Starts a run of a data mart over each catalog connector and hands its first
/// message, from that connector's queue, to the extraction stage.
pub async fn every_catalog_connector_runs(app: TestApp) {
    let machine = Arc::new(Machine::new(app.deps.clone(), Limits::default()).expect("machine"));
    let queue = app.deps.queue.clone().expect("the stack has queues");
    let storage = app
        .owner(
            "POST",
            "/v1/storages",
            Some(&json!({"title": "w", "kind": "local"})),
            201,
        )
        .await;
    let storage = storage["id"].as_str().expect("storage id").to_string();
    let catalog = app.owner("GET", "/v1/connectors", None, 200).await;
    let names: Vec<String> = catalog["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(
        names,
        registry()
            .iter()
            .map(|c| c.name.to_string())
            .collect::<Vec<_>>(),
        "the catalog is the registry"
    );
    for connector in &names {
        let (config, stream, server) = fixture(connector).await;
        let source = app
            .owner(
                "POST",
                "/v1/sources",
                Some(&json!({"title": connector, "connector": connector, "config": config})),
                201,
            )
            .await;
        check_source(&app, connector, &source, &stream).await;
        let mart = app
            .owner(
                "POST",
                "/v1/data-marts",
                Some(&json!({"title": connector, "storage_id": storage})),
                201,
            )
            .await;
        let mart = mart["id"].as_str().expect("mart id").to_string();
        app.owner(
            "PUT",
            &format!("/v1/data-marts/{mart}/definition"),
            Some(&json!({"kind": "connector", "source_id": source["id"], "streams": [{"name": stream}]})),
            200,
        )
        .await;
        app.owner("POST", &format!("/v1/data-marts/{mart}/publish"), None, 200)
            .await;
        let run = app
            .owner(
                "POST",
                &format!("/v1/data-marts/{mart}/runs"),
                Some(&json!({})),
                201,
            )
            .await;
        assert_eq!(run["status"], "queued", "{connector}: {run}");
        let run_id = run["id"].as_str().expect("run id").to_string();

        // The first message waits on this connector's own queue.
        let spec = registry()
            .iter()
            .find(|c| c.name == connector)
            .expect("registered");
        let name = spec.queue();
        let mut msgs = vec![];
        for _ in 0..50 {
            msgs = queue
                .receive(&name, 10, Duration::from_secs(30))
                .await
                .expect("receive");
            if !msgs.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(msgs.len(), 1, "{connector}: one first message on {name}");
        let r = handle_batch::<Extract>(&machine, &name, as_sqs_event(&name, &msgs)).await;
        assert!(
            r.batch_item_failures.is_empty(),
            "{connector}: the extraction step failed"
        );
        let after = app
            .owner("GET", &format!("/v1/runs/{run_id}"), None, 200)
            .await;
        assert_eq!(after["status"], "running", "{connector}: {after}");
        let extract = &after["stages"]["extract"];
        assert!(
            extract["started_at"].is_string(),
            "{connector}: extraction reached: {extract}"
        );
        assert_ne!(
            extract["state"],
            serde_json::to_value(StageState::Failed).expect("state"),
            "{connector}: {after}"
        );
        match server {
            Served::Task(s) => s.abort(),
            Served::Database(pg) => drop(pg),
            Served::Mysql(my) => drop(my),
            Served::Files(dir) => drop(dir),
        }
    }
    app.stop().await;
}

/// The connector tests over `$spawn`'s stack.
#[macro_export]
macro_rules! connector_tests {
    ($spawn:path) => {
        mod connectors {
            #[tokio::test]
            async fn every_catalog_connector_runs() {
                $crate::connectors::every_catalog_connector_runs($spawn().await).await;
            }
        }
    };
}
