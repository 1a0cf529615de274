#!/usr/bin/env bash
# The database source benchmark on MariaDB (bench/database.sh).
# Usage: bench/mysql.sh [ROWS=10000000] [RUNS=3]
exec bash "$(dirname "${BASH_SOURCE[0]}")/database.sh" mysql "$@"
