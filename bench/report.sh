#!/usr/bin/env bash
# Report benchmark: ROWS wide rows (default 1M) built into a data mart by
# `sluice run`, then read through the data endpoint (NDJSON, CSV), exported to
# CSV, and written to PostgreSQL beside psql's \copy of the same rows. Release
# build; PostgreSQL from the system (scripts/test-deps.sh installs it). Prints
# medians of RUNS runs (default 3). See bench/report.py.
# Usage: bench/report.sh [ROWS=1000000] [RUNS=3]   data goes to ${BENCH_DIR:-/tmp/sluice-bench}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-1000000}"
runs="${2:-3}"
data="${BENCH_DIR:-/tmp/sluice-bench}/report-$rows"
mkdir -p "$data"
data=$(cd "$data" && pwd)
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
python3 bench/report.py "${CARGO_TARGET_DIR:-target}/release/sluice" "$rows" "$runs" "$data"
