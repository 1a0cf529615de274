#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every check and test.
#   moto's server, cfn-lint and schemathesis into .venv (scripts/test-deps.sh),
#   cargo-lambda for the serverless smoke test (scripts/lambda-smoke.sh), mold as the
#   linker when apt can install it; then rustfmt, every cargo test (among them
#   sluice/tests/openapi_contract.rs: schemathesis against a real `sluice serve`) with
#   clippy running beside them, the web console's checks (generated API types against
#   the server's document, TypeScript, Vitest, the size budget, Playwright in Chromium
#   against a real `sluice serve`), and the cargo-lambda smoke run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s (%ss)\n' "$1" "$SECONDS"; }

step "installing test dependencies"
scripts/test-deps.sh
if ! command -v mold >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get install -y -q mold >/dev/null 2>&1 || echo "mold not installed; linking with the default linker"
fi
if command -v mold >/dev/null 2>&1; then
    export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=mold"
fi

step "rustfmt"
cargo fmt --all --check

step "cargo test: building"
cargo test --workspace --quiet --no-run

# Clippy checks in a target directory of its own (its metadata-only builds share
# nothing with the test build), while the tests run: they mostly wait on the
# servers they start, so the lint fills the cores they leave idle.
target_dir="${CARGO_TARGET_DIR:-target}"
clippy_log="$(mktemp)"
step "clippy (beside the tests)"
CARGO_TARGET_DIR="$target_dir/clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings \
    >"$clippy_log" 2>&1 &
clippy_pid=$!
trap 'kill "$clippy_pid" 2>/dev/null || true' EXIT

step "cargo test: running"
tests_ok=0
cargo test --workspace --quiet || tests_ok=$?
clippy_ok=0
wait "$clippy_pid" || clippy_ok=$?
trap - EXIT
step "clippy finished"
cat "$clippy_log"
rm -f "$clippy_log"
if [ "$clippy_ok" != 0 ]; then
    echo "clippy found problems (above)" >&2
    exit "$clippy_ok"
fi
if [ "$tests_ok" != 0 ]; then
    echo "tests failed (above)" >&2
    exit "$tests_ok"
fi

# The debug `sluice` the cargo tests were built with (its build embeds the console).
sluice_bin="$(cd "$target_dir" && pwd)/debug/sluice"

step "console: API types, TypeScript, unit tests, size"
(
    cd console
    SLUICE_BIN="$sluice_bin" npm run --silent api:check
    npm run --silent typecheck
    npm test --silent
    npm run --silent size
)

step "console: browser tests (Playwright, Chromium, a real sluice serve)"
(cd console && SLUICE_BIN="$sluice_bin" npx playwright test)

step "cargo lambda smoke test"
scripts/lambda-smoke.sh

step "all tests passed"
