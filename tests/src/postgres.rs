//! A real PostgreSQL server for tests: one per [`Postgres`], in a fresh data
//! directory under the system temp dir, listening on its own free 127.0.0.1
//! port (TCP only, no Unix socket), logging in by password (SCRAM), and
//! stopped (by its PID) and deleted when dropped. [`Postgres::start_tls_only`]
//! starts one that takes logins over TLS only, with a self-signed certificate
//! (made with the `openssl` command).
//!
//! Its binaries come from `$SLUICE_POSTGRES_BIN` (a directory holding `initdb`
//! and `postgres`), else the newest `/usr/lib/postgresql/*/bin`, else the
//! PATH; `scripts/test-deps.sh` installs them when none is there. `initdb` and
//! `postgres` refuse to run as root: as root, they run as `nobody`, which owns
//! the directory.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

/// Variable naming the directory of `initdb` and `postgres` to use.
pub const BIN_ENV: &str = "SLUICE_POSTGRES_BIN";

/// The superuser the server is created with.
pub const USER: &str = "sluice";

/// The database every server has.
pub const DATABASE: &str = "postgres";

/// Generous: a loaded 2-core machine can be slow to start a server.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `postgres`.
pub struct Postgres {
    child: Child,
    port: u16,
    dir: PathBuf,
    password: String,
}

impl Postgres {
    /// Creates a cluster in a fresh directory, starts it on a free port and
    /// waits until it takes a login.
    pub async fn start() -> anyhow::Result<Postgres> {
        Postgres::start_with(false).await
    }

    /// As [`Postgres::start`], taking logins over TLS only (a plain-text one
    /// finds no `pg_hba.conf` entry), with a self-signed certificate for
    /// `localhost` and 127.0.0.1 that no public authority vouches for.
    pub async fn start_tls_only() -> anyhow::Result<Postgres> {
        Postgres::start_with(true).await
    }

    async fn start_with(tls_only: bool) -> anyhow::Result<Postgres> {
        let mut tries = 0;
        loop {
            tries += 1;
            match Postgres::start_once(tls_only).await {
                Err(e) if tries < 3 && crate::lost_its_port(&e) => continue,
                started => return started,
            }
        }
    }

    async fn start_once(tls_only: bool) -> anyhow::Result<Postgres> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("sluice-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let password = format!("pg-s3cr3t-{nanos:x}");
        let started = Postgres::start_in(dir.clone(), password, tls_only).await;
        if started.is_err() {
            // Whatever step failed, nothing is left behind.
            let _ = std::fs::remove_dir_all(&dir);
        }
        started
    }

    async fn start_in(dir: PathBuf, password: String, tls_only: bool) -> anyhow::Result<Postgres> {
        let bin = find_bin()?;
        let run_as = unprivileged()?;
        let pwfile = dir.join("pwfile");
        File::create(&pwfile)
            .and_then(|mut f| f.write_all(password.as_bytes()))
            .context("writing the password file")?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
            std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600))?;
            if let Some((uid, gid)) = run_as {
                std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
                std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid))?;
            }
        }
        let data = dir.join("data");
        let out = command(run_as, &bin.join("initdb"), &dir)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .stdin(Stdio::null())
            .output()
            .context("running initdb")?;
        let _ = std::fs::remove_file(&pwfile);
        if !out.status.success() {
            bail!(
                "initdb failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        if tls_only {
            tls_only_setup(&data, run_as)?;
        }
        let port = crate::moto::free_port()?;
        let log = File::create(dir.join("postgres.log")).context("creating the server log")?;
        let child = command(run_as, &bin.join("postgres"), &dir)
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            // A test server keeps nothing across a crash: skip the disk flushes.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=40"])
            .args(["-c", if tls_only { "ssl=on" } else { "ssl=off" }])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting postgres")?;
        // From here on, Drop stops the server and removes the directory.
        let mut server = Postgres {
            child,
            port,
            dir,
            password,
        };
        server.wait_ready().await?;
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The superuser's password (to check it shows nowhere).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// `postgres://sluice:<password>@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        self.url_for(DATABASE)
    }

    /// As [`Postgres::url`], for database `db`.
    pub fn url_for(&self, db: &str) -> String {
        format!(
            "postgres://{USER}:{}@127.0.0.1:{}/{db}",
            self.password, self.port
        )
    }

    /// A client logged in to [`DATABASE`] (over TLS when the server offers
    /// it), its connection driven by a task: the same connection a `database`
    /// destination makes, with 127.0.0.1 opened.
    pub async fn client(&self) -> anyhow::Result<tokio_postgres::Client> {
        let (client, _) =
            sluice_connectors::postgres::connect(&crate::app::loopback_allowed(), &self.url())
                .await?;
        Ok(client)
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "postgres exited before taking a login ({status}): {}",
                    self.log_tail()
                );
            }
            let last = match self.client().await {
                Ok(c) => match c.simple_query("SELECT 1").await {
                    Ok(_) => return Ok(()),
                    Err(e) => e.to_string(),
                },
                Err(e) => e.to_string(),
            };
            if started.elapsed() > READY_TIMEOUT {
                bail!(
                    "postgres on port {} did not take a login within {READY_TIMEOUT:?} ({last}): {}",
                    self.port,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        crate::log_tail(&self.dir.join("postgres.log"))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // A fast shutdown (SIGINT) ends its sessions and stops cleanly; past
        // ten seconds it is killed.
        crate::stop_server(&mut self.child, "-INT", Duration::from_secs(10), &self.dir);
    }
}

