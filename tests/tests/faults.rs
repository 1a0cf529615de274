//! Injected faults: when the metadata store or the secret store fails mid-request,
//! the caller gets a 500 that says nothing internal, and nothing is half-written —
//! no record without its secret, no orphaned or half-rotated secret.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use serde_json::{Value, json};
use sluice_app::Deps;
use sluice_app::api::{Api, ApiRequest, handle};
use sluice_app::auth::{Principal, TokenKeys};
use sluice_domain::ports::{
    DueQuery, ListQuery, Page, Record, RecordDue, RecordGet, RecordList, RecordPut, SecretValue,
    Secrets, SecretsError, StoreError, SystemClock,
};
use sluice_domain::{Id, Kind, Role};
use sluice_local::{FileSecrets, SqliteStore};
use sluice_tests::app::temp_dir;

/// A store that fails writes, or reads, or stops answering, on demand.
struct FlakyStore {
    inner: SqliteStore,
    fail_insert: AtomicBool,
    fail_replace: AtomicBool,
    fail_get: AtomicBool,
    stall_get: AtomicBool,
}

#[async_trait]
impl RecordGet for FlakyStore {
    async fn get(&self, project: &Id, kind: Kind, id: &Id) -> Result<Option<Record>, StoreError> {
        if self.fail_get.load(Ordering::SeqCst) {
            return Err(StoreError::backend(
                "injected: disk I/O error on /var/lib/internal/meta.db",
            ));
        }
        if self.stall_get.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
        self.inner.get(project, kind, id).await
    }
}

#[async_trait]
impl RecordPut for FlakyStore {
    async fn insert(&self, r: &Record) -> Result<(), StoreError> {
        if self.fail_insert.load(Ordering::SeqCst) {
            return Err(StoreError::backend(
                "injected: table /var/lib/internal/meta.db is locked",
            ));
        }
        self.inner.insert(r).await
    }
    async fn replace(&self, r: &Record) -> Result<(), StoreError> {
        if self.fail_replace.load(Ordering::SeqCst) {
            return Err(StoreError::backend(
                "injected: connection reset by internal-db-7",
            ));
        }
        self.inner.replace(r).await
    }
}

#[async_trait]
impl RecordList for FlakyStore {
    async fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        self.inner.list(q).await
    }
}

#[async_trait]
impl RecordDue for FlakyStore {
    async fn due(&self, q: &DueQuery) -> Result<Vec<Record>, StoreError> {
        self.inner.due(q).await
    }
}

/// Secrets that fail writes on demand.
struct FlakySecrets {
    inner: FileSecrets,
    fail_put: AtomicBool,
}

#[async_trait]
impl Secrets for FlakySecrets {
    async fn put(&self, name: &str, value: &SecretValue) -> Result<(), SecretsError> {
        if self.fail_put.load(Ordering::SeqCst) {
            return Err(SecretsError::backend(
                "injected: secrets endpoint timed out",
            ));
        }
        self.inner.put(name, value).await
    }
    async fn get(&self, name: &str) -> Result<Option<SecretValue>, SecretsError> {
        self.inner.get(name).await
    }
    async fn delete(&self, name: &str) -> Result<(), SecretsError> {
        self.inner.delete(name).await
    }
}

struct Harness {
    api: Api,
    store: Arc<FlakyStore>,
    secrets: Arc<FlakySecrets>,
    token: String,
    project: Id,
    dir: sluice_tests::app::TempDir,
}

fn harness() -> Harness {
    let dir = temp_dir("faults");
    let store = Arc::new(FlakyStore {
        inner: SqliteStore::open(&dir.join("m.db"), 1).expect("store"),
        fail_insert: AtomicBool::new(false),
        fail_replace: AtomicBool::new(false),
        fail_get: AtomicBool::new(false),
        stall_get: AtomicBool::new(false),
    });
    let secrets = Arc::new(FlakySecrets {
        inner: FileSecrets::open(&dir.join("s.json"), &dir.join("s.key")).expect("secrets"),
        fail_put: AtomicBool::new(false),
    });
    let keys = TokenKeys::sealed().expect("keys");
    let project = Id::generate(Kind::Project, 1_700_000_000_000);
    let token = keys
        .sign(
            &Principal::operator("t", project.clone(), Role::Owner),
            chrono::Utc::now().timestamp(),
            600,
        )
        .expect("signed");
    let mut deps = Deps::new(
        store.clone(),
        secrets.clone(),
        Arc::new(SystemClock),
        Arc::new(keys),
    );
    deps.egress = sluice_tests::app::loopback_allowed();
    Harness {
        api: Api::available(deps),
        store,
        secrets,
        token,
        project,
        dir,
    }
}

