"""What the benchmarks that drive `sluice` share: a `sluice serve` on a free port,
throwaway PostgreSQL and MariaDB servers, medians and spreads."""
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`sluice serve` on a free port over `state`; its token from its output."""

    running = []

    def __init__(self, bin, state, files, extra=()):
        self.port = free_port()
        self.out = open(os.path.join(state, "serve.out"), "w")
        self.proc = subprocess.Popen(
            [bin, "--data-dir", state, "--import-root", files, *extra, "serve", "--port", str(self.port)],
            stdout=self.out, stderr=subprocess.STDOUT, env={**os.environ, "RUST_LOG": "warn"})
        Server.running.append(self)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + "/health", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() > deadline or self.proc.poll() is not None:
                    raise SystemExit("sluice serve did not start: " + open(self.out.name).read())
                time.sleep(0.1)
        self.token = None
        for _ in range(100):
            for line in open(self.out.name):
                if line.startswith("export TOKEN="):
                    self.token = line.split("=", 1)[1].strip()
            if self.token:
                break
            time.sleep(0.1)

    def call(self, method, path, body=None, token=None):
        req = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token or self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                text = r.read()
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}")
        return json.loads(text) if text else None

    def peak_rss_mb(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self in Server.running:
            Server.running.remove(self)
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.out.close()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return f"{min(xs):.2f}-{max(xs):.2f}" if xs else "-"


class Postgres:
    """A throwaway PostgreSQL on a free port (as nobody when root: initdb refuses root)."""

    def __init__(self):
        bins = sorted(d for d in os.listdir("/usr/lib/postgresql"))
        self.bin = f"/usr/lib/postgresql/{bins[-1]}/bin"
        self.dir = tempfile.mkdtemp(prefix="sluice-bench-pg-")
        self.as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.getuid() == 0 else []
        if self.as_nobody:
            shutil.chown(self.dir, "nobody", "nogroup")
        data = os.path.join(self.dir, "data")
        subprocess.run([*self.as_nobody, f"{self.bin}/initdb", "-D", data, "-U", "bench", "-A", "trust",
                        "-E", "UTF8", "--locale=C", "--no-sync"], check=True, stdout=subprocess.DEVNULL, cwd=self.dir)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*self.as_nobody, f"{self.bin}/postgres", "-D", data, "-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
             "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        for _ in range(600):
            if subprocess.run([f"{self.bin}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                              stdout=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        self.url = f"postgres://bench@127.0.0.1:{self.port}/postgres"

    def psql(self, *args, stdin=None):
        out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, *args],
                             capture_output=True, text=True, input=stdin)
        if out.returncode != 0:
            raise SystemExit(f"psql failed: {out.stderr.strip()}")
        return out.stdout

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)

    def server_cpu(self):
        """CPU seconds of the server's exited backends (the postmaster reaps them),
        once every client's backend has exited: a client that ended its sessions
        as it exited may leave them a moment behind it."""
        for _ in range(200):
            live = [p for p in os.listdir("/proc") if p.isdigit() and _parent(p) == self.proc.pid
                    and "postgres: bench" in _cmdline(p)]
            if not live:
                break
            time.sleep(0.05)
        return _children_cpu(self.proc.pid)


def _parent(pid):
    try:
        return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cmdline(pid):
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _own_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _children_cpu(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime


class Mariadb:
    """A throwaway MariaDB on a free port (as nobody when root), with a database
    `bench` and a user `bench` that owns it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sluice-bench-my-")
        self.as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.getuid() == 0 else []
        if self.as_nobody:
            shutil.chown(self.dir, "nobody", "nogroup")
        data = os.path.join(self.dir, "data")
        subprocess.run([*self.as_nobody, "mariadb-install-db", "--no-defaults", f"--datadir={data}",
                        "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*self.as_nobody, "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={data}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.dir}/mysqld.sock", f"--pid-file={self.dir}/mysqld.pid",
             f"--log-error={self.dir}/error.log", f"--tmpdir={self.dir}", "--skip-name-resolve", "--skip-log-bin",
             "--innodb-buffer-pool-size=2G", "--innodb-log-file-size=512M", "--innodb-flush-log-at-trx-commit=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
        for _ in range(900):
            if self._sql("root", "SELECT 1", check=False).returncode == 0:
                break
            time.sleep(0.1)
        self._sql("root", "CREATE DATABASE bench; CREATE USER 'bench'@'%' IDENTIFIED BY 'bench-pw';"
                          "GRANT ALL ON bench.* TO 'bench'@'%';")
        self.url = f"mysql://bench:bench-pw@127.0.0.1:{self.port}/bench"

    def _sql(self, user, sql, check=True):
        args = ["mariadb", "-h", "127.0.0.1", "-P", str(self.port), "-u", user, "--batch", "--skip-column-names"]
        if user == "bench":
            args += ["-pbench-pw", "bench"]
        out = subprocess.run([*args, "-e", sql], capture_output=True, text=True)
        if check and out.returncode != 0:
            raise SystemExit(f"mariadb failed: {out.stderr.strip()}")
        return out

    def sql(self, sql):
        return self._sql("bench", sql).stdout

    def server_cpu(self):
        """CPU seconds of the server process (its threads serve every connection)."""
        return _own_cpu(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)
