//! The isolation suite: nothing a project can name reaches the server's files, its
//! keys, or another project's data. Every place a project names a path or a prefix
//! (a source's location, a stream's glob, a `store://` prefix, an uploaded file's
//! name, a symlink inside an allowed directory) is tried against the data
//! directory's keys and database, `/etc/passwd`, `/proc/self/environ`, and another
//! project's landing and warehouse prefixes: each is refused where it is saved and
//! again where it is used, with nothing read. And no credential appears in plain
//! text in a response or in the data directory.
//!
//! Runs on both stacks (`isolation_tests!`); on the AWS one there is no data
//! directory, so its cases are the ones that name it only.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sluice_domain::entities::{Meta, Settings, Source};
use sluice_domain::{Id, Kind, Role};

use crate::app::{TestApp, temp_dir};

/// Texts that must never come back: a line of `/etc/passwd`, and the contents of
/// the data directory's key files.
fn forbidden_texts(app: &TestApp) -> Vec<String> {
    let mut out = vec!["root:x:0:0".to_string()];
    for key in ["token-keys.json", "secrets.key"] {
        if let Ok(text) = std::fs::read_to_string(app.data_dir.join(key)) {
            out.push(text.trim().to_string());
        }
    }
    // Each signing key's seed, wherever in a body it would be.
    if let Ok(text) = std::fs::read_to_string(app.data_dir.join("token-keys.json")) {
        let set: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        for k in set["keys"].as_array().into_iter().flatten() {
            if let Some(seed) = k["seed"].as_str() {
                out.push(seed.to_string());
            }
        }
    }
    out
}

fn assert_nothing_leaked(app: &TestApp, what: &str, text: &str) {
    for f in forbidden_texts(app) {
        assert!(!text.contains(&f), "{what} leaked a server file: {text}");
    }
}