impl Harness {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "authorization",
            format!("Bearer {}", self.token).parse().expect("header"),
        );
        self.send(method, path, headers, body).await.0
    }

    /// `GET path` without a credential: the status, the body, and its text.
    async fn anonymous(&self, path: &str) -> ((u16, Value), String) {
        self.send("GET", path, http::HeaderMap::new(), None).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: http::HeaderMap,
        body: Option<Value>,
    ) -> ((u16, Value), String) {
        let req = ApiRequest {
            method: method.parse().expect("method"),
            path: path.into(),
            query: None,
            headers,
            body: body.map(|b| b.to_string().into()).unwrap_or_default(),
            spooled: None,
            authorized: None,
        };
        let r = handle(&self.api, req).await;
        let v = if r.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&r.body).expect("JSON body")
        };
        let text = String::from_utf8_lossy(&r.body).into_owned();
        ((r.status, v), text)
    }

    async fn sources(&self) -> usize {
        self.call("GET", "/v1/sources", None).await.1["items"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
    }
}

const SOURCE: fn(&str) -> Value = |token| json!({"title": "API", "connector": "http_json", "config": {"base_url": "https://api.example.com", "auth_value": token}});

#[tokio::test]
async fn a_failed_record_write_leaves_no_secret_behind() {
    let h = harness();
    h.store.fail_insert.store(true, Ordering::SeqCst);
    let (status, body) = h
        .call("POST", "/v1/sources", Some(SOURCE("ghp_orphan")))
        .await;
    assert_eq!(status, 500);
    assert_eq!(body["error"]["code"], json!("internal"));
    let text = body.to_string();
    assert!(
        !text.contains("injected") && !text.contains("/var/lib") && !text.contains("ghp_orphan"),
        "a 500 says nothing internal: {text}"
    );
    h.store.fail_insert.store(false, Ordering::SeqCst);
    assert_eq!(h.sources().await, 0, "no record");
    let file = std::fs::read_to_string(h.dir.join("s.json")).unwrap_or_default();
    assert!(
        file.is_empty() || file == "{}",
        "no secret left behind: {file}"
    );
}

#[tokio::test]
async fn a_failed_secret_write_writes_no_record() {
    let h = harness();
    h.secrets.fail_put.store(true, Ordering::SeqCst);
    let (status, _) = h.call("POST", "/v1/sources", Some(SOURCE("ghp_x"))).await;
    assert_eq!(status, 500);
    assert_eq!(h.sources().await, 0);
}

#[tokio::test]
async fn a_failed_update_puts_the_previous_secret_back() {
    let h = harness();
    let (status, created) = h
        .call("POST", "/v1/sources", Some(SOURCE("ghp_before")))
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().expect("id").to_string();
    h.store.fail_replace.store(true, Ordering::SeqCst);
    let (status, _) = h
        .call(
            "PATCH",
            &format!("/v1/sources/{id}"),
            Some(json!({"config": {"auth_value": "ghp_after"}})),
        )
        .await;
    assert_eq!(status, 500);
    let name = format!("sluice/{}/{id}", h.project);
    let stored = h
        .api
        .deps
        .secrets
        .get(&name)
        .await
        .expect("get")
        .expect("still there");
    assert!(
        stored.expose().contains("ghp_before"),
        "the rotation was rolled back"
    );
    h.store.fail_replace.store(false, Ordering::SeqCst);
    let (_, got) = h.call("GET", &format!("/v1/sources/{id}"), None).await;
    assert_eq!(got["version"], json!(1), "the record is unchanged");
}

/// `/health` asks the store and the secrets (all this process holds) and
/// answers 503 naming the store when the store fails or stops answering, with
/// nothing of why; it is healthy again once the store answers.
#[tokio::test]
async fn health_is_503_naming_the_store_when_the_store_fails_or_stalls() {
    let h = harness();
    let ((status, body), _) = h.anonymous("/health").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["checks"], json!({"store": "ok", "secrets": "ok"}));

    h.store.fail_get.store(true, Ordering::SeqCst);
    let ((status, body), text) = h.anonymous("/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"], json!({"store": "failed", "secrets": "ok"}));
    for internal in ["injected", "meta.db", "/var/lib", "I/O"] {
        assert!(
            !text.contains(internal),
            "the answer says nothing internal: {text}"
        );
    }
    h.store.fail_get.store(false, Ordering::SeqCst);

    // A store that does not answer (for a minute) is down once the check's
    // timeout has passed: had the check waited for it, it would say `ok`.
    h.store.stall_get.store(true, Ordering::SeqCst);
    let ((status, body), _) = h.anonymous("/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["store"], "timed_out");
    h.store.stall_get.store(false, Ordering::SeqCst);

    let ((status, _), _) = h.anonymous("/health").await;
    assert_eq!(status, 200);
}
