//! The OpenAPI document is what the server does. schemathesis (installed into `.venv`
//! by scripts/test-deps.sh) reads `/openapi.json` of a real `sluice serve`, generates
//! requests from it, valid and invalid, and checks every answer against it with all
//! its checks on: statuses, content types, headers and bodies as documented, valid
//! input accepted, invalid input refused, auth enforced. Any disagreement fails.
//!
//! Its own binary, but a light one: it links neither the SDK nor DataFusion, only
//! std, and runs the `sluice` binary cargo built for it.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long `serve` may take to print its token and answer `/health` (a cold
/// start on a busy CI machine migrates a fresh SQLite file and derives keys).
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Fixed, so a failure replays: run the printed command with the same seed.
const SEED: &str = "20260601";
/// Cases per operation in each generating phase; bounds the run to about two
/// minutes on two cores.
const EXAMPLES_PER_OPERATION: &str = "20";

/// `sluice serve` over a fresh data directory; stopped (by its PID) when dropped.
struct Server {
    child: Child,
    base: String,
    token: String,
    data: PathBuf,
    files: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_dir_all(&self.files);
    }
}

fn temp_dir(label: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("sluice-{label}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts `serve` on a free port of 127.0.0.1 and waits until `/health` answers.
fn serve() -> Server {
    let data = temp_dir("openapi-data");
    // Outside the data directory, which serve keeps private.
    let files = temp_dir("openapi-files");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["--data-dir", &data.display().to_string()])
        .args(["--import-root", &files.display().to_string()])
        // schemathesis sends far more than a minute's budget with one token.
        .args([
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--requests-per-minute",
            "0",
        ])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sluice serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut server = Server {
        child,
        base: String::new(),
        token: String::new(),
        data,
        files,
    };
    // Read what serve prints on a thread, so a server that hangs cannot hang the test.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // Keep reading after the token: a closed pipe would fail the next print.
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + READY_TIMEOUT;
    while server.token.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx.recv_timeout(left).unwrap_or_else(|e| {
            panic!("sluice serve printed no token within {READY_TIMEOUT:?} ({e})")
        });
        if let Some(url) = line.strip_prefix("Sluice is listening on ") {
            server.base = url.trim().to_string();
        }
        if let Some(token) = line.strip_prefix("export TOKEN=") {
            server.token = token.trim().to_string();
        }
    }
    assert!(!server.base.is_empty(), "sluice serve printed its address");
    let addr = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    while !health_ok(&addr) {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("sluice serve exited before it was ready ({status})");
        }
        assert!(
            Instant::now() < deadline,
            "{}/health did not answer 200 within {READY_TIMEOUT:?}",
            server.base
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Whether `GET /health` on `addr` answers 200.
fn health_ok(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b" 200")
}

/// `$SLUICE_SCHEMATHESIS`, else the one scripts/test-deps.sh installs. Missing is a
/// failure, not a skip: the test command installs it, so its absence is a broken setup.
fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("SLUICE_SCHEMATHESIS") {
        return path.into();
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/schemathesis");
    assert!(
        venv.is_file(),
        "schemathesis is not installed at {}: run scripts/test-deps.sh (it installs the \
         pinned version into .venv), or set SLUICE_SCHEMATHESIS",
        venv.display()
    );
    venv
}

#[test]
fn the_server_does_what_its_openapi_document_says() {
    let exe = schemathesis();
    let server = serve();
    // Its working directory takes what it writes (the example database, reports).
    let work = temp_dir("openapi-schemathesis");
    let started = Instant::now();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis.toml");
    let out = Command::new(&exe)
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("{}/openapi.json", server.base))
        .args(["--checks", "all"])
        .args(["--seed", SEED])
        .args(["--max-examples", EXAMPLES_PER_OPERATION])
        .args(["--workers", "1"])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", server.token),
        ])
        .arg("--no-color")
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} ({e})", exe.display()));
    let _ = std::fs::remove_dir_all(&work);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    println!("schemathesis took {:?}", started.elapsed());
    assert!(
        out.status.success(),
        "schemathesis found disagreements between the server and /openapi.json \
         (exit {}); its report is above",
        out.status
    );
    drop(server);
}
