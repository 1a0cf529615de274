//! Live run views on AWS: the WebSocket API's functions, doing what
//! `GET /v1/runs/{id}/events` does on the local server.
//!
//! - `ws-connect` (`$connect`): the credential, sent as the subprotocol
//!   `bearer.<token>` beside `sluice.v1` (a browser's WebSocket sends no
//!   header of its own, and a URL lands in logs), is checked as the HTTP
//!   authorizer checks it, the route's permission as `api-watch-run`'s, and
//!   the run (`?run=`) must be the caller's project's and in their scope; the
//!   connection is then recorded with its project and run.
//! - `ws-disconnect` (`$disconnect`): the connection is forgotten.
//! - `ws-push`: a rule on the run-event bus invokes it with each run event; it
//!   finds the connections watching the run (none: nothing is read), reads the
//!   run's state once and posts it to each as a [`RunUpdate`]; a connection
//!   gone (410) is forgotten.

use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use lambda_http::http::{HeaderMap, HeaderValue, header};
use lambda_http::{LambdaEvent, service_fn};
use serde_json::Value;
use sluice_app::Deps;
use sluice_app::api::{self, ApiError, ApiRequest};
use sluice_app::services::{Ctx, live, runs};
use sluice_aws::{Posted, WsConnection, WsConnections, WsPusher};
use sluice_domain::entities::Run;
use sluice_domain::ports::RunEvent;
use sluice_domain::{Id, IdOf, Kind};

use crate::{InitError, Vars, aws_deps, init_tracing, report_init_error, sdk_config};

/// The subprotocol a client asks for, and the server answers with.
pub const SUBPROTOCOL: &str = "sluice.v1";
/// The prefix of the subprotocol that carries the credential.
pub const BEARER_PROTOCOL: &str = "bearer.";

/// What the three functions are given.
pub struct WsDeps {
    pub deps: Deps,
    pub connections: WsConnections,
    /// The management endpoint (`SLUICE_WS_ENDPOINT`): `ws-push` only.
    pub pusher: Option<WsPusher>,
}

/// `SLUICE_TABLE` and the token key (as every API function), and for
/// `ws-push` the WebSocket stage's URL, `SLUICE_WS_ENDPOINT`.
pub async fn init(push: bool) -> Result<WsDeps, InitError> {
    let vars = Vars::process();
    let deps = aws_deps(&vars, &[]).await?;
    let sdk = sdk_config(&vars).await;
    let table = vars.required("SLUICE_TABLE")?;
    let pusher = if push {
        Some(WsPusher::from_sdk_config(
            &sdk,
            &vars.required("SLUICE_WS_ENDPOINT")?,
        ))
    } else {
        None
    };
    Ok(WsDeps {
        deps,
        connections: WsConnections::from_sdk_config(&sdk, &table),
        pusher,
    })
}

async fn with_deps(name: &str, push: bool) -> Result<Arc<WsDeps>, lambda_http::Error> {
    init_tracing();
    match init(push).await {
        Ok(d) => Ok(Arc::new(d)),
        Err(e) => {
            report_init_error(&format!("{name}: {e}"));
            Err(e.into())
        }
    }
}

/// The whole `main` of `ws-connect`.
pub async fn run_connect() -> Result<(), lambda_http::Error> {
    let w = with_deps("ws-connect", false).await?;
    lambda_http::lambda_runtime::run(service_fn(
        |e: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
            let w = w.clone();
            async move { Ok::<_, lambda_http::Error>(connect(&w, e.payload).await) }
        },
    ))
    .await
}

/// The whole `main` of `ws-disconnect`.
pub async fn run_disconnect() -> Result<(), lambda_http::Error> {
    let w = with_deps("ws-disconnect", false).await?;
    lambda_http::lambda_runtime::run(service_fn(
        |e: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
            let w = w.clone();
            async move { disconnect(&w, e.payload).await }
        },
    ))
    .await
}

/// The whole `main` of `ws-push`.
pub async fn run_push() -> Result<(), lambda_http::Error> {
    let w = with_deps("ws-push", true).await?;
    lambda_http::lambda_runtime::run(service_fn(|e: LambdaEvent<Value>| {
        let w = w.clone();
        async move { push(&w, e.payload).await }
    }))
    .await
}

fn answer(status: u16, protocol: bool) -> ApiGatewayProxyResponse {
    let mut r = ApiGatewayProxyResponse::default();
    r.status_code = i64::from(status);
    if protocol {
        r.headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(SUBPROTOCOL),
        );
    }
    r
}

