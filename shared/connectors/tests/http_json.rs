//! The `http_json` connector against a scripted local HTTP/1.1 server: pagination
//! across steps, record paths, cursors and windows, retries, and keeping the
//! credential out of errors.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use sluice_connectors::http_json::HttpJson;
use sluice_connectors::{Budget, ConnectorError, Extractor, StreamRequest};
use sluice_domain::entities::RunWindow;

mod common;
use common::{Reply, Server, local, records};

const SECRET: &str = "Bearer sk_live_0123456789abcdef";

fn config(server: &Server, extra: Value) -> Map<String, Value> {
    let mut c = json!({
        "base_url": server.url(),
        "auth_value": SECRET,
        "max_retries": 2,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    c.extend(extra.as_object().cloned().unwrap_or_default());
    c
}

fn request<'a>(stream: &'a str, config: &'a Map<String, Value>, batch: usize) -> StreamRequest<'a> {
    StreamRequest {
        credentials: None,
        stream,
        config,
        cursor: None,
        lookback: Duration::ZERO,
        window: None,
        batch_size: batch,
        parallelism: 1,
        files: Default::default(),
    }
}

fn one_chunk() -> Budget {
    Budget::new(1, Duration::from_secs(60))
}

/// Runs steps from the start to the end of the stream; every step is delivered
/// twice to prove the same position yields the same records.
async fn run_all(req: &StreamRequest<'_>, budget: impl Fn() -> Budget) -> (Vec<Value>, usize) {
    let connector = HttpJson::new(&local());
    let mut position: Option<Value> = None;
    let mut all = vec![];
    let mut steps = 0;
    loop {
        let out = connector
            .step(req, position.as_ref(), budget())
            .await
            .expect("step");
        let again = connector
            .step(req, position.as_ref(), budget())
            .await
            .expect("redelivered step");
        assert_eq!(out, again, "a redelivered step differs");
        assert!(out.chunks.len() <= budget().max_chunks);
        all.extend(records(&out));
        steps += 1;
        assert!(steps < 100, "the stream never ends");
        match out.next {
            Some(next) => position = Some(next),
            None => return (all, steps),
        }
    }
}

fn ids(records: &[Value]) -> Vec<i64> {
    records
        .iter()
        .map(|r| r["id"].as_i64().expect("an id"))
        .collect()
}

#[tokio::test]
async fn page_pagination_continues_across_steps_without_losing_or_repeating_a_record() {
    let server = Server::start(|seen, _| {
        let page: i64 = seen.query("page").and_then(|p| p.parse().ok()).unwrap_or(0);
        let size: i64 = seen
            .query("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let items: Vec<Value> = (0..25)
            .skip(((page - 1) * size) as usize)
            .take(size as usize)
            .map(|id| json!({"id": id}))
            .collect();
        Reply::json(json!(items))
    })
    .await;
    let c = config(&server, json!({"pagination": "page", "page_size": 10}));
    let req = request("/items?sort=id", &c, 4);
    let (all, steps) = run_all(&req, one_chunk).await;
    assert_eq!(ids(&all), (0..25).collect::<Vec<_>>());
    assert!(steps >= 7, "{steps} steps");
    let seen = server.seen();
    assert_eq!(seen[0].target, "/items?sort=id&page=1&per_page=10");
    assert!(seen.iter().all(|s| {
        s.query("page")
            .is_some_and(|p| ["1", "2", "3"].contains(&p.as_str()))
    }));
}

#[tokio::test]
async fn page_pagination_starts_at_the_configured_page_with_custom_parameter_names() {
    let server = Server::start(|seen, _| {
        let items = match seen.query("p").as_deref() {
            Some("0") => json!([{"id": 1}, {"id": 2}]),
            Some("1") => json!([{"id": 3}]),
            _ => json!([]),
        };
        Reply::json(items)
    })
    .await;
    let c = config(
        &server,
        json!({"pagination": "page", "page_size": 2, "page_param": "p", "size_param": "limit", "start_page": 0}),
    );
    let req = request("items", &c, 100);
    let (all, _) = run_all(&req, || Budget::new(8, Duration::from_secs(60))).await;
    assert_eq!(ids(&all), vec![1, 2, 3]);
    assert_eq!(server.seen()[0].target, "/items?p=0&limit=2");
}

#[tokio::test]
async fn offset_pagination_stops_on_a_short_page() {
    let server = Server::start(|seen, _| {
        let offset: usize = seen
            .query("offset")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let size: usize = seen
            .query("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let items: Vec<Value> = (0..23)
            .skip(offset)
            .take(size)
            .map(|id| json!({"id": id}))
            .collect();
        Reply::json(json!({"data": items}))
    })
    .await;
    let c = config(
        &server,
        json!({"pagination": "offset", "page_size": 5, "records_path": "$.data"}),
    );
    let req = request("/things", &c, 3);
    let (all, _) = run_all(&req, one_chunk).await;
    assert_eq!(ids(&all), (0..23).collect::<Vec<_>>());
    let offsets: Vec<String> = server
        .seen()
        .iter()
        .filter_map(|s| s.query("offset"))
        .collect();
    assert!(
        offsets
            .iter()
            .all(|o| ["0", "5", "10", "15", "20"].contains(&o.as_str())),
        "{offsets:?}"
    );
}

#[tokio::test]
async fn cursor_pagination_follows_the_cursor_in_a_nested_response() {
    let server = Server::start(|seen, _| {
        let (items, next) = match seen.query("after").as_deref() {
            None => (json!([{"id": 1}, {"id": 2}, {"id": 3}]), json!("c2")),
            Some("c2") => (json!([{"id": 4}, {"id": 5}]), json!("c3")),
            Some("c3") => (json!([{"id": 6}]), Value::Null),
            Some(_) => (json!([]), json!("")),
        };
        Reply::json(json!({"result": {"data": {"items": items}}, "meta": {"next": next}}))
    })
    .await;
    let c = config(
        &server,
        json!({
            "pagination": "cursor",
            "cursor_param": "after",
            "cursor_path": "$.meta.next",
            "records_path": "$.result.data.items",
        }),
    );
    let req = request("/events?limit=3", &c, 2);
    let (all, _) = run_all(&req, one_chunk).await;
    assert_eq!(ids(&all), vec![1, 2, 3, 4, 5, 6]);
    assert!(
        server
            .seen()
            .iter()
            .any(|s| s.target == "/events?limit=3&after=c3")
    );
}

#[tokio::test]
async fn link_header_pagination_follows_relative_and_absolute_next_links() {
    let server = Server::start(|seen, _| {
        let page = seen.query("p").unwrap_or_default();
        match page.as_str() {
            "" => Reply::json(json!([{"id": 1}, {"id": 2}])).header(
                "Link",
                r#"</list?p=2>; rel="next", </list?p=9>; rel="last""#,
            ),
            "2" => {
                let host = seen.header("host").unwrap_or_default().to_string();
                Reply::json(json!([{"id": 3}]))
                    .header("Link", &format!(r#"<http://{host}/list?p=3>; rel="next""#))
            }
            _ => Reply::json(json!([{"id": 4}, {"id": 5}]))
                .header("Link", r#"</list?p=1>; rel="first""#),
        }
    })
    .await;
    let c = config(&server, json!({"pagination": "link_header"}));
    let req = request("/list", &c, 1);
    let (all, _) = run_all(&req, one_chunk).await;
    assert_eq!(ids(&all), vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn an_api_on_this_machine_is_out_of_reach_unless_the_operator_opens_it() {
    let server = Server::start(|_, _| Reply::json(json!([{"id": 1}]))).await;
    let c = config(&server, json!({}));
    let err = HttpJson::new(&sluice_domain::net::Egress::public_only())
        .step(&request("/list", &c, 10), None, one_chunk())
        .await
        .expect_err("127.0.0.1 is not public");
    assert!(!err.retryable(), "{err}");
    assert!(err.to_string().contains("not a public address"), "{err}");
    HttpJson::new(&local())
        .step(&request("/list", &c, 10), None, one_chunk())
        .await
        .expect("opened by the operator");
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = Server::start(|_, _| {
        Reply::json(json!([{"id": 1}]))
            .header("Link", r#"<http://elsewhere.invalid/steal>; rel="next""#)
    })
    .await;
    let c = config(&server, json!({"pagination": "link_header"}));
    let err = HttpJson::new(&local())
        .step(&request("/list", &c, 10), None, one_chunk())
        .await
        .expect_err("another host");
    assert!(!err.retryable());
    assert!(err.to_string().contains("elsewhere.invalid"), "{err}");
}

#[tokio::test]
async fn a_whole_stream_without_pagination_is_one_request_with_the_auth_and_extra_headers() {
    let server =
        Server::start(|_, _| Reply::json(json!([{"id": 1}, 2, "three", null, {"id": 5}]))).await;
    let c = config(
        &server,
        json!({"auth_header": "X-Api-Key", "headers": {"X-Tenant": "acme"}}),
    );
    let req = request("/all", &c, 2);
    let out = HttpJson::new(&local())
        .step(&req, None, Budget::new(10, Duration::from_secs(60)))
        .await
        .expect("step");
    assert_eq!(out.next, None);
    assert_eq!(out.cursor, None);
    assert_eq!(
        out.chunks.iter().map(|c| c.rows).collect::<Vec<_>>(),
        vec![2, 2, 1]
    );
    assert_eq!(
        records(&out),
        vec![
            json!({"id": 1}),
            json!(2),
            json!("three"),
            Value::Null,
            json!({"id": 5})
        ]
    );
    assert_eq!(out.chunks[0].bytes, b"{\"id\":1}\n2\n");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("x-api-key"), Some(SECRET));
    assert_eq!(seen[0].header("x-tenant"), Some("acme"));
    assert_eq!(seen[0].header("accept"), Some("application/json"));
    assert_eq!(seen[0].header("authorization"), None);
}

#[tokio::test]
async fn the_default_auth_header_is_authorization() {
    let server = Server::start(|_, _| Reply::json(json!([]))).await;
    let c = config(&server, json!({}));
    let out = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect("step");
    assert!(out.chunks.is_empty());
    assert_eq!(server.seen()[0].header("authorization"), Some(SECRET));
}

#[tokio::test]
async fn the_saved_cursor_fills_the_template_and_the_largest_cursor_field_is_returned() {
    let server = Server::start(|seen, _| {
        let items = match seen.query("page").as_deref() {
            Some("1") => json!([
                {"id": 1, "updated_at": "2024-05-02T10:00:00+00:00"},
                {"id": 2, "updated_at": "2024-05-03T09:00:00+00:00"},
            ]),
            Some("2") => json!([{"id": 3, "updated_at": "2024-05-02T23:59:59+00:00"}, {"id": 4}]),
            _ => json!([]),
        };
        Reply::json(json!({"orders": items}))
    })
    .await;
    let c = config(
        &server,
        json!({"pagination": "page", "page_size": 2, "records_path": "$.orders", "cursor_field": "updated_at"}),
    );
    let saved = json!("2024-05-01T00:00:00+00:00");
    let req = StreamRequest {
        cursor: Some(&saved),
        ..request("/orders?updated_since={cursor}", &c, 1)
    };
    let connector = HttpJson::new(&local());
    let first = connector.step(&req, None, one_chunk()).await.expect("step");
    assert_eq!(first.cursor, Some(json!("2024-05-02T10:00:00+00:00")));
    let mut position = first.next;
    let mut last = None;
    while let Some(p) = position {
        let out = connector
            .step(&req, Some(&p), one_chunk())
            .await
            .expect("step");
        position = out.next.clone();
        last = Some(out);
    }
    let last = last.expect("more than one step");
    assert_eq!(last.cursor, Some(json!("2024-05-03T09:00:00+00:00")));
    let seen = server.seen();
    assert_eq!(
        seen[0].query("updated_since").as_deref(),
        Some("2024-05-01T00%3A00%3A00%2B00%3A00")
    );
}

#[tokio::test]
async fn numeric_cursors_compare_by_value_and_no_newer_record_keeps_the_saved_cursor() {
    let server = Server::start(|seen, _| {
        if seen.query("since").as_deref() == Some("100") {
            Reply::json(json!([]))
        } else {
            Reply::json(json!([{"seq": 9}, {"seq": 10}, {"seq": 2}]))
        }
    })
    .await;
    let c = config(&server, json!({"cursor_field": "$.seq"}));
    let connector = HttpJson::new(&local());
    let none = request("/log?since={cursor}", &c, 10);
    let out = connector
        .step(&none, None, one_chunk())
        .await
        .expect("step");
    assert_eq!(out.cursor, Some(json!(10)));
    assert_eq!(server.seen()[0].target, "/log?since=");
    let saved = json!(100);
    let again = StreamRequest {
        cursor: Some(&saved),
        ..none.clone()
    };
    let out = connector
        .step(&again, None, one_chunk())
        .await
        .expect("step");
    assert!(out.chunks.is_empty());
    assert_eq!(out.cursor, Some(json!(100)));
}

#[tokio::test]
async fn a_backfill_window_fills_from_and_to() {
    let server = Server::start(|_, _| Reply::json(json!([{"id": 1}]))).await;
    let c = config(&server, json!({}));
    let window = RunWindow {
        from: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).expect("date"),
        to: chrono::NaiveDate::from_ymd_opt(2024, 3, 8).expect("date"),
    };
    let req = StreamRequest {
        window: Some(window),
        ..request("/sales?from={from}&to={to}&since={cursor}", &c, 10)
    };
    HttpJson::new(&local())
        .step(&req, None, one_chunk())
        .await
        .expect("step");
    assert_eq!(
        server.seen()[0].target,
        "/sales?from=2024-03-01&to=2024-03-08&since="
    );
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_the_server_asks_for() {
    let server = Server::start(|_, index| match index {
        0 => Reply::status(429, r#"{"error": "slow down"}"#).header("Retry-After", "1"),
        _ => Reply::json(json!([{"id": 1}])),
    })
    .await;
    let c = config(&server, json!({}));
    let started = Instant::now();
    let out = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect("retried");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ids(&records(&out)), vec![1]);
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_503_that_persists_is_a_retryable_error_after_the_retries() {
    let server = Server::start(|_, _| Reply::status(503, "down").header("Retry-After", "0")).await;
    let c = config(&server, json!({"max_retries": 2}));
    let err = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect_err("exhausted");
    assert!(err.retryable(), "{err:?}");
    assert!(err.to_string().contains("503"), "{err}");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn an_unreachable_server_is_retryable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let c: Map<String, Value> =
        json!({"base_url": format!("http://{addr}"), "auth_value": SECRET, "max_retries": 1})
            .as_object()
            .cloned()
            .unwrap_or_default();
    let err = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect_err("refused");
    assert!(err.retryable(), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("sk_live"), "{err:?}");
}

#[tokio::test]
async fn a_401_is_not_retried_and_never_quotes_the_credential() {
    let server = Server::start(|seen, _| {
        let echoed = seen.header("authorization").unwrap_or_default().to_string();
        let token = echoed.trim_start_matches("Bearer ");
        Reply::status(
            401,
            &format!(r#"{{"error": "invalid credential {echoed}", "token": "{token}", "padding": "{}"}}"#, "x".repeat(500)),
        )
    })
    .await;
    let c = config(&server, json!({}));
    let err = HttpJson::new(&local())
        .step(&request("/secure", &c, 10), None, one_chunk())
        .await
        .expect_err("unauthorized");
    assert!(!err.retryable());
    let text = format!("{err} {err:?}");
    assert!(text.contains("401"), "{text}");
    assert!(text.contains("invalid credential ***"), "{text}");
    assert!(!text.contains("sk_live"), "{text}");
    assert!(err.to_string().len() < 400, "{err}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_response_without_the_records_path_names_the_path() {
    let server =
        Server::start(|_, _| Reply::json(json!({"data": {"rows": []}, "items": {"a": 1}}))).await;
    let c = config(&server, json!({"records_path": "$.data.items"}));
    let err = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect_err("missing");
    assert!(!err.retryable());
    assert!(err.to_string().contains("$.data.items"), "{err}");
    let c = config(&server, json!({"records_path": "$.items"}));
    let err = HttpJson::new(&local())
        .step(&request("/x", &c, 10), None, one_chunk())
        .await
        .expect_err("not an array");
    assert!(err.to_string().contains("not an array"), "{err}");
}

#[tokio::test]
async fn an_invalid_json_body_is_not_retried_and_names_the_url() {
    let server = Server::start(|_, _| Reply::status(200, "<html>oops</html>")).await;
    let c = config(&server, json!({}));
    let err = HttpJson::new(&local())
        .step(
            &request("/page?api_key=hush&x=1", &c, 10),
            None,
            one_chunk(),
        )
        .await
        .expect_err("not JSON");
    assert!(!err.retryable());
    let text = err.to_string();
    assert!(
        text.contains("/page") && text.contains("not valid JSON"),
        "{text}"
    );
    assert!(!text.contains("hush"), "{text}");
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn config_errors_name_the_field() {
    let cases = [
        (json!({}), "base_url"),
        (
            json!({"base_url": "http://x.test", "pagination": "pages"}),
            "pagination",
        ),
        (
            json!({"base_url": "http://x.test", "records_path": "$data"}),
            "records_path",
        ),
        (
            json!({"base_url": "http://x.test", "pagination": "cursor"}),
            "cursor_path",
        ),
        (
            json!({"base_url": "http://x.test", "page_size": 0}),
            "page_size",
        ),
        (
            json!({"base_url": "http://x.test", "auth_header": "bad header", "auth_value": SECRET}),
            "auth_header",
        ),
    ];
    for (config, field) in cases {
        let c = config.as_object().cloned().unwrap_or_default();
        let err = HttpJson::new(&local())
            .step(&request("/x", &c, 10), None, one_chunk())
            .await
            .expect_err("config error");
        assert!(
            matches!(&err, ConnectorError::Config { field: f, .. } if f == field),
            "{field}: {err:?}"
        );
    }
}
