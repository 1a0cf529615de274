#!/usr/bin/env bash
# Installs what the emulator test suites need, into .venv at the workspace root:
# moto's server (the AWS endpoint of tests/tests/aws_adapters.rs) and cfn-lint (the
# template check). Idempotent and quick when everything is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
# Pinned to what is installed and tested here; bump deliberately.
moto_spec='moto[server]==5.2.5'

if [[ -x "$venv/bin/moto_server" && -x "$venv/bin/cfn-lint" ]]; then
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$moto_spec" cfn-lint
"$venv/bin/moto_server" --help >/dev/null
echo "test-deps: installed $("$venv/bin/python" -m pip show moto | sed -n 's/^Version: /moto /p') and $("$venv/bin/cfn-lint" --version) into $venv"
