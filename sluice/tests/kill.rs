//! Kill -9 the `sluice` process at random points of a run, start it again over the
//! same data directory, repeatedly: the run finishes, every source row lands
//! exactly once (count, distinct keys and a checksum), and no run stays `running`.
//! And, from the outside too: no credential reaches the process's log.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Sluice {
    child: Child,
    base: String,
    token: String,
}

impl Drop for Sluice {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sluice serve` on a free port over `data`; returns once it printed its address.
fn start(data: &Path) -> Sluice {
    start_logging(data, None)
}

/// As [`start`], its log (at debug level) written to `log` when given.
fn start_logging(data: &Path, log: Option<&Path>) -> Sluice {
    let stderr = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
        None => Stdio::null(),
    };
    let level = if log.is_some() { "debug" } else { "warn" };
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            "--data-dir",
            &data.display().to_string(),
            "--import-root",
            &std::env::temp_dir().display().to_string(),
            // The test's REST API listens here.
            "--allow-network",
            "127.0.0.1",
            "serve",
            "--port",
            "0",
        ])
        .env("RUST_LOG", level)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("sluice starts");
    let out = child.stdout.take().expect("stdout");
    let (mut base, mut token) = (String::new(), String::new());
    let mut lines = BufReader::new(out).lines();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(url) = line.strip_prefix("Sluice is listening on ") {
            base = url.trim().to_string();
        }
        if let Some(t) = line.strip_prefix("export TOKEN=") {
            token = t.trim().to_string();
            break;
        }
    }
    assert!(
        !base.is_empty() && !token.is_empty(),
        "sluice printed its address and token"
    );
    // Keep reading: a closed pipe would fail the server's next print.
    std::thread::spawn(move || for _ in lines {});
    Sluice { child, base, token }
}

async fn call(
    s: &Sluice,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut rb = client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(&s.token);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.expect("the server answers");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(
    s: &Sluice,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    want: u16,
) -> Value {
    let (status, v) = call(s, method, path, body).await;
    assert_eq!(status, want, "{path}: {v}");
    v
}

/// A directory of the test's own, removed with what it holds when the guard
/// goes, passed or failed.
fn temp(label: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("sluice-{label}-"))
        .tempdir()
        .expect("temp dir")
}

/// 150 files of 1,000 orders; returns the sum of `amount`.
fn write_orders(dir: &Path) -> f64 {
    let mut total = 0.0;
    let mut id = 0u64;
    for f in 0..150 {
        let mut text = String::new();
        for _ in 0..1000 {
            id += 1;
            let amount = (id % 997) as f64 / 4.0;
            total += amount;
            text.push_str(&format!("{{\"id\": \"{id}\", \"amount\": \"{amount}\"}}\n"));
        }
        std::fs::write(dir.join(format!("part-{f:03}.ndjson")), text).expect("file");
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_survives_repeated_kill_9_with_every_row_exactly_once() {
    use reqwest::Method;
    let data_dir = temp("kill-data");
    let data = data_dir.path();
    let files_dir = temp("kill-files");
    let files = files_dir.path();
    let total = write_orders(files);
    let mut s = start(data);
    let storage = ok(
        &s,
        Method::POST,
        "/v1/storages",
        Some(json!({"title": "Lake", "kind": "local"})),
        201,
    )
    .await;
    let source = ok(&s, Method::POST, "/v1/sources", Some(json!({"title": "Orders", "connector": "files", "config": {"location": files.display().to_string(), "format": "ndjson"}})), 201).await;
    let mart = ok(
        &s,
        Method::POST,
        "/v1/data-marts",
        Some(json!({"title": "Orders", "storage_id": storage["id"]})),
        201,
    )
    .await;
    let mart = mart["id"].as_str().expect("id").to_string();
    ok(
        &s,
        Method::PUT,
        &format!("/v1/data-marts/{mart}/definition"),
        Some(json!({
            "kind": "connector",
            "source_id": source["id"],
            "streams": [{"name": "*.ndjson", "mapping": {"columns": [
                {"target": "id", "source": "id", "cast": "int"},
                {"target": "amount", "source": "amount", "cast": "float"}
            ]}}],
            "pipeline": {"batch_size": 500}
        })),
        200,
    )
    .await;
    ok(
        &s,
        Method::POST,
        &format!("/v1/data-marts/{mart}/publish"),
        None,
        200,
    )
    .await;
    let run = ok(
        &s,
        Method::POST,
        &format!("/v1/data-marts/{mart}/runs"),
        Some(json!({})),
        201,
    )
    .await;
    let run = run["id"].as_str().expect("run id").to_string();

    // Kill at pseudo-random points (a fixed sequence, so a failure can be replayed).
    let mut seed: u64 = 0x5eed_1234;
    let mut kills = 0;
    let mut seen = vec![];
    for _ in 0..12 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let wait = 20 + (seed >> 33) % 250;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let (_, r) = call(&s, Method::GET, &format!("/v1/runs/{run}"), None).await;
        let status = r["status"].as_str().unwrap_or_default().to_string();
        seen.push(format!("{status}@{}", r["progress"]["chunks_done"]));
        if status == "succeeded" {
            break;
        }
        s.child.kill().expect("kill -9");
        s.child.wait().expect("reaped");
        kills += 1;
        drop(s);
        s = start(data);
    }
    let start_wait = Instant::now();
    let last = loop {
        let (_, r) = call(&s, Method::GET, &format!("/v1/runs/{run}"), None).await;
        let status = r["status"].as_str().unwrap_or_default();
        if matches!(status, "succeeded" | "failed" | "cancelled") {
            break r;
        }
        assert!(
            start_wait.elapsed() < Duration::from_secs(120),
            "run stuck after {kills} kills: {r}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        last["status"], "succeeded",
        "after {kills} kills ({seen:?}): {last}"
    );
    eprintln!(
        "killed {kills} times: {seen:?}; interruptions {}",
        last["interruptions"]
    );
    assert!(
        kills >= 3,
        "the run was killed mid-way at least three times ({seen:?})"
    );
    assert_eq!(last["counters"]["rows_written"], 150_000, "{last}");
    let q = ok(&s, Method::POST, &format!("/v1/data-marts/{mart}/query"), Some(json!({
        "sql": "SELECT count(*), count(DISTINCT id), sum(amount), min(id), max(id) FROM ${DATA_MART_TABLE}"
    })), 200).await;
    let row = &q["rows"][0];
    assert_eq!(row[0], 150_000, "{q}");
    assert_eq!(row[1], 150_000, "{q}");
    assert!((row[2].as_f64().expect("sum") - total).abs() < 1e-6, "{q}");
    assert_eq!((row[3].as_i64(), row[4].as_i64()), (Some(1), Some(150_000)));
    let runs = ok(&s, Method::GET, "/v1/runs", None, 200).await;
    for r in runs["items"].as_array().into_iter().flatten() {
        assert_ne!(r["status"], "running", "no run is left running: {r}");
    }
    drop(s);
}

/// Every value that can carry a credential, sent through the API of a running
/// `sluice` (creates, patches, refusals, a preview that fails upstream), appears in
/// none of its answers, nowhere in its debug log, nowhere in its data directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_reaches_a_response_the_log_or_the_data_directory() {
    let data_dir = temp("secrets-data");
    let data = data_dir.path();
    let log_dir = temp("secrets-log");
    let log = log_dir.path().join("sluice.log");
    let s = start_logging(data, Some(&log));
    let secrets = [
        "hdr-LOGSECRET-1",
        "tok-LOGSECRET-2",
        "wh-LOGSECRET-3",
        "qs-LOGSECRET-4",
        "prj-LOGSECRET-5",
    ];
    let mut answers = String::new();
    let storage = ok(
        &s,
        reqwest::Method::POST,
        "/v1/storages",
        Some(json!({"title": "Lake", "kind": "local"})),
        201,
    )
    .await;
    let source = ok(
        &s,
        reqwest::Method::POST,
        "/v1/sources",
        Some(json!({"title": "API", "connector": "http_json", "config": {
        // Nothing listens on port 9: the preview fails upstream, with the request
        // (and its headers) in hand.
        "base_url": "http://127.0.0.1:9/v1",
        "auth_value": format!("Bearer {}", secrets[1]),
        "headers": {"X-Api-Key": secrets[0]},
        "max_retries": 0}})),
        201,
    )
    .await;
    answers.push_str(&source.to_string());
    let mart = ok(
        &s,
        reqwest::Method::POST,
        "/v1/data-marts",
        Some(json!({"title": "M", "storage_id": storage["id"]})),
        201,
    )
    .await;
    let (_, preview) = call(&s, reqwest::Method::POST, &format!("/v1/data-marts/{}/preview", mart["id"].as_str().expect("id")),
        Some(json!({"definition": {"kind": "connector", "source_id": source["id"], "streams": [{"name": "/orders"}]}}))).await;
    answers.push_str(&preview.to_string());
    let hook = ok(
        &s,
        reqwest::Method::POST,
        "/v1/destinations",
        Some(json!({"title": "Hook", "kind": "webhook",
        "config": {"url": format!("https://hooks.example.com/in?token={}", secrets[2])}})),
        201,
    )
    .await;
    answers.push_str(&hook.to_string());
    let (status, refused) = call(
        &s,
        reqwest::Method::POST,
        "/v1/sources",
        Some(json!({"title": "API", "connector": "http_json",
        "config": {"base_url": format!("https://api.example.com/?api_key={}", secrets[3])}})),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    answers.push_str(&refused.to_string());
    let project = ok(
        &s,
        reqwest::Method::PATCH,
        "/v1/project",
        Some(json!({"webhook_url": format!("https://hooks.example.com/p/{}", secrets[4])})),
        200,
    )
    .await;
    answers.push_str(&project.to_string());
    for path in ["/v1/sources", "/v1/destinations", "/v1/project"] {
        answers.push_str(
            &ok(&s, reqwest::Method::GET, path, None, 200)
                .await
                .to_string(),
        );
    }
    drop(s);
    let log_text = std::fs::read_to_string(&log).expect("the log");
    assert!(log_text.contains("DEBUG"), "the log is at debug level");
    let mut files = vec![log.clone()];
    let mut stack = vec![data.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("dir").flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    for secret in secrets {
        assert!(!answers.contains(secret), "{secret} in an answer");
        for f in &files {
            let bytes = std::fs::read(f).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in {}",
                f.display()
            );
        }
    }
}

/// A usage error is one line saying what is wrong, with no stack trace, even with
/// `RUST_BACKTRACE` set: a wrong role, an import root that does not exist.
#[test]
fn usage_errors_are_one_line_without_a_stack_trace() {
    let data_dir = temp("usage");
    let data = data_dir.path();
    for (args, says) in [
        (vec!["token", "--role", "nobody"], "--role must be one of"),
        (
            vec!["run", "dm_x", "--project", "nope"],
            "--project `nope` is not a project id",
        ),
        (
            vec![
                "--import-root",
                "/nonexistent/sluice-imports",
                "serve",
                "--port",
                "0",
            ],
            "import root /nonexistent/sluice-imports cannot be read",
        ),
        (
            vec!["--allow-network", "localhost", "serve", "--port", "0"],
            "`localhost` is not a network",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .arg("--data-dir")
            .arg(data)
            .args(&args)
            .env("RUST_BACKTRACE", "1")
            .env("RUST_LOG", "error")
            .output()
            .expect("sluice runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            err.starts_with("error: ") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(!err.contains("backtrace"), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

/// `sluice …` over `data`, `stdin` on its standard input; its status and output.
fn sluice_cli(data: &Path, args: &[&str], stdin: &str) -> (bool, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sluice runs");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let out = child.wait_with_output().expect("sluice ends");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The operator's commands over the data directory: users added, listed,
/// changed and reset, the password only ever on standard input and never in
/// the output; a key rotation keeps verifying what the old key signed.
#[test]
fn the_operator_manages_users_and_rotates_keys_from_the_command_line() {
    use base64::Engine as _;
    let data_dir = temp("operator");
    let data = data_dir.path();
    let password = "the operator's long password\n";
    let (ok, out) = sluice_cli(
        data,
        &[
            "users",
            "add",
            "--email",
            "Ann@Example.com",
            "--role",
            "editor",
        ],
        password,
    );
    assert!(ok, "{out}");
    assert!(
        out.contains("ann@example.com") && out.contains("editor"),
        "{out}"
    );
    let (ok, out) = sluice_cli(data, &["users", "add", "--email", "bo@example.com"], "");
    assert!(!ok && out.contains("standard input"), "{out}");
    let (ok, out) = sluice_cli(
        data,
        &[
            "users",
            "set-role",
            "--email",
            "ann@example.com",
            "--role",
            "admin",
        ],
        "",
    );
    assert!(ok && out.contains("admin"), "{out}");
    let (ok, out) = sluice_cli(data, &["users", "list"], "");
    assert!(ok, "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("ann@example.com") && out.contains("prj_"),
        "{out}"
    );
    // Projects: Ann owns a new one, Bo joins it, leaves it; the last owner stays.
    let (ok, out) = sluice_cli(
        data,
        &["users", "add", "--email", "bo@example.com"],
        password,
    );
    assert!(ok, "{out}");
    let (ok, out) = sluice_cli(
        data,
        &[
            "projects",
            "create",
            "--name",
            "Side",
            "--owner",
            "ann@example.com",
        ],
        "",
    );
    assert!(ok, "{out}");
    let side = out
        .split_whitespace()
        .find(|w| w.starts_with("prj_"))
        .expect("the new project's id")
        .to_string();
    let (ok, out) = sluice_cli(data, &["projects", "list"], "");
    assert!(
        ok && out.lines().count() == 2 && out.contains("Side"),
        "{out}"
    );
    let (ok, out) = sluice_cli(data, &["projects", "members"], "");
    assert!(ok, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("ann@example.com") && l.contains("admin")),
        "{out}"
    );
    let (ok, out) = sluice_cli(
        data,
        &[
            "projects",
            "add-member",
            "--project",
            &side,
            "--email",
            "bo@example.com",
            "--role",
            "editor",
        ],
        "",
    );
    assert!(ok && out.contains("editor"), "{out}");
    let (ok, out) = sluice_cli(
        data,
        &[
            "projects",
            "add-member",
            "--project",
            &side,
            "--email",
            "bo@example.com",
            "--data-marts",
            "dm_nope",
        ],
        "",
    );
    assert!(!ok && out.contains("--data-marts"), "{out}");
    let (ok, out) = sluice_cli(data, &["projects", "members", "--project", &side], "");
    assert!(ok && out.lines().count() == 2, "{out}");
    let (ok, out) = sluice_cli(
        data,
        &[
            "projects",
            "remove-member",
            "--project",
            &side,
            "--email",
            "bo@example.com",
        ],
        "",
    );
    assert!(ok, "{out}");
    let (ok, out) = sluice_cli(
        data,
        &[
            "projects",
            "remove-member",
            "--project",
            &side,
            "--email",
            "ann@example.com",
        ],
        "",
    );
    assert!(!ok && out.contains("last owner"), "{out}");
    let (ok, out) = sluice_cli(
        data,
        &["users", "reset-password", "--email", "ann@example.com"],
        "another long password\n",
    );
    assert!(ok && out.contains("signed out everywhere"), "{out}");
    assert!(
        !out.contains("long password"),
        "no password in the output: {out}"
    );
    // An operator token, then a rotation: the token's key is kept, a new one signs.
    let (ok, token) = sluice_cli(data, &["token", "--role", "viewer"], "");
    assert!(ok, "{token}");
    let header = token.split('.').next().expect("a JWT");
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .expect("base64url"),
    )
    .expect("a JSON header");
    assert_eq!(header["alg"], "EdDSA");
    let kid = header["kid"].as_str().expect("a kid").to_string();
    let (ok, out) = sluice_cli(data, &["keys", "rotate"], "");
    assert!(ok, "{out}");
    assert!(out.contains(&format!("still verifying: {kid}")), "{out}");
    assert!(!out.contains(&format!("signing key: {kid}")), "{out}");
}
