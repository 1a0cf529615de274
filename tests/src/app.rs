//! `spawn_app()`: the local server on a free loopback port over its own data
//! directory (or, `spawn_app_on_moto()`, over the AWS adapters on moto), with tokens
//! for every role of its project and of another project.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sluice::{DataDir, Server, serve};
use sluice_app::Deps;
use sluice_app::auth::Principal;
use sluice_domain::{Id, Kind, Role};

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub project: Id,
    pub deps: Deps,
    /// Tokens of this project, by role.
    pub tokens: HashMap<Role, String>,
    /// Tokens of another project, by role.
    pub strangers: HashMap<Role, String>,
    /// That other project.
    pub stranger_project: Id,
    /// The embedded data directory (empty for other stacks).
    pub data_dir: PathBuf,
    /// Directories removed when the app drops: its data directory, and what
    /// the test gave [`TestApp::keep`].
    scratch: std::sync::Mutex<Vec<TempDir>>,
    server: Option<Server>,
    /// The stage workers of the embedded stack (runs need them).
    engine: Option<sluice::Engine>,
    /// What else must live as long as the app (an emulator).
    _keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

/// A fresh, empty directory under the system temp dir, removed with everything
/// in it when the returned guard drops (at the end of the test's scope, or of
/// the app that keeps it: [`TestApp::keep`]), a failing test's too.
pub fn temp_dir(label: &str) -> TempDir {
    let d = std::env::temp_dir().join(format!(
        "sluice-{label}-{}",
        Id::generate(Kind::Run, chrono::Utc::now().timestamp_millis() as u64)
    ));
    std::fs::create_dir_all(&d).expect("create a temp dir");
    TempDir(d)
}

/// A directory [`temp_dir`] made; it reads as its path.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The local server on its embedded default (SQLite, encrypted file secrets, the
/// local queue, object directory and DataFusion), with its stage workers.
pub async fn spawn_app() -> TestApp {
    let mut app = spawn_app_without_workers().await;
    app.engine = Some(
        sluice::Engine::start(&app.deps, &app.project)
            .await
            .expect("engine starts"),
    );
    app
}

impl TestApp {
    /// The scheduler over the app's parts.
    pub fn scheduler(&self) -> sluice_app::services::scheduler::Scheduler {
        sluice_app::services::scheduler::Scheduler::new(self.deps.clone()).expect("a queue")
    }

    /// Starts the stage workers and the scheduler of an app spawned without them.
    pub async fn start_engine(&mut self) {
        if self.engine.is_none() {
            self.engine = Some(
                sluice::Engine::start(&self.deps, &self.project)
                    .await
                    .expect("engine starts"),
            );
        }
    }
}

/// As [`spawn_app`], but nothing consumes the stage queues: the test moves runs
/// itself (through the Lambda glue, or message by message).
pub async fn spawn_app_without_workers() -> TestApp {
    spawn_app_with_upload_limit(sluice_app::DEFAULT_MAX_UPLOAD_BYTES).await
}

/// As [`spawn_app_without_workers`], its parts changed by `configure` before
/// the server starts (a mailer, Google's endpoints).
pub async fn spawn_app_with(configure: impl FnOnce(&mut Deps)) -> TestApp {
    let data_dir = temp_dir("app");
    let dir = DataDir::open(&data_dir)
        .expect("open data dir")
        .with_import_roots(vec![std::env::temp_dir()]);
    let mut deps = dir.deps(2).expect("deps");
    configure(&mut deps);
    let project = dir.default_project(&deps).await.expect("default project");
    spawn_app_on(deps, project, Some(data_dir), None).await
}

/// As [`spawn_app_without_workers`], accepting uploads up to `bytes`.
pub async fn spawn_app_with_upload_limit(bytes: u64) -> TestApp {
    let data_dir = temp_dir("app");
    // Tests write their source files under the system temp dir: it is the import
    // root (the data directory, inside it too, stays out of reach).
    let dir = DataDir::open(&data_dir)
        .expect("open data dir")
        .with_import_roots(vec![std::env::temp_dir()])
        .with_max_upload_bytes(bytes);
    let deps = dir.deps(2).expect("deps");
    let project = dir.default_project(&deps).await.expect("default project");
    spawn_app_on(deps, project, Some(data_dir), None).await
}

/// As [`spawn_app_without_workers`], its warehouse holding each query to `limits`
/// (as `SLUICE_QUERY_TIMEOUT_SECONDS` and `SLUICE_QUERY_MEMORY_MB` set them).
pub async fn spawn_app_with_limits(limits: sluice_domain::ports::QueryLimits) -> TestApp {
    let data_dir = temp_dir("app");
    let dir = DataDir::open(&data_dir)
        .expect("open data dir")
        .with_import_roots(vec![std::env::temp_dir()]);
    let mut deps = dir.deps(2).expect("deps");
    deps.warehouse = Some(std::sync::Arc::new(
        sluice_engine::DataFusionWarehouse::with_limits(&data_dir.join("objects"), limits),
    ));
    let project = dir.default_project(&deps).await.expect("default project");
    spawn_app_on(deps, project, Some(data_dir), None).await
}

