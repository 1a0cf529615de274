//! `spawn_app()`: the local server on a free loopback port over its own data
//! directory, with tokens for every role of its project and of another project.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde_json::Value;
use sluice::{DataDir, Server, serve};
use sluice_app::Deps;
use sluice_domain::{Id, Kind, Role};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub project: Id,
    pub deps: Deps,
    /// Tokens of this project, by role.
    pub tokens: HashMap<Role, String>,
    /// An owner token of another project.
    pub stranger: String,
    pub data_dir: PathBuf,
    server: Option<Server>,
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sluice-{label}-{}",
        Id::generate(Kind::Run, chrono::Utc::now().timestamp_millis() as u64)
    ));
    std::fs::create_dir_all(&d).expect("create a temp dir");
    d
}

pub async fn spawn_app() -> TestApp {
    let data_dir = temp_dir("app");
    let dir = DataDir::open(&data_dir).expect("open data dir");
    let deps = dir.deps(2).expect("deps");
    let project = dir.default_project(&deps).await.expect("default project");
    let server = serve(deps.clone(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("serve");
    let tokens = Role::ALL
        .into_iter()
        .map(|r| {
            (
                r,
                dir.mint(&project, r, &format!("test-{}", r.as_str()), 3600)
                    .expect("mint"),
            )
        })
        .collect();
    let other = Id::generate(Kind::Project, chrono::Utc::now().timestamp_millis() as u64);
    let stranger = dir
        .mint(&other, Role::Owner, "stranger", 3600)
        .expect("mint");
    TestApp {
        addr: server.addr,
        base: format!("http://{}", server.addr),
        client: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        project,
        deps,
        tokens,
        stranger,
        data_dir,
        server: Some(server),
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status, self.text
            )
        })
    }
    /// `details.field` of an error envelope.
    pub fn field(&self) -> String {
        self.json()["error"]["details"]["field"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl TestApp {
    pub fn token(&self, role: Role) -> &str {
        &self.tokens[&role]
    }

    /// Sends `method path` with `token` (none if empty) and a raw body.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<String>,
        content_type: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            rb = rb.bearer_auth(token);
        }
        if let Some(b) = body {
            rb = rb
                .header("content-type", content_type.unwrap_or("application/json"))
                .body(b);
        }
        let resp = rb.send().await.expect("request reaches the server");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        Reply {
            status,
            headers,
            text,
        }
    }

    pub async fn send(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Reply {
        self.send_raw(method, path, token, body.map(|b| b.to_string()), None)
            .await
    }

    /// As the owner of the project; panics unless the status is `expect`.
    pub async fn owner(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        expect: u16,
    ) -> Value {
        let r = self.send(method, path, self.token(Role::Owner), body).await;
        assert_eq!(r.status, expect, "{method} {path}: {}", r.text);
        if r.text.is_empty() {
            Value::Null
        } else {
            r.json()
        }
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
