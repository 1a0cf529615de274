//! A real MariaDB server for tests: one per [`Mysql`], in a fresh data
//! directory under the system temp dir (made by `mariadb-install-db`), listening
//! on its own free 127.0.0.1 port with its socket and PID file in that
//! directory, and stopped (by its PID) and deleted when dropped. `root` logs in
//! over TCP with an empty password; [`Mysql::url`] is a `reader` user's, with a
//! password and SELECT on [`DATABASE`] only.
//!
//! Its binaries come from `$SLUICE_MARIADB_BIN` (a directory holding
//! `mariadbd` and `mariadb-install-db`), else `/usr/sbin` and `/usr/bin`, else
//! the PATH; `scripts/test-deps.sh` installs them when none is there. As root,
//! the server runs as `nobody`, which owns the directory.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use mysql_async::prelude::Queryable as _;

/// Variable naming the directory of `mariadbd` and `mariadb-install-db` to use.
pub const BIN_ENV: &str = "SLUICE_MARIADB_BIN";

/// The database the tests' tables are in, which the reader may read.
pub const DATABASE: &str = "sluice_test";

/// The user the `mysql` source logs in as: SELECT on [`DATABASE`] only.
pub const READER: &str = "reader";

/// Generous: a loaded 2-core machine can be slow to start a server.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// A running `mariadbd`.
pub struct Mysql {
    child: Child,
    port: u16,
    dir: PathBuf,
    password: String,
    /// Whether TCP logins must be over TLS (root's is over the socket then).
    tls_only: bool,
}

impl Mysql {
    /// Creates a data directory, starts a server on a free port, waits until
    /// it answers, and creates [`DATABASE`] and the [`READER`].
    pub async fn start() -> anyhow::Result<Mysql> {
        Mysql::start_with(false).await
    }

    /// Like [`Mysql::start`], but the server takes TCP logins over TLS only
    /// (`require_secure_transport`), with a self-signed certificate for
    /// `localhost` and 127.0.0.1 that no public authority vouches for. Root
    /// logs in over the server's socket.
    pub async fn start_tls_only() -> anyhow::Result<Mysql> {
        Mysql::start_with(true).await
    }

    async fn start_with(tls_only: bool) -> anyhow::Result<Mysql> {
        let mut tries = 0;
        loop {
            tries += 1;
            match Mysql::start_once(tls_only).await {
                Err(e) if tries < 3 && crate::lost_its_port(&e) => continue,
                started => return started,
            }
        }
    }

    async fn start_once(tls_only: bool) -> anyhow::Result<Mysql> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("sluice-my-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let password = format!("my-s3cr3t-{nanos:x}");
        let started = Mysql::start_in(dir.clone(), password, tls_only).await;
        if started.is_err() {
            // Whatever step failed, nothing is left behind.
            let _ = std::fs::remove_dir_all(&dir);
        }
        started
    }

