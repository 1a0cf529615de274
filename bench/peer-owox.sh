#!/usr/bin/env bash
# Peer benchmark: the API server of OWOX Data Marts, measured the way bench/api.sh measures Sluice
# (loopback, same machine):
#   - requests/s and p50/p99 latency of GET /api/data-marts/{id} and POST /api/data-marts
#     at 16 concurrent connections (wrk, 2 threads, DURATION seconds each);
#   - resident memory after the load (VmRSS, and the peak VmHWM), summed over the server's
#     process tree (today it is a single node process; the count is printed);
#   - start-up time (spawn → first 200 from GET /api/data-marts), median of RUNS, on a fresh
#     and on an existing data directory (OWOX runs its ~120 SQLite migrations on a fresh one).
#
# How OWOX is installed (outside the repo, in OWOX_CACHE, default ~/.cache/sluice-bench/owox-VERSION-nodeN):
#   - the `owox` CLI that OWOX's docs install (`npm install -g owox`, then `owox serve`) is not on the
#     npm registry we can reach, and neither are the backend's workspace packages @owox/connectors,
#     @owox/idp-protocol and @owox/internal-helpers; only @owox/backend is. So @owox/backend is taken
#     from the npm registry (npm pack) and the three missing packages (plus @owox/typescript-config,
#     which they build against) are built from a source tree of the OWOX/owox-data-marts repository,
#     given as OWOX_SRC (a folder holding its packages/; needed only for the first install), all in
#     one npm workspace. All other dependencies come from the npm registry.
#     onnxruntime-node's CUDA download is skipped (ONNXRUNTIME_NODE_INSTALL_CUDA=skip).
#   - the server is started as the backend package's own `serve` script does (node dist/src/main):
#     the same NestJS bootstrap as `owox serve`, without the CLI's CORS middleware, static web UI and
#     /health routes. Defaults otherwise: SQLite in a temp dir, PORT, and the default local auth
#     (NullIdpProvider: no token, every request is the local admin), pretty logs to a file.
#   - OWOX asks for Node >= 22.22; it also runs on Node 20.19+ (with an AWS SDK warning). OWOX_NODE
#     picks the node binary (default: node on PATH); native modules are built for that node.
#
# The GET needs a data mart, which needs a data storage: the script creates a GOOGLE_BIGQUERY storage
# (creating one needs no credentials) and one data mart through the API. POST bodies: bench/owox-post-data-mart.lua.
# Background work OWOX starts on its own (scheduler triggers every 2 s, search re-indexing of each new
# entity, whose embedding model download fails offline) runs during the measurement, as it would for a user.
#
# Needs wrk, curl, python3, npm. Usage: OWOX_SRC=/path/to/owox-data-marts bench/peer-owox.sh [DURATION=10] [RUNS=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
duration="${1:-10}"
runs="${2:-5}"
command -v wrk >/dev/null || { echo "install wrk first"; exit 1; }

ver="${OWOX_VERSION:-0.35.0}"
node_bin="$(command -v "${OWOX_NODE:-node}")"
node_major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
cache="${OWOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench/owox-$ver-node$node_major}"
ws="$cache/ws"
main="$ws/apps/backend/dist/src/main.js"
export PATH="$(dirname "$node_bin"):$PATH" # npm's install scripts build native modules for this node

if [ ! -f "$ws/.installed" ]; then
    if [ -z "${OWOX_SRC:-}" ] || [ ! -d "$OWOX_SRC/packages/connectors" ]; then
        echo "first install: set OWOX_SRC to a source tree of the OWOX/owox-data-marts repository (its packages/ folder is used)" >&2
        exit 2
    fi
    echo "installing @owox/backend@$ver into $cache (npm registry + workspace packages from $OWOX_SRC)…" >&2
    rm -rf "$ws"
    mkdir -p "$ws/apps" "$ws/packages"
    (cd "$cache" && npm pack --silent "@owox/backend@$ver" >/dev/null 2>>"$cache/install.log")
    tar xzf "$cache/owox-backend-$ver.tgz" -C "$ws/apps"
    mv "$ws/apps/package" "$ws/apps/backend"
    for p in connectors idp-protocol internal-helpers typescript-config; do
        cp -r "$OWOX_SRC/packages/$p" "$ws/packages/"
    done
    # Workspace: the backend as published minus its dev tools, the @owox packages resolved to the
    # workspace, and the source packages with only what their build needs.
    python3 - "$ws" <<'PY'
import json, sys, os
ws = sys.argv[1]
def edit(rel, f):
    p = os.path.join(ws, rel); d = json.load(open(p)); f(d); json.dump(d, open(p, "w"), indent=2)
def backend(d):
    d.pop("devDependencies", None); d["scripts"] = {}
    for k in d["dependencies"]:
        if k.startswith("@owox/"): d["dependencies"][k] = "*"
