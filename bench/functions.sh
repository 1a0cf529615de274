#!/usr/bin/env bash
# Builds every Lambda function in release (stripped, as deployed) and prints each
# binary's size and cold start (bench/cold_start.py: spawn → first event handled
# against a local Runtime API, AWS on moto).
# Usage: bench/functions.sh [RUNS=10] [FUNCTION ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x .venv/bin/moto_server ] || scripts/test-deps.sh
runs="${1:-10}"; shift || true
fns=("$@"); [ ${#fns[@]} -gt 0 ] || mapfile -t fns < <(ls functions)
echo "building ${#fns[@]} functions (release)…" >&2
cargo build --release --quiet $(printf -- '-p %s ' "${fns[@]}")
.venv/bin/python bench/cold_start.py "$runs" "${fns[@]}"
