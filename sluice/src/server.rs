//! The local HTTP server: hyper over tokio, every request handed to
//! `sluice_app::api::handle`, the same code the Lambda functions run.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use sluice_app::Deps;
use sluice_app::api::ApiError;
use sluice_app::api::{self, ApiRequest, ApiResponse, MAX_BODY_BYTES, SpooledBody};
use sluice_app::routes::{self, Matched};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::console;

/// A running server; dropping it (or calling `stop`) stops accepting connections.
pub struct Server {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Binds `addr` and serves the API until stopped.
pub async fn serve(deps: Deps, addr: SocketAddr) -> anyhow::Result<Server> {
    listen(api(deps)?, addr, Site::Api).await
}

/// The API over `deps`, to hand to [`listen`].
pub fn api(deps: Deps) -> anyhow::Result<Arc<api::Api>> {
    // The local server serves every route: it must have every part they call.
    Ok(Arc::new(api::Api::all(deps).map_err(
        |(route, missing)| anyhow::anyhow!("cannot serve {route}: {missing}"),
    )?))
}

/// What a listener answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// The API alone.
    Api,
    /// The web console's files, and the API's paths (`/v1/…`, `/openapi.json`,
    /// `/health`, `/.well-known/…`) handed to the API: the console calls it on
    /// its own origin.
    Console,
}

/// Binds `addr` and answers as `site` until stopped.
pub async fn listen(api: Arc<api::Api>, addr: SocketAddr, site: Site) -> anyhow::Result<Server> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let api = api.clone();
                    let mut conn_stop = stopped.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            let api = api.clone();
                            async move {
                                Ok::<_, Infallible>(match site {
                                    Site::Api => respond(&api, req).await,
                                    Site::Console => console_respond(&api, req).await,
                                })
                            }
                        });
                        let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
                        tokio::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => {}
                            _ = conn_stop.changed() => {
                                conn.as_mut().graceful_shutdown();
                                let _ = conn.await;
                            }
                        }
                    });
                }
                _ = stopped.changed() => break,
            }
        }
    });
    Ok(Server {
        addr,
        stop,
        task: Some(task),
    })
}

/// The console's listener: its files for reads of any other path than the API's.
async fn console_respond(api: &api::Api, req: Request<Incoming>) -> Response<Body> {
    let read = req.method() == Method::GET || req.method() == Method::HEAD;
    if !read || console::is_api_path(req.uri().path()) {
        return respond(api, req).await;
    }
    let gzip = console::takes_gzip(
        req.headers()
            .get(http::header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let page = console::page(req.uri().path(), gzip);
    let mut builder = Response::builder().status(page.status);
    for (k, v) in page.headers {
        builder = builder.header(k, v);
    }
    builder
        .body(whole(page.body))
        .unwrap_or_else(|_| Response::new(whole(Bytes::new())))
}

/// A response body: whole, or sent as it is made.
type Body = UnsyncBoxBody<Bytes, std::io::Error>;

async fn respond(api: &api::Api, req: Request<Incoming>) -> Response<Body> {
    let deps = &api.deps;
    let (parts, body) = req.into_parts();
    // Routed once: the route decides how the body is read, then serves it.
    let route = match routes::find(&parts.method, parts.uri.path()) {
        Matched::Route(route, _) => Some(route),
        _ => None,
    };
    let mut request = ApiRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body: Bytes::new(),
        spooled: None,
        // Only a Lambda authorizer resolves a credential ahead of the route;
        // nothing a client sends sets it here.
        authorized: None,
    };
    let read = match route {
        // An upload streams to a temporary file, never whole in memory; who asks
        // and the declared length are checked before a byte is written.
        Some(route) if route.upload => match api::precheck_upload(deps, route, &request).await {
            Err(e) => Err(e),
            Ok(()) => spool(body, &deps.upload_spool, deps.max_upload_bytes)
                .await
                .map(|spooled| request.spooled = Some(Arc::new(spooled))),
        },
        _ => Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map(|collected| request.body = collected.to_bytes())
            .map_err(|_| ApiError::PayloadTooLarge(MAX_BODY_BYTES)),
    };
    let response = match (read, route) {
        (Err(e), _) => ApiResponse::error(&e),
        (Ok(()), Some(route)) => api::handle_route(api, route, request).await,
        // No route: the shared edge says which methods the path takes, if any.
        (Ok(()), None) => api::handle(api, request).await,
    };
    let mut builder = Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(*k, v);
    }
    // A streamed body goes out chunk by chunk (chunked transfer); an error
    // midway breaks the transfer, so a reader never takes a cut body for whole.
    let body = match response.stream.as_ref().and_then(|s| s.take()) {
        Some(stream) => BodyExt::boxed_unsync(StreamBody::new(futures_util::StreamExt::map(
            stream,
            |chunk| chunk.map(Frame::data),
        ))),
        None => whole(response.body),
    };
    builder.body(body).unwrap_or_else(|_| Response::new(whole(Bytes::from_static(b"{\"error\":{\"code\":\"internal\",\"message\":\"bad response header\",\"details\":{}}}"))))
}

fn whole(bytes: Bytes) -> Body {
    BodyExt::boxed_unsync(Full::new(bytes).map_err(|never| match never {}))
}

/// Names temporary upload files uniquely within the process.
static SPOOL_SEQ: AtomicU64 = AtomicU64::new(0);

/// Writes a request body to an owner-only temporary file as its frames arrive,
/// refusing it once it passes `limit` bytes (the file is then removed).
async fn spool(
    mut body: Incoming,
    dir: &std::path::Path,
    limit: u64,
) -> Result<SpooledBody, ApiError> {
    use tokio::io::AsyncWriteExt as _;
    let seq = SPOOL_SEQ.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("sluice-upload-{}-{seq}", std::process::id()));
    let internal = |e: std::io::Error| ApiError::Internal(format!("spooling an upload: {e}"));
    let mut opts = tokio::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut file = opts.open(&path).await.map_err(internal)?;
    // From here the file is removed however this ends.
    let mut spooled = SpooledBody { path, len: 0 };
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::bad_request(format!("the upload broke off: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        spooled.len += data.len() as u64;
        if spooled.len > limit {
            return Err(ApiError::PayloadTooLarge(limit as usize));
        }
        file.write_all(&data).await.map_err(internal)?;
    }
    file.flush().await.map_err(internal)?;
    file.sync_all().await.map_err(internal)?;
    Ok(spooled)
}