edit("apps/backend/package.json", backend)
keep = {"typescript", "@types/node", "vite", "fs-extra", "glob", "@types/express", "@types/cookie-parser", "shx"}
def package(d):
    d["devDependencies"] = {k: v for k, v in d.get("devDependencies", {}).items() if k in keep}
    d["devDependencies"].setdefault("typescript", "5.9.3")
    d["devDependencies"].setdefault("shx", "^0.4.0")
    if d["name"] == "@owox/internal-helpers": d["devDependencies"]["@types/jsonwebtoken"] = "^9.0.0"
    d["scripts"] = {k: v for k, v in d.get("scripts", {}).items() if k.startswith("build") and k != "build:clean"}
for p in ["packages/connectors", "packages/idp-protocol", "packages/internal-helpers"]:
    edit(p + "/package.json", package)
json.dump({"name": "owox-peer-bench", "private": True, "workspaces": ["apps/*", "packages/*"]},
          open(os.path.join(ws, "package.json"), "w"), indent=2)
PY
    (cd "$ws" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install --no-audit --no-fund >>"$cache/install.log" 2>&1) \
        || { tail -20 "$cache/install.log" >&2; exit 1; }
    for p in internal-helpers idp-protocol connectors; do
        (cd "$ws" && npm run build --workspace "packages/$p" >>"$cache/install.log" 2>&1) \
            || { tail -20 "$cache/install.log" >&2; exit 1; }
    done
    touch "$ws/.installed"
fi

dir=$(mktemp -d /tmp/owox-bench-XXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# setsid: the server leads its own process group, so everything it may spawn is stopped with it.
(cd "$dir" && exec env PORT="$port" SQLITE_DB_PATH="$dir/db.sqlite" PLUGIN_COLLECTIONS_SQLITE_DB_PATH="$dir/plugins.sqlite" \
    setsid "$node_bin" "$main" > "$dir/out" 2>&1) &
pid=$!
# (each step may fail, and under set -e a failing step would end the trap early)
trap 'kill -- -$pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port/api"
for _ in $(seq 600); do curl -sf "$base/data-marts" >/dev/null && break; sleep 0.1; done
curl -sf "$base/data-marts" >/dev/null || { echo "OWOX did not start:" >&2; tail -20 "$dir/out" >&2; exit 1; }
export STORAGE=$(curl -sf -H 'Content-Type: application/json' -d '{"type":"GOOGLE_BIGQUERY"}' "$base/data-storages" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
mart=$(curl -sf -H 'Content-Type: application/json' -d "{\"title\":\"bench\",\"storageId\":\"$STORAGE\"}" "$base/data-marts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -sf "$base/data-marts/$mart" >/dev/null

summarize() { # label, wrk output (same as bench/api.sh)
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

echo "== OWOX Data Marts @owox/backend $ver on node $("$node_bin" -v), 16 connections, ${duration}s each, $(nproc) cores shared with wrk"
get=$(wrk -t2 -c16 -d"${duration}s" --latency "$base/data-marts/$mart")
summarize "GET /api/data-marts/{id}" "$get"
post=$(wrk -t2 -c16 -d"${duration}s" --latency -s bench/owox-post-data-mart.lua "$base/data-marts")
summarize "POST /api/data-marts" "$post"
procs=$(pgrep -s "$pid" || echo "$pid")
for p in $procs; do grep -E "VmRSS|VmHWM" "/proc/$p/status" || true; done \
    | awk -v n="$(echo $procs | wc -w)" '{s[$1]+=$2} END {
        printf "%-28s %8.1f MB\n", "VmRSS:", s["VmRSS:"]/1024; printf "%-28s %8.1f MB\n", "VmHWM:", s["VmHWM:"]/1024
        printf "%-28s %8d\n", "server processes:", n }'
errors=$(grep -c 'ERROR' "$dir/out" || true)
echo "server log: $(wc -l < "$dir/out") lines, $errors ERROR entries"

echo "== start-up (spawn → first 200 on GET /api/data-marts), median of $runs"
python3 - "$node_bin" "$main" "$runs" <<'PY'
import os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

node, main, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def once(data_dir):
    port = free_port()
    env = dict(os.environ, PORT=str(port), SQLITE_DB_PATH=f"{data_dir}/db.sqlite",
               PLUGIN_COLLECTIONS_SQLITE_DB_PATH=f"{data_dir}/plugins.sqlite")
    t0 = time.perf_counter()
    proc = subprocess.Popen([node, main], cwd=data_dir, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/data-marts", timeout=1) as r:
                    if r.status == 200:
                        return (time.perf_counter() - t0) * 1000
            except OSError:
                time.sleep(0.0005)
            if time.perf_counter() - t0 > 120:
                raise SystemExit("OWOX did not answer within 120 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait()

fresh, warm = [], []
for _ in range(runs):
    d = tempfile.mkdtemp(prefix="owox-startup-")
    fresh.append(once(d))
    warm.append(once(d))
    shutil.rmtree(d)
print(f"startup_fresh_ms_median {statistics.median(fresh):.1f}")
print(f"startup_existing_ms_median {statistics.median(warm):.1f}")
PY
