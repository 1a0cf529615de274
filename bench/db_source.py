#!/usr/bin/env python3
"""Database source benchmark: a table of ROWS rows and 10 columns (about 100 bytes
a row: ids, a decimal(12,2), a double, counts, short and e-mail-like text, two
timestamps, a boolean; 8-11% NULLs in four of them) in a throwaway PostgreSQL or
MariaDB, landed as a mapped data mart by `sluice run` (the wire format decoded
into Arrow, the mapping's casts, Parquet), beside dlt with its ConnectorX backend
reading the same table into Parquet (bench/db_peer.py). Each tool runs RUNS times;
medians with the runs' spread.

For each run: wall time, the client's CPU time (user + system, all threads) and
rows per CPU-second, its peak memory, and the CPU time the database server spent
serving it.

    python3 bench/db_source.py postgres|mysql BIN ROWS RUNS DATA_DIR
(bench/postgres.sh and bench/mysql.sh build the release binary, install the peer
and call this.)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from benchlib import Mariadb, Postgres, Server, median, spread

ENGINE, BIN, ROWS, RUNS, DATA = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# The data mart's pipeline: rows per chunk (100,000, the chunk the peer reads,
# `chunk_size=100_000` in bench/db_peer.py), and the most key ranges read at once
# (BENCH_BATCH, BENCH_PARALLELISM to try others).
BATCH = int(os.environ.get("BENCH_BATCH", "100000"))
PARALLELISM = int(os.environ.get("BENCH_PARALLELISM", "16"))

PG_TABLE = """
CREATE UNLOGGED TABLE public.events (
    id bigint PRIMARY KEY,
    account_id integer NOT NULL,
    amount numeric(12,2),
    price double precision NOT NULL,
    quantity integer,
    status text NOT NULL,
    email text,
    created_at timestamptz NOT NULL,
    updated_at timestamp,
    active boolean NOT NULL);
INSERT INTO public.events
SELECT i, (i * 7919) % 100000,
       CASE WHEN i % 10 = 0 THEN NULL ELSE ((i * 37) % 1000000) / 100.0 END,
       (i % 1000) * 1.37 + (i % 7) * 0.001,
       CASE WHEN i % 13 = 0 THEN NULL ELSE i % 50 END,
       (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + i % 4],
       CASE WHEN i % 9 = 0 THEN NULL ELSE 'user' || (i % 500000) || '@example.com' END,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',
       CASE WHEN i % 11 = 0 THEN NULL ELSE timestamp '2026-01-01' + i * interval '2 second' END,
       i % 3 = 0
FROM generate_series(1::bigint, {rows}) AS i;
"""

# The same table in MariaDB, its rows from the built-in sequence engine.
MY_TABLE = """
CREATE TABLE events (
    id bigint PRIMARY KEY,
    account_id int NOT NULL,
    amount decimal(12,2),
    price double NOT NULL,
    quantity int,
    status varchar(16) NOT NULL,
    email varchar(64),
    created_at datetime(6) NOT NULL,
    updated_at datetime,
    active boolean NOT NULL);
INSERT INTO events
SELECT seq, (seq * 7919) % 100000,
       IF(seq % 10 = 0, NULL, ((seq * 37) % 1000000) / 100.0),
       (seq % 1000) * 1.37 + (seq % 7) * 0.001,
       IF(seq % 13 = 0, NULL, seq % 50),
       ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'),
       IF(seq % 9 = 0, NULL, CONCAT('user', seq % 500000, '@example.com')),
       TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND,
       IF(seq % 11 = 0, NULL, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL (2 * seq) SECOND),
       seq % 3 = 0
FROM seq_1_to_{rows};
ANALYZE TABLE events;
"""

MAPPING = {"columns": [
    {"target": "id", "source": "id", "cast": "int"},
    {"target": "account_id", "source": "account_id", "cast": "int"},
    {"target": "amount", "source": "amount", "cast": "decimal(12,2)"},
    {"target": "price", "source": "price", "cast": "float"},
    {"target": "quantity", "source": "quantity", "cast": "int"},
    {"target": "status", "source": "status", "cast": "string"},
    {"target": "email", "source": "email", "cast": "string"},
    {"target": "created_at", "source": "created_at", "cast": "timestamp"},
    {"target": "updated_at", "source": "updated_at", "cast": "timestamp"},
    {"target": "active", "source": "active", "cast": "bool"},
]}


def timed(cmd, env=None):
    """Runs `cmd` under /usr/bin/time: wall seconds, CPU seconds, peak MB, output."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "cpu=%U %S rss=%M", *cmd], capture_output=True,
                         text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {out.stderr[-2000:]}")
    line = [l for l in out.stderr.splitlines() if l.startswith("cpu=")][-1]
    user, sys_rss = line[4:].split(" ", 1)
    system, rss = sys_rss.split(" rss=")
    return wall, float(user) + float(system), int(rss) / 1024, out.stdout