/// The local server over the AWS adapters (DynamoDB, Secrets Manager) on a fresh
/// moto server and table.
pub async fn spawn_app_on_moto() -> TestApp {
    let moto = crate::moto::Moto::start().expect("moto_server starts");
    let sdk = moto.sdk_config().await;
    let table = format!("sluice-api-{}", now_ms());
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    sluice_aws::create_table(&client, &table)
        .await
        .expect("create table");
    let mut deps = Deps::new(
        std::sync::Arc::new(sluice_aws::DynamoStore::new(client, table)),
        std::sync::Arc::new(sluice_aws::SecretsManagerSecrets::from_sdk_config(&sdk)),
        std::sync::Arc::new(sluice_domain::ports::SystemClock),
        std::sync::Arc::new(sluice_app::auth::TokenKeys::sealed().expect("key")),
    );
    attach_aws_run_parts(&mut deps, &sdk).await;
    deps.import_roots = std::sync::Arc::new(
        sluice_domain::files::ImportRoots::new(&[std::env::temp_dir()], &[])
            .expect("the temp dir exists"),
    );
    // The routes that plan or preview reach the engine as deployed: the engine
    // function, over Lambda Invoke.
    let mut engine_deps = deps.clone();
    engine_deps.egress = loopback_allowed();
    let engine = crate::lambda_invoke::InvokeEndpoint::start(engine_deps).await;
    deps.previewer = Some(std::sync::Arc::new(sluice_lambda::RemoteEngine::new(
        engine.client(&sdk),
        crate::lambda_invoke::ENGINE_FUNCTION,
    )));
    let project = Id::generate(Kind::Project, now_ms());
    spawn_app_on(deps, project, None, Some(Box::new((moto, engine)))).await
}

/// Public addresses and 127.0.0.1, where the tests' servers listen.
pub fn loopback_allowed() -> sluice_domain::net::Egress {
    sluice_domain::net::Egress::allowing(vec![
        sluice_domain::net::Network::parse("127.0.0.1").expect("an address"),
    ])
}

/// The run machinery's AWS parts on moto, as a stack deploys them: the stage
/// queues with their DLQs, the run bucket, the run-event bus, Athena. The
/// transform engine is attached by the caller: the in-process one, or the
/// engine function behind [`crate::lambda_invoke::InvokeEndpoint`].
pub async fn attach_aws_run_parts(deps: &mut Deps, sdk: &aws_config::SdkConfig) {
    use std::sync::Arc;
    let suffix = now_ms();
    let sqs = aws_sdk_sqs::Client::new(sdk);
    let mut urls = vec![];
    for q in sluice_domain::pipeline::stage_queues() {
        let (url, dlq) = sluice_aws::create_queue_with_dlq(
            &sqs,
            &format!("{q}-{suffix}"),
            sluice_domain::pipeline::MAX_RECEIVES,
        )
        .await
        .expect("create a stage queue");
        urls.push((format!("{q}{}", sluice_aws::DLQ_SUFFIX), dlq));
        urls.push((q, url));
    }
    deps.queue = Some(Arc::new(sluice_aws::SqsQueue::new(sqs, urls)));
    let bucket = format!("sluice-runs-{suffix}");
    let s3 = aws_sdk_s3::Client::from_conf(sluice_aws::s3_config_from(sdk));
    sluice_aws::create_bucket(&s3, &bucket)
        .await
        .expect("create the bucket");
    deps.objects = Some(Arc::new(sluice_aws::S3Objects::new(s3, &bucket)));
    let bus = format!("sluice-runs-{suffix}");
    aws_sdk_eventbridge::Client::new(sdk)
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .expect("create the bus");
    deps.bus = Some(Arc::new(sluice_aws::EventBridgeBus::from_sdk_config(
        sdk, bus,
    )));
    deps.warehouse = Some(Arc::new(sluice_aws::AthenaWarehouse::from_sdk_config(
        sdk,
        sluice_aws::AthenaSettings {
            database: "sluice".into(),
            workgroup: "primary".into(),
            output_location: format!("s3://{bucket}/athena-results/"),
            bucket,
            timeout: std::time::Duration::from_secs(10),
        },
    )));
}

fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis() as u64
}

