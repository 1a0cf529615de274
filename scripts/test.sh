#!/usr/bin/env bash
# The test command: installs what the tests need, then runs every check and test.
#   moto's server, cfn-lint and schemathesis into .venv (scripts/test-deps.sh),
#   cargo-lambda for the serverless smoke test (scripts/lambda-smoke.sh), mold as the
#   linker when apt can install it; then rustfmt, clippy, every cargo test (among them
#   sluice/tests/openapi_contract.rs: schemathesis against a real `sluice serve`), and
#   the cargo-lambda smoke run.
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

step "clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --quiet

step "cargo lambda smoke test"
scripts/lambda-smoke.sh

step "all tests passed"
