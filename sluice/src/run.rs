//! `sluice run <data-mart>`: starts a run through the API handlers, draws its
//! progress on stderr while the in-process workers move it, and prints a summary.

use std::io::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};
use sluice_app::api::{Api, ApiRequest, handle};

async fn call(
    api: &Api,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert(http::header::AUTHORIZATION, v);
    }
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let req = ApiRequest {
        method,
        path: path.to_string(),
        query: None,
        headers,
        body: body.map(|b| Bytes::from(b.to_string())).unwrap_or_default(),
        spooled: None,
        authorized: None,
    };
    let res = handle(api, req).await;
    (
        res.status,
        serde_json::from_slice(&res.body).unwrap_or(Value::Null),
    )
}

fn bar(fraction: f64) -> String {
    let filled = (fraction.clamp(0.0, 1.0) * 30.0).round() as usize;
    format!("[{}{}]", "#".repeat(filled), ".".repeat(30 - filled))
}

/// Returns the process exit code: 0 when the run succeeded.
pub async fn run_to_completion(
    api: &Api,
    token: &str,
    mart: &str,
    from: Option<String>,
    to: Option<String>,
) -> i32 {
    let body = match (from, to) {
        (Some(from), Some(to)) => json!({"kind": "backfill", "from": from, "to": to}),
        _ => json!({}),
    };
    let started = Instant::now();
    let (status, run) = call(
        api,
        token,
        Method::POST,
        &format!("/v1/data-marts/{mart}/runs"),
        Some(body),
    )
    .await;
    if status != 201 {
        eprintln!(
            "sluice run: {}",
            run["error"]["message"]
                .as_str()
                .unwrap_or("the run did not start")
        );
        return 2;
    }
    let id = run["id"].as_str().unwrap_or_default().to_string();
    eprintln!("run {id} started");
    let last = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (code, run) = call(api, token, Method::GET, &format!("/v1/runs/{id}"), None).await;
        if code != 200 {
            eprintln!("\nsluice run: cannot read run {id}");
            return 2;
        }
        let p = &run["progress"];
        let c = &run["counters"];
        // The stage at work: the last one running.
        let stage = ["finalize", "load", "transform", "extract"]
            .into_iter()
            .find(|s| run["stages"][*s]["state"] == "running");
        let status = match (run["status"].as_str().unwrap_or("?"), stage) {
            ("running", Some(s)) => format!("running: {s}"),
            (other, _) => other.to_string(),
        };
        eprint!(
            "\r{} {:>5.1}%  {} rows written  {} failed  {} skipped  {:>9} rows/s  {}   ",
            bar(p["fraction"].as_f64().unwrap_or(0.0)),
            p["fraction"].as_f64().unwrap_or(0.0) * 100.0,
            c["rows_written"],
            c["rows_failed"],
            c["rows_skipped"],
            p["rows_per_second"],
            status,
        );
        let _ = std::io::stderr().flush();
        let status = run["status"].as_str().unwrap_or_default().to_string();
        if matches!(status.as_str(), "succeeded" | "failed" | "cancelled") {
            break run;
        }
    };
    eprintln!();
    let secs = started.elapsed().as_secs_f64();
    let c = &last["counters"];
    let written = c["rows_written"].as_u64().unwrap_or(0);
    println!(
        "run {id} {}: {} rows read, {written} written, {} failed, {} skipped in {secs:.2} s ({:.0} rows/s)",
        last["status"].as_str().unwrap_or("?"),
        c["rows_read"],
        c["rows_failed"],
        c["rows_skipped"],
        written as f64 / secs.max(0.001),
    );
    for s in ["extract", "transform", "load", "finalize"] {
        let st = &last["stages"][s];
        println!(
            "  {s:<9} {:<10} busy {} ms",
            st["state"].as_str().unwrap_or("?"),
            st["busy_ms"]
        );
    }
    // What the extraction waited for, renewed or found missing (a glob that
    // matches no file), as the run's page shows it.
    let log = last["log"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    for line in &log[log.len().saturating_sub(20)..] {
        println!(
            "  [{}] {}",
            line["stream"].as_str().unwrap_or(""),
            line["message"].as_str().unwrap_or("")
        );
    }
    if let Some(e) = last["error"].as_str() {
        println!("error: {e}");
    }
    for e in last["error_log"].as_array().into_iter().flatten().take(10) {
        println!(
            "  chunk {} row {}: {}",
            e["chunk"].as_str().unwrap_or("?"),
            e["row"],
            e["reason"].as_str().unwrap_or("")
        );
    }
    if last["status"] == "succeeded" { 0 } else { 1 }
}
