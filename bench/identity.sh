#!/usr/bin/env bash
# Identity figures (bench/identity.py): sign-in latency, and what checking an operator
# token, a user's session and an API key costs a request. Release build.
# Usage: bench/identity.sh [SIGN_INS=20] [REQUESTS=500]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "building the release binary…" >&2
cargo build --release --quiet -p sluice
python3 bench/identity.py "${CARGO_TARGET_DIR:-target}/release/sluice" "${1:-20}" "${2:-500}"
