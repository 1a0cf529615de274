#!/usr/bin/env bash
# Scheduler tick benchmark: one tick over 10k, 100k and 1M triggers of which 1,000
# are due (each starting a real run: slot, run record, queue message, event), on the
# embedded SQLite store; wall time and store calls per tick, REPS ticks per size
# (median), beside an index-less peer (listing every trigger to find the due ones)
# timed on the same store in the same run. Filling 1M triggers takes a minute or two.
# Usage: bench/scheduler.sh [SIZES…]      (default 10000 100000 1000000; REPS=3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v mold >/dev/null 2>&1; then
    export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C link-arg=-fuse-ld=mold"
fi
# Its own target directory: it links no engine, so it builds in a few minutes and never
# waits on another release build.
CARGO_TARGET_DIR="${SLUICE_TICK_TARGET_DIR:-target/tick-bench}" cargo bench -p sluice-app --bench tick --quiet -- "$@"
