//! Live run views on AWS: `ws-connect`, `ws-disconnect` and `ws-push` over
//! DynamoDB on moto; PostToConnection answered by a local HTTP server standing
//! in for the WebSocket API's management endpoint (a live connection takes the
//! message, a gone one answers 410 `GoneException`, as API Gateway does: moto's
//! management API takes every message, so it is asked once, for the wire).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use serde_json::{Value, json};
use sluice_app::auth::Principal;
use sluice_aws::{WsConnections, WsPusher};
use sluice_domain::entities::{Meta, Run, RunKind};
use sluice_domain::{Id, IdOf, Kind, Role};
use sluice_lambda::websocket::{self, WsDeps};

/// What the stand-in management endpoint received, by connection.
type Received = Arc<Mutex<HashMap<String, Vec<Value>>>>;

/// A management endpoint on 127.0.0.1: `POST /@connections/{id}` is taken
/// (200) unless the id starts with `gone`, which answers 410 as API Gateway
/// does for a closed connection.
async fn management_endpoint() -> (String, Received, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received: Received = Arc::default();
    let seen = received.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let seen = seen.clone();
                        async move {
                            let path = req.uri().path().to_string();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let connection = path
                                .strip_prefix("/@connections/")
                                .map(percent_decode)
                                .unwrap_or_default();
                            let response = if connection.starts_with("gone") {
                                Response::builder()
                                    .status(410)
                                    .header("x-amzn-errortype", "GoneException")
                                    .header("content-type", "application/json")
                                    .body(Full::new(Bytes::from_static(
                                        b"{\"message\":\"the connection is gone\"}",
                                    )))
                            } else {
                                let value: Value =
                                    serde_json::from_slice(&body).unwrap_or(Value::Null);
                                seen.lock()
                                    .expect("lock")
                                    .entry(connection)
                                    .or_default()
                                    .push(value);
                                Response::builder()
                                    .status(200)
                                    .body(Full::new(Bytes::new()))
                            };
                            Ok::<_, std::convert::Infallible>(response.expect("a response"))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (format!("http://{addr}"), received, task)
}

fn percent_decode(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex: String = chars.by_ref().take(2).collect();
            out.push(u8::from_str_radix(&hex, 16).map(char::from).unwrap_or('?'));
        } else {
            out.push(c);
        }
    }
    out
}

/// A `$connect` request from `connection` for `run`, with `protocols`.
fn connect_event(
    connection: &str,
    run: Option<&str>,
    protocols: Option<&str>,
) -> aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest {
    let mut headers = json!({"Host": "abc.execute-api.us-east-1.amazonaws.com"});
    if let Some(p) = protocols {
        headers["Sec-WebSocket-Protocol"] = json!(p);
    }
    let query = run.map(|r| json!({"run": r})).unwrap_or(json!({}));
    serde_json::from_value(json!({
        "headers": headers,
        "queryStringParameters": query,
        "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection, "apiId": "abc", "stage": "live", "connectedAt": 0, "requestTimeEpoch": 0},
        "isBase64Encoded": false
    }))
    .expect("a WebSocket request")
}

fn disconnect_event(connection: &str) -> aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest {
    serde_json::from_value(json!({
        "headers": {},
        "requestContext": {"routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": connection, "apiId": "abc", "stage": "live", "connectedAt": 0, "requestTimeEpoch": 0},
        "isBase64Encoded": false
    }))
    .expect("a WebSocket request")
}

/// The credential as a browser sends it: a subprotocol beside `sluice.v1`.
fn protocols(token: &str) -> String {
    format!(
        "{}, {}{token}",
        websocket::SUBPROTOCOL,
        websocket::BEARER_PROTOCOL
    )
}