/// The credential among the subprotocols a client asked for.
fn credential(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find_map(|p| p.strip_prefix(BEARER_PROTOCOL).map(str::to_string))
}

/// `$connect`: 200 with the subprotocol when the caller may watch the run
/// (recorded), 401 without a good credential, 403 when the role may not, 404
/// when the run is not the caller's to see, 400 without `?run=`; API Gateway
/// refuses the handshake on anything but a 2xx.
pub async fn connect(
    w: &WsDeps,
    event: ApiGatewayWebsocketProxyRequest,
) -> ApiGatewayProxyResponse {
    let Some(connection) = event.request_context.connection_id.clone() else {
        return answer(400, false);
    };
    let Some(token) = credential(&event.headers) else {
        return answer(401, false);
    };
    let Some(run) = event
        .query_string_parameters
        .first("run")
        .and_then(IdOf::<Run>::parse)
    else {
        return answer(400, false);
    };
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) else {
        return answer(401, false);
    };
    headers.insert(header::AUTHORIZATION, value);
    let req = ApiRequest {
        method: lambda_http::http::Method::GET,
        path: format!("/v1/runs/{run}/events"),
        query: None,
        headers,
        body: Default::default(),
        spooled: None,
        authorized: None,
    };
    let principal = match api::resolve_credential(&w.deps, &req).await {
        Ok(p) => p,
        Err(e) => return answer(e.status(), false),
    };
    if let Err(e) = api::permit(&sluice_app::routes::WATCH_RUN, &principal) {
        return answer(e.status(), false);
    }
    let project = principal.project.clone();
    let ctx = Ctx {
        deps: &w.deps,
        principal,
        now: w.deps.clock.now(),
    };
    // The run is the caller's project's and in their scope, or not found.
    if let Err(e) = runs::get(&ctx, &run).await {
        return answer(ApiError::from(e).status(), false);
    }
    let c = WsConnection {
        connection,
        project,
        run: run.as_id().clone(),
    };
    match w.connections.put(&c, ctx.now.timestamp()).await {
        Ok(()) => {
            tracing::info!(run_id = %c.run, project = %c.project, "WebSocket watching a run.");
            answer(200, true)
        }
        Err(e) => {
            tracing::error!(error = %e, "A WebSocket connection could not be recorded.");
            answer(500, false)
        }
    }
}

/// `$disconnect`: the connection is forgotten. A store failure is an error
/// (the table's time to live removes it anyway).
pub async fn disconnect(
    w: &WsDeps,
    event: ApiGatewayWebsocketProxyRequest,
) -> Result<ApiGatewayProxyResponse, lambda_http::Error> {
    if let Some(connection) = &event.request_context.connection_id {
        w.connections.remove(connection).await?;
    }
    Ok(answer(200, false))
}

/// What one run event came to.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PushReport {
    pub watching: usize,
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
}

/// One EventBridge event whose `detail` is a run event: its run's state to
/// every connection watching it. A malformed event is logged and dropped; a
/// store failure is an error (EventBridge retries).
pub async fn push(w: &WsDeps, event: Value) -> Result<PushReport, lambda_http::Error> {
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    let e: RunEvent = match serde_json::from_value(detail) {
        Ok(e) => e,
        Err(err) => {
            tracing::error!(error = %err, "Not a run event; dropped.");
            return Ok(PushReport::default());
        }
    };
    if Id::kind_of(e.run_id.as_str()) != Some(Kind::Run) {
        // A report run's events: no live view follows them.
        return Ok(PushReport::default());
    }
    let mut report = PushReport::default();
    let watching = w.connections.watching(&e.project_id, &e.run_id).await?;
    report.watching = watching.len();
    if watching.is_empty() {
        return Ok(report);
    }
    let Some(update) =
        live::update_of(&w.deps, &e.project_id, &e.run_id, e.kind.as_str(), e.at).await?
    else {
        return Ok(report);
    };
    let data = serde_json::to_vec(&update)?;
    let pusher = w
        .pusher
        .as_ref()
        .ok_or("ws-push has no management endpoint (SLUICE_WS_ENDPOINT)")?;
    for connection in &watching {
        match pusher.post(connection, &data).await {
            Ok(Posted::Sent) => report.sent += 1,
            Ok(Posted::Gone) => {
                report.gone += 1;
                w.connections.remove(connection).await?;
            }
            Err(err) => {
                report.failed += 1;
                tracing::warn!(run_id = %e.run_id, error = %err, "A run update was not sent.");
            }
        }
    }
    tracing::info!(run_id = %e.run_id, ?report, "Run update pushed.");
    Ok(report)
}
