#!/usr/bin/env bash
# API benchmark of the local server, as a user runs it (release build, loopback):
#   - requests/s and p50/p99 latency of GET /v1/data-marts/{id} and POST /v1/data-marts
#     at 16 concurrent connections (wrk, 2 threads, DURATION seconds each);
#   - start-up time (spawn → first 200 from /health), median of 20;
#   - resident memory after the load (VmRSS, and the peak VmHWM);
#   - size of each stripped release Lambda binary.
# Needs wrk (apt-get install wrk); installs it when run as root with apt.
# Usage: bench/api.sh [DURATION=10]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-10}"
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -q wrk >/dev/null; } || { echo "install wrk first"; exit 1; }

echo "building release binaries…" >&2
cargo build --release --quiet -p sluice
cargo build --release --quiet $(ls functions | sed 's/^/-p /')
out="${CARGO_TARGET_DIR:-target}/release"
bin="$out/sluice"

dir=$(mktemp -d /tmp/sluice-bench-XXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# No request budget: wrk sends far more than a caller's budget a minute.
RUST_LOG=warn "$bin" --data-dir "$dir/data" serve --port "$port" --requests-per-minute 0 > "$dir/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
export TOKEN=$(sed -n "s/^export TOKEN=//p" "$dir/out")
base="http://127.0.0.1:$port"
export STORAGE=$(curl -sf -H "Authorization: Bearer $TOKEN" -d '{"title":"bench","kind":"local"}' "$base/v1/storages" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
mart=$(curl -sf -H "Authorization: Bearer $TOKEN" -d "{\"title\":\"bench\",\"storage_id\":\"$STORAGE\"}" "$base/v1/data-marts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

summarize() { # label, wrk output
    python3 - "$1" "$2" <<'PY'
import re, sys
label, text = sys.argv[1], sys.argv[2]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
def pct(p):
    m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"{label:<28} {float(rps):>10.0f} req/s   p50 {pct(50):6.2f} ms   p99 {pct(99):6.2f} ms"
      + (f"   NON-2xx {non2xx.group(1)}" if non2xx else "") + (f"   socket errors: {errors.group(1)}" if errors else ""))
PY
}

echo "== local server, 16 connections, ${duration}s each, $(nproc) cores shared with wrk"
get=$(wrk -t2 -c16 -d"${duration}s" --latency -s bench/get.lua "$base/v1/data-marts/$mart")
summarize "GET /v1/data-marts/{id}" "$get"
post=$(wrk -t2 -c16 -d"${duration}s" --latency -s bench/post-data-mart.lua "$base/v1/data-marts")
summarize "POST /v1/data-marts" "$post"
grep -E "VmRSS|VmHWM" /proc/$pid/status | awk '{printf "%-28s %8.1f MB\n", $1, $2/1024}'

echo "== start-up (spawn → first 200 on /health), median of 20"
python3 bench/startup.py "$bin" 20

echo "== stripped release binaries"
ls -l "$bin" $(ls "$out"/api-* | grep -v '\.d$') | awk '{printf "%-40s %6.1f MB\n", $NF, $5/1048576}' | sed "s|$out/||"
