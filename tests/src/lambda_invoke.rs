//! A local Lambda Invoke endpoint for the AWS stack: moto cannot run functions
//! (it needs Docker), so the tests serve the documented Invoke API
//! (`POST /2015-03-31/functions/{name}/invocations`, the payload in, the
//! function's response out, `X-Amz-Function-Error` when it fails) and answer it
//! with the engine function's own body. The routes reach it through the real
//! SDK client (`sluice_lambda::RemoteEngine`), as they reach Lambda when deployed.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use sluice_app::Deps;
use sluice_app::engine::{EngineCall, answer};

/// The engine function's name in the tests' stack.
pub const ENGINE_FUNCTION: &str = "sluice-test-engine";

/// The Invoke endpoint, serving [`ENGINE_FUNCTION`] until dropped.
pub struct InvokeEndpoint {
    pub addr: SocketAddr,
    /// Invocations answered, for tests that check the engine was reached.
    pub calls: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for InvokeEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl InvokeEndpoint {
    /// Serves the engine function over `deps` (what the deployed function has:
    /// the table, secrets and object store) on a free port of 127.0.0.1.
    pub async fn start(deps: Deps) -> InvokeEndpoint {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the invoke endpoint");
        let addr = listener.local_addr().expect("addr");
        let deps = Arc::new(deps);
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = calls.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let deps = deps.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let deps = deps.clone();
                        let counter = counter.clone();
                        async move {
                            Ok::<_, std::convert::Infallible>(invoke(&deps, &counter, req).await)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        InvokeEndpoint { addr, calls, task }
    }

    /// A Lambda client of `sdk` whose Invoke goes here.
    pub fn client(&self, sdk: &aws_config::SdkConfig) -> aws_sdk_lambda::Client {
        aws_sdk_lambda::Client::from_conf(
            aws_sdk_lambda::config::Builder::from(sdk)
                .endpoint_url(format!("http://{}", self.addr))
                .build(),
        )
    }
}

fn reply(status: u16, headers: &[(&str, &str)], body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut r = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.body(Full::new(Bytes::from(body))).expect("a response")
}

async fn invoke(
    deps: &Deps,
    calls: &std::sync::atomic::AtomicUsize,
    req: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let name = path
        .strip_prefix("/2015-03-31/functions/")
        .and_then(|p| p.strip_suffix("/invocations"))
        .map(str::to_string);
    let signed = req.headers().contains_key("authorization");
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return reply(400, &[], b"{}".to_vec()),
    };
    if !signed {
        return reply(
            403,
            &[("x-amzn-errortype", "MissingAuthenticationTokenException")],
            br#"{"message":"Missing Authentication Token"}"#.to_vec(),
        );
    }
    if name.as_deref() != Some(ENGINE_FUNCTION) {
        return reply(
            404,
            &[("x-amzn-errortype", "ResourceNotFoundException")],
            br#"{"Type":"User","Message":"Function not found"}"#.to_vec(),
        );
    }
    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    // As the Rust runtime does: an event it cannot read is the function's error.
    let call: EngineCall = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            let error = serde_json::json!({"errorType": "serde_json::Error", "errorMessage": e.to_string()});
            return reply(
                200,
                &[
                    ("x-amz-function-error", "Unhandled"),
                    ("x-amz-executed-version", "$LATEST"),
                ],
                error.to_string().into_bytes(),
            );
        }
    };
    let answer = answer(deps, &sluice_runs::EnginePreviewer, call).await;
    reply(
        200,
        &[("x-amz-executed-version", "$LATEST")],
        serde_json::to_vec(&answer).expect("a reply as JSON"),
    )
}
