#!/usr/bin/env bash
# Installs what the emulator and contract test suites need, into .venv at the workspace
# root: moto's server (the AWS endpoint of tests/tests/aws_adapters.rs), cfn-lint (the
# template check), schemathesis (scripts/contract-test.sh fuzzes `sluice serve`
# against its own OpenAPI document) and aiosmtpd (the SMTP server reports are mailed
# to in tests/tests/runs.rs); and PostgreSQL and MariaDB from the distribution.
# For the web console's tests: its npm packages (console/node_modules, with Node.js 20
# or later) and Chromium from the distribution, which Playwright drives.
# Idempotent and quick when everything is already there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
# Pinned to what is installed and tested here; bump deliberately.
moto_spec='moto[server]==5.2.5'
schemathesis_spec='schemathesis==4.32.5'
aiosmtpd_spec='aiosmtpd==1.4.6'

# From the distribution, in one apt transaction, whatever of these is missing:
# - PostgreSQL's server binaries, for the `database` destination's and the `postgres`
#   source's tests (tests/src/postgres.rs starts its own servers from them), without the
#   cluster the package would otherwise create and start;
# - MariaDB's server binaries, for the `mysql` source's tests (tests/src/mysql.rs starts
#   its own servers from them). The package would start a server of its own at install:
#   a policy-rc.d that refuses every start keeps it from doing so, and is removed after
#   unless it was there before;
# - Chromium, which the console's browser tests drive (Playwright's own browser download
#   is never used); CHROMIUM may name another binary.
packages=()
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    packages+=(postgresql)
fi
if ! command -v mariadbd >/dev/null && [[ ! -x /usr/sbin/mariadbd ]]; then
    packages+=(mariadb-server)
fi
if [[ -z "${CHROMIUM:-}" && ! -x /usr/bin/chromium ]]; then
    packages+=(chromium)
fi
if ((${#packages[@]})); then
    sudo=""
    if [[ "$(id -u)" != 0 ]]; then sudo="sudo"; fi
    if [[ " ${packages[*]} " == *" postgresql "* ]]; then
        $sudo mkdir -p /etc/postgresql-common
        echo 'create_main_cluster = false' | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
        $sudo chmod 755 "$policy"
    fi
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${packages[@]}" >/dev/null
    if [[ -n "$policy" ]]; then $sudo rm -f "$policy"; fi
    echo "test-deps: installed ${packages[*]}"
fi

# The console's npm packages, as its lock file pins them: installed again when the
# lock file is newer than what is installed (the sluice crate's build does the same).
node_major="$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/')"
if [[ -z "$node_major" || "$node_major" -lt 20 ]]; then
    echo "test-deps: the console needs Node.js 20 or later with npm (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi
if [[ ! -f "$root/console/node_modules/.package-lock.json" \
    || "$root/console/package-lock.json" -nt "$root/console/node_modules/.package-lock.json" ]]; then
    (cd "$root/console" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    echo "test-deps: installed the console's npm packages"
fi

# The pinned schemathesis's metadata folder, so a bumped pin reinstalls without
# starting Python on the quick path.
schemathesis_installed=("$venv"/lib/python3*/site-packages/schemathesis-"${schemathesis_spec#*==}".dist-info)
if [[ -x "$venv/bin/moto_server" && -x "$venv/bin/cfn-lint" && -x "$venv/bin/schemathesis" \
    && -d "${schemathesis_installed[0]}" && -x "$venv/bin/aiosmtpd" ]]; then
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check "$moto_spec" cfn-lint "$schemathesis_spec" "$aiosmtpd_spec"
"$venv/bin/moto_server" --help >/dev/null
echo "test-deps: installed $("$venv/bin/python" -m pip show moto | sed -n 's/^Version: /moto /p'), $("$venv/bin/cfn-lint" --version) and $("$venv/bin/schemathesis" --version) into $venv"
