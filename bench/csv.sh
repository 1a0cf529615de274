#!/usr/bin/env bash
# CSV against NDJSON end to end: the same ROWS generated rows (default 337k; 19
# columns with nulls, floats, timestamps, quoted strings holding commas and line
# breaks; bench/gen_wide.py) as a CSV file and as an NDJSON file, each behind its own
# `files` source and data mart with the same mapping (bench/wide-mapping.json), and
# `sluice run` (release build) on each RUNS times, alternating formats. Every run is
# a fresh data mart, so each one reads the whole file.
# Prints each run (wall time, peak RSS, minor page faults, user and system CPU), then
# the median wall time and peak RSS per format and the ratios CSV/NDJSON.
# Usage: bench/csv.sh [ROWS=337000] [RUNS=5]     data goes to ${BENCH_DIR:-/tmp/sluice-bench}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-337000}"
runs="${2:-5}"
data="${BENCH_DIR:-/tmp/sluice-bench}/wide-$rows"
mkdir -p "$data/csv" "$data/ndjson"
data=$(cd "$data" && pwd)   # a source location is an absolute path under an import root
for f in csv ndjson; do
    [ -s "$data/$f/events.$f" ] ||
        python3 bench/gen_wide.py --rows "$rows" --format "$f" --out "$data/$f/events.$f"
done
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
bin="${CARGO_TARGET_DIR:-target}/release/sluice"
state=$(mktemp -d "${TMPDIR:-/tmp}/sluice-csv-bench-XXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" --data-dir "$state" --import-root "$data" serve --port "$port" > "$state/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$state"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
# One data mart per format and run: "csv dm_…" / "ndjson dm_…" lines, alternating.
marts=$(TOKEN=$(sed -n "s/^export TOKEN=//p" "$state/out") BASE="http://127.0.0.1:$port" \
        DATA="$data" RUNS="$runs" python3 - <<'PY'
import json, os, urllib.request
base, token, data = os.environ["BASE"], os.environ["TOKEN"], os.environ["DATA"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
storage = call("POST", "/v1/storages", {"title": "bench", "kind": "local"})["id"]
mapping = json.load(open("bench/wide-mapping.json"))
sources = {f: call("POST", "/v1/sources", {"title": f"events {f}", "connector": "files",
              "config": {"location": f"{data}/{f}", "format": f}})["id"] for f in ("csv", "ndjson")}
for i in range(int(os.environ["RUNS"])):
    for f in ("csv", "ndjson"):
        mart = call("POST", "/v1/data-marts", {"title": f"events {f} {i}", "storage_id": storage})["id"]
        call("PUT", f"/v1/data-marts/{mart}/definition", {
            "kind": "connector", "source_id": sources[f],
            "streams": [{"name": f"*.{f}", "mapping": mapping}],
            "pipeline": {"batch_size": 10000, "parallelism": 16}})
        call("POST", f"/v1/data-marts/{mart}/publish")
        print(f, mart)
PY
)
kill $pid; wait $pid 2>/dev/null || true
echo "$marts" | BIN="$bin" STATE="$state" IMPORT="$data" ROWS="$rows" python3 -c '
import os, re, statistics, subprocess, sys, time
bin, state, root, rows = os.environ["BIN"], os.environ["STATE"], os.environ["IMPORT"], int(os.environ["ROWS"])
env = dict(os.environ, RUST_LOG="warn")
res = {"csv": [], "ndjson": []}
for line in sys.stdin.read().split("\n"):
    if not line.strip():
        continue
    fmt, mart = line.split()
    start = time.perf_counter()
    p = subprocess.Popen([bin, "--data-dir", state, "--import-root", root, "run", mart],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    m = re.search(r"(\d+) written, (\d+) failed", out)
    written, failed = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
    if status != 0 or written != rows or failed:
        sys.exit(f"{fmt} run of {mart} did not land {rows} rows: {out.strip()}")
    rss = ru.ru_maxrss / 1024  # kB on Linux
    res[fmt].append((wall, rss))
    print(f"{fmt:<6} wall {wall:6.2f} s  peak RSS {rss:7.1f} MB  minor faults {ru.ru_minflt:>9,}  "
          f"user {ru.ru_utime:5.2f} s  sys {ru.ru_stime:5.2f} s", flush=True)
med = {f: (statistics.median(w for w, _ in r), statistics.median(m for _, m in r)) for f, r in res.items()}
print()
runs_each = len(res["csv"])
print(f"{rows} rows, {runs_each} runs each (medians)")
for f in ("csv", "ndjson"):
    print(f"{f:<6} wall {med[f][0]:6.2f} s  peak RSS {med[f][1]:7.1f} MB")
(cw, cm), (nw, nm) = med["csv"], med["ndjson"]
print(f"CSV/NDJSON wall time {cw / nw:.2f}x, peak RSS {cm / nm:.2f}x")
'
