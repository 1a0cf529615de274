#!/usr/bin/env bash
# The database source benchmark on PostgreSQL (bench/database.sh).
# Usage: bench/postgres.sh [ROWS=10000000] [RUNS=3]
exec bash "$(dirname "${BASH_SOURCE[0]}")/database.sh" postgres "$@"