/// A self-signed certificate and its key in the data directory (where the
/// server looks for `server.crt` and `server.key`), and a `pg_hba.conf` that
/// takes TCP logins over TLS only.
fn tls_only_setup(data: &Path, run_as: Option<(u32, u32)>) -> anyhow::Result<()> {
    self_signed(data, run_as)?;
    let hba = data.join("pg_hba.conf");
    std::fs::write(&hba, "hostssl all all 127.0.0.1/32 scram-sha-256\n")
        .context("writing pg_hba.conf")?;
    if let Some((uid, gid)) = run_as {
        #[cfg(unix)]
        std::os::unix::fs::chown(&hba, Some(uid), Some(gid))?;
    }
    Ok(())
}

/// `server.key` and a self-signed `server.crt` for `localhost` and
/// 127.0.0.1 in `dir` (made with the `openssl` command), the key readable by
/// `run_as` only; their paths.
pub(crate) fn self_signed(
    dir: &Path,
    run_as: Option<(u32, u32)>,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    let (key, crt) = (dir.join("server.key"), dir.join("server.crt"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .stdin(Stdio::null())
        .output()
        .context("running openssl to make the server's certificate")?;
    if !out.status.success() {
        bail!(
            "openssl failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600))?;
        if let Some((uid, gid)) = run_as {
            for f in [&key, &crt] {
                std::os::unix::fs::chown(f, Some(uid), Some(gid))?;
            }
        }
    }
    Ok((key, crt))
}

/// `program`, run in `dir`, as `run_as` when given (through `setpriv`).
pub(crate) fn command(run_as: Option<(u32, u32)>, program: &Path, dir: &Path) -> Command {
    let mut c = match run_as {
        Some((uid, gid)) => {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups")
                .arg("--")
                .arg(program);
            c
        }
        None => Command::new(program),
    };
    c.current_dir(dir);
    c
}

/// `nobody`'s uid and gid when this process runs as root (PostgreSQL refuses
/// root); `None` otherwise.
pub(crate) fn unprivileged() -> anyhow::Result<Option<(u32, u32)>> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|id| id.parse::<u32>().ok());
    if euid != Some(0) {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").context("reading /etc/passwd")?;
    let ids = passwd
        .lines()
        .find_map(|l| l.strip_prefix("nobody:"))
        .and_then(|rest| {
            let mut fields = rest.split(':').skip(1);
            Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
        })
        .context("running as root, and there is no `nobody` user to run PostgreSQL as")?;
    Ok(Some(ids))
}

/// `$SLUICE_POSTGRES_BIN`, then the newest `/usr/lib/postgresql/*/bin`, then
/// the directory of `initdb` on the PATH.
fn find_bin() -> anyhow::Result<PathBuf> {
    let has_initdb = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(dir) = std::env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        if has_initdb(&dir) {
            return Ok(dir);
        }
        bail!("{BIN_ENV}={} holds no initdb and postgres", dir.display());
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_initdb(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .find(|d| has_initdb(d))
        .context(
            "PostgreSQL not found: run scripts/test-deps.sh (installs it), or set SLUICE_POSTGRES_BIN to the directory of initdb and postgres",
        )
}
