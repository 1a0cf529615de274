//! moto's server as the AWS endpoint of emulator tests: one process per [`Moto`], on
//! its own free loopback port, stopped when dropped. Install it with
//! `scripts/test-deps.sh` (into `.venv`), or point `SLUICE_MOTO_SERVER` at one.

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// Variable naming the `moto_server` executable to use.
pub const SERVER_ENV: &str = "SLUICE_MOTO_SERVER";

/// Generous: a loaded 2-core machine can take many seconds to start Python.
const READY_TIMEOUT: Duration = Duration::from_secs(120);

/// A running `moto_server`.
pub struct Moto {
    child: Child,
    addr: SocketAddr,
}

impl Moto {
    /// Starts a server on a free 127.0.0.1 port and waits until it answers.
    pub fn start() -> anyhow::Result<Moto> {
        let exe = find_server()?;
        let port = free_port()?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", exe.display()))?;
        // From here on, Drop stops the child whatever happens.
        let mut moto = Moto { child, addr };
        moto.wait_ready()?;
        Ok(moto)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SDK configuration for this server only: its endpoint, `us-east-1`, static test
    /// credentials. Nothing comes from the environment (tests share the process), so a
    /// stray `AWS_ENDPOINT_URL_*` or profile cannot send a test to a real account.
    pub async fn sdk_config(&self) -> SdkConfig {
        SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "test", "test", None, None, "moto",
            )))
            .build()
    }

    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "moto_server exited before answering ({status}); is port {} taken?",
                    self.addr.port()
                );
            }
            if answers(self.addr) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                bail!(
                    "moto_server did not answer on {} within {READY_TIMEOUT:?}",
                    self.addr
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Already exited is fine: either way nothing is left behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$SLUICE_MOTO_SERVER`, then `.venv/bin/moto_server` at the workspace root, then
/// `moto_server` on the PATH.
fn find_server() -> anyhow::Result<PathBuf> {
    if let Some(exe) = std::env::var_os(SERVER_ENV) {
        let exe = PathBuf::from(exe);
        if is_executable(&exe) {
            return Ok(exe);
        }
        bail!("{SERVER_ENV}={} is not an executable file", exe.display());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server");
    if is_executable(&venv) {
        return Ok(venv);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("moto_server"))
        .find(|exe| is_executable(exe));
    on_path.context(
        "moto_server not found: run scripts/test-deps.sh (installs it into .venv), or set SLUICE_MOTO_SERVER",
    )
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// A port the OS just handed out; free again once the listener is dropped.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("binding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Whether `GET /moto-api/` gets an HTTP 200.
fn answers(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(200))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.write_all(
            b"GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.") && &head[8..12] == b" 200")
    };
    attempt().unwrap_or(false)
}
