//! The local HTTP server: hyper over tokio, every request handed to
//! `sluice_app::api::handle`, the same code the Lambda functions run.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use sluice_app::Deps;
use sluice_app::api::{self, ApiRequest, ApiResponse, MAX_BODY_BYTES};
use sluice_app::error::ApiError;
use tokio::net::TcpListener;
use tokio::sync::watch;

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
                    let deps = deps.clone();
                    let mut conn_stop = stopped.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| {
                            let deps = deps.clone();
                            async move { Ok::<_, Infallible>(respond(&deps, req).await) }
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

async fn respond(deps: &Deps, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let response = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => {
            let request = ApiRequest {
                method: parts.method,
                path: parts.uri.path().to_string(),
                query: parts.uri.query().map(str::to_string),
                headers: parts.headers,
                body: collected.to_bytes(),
            };
            api::handle(deps, request).await
        }
        Err(_) => ApiResponse::error(&ApiError::PayloadTooLarge(MAX_BODY_BYTES)),
    };
    let mut builder = Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(*k, v);
    }
    builder.body(Full::new(response.body)).unwrap_or_else(|_| Response::new(Full::new(Bytes::from_static(b"{\"error\":{\"code\":\"internal\",\"message\":\"bad response header\",\"details\":{}}}"))))
}
