#!/usr/bin/env bash
# Builds every Lambda function with the `deploy` profile (stripped, as deployed) and
# prints each binary's size, its zip's size and its cold start (bench/cold_start.py: spawn → first event handled
# against a local Runtime API, AWS on moto).
# Usage: bench/functions.sh [RUNS=10] [FUNCTION ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x .venv/bin/moto_server ] || scripts/test-deps.sh
runs="${1:-10}"; shift || true
fns=("$@"); [ ${#fns[@]} -gt 0 ] || mapfile -t fns < <(ls functions)
echo "building ${#fns[@]} functions (profile deploy)…" >&2
cargo build --profile deploy --quiet $(printf -- '-p %s ' "${fns[@]}")
.venv/bin/python bench/cold_start.py "$runs" "${fns[@]}"
