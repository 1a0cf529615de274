//! `webhook`: the report as one HTTP request to the destination's URL, as a JSON
//! document (`columns` and `rows`) or NDJSON (one object per row).
//!
//! Every request carries `Sluice-Delivery-Id` (the same on every try of an
//! attempt: a receiver drops a repeat by it) and, when the destination has a
//! signing secret, `Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>">` (a receiver refuses an old `t` against replays). A 429, a 5xx
//! or a network error is retried with backoff; every try is in the run's log.
//! The URL, which often carries a token, appears nowhere but in the request:
//! results and errors name its origin only.

use std::time::Duration;

use serde_json::{Value, json};
use sluice_domain::entities::Delivered;

use sluice_connectors::webhook::{origin, signature};

use super::{Job, Outcome, row_object};
use crate::{Fault, Machine};

/// Largest body sent: beyond it the run fails and says so (never a cut body).
pub(crate) const MAX_BODY_BYTES: usize = 10 << 20;
/// Tries per delivery attempt.
const TRIES: u32 = 3;

fn too_large() -> Fault {
    Fault::Permanent(format!(
        "the report is larger than a webhook body may be ({} MiB); filter or aggregate it in the report's query, or deliver it as an export",
        MAX_BODY_BYTES >> 20
    ))
}

/// The body, built page by page up to [`MAX_BODY_BYTES`].
async fn body(job: &mut Job<'_>, ndjson: bool) -> Result<(Vec<u8>, u64), Fault> {
    let mut rows = 0u64;
    let mut out: Vec<u8> = Vec::new();
    let mut columns = vec![];
    let mut objects: Vec<Value> = vec![];
    while let Some(page) = job.pages.next().await? {
        if columns.is_empty() {
            columns = page.columns.clone();
        }
        for row in page.rows {
            rows += 1;
            let object = Value::Object(row_object(&columns, row));
            if ndjson {
                serde_json::to_writer(&mut out, &object)
                    .map_err(|e| Fault::Permanent(format!("encoding a row: {e}")))?;
                out.push(b'\n');
                if out.len() > MAX_BODY_BYTES {
                    return Err(too_large());
                }
            } else {
                objects.push(object);
            }
        }
        if !ndjson && objects.len() > 1_000 {
            // A cheap running estimate keeps memory near the limit, not past it.
            let size: usize = serde_json::to_vec(&objects).map(|v| v.len()).unwrap_or(0);
            if size > MAX_BODY_BYTES {
                return Err(too_large());
            }
        }
    }
    if !ndjson {
        let doc = json!({
            "report_id": job.report.meta.id,
            "report_title": job.report.title,
            "report_run_id": job.run.meta.id,
            "delivery_id": job.run.delivery_id(),
            "data_mart_id": job.report.data_mart_id,
            "columns": columns,
            "rows": objects,
        });
        out = serde_json::to_vec(&doc).map_err(|e| Fault::Permanent(format!("encoding: {e}")))?;
        if out.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
    }
    Ok((out, rows))
}

pub(crate) async fn deliver(m: &Machine, mut job: Job<'_>) -> Result<Outcome, Fault> {
    let raw_url = job.str("url", "");
    let url = reqwest::Url::parse(&raw_url)
        .map_err(|_| Fault::Permanent("the webhook URL does not parse; set it again".into()))?;
    let shown = origin(&url);
    sluice_connectors::egress::check_url(&m.deps.egress, &url)
        .map_err(|e| Fault::Permanent(format!("the webhook at {shown} is out of reach: {e}")))?;
    let method = match job.str("method", "POST").as_str() {
        "PUT" => reqwest::Method::PUT,
        _ => reqwest::Method::POST,
    };
    let ndjson = job.str("format", "json") == "ndjson";
    let auth_header = job.str("auth_header", "Authorization");
    let auth_value = job
        .config
        .get("auth_value")
        .and_then(Value::as_str)
        .map(str::to_string);
    let secret = job
        .config
        .get("signing_secret")
        .and_then(Value::as_str)
        .map(str::to_string);
    let (payload, rows) = body(&mut job, ndjson).await?;
    let client = sluice_connectors::egress::client_builder(&m.deps.egress)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Fault::Transient(format!("building the HTTP client: {e}")))?;
    let delivery_id = job.run.delivery_id();
    let mut log = vec![];
    let mut last = String::new();
    for attempt in 1..=TRIES {
        if attempt > 1 {
            tokio::time::sleep(Duration::from_millis(250) * (1 << (attempt - 2))).await;
        }
        let timestamp = m.now().timestamp();
        let mut req = client
            .request(method.clone(), url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                if ndjson {
                    "application/x-ndjson"
                } else {
                    "application/json"
                },
            )
            .header("Sluice-Delivery-Id", &delivery_id)
            .header("Sluice-Report-Run-Id", job.run.meta.id.as_str())
            .header("Sluice-Timestamp", timestamp.to_string())
            .body(payload.clone());
        if let Some(secret) = &secret {
            req = req.header("Sluice-Signature", signature(secret, timestamp, &payload));
        }
        if let Some(value) = &auth_value {
            req = req.header(auth_header.as_str(), value.as_str());
        }
        match req.send().await {
            Ok(resp) if resp.status().is_success() => {
                let status = resp.status().as_u16();
                log.push(format!("Try {attempt}: {shown} answered {status}."));
                tracing::info!(report_run_id = %job.run.meta.id, attempt, status, "Webhook delivered.");
                return Ok(Outcome {
                    rows,
                    bytes: payload.len() as u64,
                    log,
                    delivered: Delivered {
                        target: shown,
                        format: Some(if ndjson { "ndjson" } else { "json" }.into()),
                        status: Some(status),
                    },
                });
            }
            Ok(resp) => {
                let status = resp.status();
                last = format!("{shown} answered {status}");
                tracing::warn!(report_run_id = %job.run.meta.id, attempt, status = status.as_u16(), "Webhook refused the delivery.");
                if !(status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408) {
                    return Err(Fault::Permanent(format!("the webhook at {last}")));
                }
            }
            Err(e) => {
                if let Some(why) = sluice_connectors::egress::refused_by_policy(&e) {
                    return Err(Fault::Permanent(format!(
                        "the webhook at {shown} is out of reach: {why}"
                    )));
                }
                // reqwest's errors name the URL: say what happened without it.
                last = if e.is_timeout() {
                    format!("{shown} timed out")
                } else if e.is_connect() {
                    format!("could not connect to {shown}")
                } else {
                    format!("the request to {shown} failed")
                };
                tracing::warn!(report_run_id = %job.run.meta.id, attempt, reason = %last, "Webhook unreachable.");
            }
        }
        log.push(format!("Try {attempt}: {last}."));
    }
    Err(Fault::Permanent(format!(
        "the webhook failed after {TRIES} tries: {last}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_body() {
        // Computed apart, with Python's hmac module.
        assert_eq!(
            signature("0123456789abcdef", 1_700_000_000, b"{\"a\":1}"),
            "t=1700000000,v1=9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa818657897a7437c1cd8c3a23"
        );
    }

    #[test]
    fn an_origin_carries_no_path_query_or_credentials() {
        let u = reqwest::Url::parse("https://user:pw@hooks.example.com:8443/T0/s3cr3t?token=x")
            .expect("url");
        assert_eq!(origin(&u), "https://hooks.example.com:8443");
    }
}
