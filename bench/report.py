#!/usr/bin/env python3
"""Report benchmark: a data mart of ROWS wide rows (bench/gen_wide.py: 19 columns of
ids, quoted text, counts, floats, booleans, dates, timestamps, ~10-30% nulls) built
by `sluice run`, then read back the ways a report leaves Sluice:

  * the data endpoint (GET /v1/reports/{id}/data) as NDJSON and CSV: rows/s, MB/s,
    time to first byte, and the server's peak memory (a fresh `sluice serve`, so
    the figure is the endpoint's own);
  * `object_export` report runs to CSV and to Parquet: rows/s of the delivery;
  * a `database` report run into PostgreSQL (started here, on a free port, as
    `nobody` when run as root), beside psql's `\\copy` of the endpoint's CSV into
    an identical table: the practical limit, and the ratio against it.

Each measurement runs RUNS times; medians are printed with the runs' spread.

    python3 bench/report.py BIN ROWS RUNS DATA_DIR
(bench/report.sh builds the release binary and calls this.) BENCH_PARTS (default
`endpoint,export,database`) picks the parts: `BENCH_PARTS=endpoint` for the data
endpoint's memory from 1M to 10M rows without the slower writes.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from benchlib import Postgres, Server, median, spread

BIN, ROWS, RUNS, DATA = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
PARTS = set(os.environ.get("BENCH_PARTS", "endpoint,export,database").split(","))


def pull(server, report, key, query):
    """Reads the data endpoint whole: seconds, first-byte seconds, bytes, lines."""
    req = urllib.request.Request(f"{server.base}/v1/reports/{report}/data{query}",
                                 headers={"Authorization": f"Bearer {key}"})
    start = time.perf_counter()
    first, size, lines = None, 0, 0
    with urllib.request.urlopen(req) as r:
        while True:
            chunk = r.read(1 << 20)
            if first is None:
                first = time.perf_counter() - start
            if not chunk:
                break
            size += len(chunk)
            lines += chunk.count(b"\n")
    return time.perf_counter() - start, first, size, lines


def run_report(server, report):
    run = server.call("POST", f"/v1/reports/{report}/runs")
    deadline = time.time() + 3600
    while time.time() < deadline:
        r = server.call("GET", f"/v1/report-runs/{run['id']}")
        if r["status"] in ("succeeded", "failed", "cancelled"):
            if r["status"] != "succeeded":
                raise SystemExit(f"report run {r['status']}: {r.get('error')}")
            return r
        time.sleep(0.2)
    raise SystemExit("report run did not end")


def main():
    files = os.path.join(DATA, "files")
    os.makedirs(files, exist_ok=True)
    src = os.path.join(files, "wide.ndjson")
    if not os.path.exists(src):
        subprocess.run([sys.executable, "bench/gen_wide.py", "--rows", str(ROWS), "--out", src,
                        "--format", "ndjson"], check=True)
    state = tempfile.mkdtemp(prefix="sluice-report-bench-")
    pg = Postgres()
    extra = ["--allow-network", "127.0.0.1/32"]
    try:
        s = Server(BIN, state, files, extra)
        storage = s.call("POST", "/v1/storages", {"title": "bench", "kind": "local"})["id"]
        source = s.call("POST", "/v1/sources", {"title": "wide", "connector": "files",
                                                "config": {"location": files, "format": "ndjson"}})["id"]
        mart = s.call("POST", "/v1/data-marts", {"title": "wide", "storage_id": storage})["id"]
        s.call("PUT", f"/v1/data-marts/{mart}/definition", {
            "kind": "connector", "source_id": source,
            "streams": [{"name": "*.ndjson", "mapping": json.load(open("bench/wide-mapping.json"))}],
            "pipeline": {"batch_size": 10000, "parallelism": 16}})
        s.call("POST", f"/v1/data-marts/{mart}/publish")
        s.stop()
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "peak_rss_kb=%M", BIN, "--data-dir", state,
                              "--import-root", files, *extra, "run", mart],
                             capture_output=True, text=True, env={**os.environ, "RUST_LOG": "warn"})
        wall = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit("sluice run failed: " + out.stderr)
        run_rss = next((int(l.split("=")[1]) / 1024 for l in out.stderr.splitlines() if l.startswith("peak_rss_kb=")), 0)
        print(f"sluice run: {ROWS} rows in {wall:.2f} s wall, peak {run_rss:.0f} MB", flush=True)

        # A fresh server: its peak memory is the reports' own.
        s = Server(BIN, state, files, extra)
        looker = s.call("POST", "/v1/destinations", {"title": "looker", "kind": "looker_studio", "config": {}})["id"]
        pulled = s.call("POST", "/v1/reports", {"title": "pulled", "data_mart_id": mart, "destination_id": looker})["id"]
        key = s.call("POST", f"/v1/destinations/{looker}/rotate-key")["key"]
        base_rss = s.peak_rss_mb()
        figures = {}
        # ndjson and csv are checked for a line a row; json (the schema and the rows
        # in one document, what a Looker Studio connector reads) is one line.
        for fmt in ("ndjson", "csv", "json"):
            times, firsts, sizes = [], [], []
            for _ in range(RUNS):
                t, first, size, lines = pull(s, pulled, key, f"?format={fmt}")
                expected = {"ndjson": ROWS, "csv": ROWS + 1, "json": 0}[fmt]
                if lines < expected:
                    raise SystemExit(f"{fmt}: {lines} lines, expected {expected}")
                times.append(t)
                firsts.append(first)
                sizes.append(size)
            figures[fmt] = (times, firsts, sizes[0])
            print(f"data endpoint {fmt}: median {median(times):.2f} s ({spread(times)}), "
                  f"{ROWS / median(times):,.0f} rows/s, {sizes[0] / median(times) / 1e6:.0f} MB/s, "
                  f"first byte {median(firsts) * 1000:.0f} ms, {sizes[0] / 1e6:.0f} MB", flush=True)
        serve_rss = s.peak_rss_mb()
        print(f"server peak memory: {base_rss:.0f} MB started, {serve_rss:.0f} MB after the reads", flush=True)

        for fmt in ("csv", "parquet") if "export" in PARTS else ():
            export_dst = s.call("POST", "/v1/destinations", {"title": f"export {fmt}", "kind": "object_export",
                                                             "config": {"format": fmt}})["id"]
            exported = s.call("POST", "/v1/reports", {"title": f"export {fmt}", "data_mart_id": mart,
                                                      "destination_id": export_dst})["id"]
            export_s, size = [], 0
            for _ in range(RUNS):
                r = run_report(s, exported)
                if r["rows"] != ROWS:
                    raise SystemExit(f"object_export {fmt}: {r['rows']} rows, expected {ROWS}")
                export_s.append(r["duration_ms"] / 1000)
                size = r["bytes"]
            print(f"object_export {fmt}: median {median(export_s):.2f} s ({spread(export_s)}), "
                  f"{ROWS / median(export_s):,.0f} rows/s, {size / 1e6:.0f} MB", flush=True)
        if "export" in PARTS:
            print(f"server peak memory after the exports: {s.peak_rss_mb():.0f} MB", flush=True)

        if "database" not in PARTS:
            s.stop()
            return
        db_dst = s.call("POST", "/v1/destinations", {"title": "pg", "kind": "database",
                                                     "config": {"url": pg.url, "table": "wide", "write_mode": "replace"}})["id"]
        written = s.call("POST", "/v1/reports", {"title": "pg", "data_mart_id": mart, "destination_id": db_dst})["id"]
        db_s = []
        for _ in range(RUNS):
            r = run_report(s, written)
            db_s.append(r["duration_ms"] / 1000)
        count = pg.psql("-At", "-c", "select count(*) from public.wide").strip()
        if int(count) != ROWS:
            raise SystemExit(f"postgres holds {count} rows, expected {ROWS}")
        # The peer: psql's \copy of the same rows as CSV into a table of the same columns.
        csv_path = os.path.join(state, "report.csv")
        with open(csv_path, "wb") as f:
            req = urllib.request.Request(f"{s.base}/v1/reports/{pulled}/data?format=csv",
                                         headers={"Authorization": f"Bearer {key}"})
            with urllib.request.urlopen(req) as r:
                shutil.copyfileobj(r, f, 1 << 20)
        if pg.as_nobody:
            shutil.chown(csv_path, "nobody", "nogroup")
        copy_s = []
        for _ in range(RUNS):
            pg.psql("-c", "drop table if exists peer; create table peer (like public.wide)")
            start = time.perf_counter()
            pg.psql("-c", f"\\copy peer from '{csv_path}' with (format csv, header true)")
            copy_s.append(time.perf_counter() - start)
        ratio = median(copy_s) / median(db_s)
        print(f"database (postgres, replace): median {median(db_s):.2f} s ({spread(db_s)}), "
              f"{ROWS / median(db_s):,.0f} rows/s", flush=True)
        print(f"psql \\copy of the same CSV: median {median(copy_s):.2f} s ({spread(copy_s)}), "
              f"{ROWS / median(copy_s):,.0f} rows/s; sluice at {ratio:.2f} of it", flush=True)
        s.stop()
    finally:
        # A failed step stops what it started too.
        for server in list(Server.running):
            server.stop()
        pg.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
