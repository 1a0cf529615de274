#!/usr/bin/env bash
# Database source benchmark: a ROWS-row, 10-column table (default 10M, about 100
# bytes a row) in a throwaway PostgreSQL or MariaDB (from the system;
# scripts/test-deps.sh installs them), landed by `sluice run` as a mapped data mart,
# beside dlt with its ConnectorX backend (bench/peer-deps.sh installs it) on the same
# table. Release build. Prints each run, then medians of RUNS runs (default 3) and
# the ratios.
# Usage: bench/database.sh postgres|mysql [ROWS=10000000] [RUNS=3]
#        (bench/postgres.sh and bench/mysql.sh are the two)   data goes to ${BENCH_DIR:-/tmp/sluice-bench}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
engine="$1"
rows="${2:-10000000}"
runs="${3:-3}"
data="${BENCH_DIR:-/tmp/sluice-bench}/$engine"
mkdir -p "$data"
data=$(cd "$data" && pwd)
bash bench/peer-deps.sh >&2
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
python3 bench/db_source.py "$engine" "${CARGO_TARGET_DIR:-target}/release/sluice" "$rows" "$runs" "$data"
