#!/usr/bin/env bash
# PostgreSQL source benchmark: a ROWS-row, 10-column table (default 10M, about 100
# bytes a row) in a throwaway PostgreSQL (from the system; scripts/test-deps.sh
# installs it), landed by `sluice run` as a mapped data mart, beside dlt with its
# ConnectorX backend (bench/peer-deps.sh installs it) on the same table. Release
# build. Prints each run, then medians of RUNS runs (default 3) and the ratios.
# Usage: bench/postgres.sh [ROWS=10000000] [RUNS=3]   data goes to ${BENCH_DIR:-/tmp/sluice-bench}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows="${1:-10000000}"
runs="${2:-3}"
data="${BENCH_DIR:-/tmp/sluice-bench}/postgres"
mkdir -p "$data"
data=$(cd "$data" && pwd)
bash bench/peer-deps.sh >&2
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
python3 bench/pg_source.py "${CARGO_TARGET_DIR:-target}/release/sluice" "$rows" "$runs" "$data"