async fn spawn_app_on(
    mut deps: Deps,
    project: Id,
    data_dir: Option<TempDir>,
    keep: Option<Box<dyn std::any::Any + Send + Sync>>,
) -> TestApp {
    thread_logs::undecided_until_asked();
    // The tests' API replays and webhook receivers listen on this machine: the
    // operator's `--allow-network 127.0.0.1`.
    deps.egress = loopback_allowed();
    // Live run views follow the process's events whatever its bus.
    sluice::with_live_feed(&mut deps);
    // The first user to sign up owns the app's project.
    deps.identity.default_project = project.clone();
    // The suites send thousands of requests a minute with one token: no
    // request budget here (tests/tests/budget.rs tests the budget).
    deps.identity.requests_per_minute = 0;
    // The connection tester under the same policy and Google endpoints.
    deps.tester = Some(std::sync::Arc::new(sluice_connectors::tester::Tester::new(
        &deps.egress,
        &deps.google,
    )));
    let server = serve(deps.clone(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("serve");
    let mint = |project: &Id, who: &str| -> HashMap<Role, String> {
        let now = chrono::Utc::now().timestamp();
        Role::ALL
            .into_iter()
            .map(|role| {
                let subject = format!("{who}-{}", role.as_str());
                let p = Principal::operator(subject, project.clone(), role);
                (role, deps.auth.sign(&p, now, 3600).expect("signed"))
            })
            .collect()
    };
    let tokens = mint(&project, "test");
    let stranger_project = Id::generate(Kind::Project, now_ms());
    let strangers = mint(&stranger_project, "stranger");
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
        strangers,
        stranger_project,
        data_dir: data_dir
            .as_ref()
            .map(|d| d.to_path_buf())
            .unwrap_or_default(),
        scratch: std::sync::Mutex::new(data_dir.into_iter().collect()),
        server: Some(server),
        engine: None,
        _keep: keep,
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
    /// Reads a response whole.
    pub async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        Reply {
            status,
            headers,
            text,
        }
    }

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
        Reply::read(rb.send().await.expect("request reaches the server")).await
    }

    /// Uploads `bytes` as the project's file `path` (as the owner).
    pub async fn upload(&self, path: &str, bytes: Vec<u8>) -> Reply {
        let resp = self
            .client
            .put(format!("{}/v1/files/{path}", self.base))
            .bearer_auth(self.token(Role::Owner))
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("request reaches the server");
        Reply::read(resp).await
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

    /// Writes `record` straight into the metadata store (state the API cannot
    /// make, such as a run half-way through).
    pub async fn seed<T: sluice_domain::entities::Entity>(&self, record: &T) {
        let r = sluice_app::records::to_record(record).expect("a storable record");
        self.deps.store.insert(&r).await.expect("seeded");
    }

    /// As the owner; panics unless the answer is a 422 naming `field`.
    pub async fn refused(&self, method: &str, path: &str, body: &Value, field: &str) -> Reply {
        let r = self
            .send(method, path, self.token(Role::Owner), Some(body))
            .await;
        assert_eq!(
            (r.status, r.field()),
            (422, field.to_string()),
            "{method} {path} {body}: {}",
            r.text
        );
        r
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        if let Some(e) = self.engine.take() {
            e.stop().await;
        }
        // Its directories go as it drops, here.
    }

    /// Keeps `dir` as long as the app: a source's files that its runs read.
    pub fn keep(&self, dir: TempDir) -> PathBuf {
        let path = dir.to_path_buf();
        if let Ok(mut kept) = self.scratch.lock() {
            kept.push(dir);
        }
        path
    }
}

/// A test that reads what its own server logs sets a subscriber for its thread
/// (`tracing::subscriber::set_default`). Tracing caches, per log line, whether any
/// subscriber wants it; a line first met on another test's thread while none did
/// could stay off for good, and the reading test would miss it. A process-wide
/// subscriber that wants nothing but answers "ask me each time" keeps every line's
/// answer open, so the thread's own subscriber is always asked.
pub mod thread_logs {
    use tracing::subscriber::Interest;
    use tracing::{Event, Metadata, span};

    struct Undecided;

    impl tracing::Subscriber for Undecided {
        fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
            Interest::sometimes()
        }
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            false
        }
        fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
            span::Id::from_u64(1)
        }
        fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
        fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, _: &span::Id) {}
        fn exit(&self, _: &span::Id) {}
    }

    /// Installs [`Undecided`] once for the process (every app the tests spawn
    /// calls this first), and has every line met so far ask again.
    pub fn undecided_until_asked() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // Another global subscriber (none in these tests) would do as well.
            let _ = tracing::subscriber::set_global_default(Undecided);
        });
        tracing::callsite::rebuild_interest_cache();
    }

    #[cfg(test)]
    mod tests {
        use std::sync::{Arc, Mutex};

        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);

        impl std::io::Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("lines").extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        fn says(what: &str) {
            tracing::info!(what, "A line both threads log.");
        }

        #[test]
        fn a_line_another_thread_met_first_still_reaches_this_threads_subscriber() {
            super::undecided_until_asked();
            let lines = Lines::default();
            let writer = lines.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            let _mine = tracing::subscriber::set_default(subscriber);
            // Another thread, with no subscriber of its own, meets the line first.
            std::thread::spawn(|| says("there"))
                .join()
                .expect("the other thread");
            says("here");
            let text = String::from_utf8(lines.0.lock().expect("lines").clone()).expect("text");
            assert!(
                text.contains("what=\"here\""),
                "this thread's line: {text:?}"
            );
            assert!(!text.contains("there"), "only this thread's line: {text:?}");
        }
    }
}
