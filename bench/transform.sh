#!/usr/bin/env bash
# Transform benchmark: NDJSON → mapping (10 columns: casts, an expression, string
# operations, a default, an exclusion) → Parquet, for 1M and 10M generated rows,
# Sluice's transform path on one core (shared/runs/benches/transform.rs, release)
# beside dlt running the same job on the same file (bench/dlt_peer.py). Each tool
# runs RUNS times per size (median reported); dlt runs on 1M rows by default, on 10M
# too with DLT_10M=1 (it takes about 8 minutes there).
# Prints each run's JSON line, then a table of medians and ratios.
# Usage: bench/transform.sh [RUNS=3]     data goes to ${BENCH_DIR:-/tmp/sluice-bench}
#        BENCH_SIZES=1m bench/transform.sh 3   only the 1M-row size (default: "1m 10m")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-3}"
data="${BENCH_DIR:-/tmp/sluice-bench}"
sizes="${BENCH_SIZES:-1m 10m}"
mkdir -p "$data/1m" "$data/10m"
results="$data/results.jsonl"
: > "$results"

bash bench/peer-deps.sh >&2
[ -s "$data/1m/orders.ndjson" ] || python3 bench/gen_ndjson.py --rows 1000000 --out "$data/1m/orders.ndjson"
case " $sizes " in *" 10m "*) ;; *) skip10=1 ;; esac
[ -n "${skip10:-}" ] || [ -s "$data/10m/orders.ndjson" ] || python3 bench/gen_ndjson.py --rows 10000000 --out "$data/10m/orders.ndjson"

echo "building the release bench…" >&2
cargo bench -p sluice-runs --bench transform --no-run --quiet 2>/dev/null
sluice() { cargo bench -p sluice-runs --bench transform --quiet -- "$1" 2>/dev/null | tail -1; }

for size in $sizes; do
    for i in $(seq "$runs"); do
        line=$(sluice "$data/$size/orders.ndjson")
        echo "{\"size\":\"$size\",\"run\":$i,\"result\":$line}" | tee -a "$results"
    done
    if [ "$size" = 1m ] || [ "${DLT_10M:-0}" = 1 ]; then
        for i in $(seq "$runs"); do
            line=$(.venv-bench/bin/python bench/dlt_peer.py --input "$data/$size/orders.ndjson" | tail -1)
            echo "{\"size\":\"$size\",\"run\":$i,\"result\":$line}" | tee -a "$results"
        done
    fi
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r["size"], r["result"]["tool"]), []).append(r["result"])
print()
print(f"{'size':<5} {'tool':<7} {'runs':>4} {'rows/s (median)':>16} {'rows/cpu-s':>11} {'peak RSS MB':>12}")
med, cpu_med = {}, {}
for (size, tool), rs in sorted(by.items()):
    rps = statistics.median(r["rows_per_second"] for r in rs)
    cpu = statistics.median(r.get("rows_per_cpu_second", r["rows_per_second"]) for r in rs)
    rss = statistics.median(r["peak_rss_mb"] for r in rs)
    med[(size, tool)] = (rps, rss)
    cpu_med[(size, tool)] = cpu
    print(f"{size:<5} {tool:<7} {len(rs):>4} {rps:>16,.0f} {cpu:>11,.0f} {rss:>12.1f}")
print()
for size in ("1m", "10m"):
    if (size, "sluice") in med and (size, "dlt") in med:
        (s, sm), (d, dm) = med[(size, "sluice")], med[(size, "dlt")]
        print(f"{size}: Sluice/dlt rows/s = {s / d:.1f}x; peak memory Sluice/dlt = {sm / dm:.2f}")
        if (size, "sluice") in cpu_med and (size, "dlt") in cpu_med:
            print(f"{size}: Sluice/dlt rows per CPU second = {cpu_med[(size, 'sluice')] / cpu_med[(size, 'dlt')]:.1f}x")
if ("1m", "sluice") in med and ("10m", "sluice") in med:
    print(f"Sluice peak memory 10M/1M = {med[('10m', 'sluice')][1] / med[('1m', 'sluice')][1]:.2f} (flat is 1.0)")
PY
