//! What the connector tests share: a scripted local HTTP/1.1 server, the
//! egress that lets a connector reach it, and the records of a step.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sluice_connectors::StepOutput;
use sluice_domain::pipeline::ChunkFormat;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.target.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then(|| v.to_string())
        })
    }
}

pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    pub fn json(body: Value) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.to_string(),
        }
    }
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: body.to_string(),
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Script = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// Answers each request with what the script says for it (and its index from 0),
/// one request per connection; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(script: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let seen = Arc::new(Mutex::new(vec![]));
        let script: Arc<Script> = Arc::new(script);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                // Connections are served one at a time: aborting this task stops all.
                let _ = serve(socket, &log, script.as_ref()).await;
            }
        });
        Server { addr, seen, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    log: &Mutex<Vec<Seen>>,
    script: &Script,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut block = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut block).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&block[..n]);
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(buf.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let method = first.split(' ').next().unwrap_or("GET").to_string();
    let target = first.split(' ').nth(1).unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    // The body, as long as its Content-Length says.
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut block).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&block[..n]);
    }
    let request = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let index = {
        let mut log = log.lock().expect("not poisoned");
        log.push(request.clone());
        log.len() - 1
    };
    let reply = script(&request, index);
    let mut out = format!(
        "HTTP/1.1 {} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (n, v) in &reply.headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&reply.body);
    socket.write_all(out.as_bytes()).await?;
    socket.shutdown().await
}

/// Public addresses and 127.0.0.1, where these tests' APIs listen (an operator's
/// `--allow-network 127.0.0.1`).
pub fn local() -> sluice_domain::net::Egress {
    sluice_domain::net::Egress::allowing(vec![
        sluice_domain::net::Network::parse("127.0.0.1").expect("an address"),
    ])
}

pub fn records(out: &StepOutput) -> Vec<Value> {
    out.chunks
        .iter()
        .flat_map(|c| {
            assert_eq!(c.format, ChunkFormat::Ndjson);
            let text = String::from_utf8(c.bytes.clone()).expect("utf-8");
            assert_eq!(text.lines().count() as u64, c.rows);
            text.lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("one JSON value a line"))
                .collect::<Vec<_>>()
        })
        .collect()
}