#[tokio::test]
async fn a_websocket_watches_only_its_projects_runs_and_gets_each_run_event_pushed() {
    let moto = sluice_tests::moto::Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let table = format!("sluice-ws-{}", chrono::Utc::now().timestamp_millis());
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    sluice_aws::create_table(&dynamo, &table)
        .await
        .expect("create table");
    let deps = sluice_app::Deps::new(
        Arc::new(sluice_aws::DynamoStore::new(dynamo.clone(), table.clone())),
        Arc::new(sluice_aws::SecretsManagerSecrets::from_sdk_config(&sdk)),
        Arc::new(sluice_domain::ports::SystemClock),
        Arc::new(sluice_app::auth::TokenKeys::sealed().expect("key")),
    );
    let now = chrono::Utc::now();
    let project = Id::generate(Kind::Project, now.timestamp_millis() as u64);
    let stranger = Id::generate(Kind::Project, now.timestamp_millis() as u64 + 1);
    let token = |project: &Id, role: Role| {
        let p = Principal::operator(format!("ws-{}", role.as_str()), project.clone(), role);
        deps.auth.sign(&p, now.timestamp(), 600).expect("a token")
    };
    let run = Run::queued(
        Meta::new(Kind::Run, &project, "test", now),
        IdOf::parse(Id::generate(Kind::DataMart, 1).as_str()).expect("a data mart id"),
        RunKind::Incremental,
    );
    sluice_app::records::insert_once(deps.store.as_ref(), &run)
        .await
        .expect("the run");
    let run_id = run.meta.id.to_string();

    let (endpoint, received, server) = management_endpoint().await;
    let w = WsDeps {
        deps: deps.clone(),
        connections: WsConnections::new(dynamo, table),
        pusher: Some(WsPusher::from_sdk_config(&sdk, &endpoint)),
    };

    // Refused handshakes record nothing.
    let viewer = token(&project, Role::Viewer);
    for (event, status, why) in [
        (
            connect_event("c-none", Some(&run_id), Some(websocket::SUBPROTOCOL)),
            401,
            "no credential",
        ),
        (
            connect_event("c-bad", Some(&run_id), Some(&protocols("not-a-token"))),
            401,
            "a bad credential",
        ),
        (
            connect_event("c-norun", None, Some(&protocols(&viewer))),
            400,
            "no run",
        ),
        (
            connect_event(
                "c-stranger",
                Some(&run_id),
                Some(&protocols(&token(&stranger, Role::Owner))),
            ),
            404,
            "another project's run",
        ),
        (
            connect_event(
                "c-missing",
                Some(&Id::generate(Kind::Run, 2).to_string()),
                Some(&protocols(&viewer)),
            ),
            404,
            "a run that is not there",
        ),
    ] {
        let r = websocket::connect(&w, event).await;
        assert_eq!(r.status_code, status, "{why}");
    }
    let nobody = w
        .connections
        .watching(&project, &run.meta.id)
        .await
        .expect("query");
    assert!(nobody.is_empty(), "{nobody:?}");

    // A viewer's connections are recorded, and answered with the subprotocol.
    for connection in ["c-live", "gone-1"] {
        let r = websocket::connect(
            &w,
            connect_event(connection, Some(&run_id), Some(&protocols(&viewer))),
        )
        .await;
        assert_eq!(r.status_code, 200, "{connection}");
        assert_eq!(r.headers["sec-websocket-protocol"], websocket::SUBPROTOCOL);
    }
    let mut watching = w
        .connections
        .watching(&project, &run.meta.id)
        .await
        .expect("query");
    watching.sort();
    assert_eq!(watching, ["c-live", "gone-1"]);

    // A run event: the run's state to each; the gone connection forgotten.
    let event = |kind: &str| {
        json!({"version": "0", "id": "e1", "detail-type": kind, "source": "sluice", "account": "123456789012",
            "time": now.to_rfc3339(), "region": "us-east-1", "resources": [],
            "detail": {"kind": kind, "project_id": project, "run_id": run_id, "data_mart_id": run.data_mart_id, "at": now.to_rfc3339()}})
    };
    let report = websocket::push(&w, event("RunProgressed"))
        .await
        .expect("pushed");
    assert_eq!(
        (report.watching, report.sent, report.gone, report.failed),
        (2, 1, 1, 0),
        "{report:?}"
    );
    {
        let got = received.lock().expect("lock");
        let updates = &got["c-live"];
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0]["event"], "RunProgressed");
        assert_eq!(updates[0]["run"]["id"], json!(run_id));
        assert_eq!(updates[0]["run"]["status"], "queued");
        assert!(updates[0]["run"]["progress"].is_object(), "{}", updates[0]);
    }
    assert_eq!(
        w.connections
            .watching(&project, &run.meta.id)
            .await
            .expect("query"),
        ["c-live"]
    );

    // Disconnected: nothing is watched, nothing read or sent.
    websocket::disconnect(&w, disconnect_event("c-live"))
        .await
        .expect("disconnected");
    assert!(w.connections.get("c-live").await.expect("get").is_none());
    let report = websocket::push(&w, event("RunSucceeded"))
        .await
        .expect("pushed");
    assert_eq!(report, websocket::PushReport::default());
    assert_eq!(received.lock().expect("lock")["c-live"].len(), 1);
    server.abort();

    // The SDK's PostToConnection over the wire to moto's management API (which
    // takes every message: it knows no gone connection).
    let moto_pusher = WsPusher::from_sdk_config(&sdk, &moto.endpoint());
    assert_eq!(
        moto_pusher.post("c-moto", b"{}").await,
        Ok(sluice_aws::Posted::Sent)
    );
}
