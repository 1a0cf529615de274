#!/usr/bin/env bash
# End-to-end local run through the queues: `sluice run` on a data mart over a
# generated NDJSON file of ROWS rows (default 1M), release build, the same mapping
# as bench/transform.sh. Prints sluice run's summary (wall time, rows/s, each
# stage's busy time) and each stage's share of the busy time.
# Usage: bench/run.sh [ROWS=1000000]     data goes to ${BENCH_DIR:-/tmp/sluice-bench}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-1000000}"
data="${BENCH_DIR:-/tmp/sluice-bench}/run-$rows"
mkdir -p "$data/files"
data=$(cd "$data" && pwd)   # a source location is an absolute path under an import root
[ -s "$data/files/orders.ndjson" ] || python3 bench/gen_ndjson.py --rows "$rows" --out "$data/files/orders.ndjson"
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
bin="${CARGO_TARGET_DIR:-target}/release/sluice"
state=$(mktemp -d /tmp/sluice-run-bench-XXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" --data-dir "$state" --import-root "$data/files" serve --port "$port" > "$state/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$state"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
mart=$(TOKEN=$(sed -n "s/^export TOKEN=//p" "$state/out") BASE="http://127.0.0.1:$port" FILES="$data/files" python3 - <<'PY'
import json, os, urllib.request
base, token = os.environ["BASE"], os.environ["TOKEN"]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
storage = call("POST", "/v1/storages", {"title": "bench", "kind": "local"})["id"]
source = call("POST", "/v1/sources", {"title": "orders", "connector": "files",
              "config": {"location": os.environ["FILES"], "format": "ndjson"}})["id"]
mart = call("POST", "/v1/data-marts", {"title": "orders", "storage_id": storage})["id"]
call("PUT", f"/v1/data-marts/{mart}/definition", {
    "kind": "connector", "source_id": source,
    "streams": [{"name": "*.ndjson", "mapping": json.load(open("bench/orders-mapping.json"))}],
    "pipeline": {"batch_size": 10000, "parallelism": 16}})
call("POST", f"/v1/data-marts/{mart}/publish")
print(mart)
PY
)
kill $pid; wait $pid 2>/dev/null || true
echo "sluice run $mart ($rows rows)" >&2
start=$(date +%s.%N)
out=$(RUST_LOG=warn /usr/bin/time -f "peak_rss_kb=%M" "$bin" --data-dir "$state" --import-root "$data/files" run "$mart" 2>"$state/err")
end=$(date +%s.%N)
echo "$out"
grep peak_rss_kb "$state/err" || true
python3 - "$out" "$start" "$end" <<'PY'
import re, sys
out, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
busy = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+\w+\s+busy (\d+) ms", out, re.M)}
total = sum(busy.values()) or 1
print(f"process wall time {end - start:.2f} s (start-up and the run)")
print("share of busy time: " + ", ".join(f"{k} {v / total:.0%}" for k, v in busy.items()))
PY