def main():
    db = Postgres() if ENGINE == "postgres" else Mariadb()
    state = tempfile.mkdtemp(prefix="sluice-pg-bench-")
    os.makedirs(DATA, exist_ok=True)
    extra = ["--allow-network", "127.0.0.1/32"]
    try:
        t = time.perf_counter()
        if ENGINE == "postgres":
            db.psql("-c", PG_TABLE.format(rows=ROWS))
            db.psql("-c", "VACUUM ANALYZE public.events")
            size = db.psql("-At", "-c", "select pg_size_pretty(pg_table_size('public.events'))").strip()
            stream = "public.events"
        else:
            db.sql(MY_TABLE.format(rows=ROWS))
            size = db.sql("SELECT CONCAT(ROUND((DATA_LENGTH + INDEX_LENGTH) / 1048576), ' MB') "
                          "FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME = 'events'").strip()
            stream = "bench.events"
        print(f"table: {ROWS:,} rows, {size}, made in {time.perf_counter() - t:.0f} s", flush=True)
        s = Server(BIN, state, DATA, extra)
        storage = s.call("POST", "/v1/storages", {"title": "bench", "kind": "local"})["id"]
        source = s.call("POST", "/v1/sources", {"title": ENGINE, "connector": ENGINE,
                                                "config": {"url": db.url}})["id"]
        marts = []
        for i in range(RUNS):
            mart = s.call("POST", "/v1/data-marts", {"title": f"events {i}", "storage_id": storage})["id"]
            s.call("PUT", f"/v1/data-marts/{mart}/definition", {
                "kind": "connector", "source_id": source,
                "streams": [{"name": stream, "mapping": MAPPING}],
                "pipeline": {"batch_size": BATCH, "parallelism": PARALLELISM}})
            s.call("POST", f"/v1/data-marts/{mart}/publish")
            marts.append(mart)
        s.stop()
        results = {"sluice": [], "dlt+connectorx": []}
        for i in range(RUNS):
            before = db.server_cpu()
            wall, cpu, rss, summary = timed([BIN, "--data-dir", state, "--import-root", DATA, *extra, "run", marts[i]],
                                            {"RUST_LOG": "warn"})
            if i == 0:
                print(summary.strip(), flush=True)
            results["sluice"].append((wall, cpu, rss, db.server_cpu() - before))
            print(f"sluice run {i + 1}: {wall:.1f} s wall, {cpu:.1f} CPU-s, {ROWS / cpu:,.0f} rows/CPU-s, "
                  f"peak {rss:.0f} MB, server {results['sluice'][-1][3]:.1f} CPU-s", flush=True)
            before = db.server_cpu()
            wall, cpu, rss, out = timed([".venv-bench/bin/python", "bench/db_peer.py", "--url", db.url,
                                         "--table", "events", "--rows", str(ROWS)])
            peer = json.loads(out.strip().splitlines()[-1])
            # The job's own span (no interpreter start or imports), the process's peak.
            results["dlt+connectorx"].append((peer["seconds"], peer["cpu_seconds"], rss, db.server_cpu() - before))
            print(f"dlt+connectorx run {i + 1}: {peer['seconds']:.1f} s wall, {peer['cpu_seconds']:.1f} CPU-s, "
                  f"{ROWS / peer['cpu_seconds']:,.0f} rows/CPU-s, peak {rss:.0f} MB, "
                  f"server {results['dlt+connectorx'][-1][3]:.1f} CPU-s", flush=True)
        print()
        print(f"{'tool':<16} {'wall s':>12} {'rows/s':>11} {'CPU s':>12} {'rows/CPU-s':>11} {'peak MB':>8} {'server CPU s':>13}")
        med = {}
        for tool, runs in results.items():
            walls, cpus, rsss, srv = ([r[k] for r in runs] for k in range(4))
            med[tool] = (median(walls), median(cpus), median(rsss))
            print(f"{tool:<16} {median(walls):>5.1f} ({spread(walls)}) {ROWS / median(walls):>11,.0f} "
                  f"{median(cpus):>5.1f} ({spread(cpus)}) {ROWS / median(cpus):>11,.0f} {median(rsss):>8.0f} "
                  f"{median(srv):>13.1f}")
        s_, d_ = med["sluice"], med["dlt+connectorx"]
        print(f"\nsluice / dlt+connectorx: {d_[1] / s_[1]:.2f}x rows per CPU-second, "
              f"{d_[0] / s_[0]:.2f}x wall, {s_[2] / d_[2]:.2f}x the memory")
    finally:
        for srv in list(Server.running):
            srv.stop()
        db.stop()
        subprocess.run(["rm", "-rf", state])


if __name__ == "__main__":
    main()