/// Paths a project must never read, with the data directory's own when there is one.
fn forbidden_locations(app: &TestApp) -> Vec<String> {
    let mut out: Vec<String> = [
        "/etc",
        "/proc/self",
        "../../../../etc",
        "/tmp/../etc",
        "/tmp/./etc",
        "/tmp/%2e%2e/etc",
        "~/",
        "file:///etc",
        "s3://another-bucket/warehouse/",
        "store://../..",
        "store://landing/../../",
        "store:///etc",
        "store://%2e%2e/warehouse",
        "store://a\\..\\..\\b",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if !app.data_dir.as_os_str().is_empty() {
        let d = app.data_dir.display().to_string();
        out.extend([
            d.clone(),
            format!("{d}/objects"),
            format!("{d}/objects/warehouse"),
            format!("{d}/objects/projects"),
            format!("{d}/uploads"),
        ]);
    }
    out
}

/// Writes a source record straight to the store, past the API's checks (as an
/// older version or a restore would have): `config` held in plain, no secret.
async fn seed_source(app: &TestApp, connector: &str, config: Value) -> Id {
    let source = Source {
        meta: Meta::new(Kind::Source, &app.project, "seed", chrono::Utc::now()),
        title: "Seeded".into(),
        connector: connector.into(),
        settings: Settings {
            config: config.as_object().cloned().unwrap_or_default(),
            ..Settings::default()
        },
    };
    app.seed(&source).await;
    source.meta.id
}

async fn storage(app: &TestApp, token: &str) -> String {
    let r = app
        .send(
            "POST",
            "/v1/storages",
            token,
            Some(&json!({"title": "Lake", "kind": "local"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().expect("id").to_string()
}

async fn mart(app: &TestApp, token: &str) -> String {
    let storage = storage(app, token).await;
    let r = app
        .send(
            "POST",
            "/v1/data-marts",
            token,
            Some(&json!({"title": "Probe", "storage_id": storage})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["id"].as_str().expect("id").to_string()
}

async fn files_source(app: &TestApp, token: &str, location: &str, format: &str) -> String {
    let r = app
        .send(
            "POST",
            "/v1/sources",
            token,
            Some(&json!({"title": "Files", "connector": "files", "config": {"location": location, "format": format}})),
        )
        .await;
    assert_eq!(r.status, 201, "{location}: {}", r.text);
    r.json()["id"].as_str().expect("id").to_string()
}

/// Previews stream `glob` of `source` through a draft mart, with an inline
/// definition (nothing saved).
async fn preview(
    app: &TestApp,
    token: &str,
    mart: &str,
    source: &str,
    glob: &str,
) -> crate::app::Reply {
    app.send(
        "POST",
        &format!("/v1/data-marts/{mart}/preview"),
        token,
        Some(&json!({"limit": 50, "definition": {"kind": "connector", "source_id": source, "streams": [{"name": glob}]}})),
    )
    .await
}

/// The rows a successful preview sampled.
fn sampled(r: &crate::app::Reply) -> Vec<Value> {
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["before"]["rows"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub async fn files_locations_outside_the_project_are_refused_when_saved(app: TestApp) {
    let owner = app.token(Role::Owner).to_string();
    let ok_dir = temp_dir("iso-ok");
    let good = files_source(&app, &owner, &ok_dir.display().to_string(), "ndjson").await;
    for location in forbidden_locations(&app) {
        let body = json!({"title": "Probe", "connector": "files", "config": {"location": location, "format": "ndjson"}});
        let r = app.send("POST", "/v1/sources", &owner, Some(&body)).await;
        assert_eq!(
            (r.status, r.field()),
            (422, "config.location".to_string()),
            "POST {location}: {}",
            r.text
        );
        assert!(r.text.len() < 2_000, "the refusal stays short: {}", r.text);
        let patch = json!({"config": {"location": location}});
        app.refused(
            "PATCH",
            &format!("/v1/sources/{good}"),
            &patch,
            "config.location",
        )
        .await;
    }
    // Nothing was half-written: the good source still reads its own directory.
    let got = app
        .owner("GET", &format!("/v1/sources/{good}"), None, 200)
        .await;
    assert_eq!(
        got["config"]["location"],
        json!(ok_dir.display().to_string())
    );
    assert_eq!(got["version"], json!(1));
    app.stop().await;
}

pub async fn stream_globs_that_leave_the_location_are_refused_when_saved_and_previewed(
    app: TestApp,
) {
    let owner = app.token(Role::Owner).to_string();
    let source = files_source(&app, &owner, "store://orders/", "ndjson").await;
    let mart = mart(&app, &owner).await;
    for glob in [
        "../token-keys.json",
        "/etc/passwd",
        "/proc/self/environ",
        "../../warehouse/**/*.parquet",
        "%2e%2e/%2e%2e/x",
        "a/../../b",
        "..\\..\\x",
        "~/x",
        "./../x",
    ] {
        let def = json!({"kind": "connector", "source_id": source, "streams": [{"name": glob}]});
        app.refused(
            "PUT",
            &format!("/v1/data-marts/{mart}/definition"),
            &def,
            "definition.streams[0].name",
        )
        .await;
        // A preview of an unsaved definition is checked where the files open.
        let r = preview(&app, &owner, &mart, &source, glob).await;
        assert_eq!(
            (r.status, r.field()),
            (422, "definition.streams[0].name".to_string()),
            "preview {glob}: {}",
            r.text
        );
        assert_nothing_leaked(&app, glob, &r.text);
    }
    app.stop().await;
}

pub async fn records_that_name_forbidden_places_are_refused_again_when_used(app: TestApp) {
    // Records written past the API's checks (an older version, a restore) are
    // refused where the files are opened, with nothing read.
    let owner = app.token(Role::Owner).to_string();
    let mart = mart(&app, &owner).await;
    for location in forbidden_locations(&app) {
        let source = seed_source(
            &app,
            "files",
            json!({"location": location, "format": "csv"}),
        )
        .await;
        for glob in ["passwd", "token-keys.json", "environ", "**/*"] {
            let r = preview(&app, &owner, &mart, source.as_str(), glob).await;
            assert_eq!(
                (r.status, r.field()),
                (422, "source.config.location".to_string()),
                "{location} / {glob}: {}",
                r.text
            );
            assert_nothing_leaked(&app, &location, &r.text);
        }
    }
    app.stop().await;
}

pub async fn symlinks_inside_an_allowed_directory_are_not_followed_out(app: TestApp) {
    let owner = app.token(Role::Owner).to_string();
    let dir = temp_dir("iso-links");
    std::fs::write(dir.join("ok.csv"), "id,name\n1,fine\n").expect("file");
    let mut targets: Vec<(String, PathBuf)> = vec![
        ("passwd.csv".into(), "/etc/passwd".into()),
        ("environ.csv".into(), "/proc/self/environ".into()),
        ("etc".into(), "/etc".into()),
    ];
    if !app.data_dir.as_os_str().is_empty() {
        for (name, target) in [
            ("key.csv", "token-keys.json"),
            ("secrets.csv", "secrets.key"),
            ("db.csv", "metadata.db"),
            ("objects", "objects"),
            ("data", ""),
        ] {
            targets.push((name.into(), app.data_dir.join(target)));
        }
    }
    for (name, target) in &targets {
        std::os::unix::fs::symlink(target, dir.join(name)).expect("symlink");
    }
    let source = files_source(&app, &owner, &dir.display().to_string(), "csv").await;
    let mart = mart(&app, &owner).await;
    for glob in [
        "*.csv",
        "**/*",
        "**/*.csv",
        "etc/passwd",
        "objects/**/*",
        "data/*.key",
    ] {
        let r = preview(&app, &owner, &mart, &source, glob).await;
        let rows = sampled(&r);
        let expect = if glob.contains('*') && (glob.ends_with(".csv") || glob == "**/*") {
            1
        } else {
            0
        };
        assert_eq!(rows.len(), expect, "{glob}: {}", r.text);
        assert_nothing_leaked(&app, glob, &r.text);
    }
    // A location that was a plain directory when saved and is a symlink out now.
    let swap = temp_dir("iso-swap");
    let swapped = files_source(&app, &owner, &swap.display().to_string(), "csv").await;
    std::fs::remove_dir(&swap).expect("remove");
    std::os::unix::fs::symlink("/etc", &swap).expect("symlink");
    let r = preview(&app, &owner, &mart, &swapped, "passwd").await;
    assert_eq!(
        (r.status, r.field()),
        (422, "source.config.location".to_string()),
        "{}",
        r.text
    );
    assert_nothing_leaked(&app, "swapped location", &r.text);
    app.stop().await;
}

/// A raw request line, sent as written (an HTTP client would resolve `..`).
async fn raw(app: &TestApp, method: &str, target: &str, token: &str, body: &str) -> (u16, String) {
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        app.addr,
        body.len()
    );
    raw_bytes(app.addr, req.into_bytes()).await
}

/// Sends `request` as it is and reads the whole answer: its status and text.
pub async fn raw_bytes(addr: std::net::SocketAddr, request: Vec<u8>) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let out = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        // The server may answer (413) before reading all of a large body.
        let _ = s.write_all(&request);
        let mut out = vec![];
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    })
    .await
    .expect("the request ran");
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, out)
}

/// Temporary upload files of `app` still on disk (its server spools uploads in
/// its data directory).
fn spooled_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.join("uploads"))
        .map(|d| d.flatten().count())
        .expect("the spool directory")
}

/// Uploads over the limit are refused (declared or streamed in chunks), leave no
/// file and no temporary file; a file at the limit lands whole. Embedded stack.
pub async fn uploads_over_the_limit_are_refused_and_leave_nothing() {
    let app = crate::app::spawn_app_with_upload_limit(4096).await;
    let token = app.token(Role::Editor).to_string();
    let big = "x".repeat(10_000);
    // Declared too long: refused before a byte is read.
    let (status, text) = raw(&app, "PUT", "/v1/files/big/declared.csv", &token, &big).await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("payload_too_large"), "{text}");
    // Chunked, no length: refused once the limit is passed.
    let mut req = format!(
        "PUT /v1/files/big/chunked.csv HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        app.addr
    )
    .into_bytes();
    for _ in 0..10 {
        req.extend_from_slice(format!("{:x}\r\n{}\r\n", 1000, &big[..1000]).as_bytes());
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = raw_bytes(app.addr, req).await;
    assert_eq!(status, 413, "{text}");
    // Without a token: 401 before anything is read.
    let (status, _) = raw(&app, "PUT", "/v1/files/big/anon.csv", "", "a").await;
    assert_eq!(status, 401);
    let listed = app.owner("GET", "/v1/files?prefix=big/", None, 200).await;
    assert_eq!(listed["items"], json!([]), "nothing was written");
    assert_eq!(spooled_files(&app), 0, "no temporary upload is left behind");
    // At the limit: lands whole.
    let exact = "y".repeat(4096);
    let r = app
        .upload("big/exact.csv", exact.clone().into_bytes())
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["size"], json!(4096));
    let objects = app.deps.objects.as_ref().expect("objects");
    let key = format!(
        "{}big/exact.csv",
        sluice_domain::files::landing_prefix(&app.project)
    );
    let stored = objects.get(&key).await.expect("get").expect("stored");
    assert_eq!(stored, exact.as_bytes());
    assert_eq!(spooled_files(&app), 0);
    // The key files stay owner-only, in an owner-only directory.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&app.data_dir), 0o700);
    for key in ["token-keys.json", "secrets.key"] {
        assert_eq!(mode(&app.data_dir.join(key)), 0o600, "{key}");
    }
    app.stop().await;
}

pub async fn uploads_land_in_the_projects_own_area_only(app: TestApp) {
    let owner = app.token(Role::Owner).to_string();
    let stranger = app.strangers[&Role::Owner].clone();
    for target in [
        "/v1/files/../../warehouse/x.csv",
        "/v1/files/a/../../../runs/x.csv",
        "/v1/files/%2e%2e/%2e%2e/warehouse/x.csv",
        "/v1/files/a%2F..%2F..%2Fx.csv",
        "/v1/files/.hidden.csv",
        "/v1/files/a/./b.csv",
        "/v1/files/a%5C..%5Cb.csv",
        "/v1/files/with%00nul.csv",
    ] {
        let (status, text) = raw(&app, "PUT", target, &owner, "id\n1\n").await;
        assert!(
            status == 422 && text.contains("\"field\":\"path\""),
            "{target}: {text}"
        );
    }
    // An absolute path, an empty segment: no route takes them.
    for target in ["/v1/files//etc/passwd", "/v1/files/a//b.csv"] {
        let (status, text) = raw(&app, "PUT", target, &owner, "id\n1\n").await;
        assert_eq!(status, 404, "{target}: {text}");
    }
    let listed = app.owner("GET", "/v1/files", None, 200).await;
    assert_eq!(listed["items"], json!([]), "nothing was written");
    if !app.data_dir.as_os_str().is_empty() {
        let objects = app.data_dir.join("objects");
        for p in ["warehouse/x.csv", "runs/x.csv", "x.csv", "b.csv"] {
            assert!(!objects.join(p).exists(), "{p} was written");
        }
    }
    // A project's upload is its own: another project's `store://`, whatever the
    // glob, never sees it, nor anybody's warehouse or run objects.
    let r = app
        .send_raw(
            "PUT",
            "/v1/files/orders/2026-11.ndjson",
            &owner,
            Some("{\"id\": 1, \"secret_sauce\": \"ours\"}\n".into()),
            Some("application/x-ndjson"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["location"], json!("store://orders/"));
    let objects = app.deps.objects.as_ref().expect("an object store");
    for key in [
        format!("warehouse/{}/dm_x/part.ndjson", app.project),
        format!("runs/{}/run_x/raw/chunk.ndjson", app.project),
    ] {
        objects
            .put(
                &key,
                b"{\"id\": 2, \"secret_sauce\": \"warehouse\"}\n".to_vec(),
            )
            .await
            .expect("seed an object");
    }
    for (who, token) in [("another project", &stranger), ("the project", &owner)] {
        let mart = mart(&app, token).await;
        let source = files_source(&app, token, "store://", "ndjson").await;
        for glob in ["**/*", "**/*.ndjson", "*/*", "orders/*"] {
            let r = preview(&app, token, &mart, &source, glob).await;
            let rows = sampled(&r);
            // Its own upload only, never the warehouse or run objects; for
            // another project, nothing.
            let expect = usize::from(who == "the project");
            assert_eq!(rows.len(), expect, "{who} {glob}: {}", r.text);
            assert!(!r.text.contains("warehouse\""), "{who} {glob}: {}", r.text);
            if who == "another project" {
                assert!(!r.text.contains("ours"), "{who} {glob}: {}", r.text);
            }
        }
        let files = app
            .send("GET", "/v1/files?prefix=orders/", token, None)
            .await
            .json();
        let n = files["items"].as_array().map_or(0, Vec::len);
        assert_eq!(n, usize::from(who == "the project"), "{who}: {files}");
    }
    // Deleting another project's file by name finds nothing.
    let r = app
        .send("DELETE", "/v1/files/orders/2026-11.ndjson", &stranger, None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    app.owner("GET", "/v1/files?prefix=orders/", None, 200)
        .await;
    app.stop().await;
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

pub async fn credentials_are_never_shown_nor_stored_in_plain_text(app: TestApp) {
    let secrets = [
        "hdr-SECRET-0001",
        "tok-SECRET-0002",
        "wh-SECRET-0003",
        "prj-SECRET-0004",
    ];
    let mut seen = String::new();
    let source = app
        .owner(
            "POST",
            "/v1/sources",
            Some(
                &json!({"title": "API", "connector": "http_json", "config": {
                "base_url": "https://api.example.com/v2",
                "auth_value": format!("Bearer {}", secrets[1]),
                "headers": {"X-Api-Key": secrets[0]}}}),
            ),
            201,
        )
        .await;
    assert_eq!(source["config"]["headers"], json!("********"));
    assert_eq!(source["config"]["auth_value"], json!("********"));
    seen.push_str(&source.to_string());
    let id = source["id"].as_str().expect("id");
    let hook = app
        .owner(
            "POST",
            "/v1/destinations",
            Some(&json!({"title": "Hook", "kind": "webhook", "config": {
                "url": format!("https://hooks.example.com/in?token={}", secrets[2])}})),
            201,
        )
        .await;
    assert_eq!(hook["config"]["url"], json!("********"));
    seen.push_str(&hook.to_string());
    let hook_id = hook["id"].as_str().expect("id");
    // A URL carrying a credential in a field that is shown is refused.
    let r = app
        .refused(
            "POST",
            "/v1/sources",
            &json!({"title": "API", "connector": "http_json", "config": {"base_url": format!("https://api.example.com/v2?api_key={}", secrets[1])}}),
            "config.base_url",
        )
        .await;
    seen.push_str(&r.text);
    let r = app
        .refused(
            "PATCH",
            &format!("/v1/destinations/{hook_id}"),
            &json!({"config": {"url": "ftp://x"}}),
            "config.url",
        )
        .await;
    seen.push_str(&r.text);
    let project = app
        .owner(
            "PATCH",
            "/v1/project",
            Some(&json!({"webhook_url": format!("https://hooks.example.com/p/{}", secrets[3])})),
            200,
        )
        .await;
    seen.push_str(&project.to_string());
    for path in [
        format!("/v1/sources/{id}"),
        "/v1/sources".to_string(),
        format!("/v1/destinations/{hook_id}"),
        "/v1/destinations".to_string(),
        "/v1/project".to_string(),
    ] {
        seen.push_str(&app.owner("GET", &path, None, 200).await.to_string());
    }
    // Echoing the mask back keeps the stored values.
    let r = app
        .owner(
            "PATCH",
            &format!("/v1/sources/{id}"),
            Some(&json!({"config": {"headers": "********", "page_size": 50}})),
            200,
        )
        .await;
    seen.push_str(&r.to_string());
    for s in secrets {
        assert!(!seen.contains(s), "{s} appears in a response");
    }
    let stored = app
        .deps
        .secrets
        .get(&format!("sluice/{}/{id}", app.project))
        .await
        .expect("secrets")
        .expect("the source's secret");
    assert!(stored.expose().contains(secrets[0]) && stored.expose().contains(secrets[1]));
    if !app.data_dir.as_os_str().is_empty() {
        let mut all = vec![];
        files_under(&app.data_dir, &mut all);
        assert!(!all.is_empty());
        for f in all {
            let bytes = std::fs::read(&f).unwrap_or_default();
            for s in secrets {
                assert!(
                    !bytes.windows(s.len()).any(|w| w == s.as_bytes()),
                    "{s} is in plain text in {}",
                    f.display()
                );
            }
        }
    }
    app.stop().await;
}

/// On the embedded stack: a source written before `headers` was secret has its
/// value moved into the secrets file at start, and none stays in the metadata file.
pub async fn plain_values_of_secret_fields_move_to_the_secret_store_on_start(app: TestApp) {
    if app.data_dir.as_os_str().is_empty() {
        return app.stop().await;
    }
    let value = "legacy-SECRET-0005";
    let legacy = json!({"base_url": "https://api.example.com", "headers": {"X-Api-Key": value}});
    let id = seed_source(&app, "http_json", legacy.clone()).await;
    // A second one is changed through the API before any start: the change moves
    // its plain value too (the AWS stack's path).
    let patched = seed_source(&app, "http_json", legacy).await;
    let r = app
        .owner(
            "PATCH",
            &format!("/v1/sources/{patched}"),
            Some(&json!({"config": {"page_size": 10}})),
            200,
        )
        .await;
    assert_eq!(r["config"]["headers"], json!("********"));
    let moved = app
        .deps
        .secrets
        .get(&format!("sluice/{}/{patched}", app.project))
        .await
        .expect("secrets")
        .expect("moved by the change");
    assert!(moved.expose().contains(value));
    // Even before it moves, no response shows it.
    let got = app
        .owner("GET", &format!("/v1/sources/{id}"), None, 200)
        .await;
    assert_eq!(got["config"]["headers"], json!("********"));
    let dir = sluice::DataDir::open(&app.data_dir).expect("data dir");
    let moved = dir.migrate_plain_secrets(&app.deps).await.expect("migrate");
    assert_eq!(moved, 1);
    assert_eq!(
        dir.migrate_plain_secrets(&app.deps).await.expect("again"),
        0
    );
    let got = app
        .owner("GET", &format!("/v1/sources/{id}"), None, 200)
        .await;
    assert_eq!(got["config"]["headers"], json!("********"));
    assert_eq!(got["version"], json!(2));
    let stored = app
        .deps
        .secrets
        .get(&format!("sluice/{}/{id}", app.project))
        .await
        .expect("secrets")
        .expect("moved into the secret store");
    assert!(stored.expose().contains(value));
    let mut all = vec![];
    files_under(&app.data_dir, &mut all);
    for f in all {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes.windows(value.len()).any(|w| w == value.as_bytes()),
            "{value} stays in plain text in {}",
            f.display()
        );
    }
    app.stop().await;
}

/// One `#[tokio::test]` per check of this suite, each on a fresh app from `$spawn`.
#[macro_export]
macro_rules! isolation_tests {
    ($spawn:path) => {
        $crate::isolation_tests!(@each $spawn;
            files_locations_outside_the_project_are_refused_when_saved,
            stream_globs_that_leave_the_location_are_refused_when_saved_and_previewed,
            records_that_name_forbidden_places_are_refused_again_when_used,
            symlinks_inside_an_allowed_directory_are_not_followed_out,
            uploads_land_in_the_projects_own_area_only,
            credentials_are_never_shown_nor_stored_in_plain_text,
            plain_values_of_secret_fields_move_to_the_secret_store_on_start,
        );
    };
    (@each $spawn:path; $($name:ident),* $(,)?) => {
        mod isolation {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::isolation::$name($spawn().await).await;
                }
            )*
        }
    };
}