    async fn start_in(dir: PathBuf, password: String, tls_only: bool) -> anyhow::Result<Mysql> {
        let (server, install) = find_bins()?;
        let run_as = crate::postgres::unprivileged()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
            if let Some((uid, gid)) = run_as {
                std::os::unix::fs::chown(&dir, Some(uid), Some(gid))?;
            }
        }
        let data = dir.join("data");
        let out = crate::postgres::command(run_as, &install, &dir)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            // Its bootstrap server's temporary tables in this server's own
            // directory: tests installing at once share nothing in /tmp.
            .arg(format!("--tmpdir={}", dir.display()))
            .args([
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ])
            .stdin(Stdio::null())
            .output()
            .context("running mariadb-install-db")?;
        if !out.status.success() {
            bail!(
                "mariadb-install-db failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut tls = vec![];
        if tls_only {
            let (key, crt) = crate::postgres::self_signed(&dir, run_as)?;
            tls.push(format!("--ssl-key={}", key.display()));
            tls.push(format!("--ssl-cert={}", crt.display()));
            tls.push("--require-secure-transport=ON".to_string());
        }
        let port = crate::moto::free_port()?;
        let log = File::create(dir.join("stdout.log")).context("creating the server log")?;
        let child = crate::postgres::command(run_as, &server, &dir)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", dir.join("mysqld.sock").display()))
            .arg(format!("--pid-file={}", dir.join("mysqld.pid").display()))
            .arg(format!("--log-error={}", dir.join("error.log").display()))
            .arg(format!("--tmpdir={}", dir.display()))
            .args(["--skip-name-resolve", "--skip-log-bin"])
            // A test server keeps nothing across a crash: small and unflushed.
            .args([
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M",
                "--innodb-flush-log-at-trx-commit=0",
                "--max-connections=60",
            ])
            .args(&tls)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting mariadbd")?;
        // From here on, Drop stops the server and removes the directory.
        let mut server = Mysql {
            child,
            port,
            dir,
            password,
            tls_only,
        };
        server.wait_ready().await?;
        let mut root = server.root().await?;
        root.query_drop(format!(
            "CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4;
             CREATE USER '{READER}'@'%' IDENTIFIED BY '{}';
             GRANT SELECT ON {DATABASE}.* TO '{READER}'@'%';",
            server.password
        ))
        .await
        .context("creating the test database and its reader")?;
        let _ = root.disconnect().await;
        Ok(server)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The reader's password (to check it shows nowhere).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// `mysql://reader:<password>@127.0.0.1:<port>/sluice_test`.
    pub fn url(&self) -> String {
        format!(
            "mysql://{READER}:{}@127.0.0.1:{}/{DATABASE}",
            self.password, self.port
        )
    }

    /// A connection as `root` (no password) to [`DATABASE`] once it exists,
    /// for the tests to make their tables with.
    pub async fn root(&self) -> anyhow::Result<mysql_async::Conn> {
        let opts = mysql_async::OptsBuilder::default()
            .ip_or_hostname("127.0.0.1")
            .tcp_port(self.port)
            .user(Some("root"))
            .prefer_socket(false);
        let opts = if self.tls_only {
            opts.socket(Some(self.dir.join("mysqld.sock").display().to_string()))
        } else {
            opts
        };
        Ok(mysql_async::Conn::new(opts).await?)
    }

    /// Runs `sql` (statements separated by `;`) as root in [`DATABASE`].
    pub async fn exec(&self, sql: &str) -> anyhow::Result<()> {
        let mut root = self.root().await?;
        root.query_drop(format!("USE {DATABASE}")).await?;
        root.query_drop(sql).await.context("running the test SQL")?;
        let _ = root.disconnect().await;
        Ok(())
    }

    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "mariadbd exited before answering ({status}): {}",
                    self.log_tail()
                );
            }
            let last = match self.root().await {
                Ok(mut c) => {
                    let ok = c.query_drop("SELECT 1").await;
                    let _ = c.disconnect().await;
                    match ok {
                        Ok(()) => return Ok(()),
                        Err(e) => e.to_string(),
                    }
                }
                Err(e) => e.to_string(),
            };
            if started.elapsed() > READY_TIMEOUT {
                bail!(
                    "mariadbd on port {} did not answer within {READY_TIMEOUT:?} ({last}): {}",
                    self.port,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log_tail(&self) -> String {
        crate::log_tail(&self.dir.join("error.log"))
    }
}

impl Drop for Mysql {
    fn drop(&mut self) {
        // SIGTERM is a clean shutdown; past twenty seconds it is killed.
        crate::stop_server(&mut self.child, "-TERM", Duration::from_secs(20), &self.dir);
    }
}

/// `mariadbd` and `mariadb-install-db`: from `$SLUICE_MARIADB_BIN`, then the
/// distribution's places, then the PATH.
fn find_bins() -> anyhow::Result<(PathBuf, PathBuf)> {
    let pair = |server: &Path, install: &Path| {
        (server.is_file() && install.is_file())
            .then(|| (server.to_path_buf(), install.to_path_buf()))
    };
    if let Some(dir) = std::env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        return pair(&dir.join("mariadbd"), &dir.join("mariadb-install-db")).with_context(|| {
            format!(
                "{BIN_ENV}={} holds no mariadbd and mariadb-install-db",
                dir.display()
            )
        });
    }
    if let Some(found) = pair(
        Path::new("/usr/sbin/mariadbd"),
        Path::new("/usr/bin/mariadb-install-db"),
    ) {
        return Ok(found);
    }
    let path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let find = |name: &str| path.iter().map(|d| d.join(name)).find(|p| p.is_file());
    match (find("mariadbd"), find("mariadb-install-db")) {
        (Some(s), Some(i)) => Ok((s, i)),
        _ => bail!(
            "MariaDB not found: run scripts/test-deps.sh (installs it), or set {BIN_ENV} to the directory of mariadbd and mariadb-install-db"
        ),
    }
}
