#!/usr/bin/env bash
# Installs the peers into .venv-bench at the repo root: dlt for the transform benchmark,
# and dlt's sql_database source with ConnectorX (and the driver its reflection uses) for
# the database source benchmarks (PostgreSQL and MariaDB; pymysql for the latter's reflection).
# Idempotent: creates the venv only when missing, and pip skips what is already satisfied.
# Usage: bash bench/peer-deps.sh   -> prints the installed dlt version.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.venv-bench"
DLT_VERSION="1.31.0"
CONNECTORX_VERSION="0.4.6"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import dlt, pyarrow, connectorx, sqlalchemy, psycopg2, pymysql, sys; sys.exit(dlt.__version__ != '$DLT_VERSION')" 2>/dev/null; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "dlt[parquet,sql_database]==$DLT_VERSION" \
        "connectorx==$CONNECTORX_VERSION" psycopg2-binary pymysql
fi
"$VENV/bin/python" -c "import dlt; print('dlt', dlt.__version__)"
