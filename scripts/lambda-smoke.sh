#!/usr/bin/env bash
# Smoke test of the serverless developer path: the API Lambda functions served by
# `cargo lambda watch`, with moto's server as DynamoDB and Secrets Manager, invoked
# with the sample events in events/ through `cargo lambda invoke`.
#
# Offline notes (cargo-lambda 1.9.2 from PyPI):
# - watch builds each function lazily with the host toolchain (`cargo run --bin <fn>`,
#   same target dir, profile and RUSTFLAGS as other dev builds; no zig, no rust-std
#   download), so it works offline. Avoid `invoke --data-example` (fetches examples).
#   On 2 cores, a cold target makes the first invoke take ~80 s; each further function
#   ~1 s (its own small binary); a warm invoke ~35 ms.
# - Functions inherit watch's own environment (plus --env-var/--env-file, both work),
#   so the SLUICE_* and AWS_* variables are set on the watch command only.
# - `--ignore-changes`: a smoke run tests one build; without it, an edit anywhere in
#   the tree during the run restarts (and recompiles) the function being invoked.
#   Developers run watch without it to get reloads.
# - `invoke -A` is also the short flag of --data-ascii: use --invoke-address.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/lambda-smoke.sh [--help]

Installs cargo-lambda into .venv (and moto via scripts/test-deps.sh) if missing,
starts moto_server and `cargo lambda watch` on free 127.0.0.1 ports, creates the
DynamoDB table and the token-signing secret, invokes a few functions with the events
in events/, checks their responses, and stops everything it started.
Logs go to a temporary directory outside the tree (kept and printed on failure).
Env: SMOKE_FIRST_TIMEOUT (s, default 600: the first invoke builds), SMOKE_TIMEOUT
(s, default 180, each later invoke; they build one small binary each).
EOF
}
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="$venv/bin/python"
t_start=$SECONDS

[[ -x "$venv/bin/moto_server" ]] || scripts/test-deps.sh
if [[ ! -x "$venv/bin/cargo-lambda" ]]; then
    "$venv/bin/pip" install -q --disable-pip-version-check 'cargo-lambda==1.9.2'
fi
export PATH="$venv/bin:$PATH" # `cargo lambda` finds cargo-lambda on PATH
t_install=$((SECONDS - t_start))

work="$(mktemp -d "${TMPDIR:-/tmp}/sluice-lambda-smoke.XXXXXX")"
moto_pid="" watch_pid="" ok=0
descendants() { local c; for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done; }
cleanup() {
    # Only what this script started: watch's process group (setsid below), the functions
    # it runs (watchexec puts each in a group of its own) and moto.
    if [[ -n "$watch_pid" ]]; then
        local children; children="$(descendants "$watch_pid")"
        kill -TERM -- "-$watch_pid" 2>/dev/null || true # watch stops its functions itself
        for _ in $(seq 50); do kill -0 -- "-$watch_pid" 2>/dev/null || break; sleep 0.1; done
        # shellcheck disable=SC2086
        ! kill -0 -- "-$watch_pid" 2>/dev/null || kill -KILL -- "-$watch_pid" $children 2>/dev/null || true
    fi
    [[ -z "$moto_pid" ]] || kill "$moto_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    if ((ok)); then rm -rf "$work"; else echo "lambda-smoke: logs kept in $work" >&2; fi
}
trap cleanup EXIT
fail() {
    echo "lambda-smoke: FAILED: $*" >&2
    echo "---- last lines of $work/watch.log ----" >&2
    tail -n 40 "$work/watch.log" >&2 || true
    exit 1
}
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # PORT PID: until something listens on 127.0.0.1:PORT (60 s), while PID lives
    for _ in $(seq 600); do
        kill -0 "$2" 2>/dev/null || return 1
        "$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# 1. moto, the table and the signing key.
moto_port="$(free_port)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
wait_port "$moto_port" "$moto_pid" || fail "moto_server did not start: $(cat "$work/moto.log")"
endpoint="http://127.0.0.1:$moto_port"
table="sluice-smoke" secret="sluice/smoke/token-key"
aws_env=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_ENDPOINT_URL="$endpoint")
env "${aws_env[@]}" "$py" - "$endpoint" "$table" "$secret" <<'PY' || fail "moto setup (see $work/moto.log)"
import sys, boto3
endpoint, table, secret = sys.argv[1:]
kw = dict(endpoint_url=endpoint, region_name="us-east-1")
S = lambda *names: [{"AttributeName": n, "AttributeType": "S"} for n in names]
key = lambda h, r: [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
gsi = lambda name, h, r: {"IndexName": name, "KeySchema": key(h, r), "Projection": {"ProjectionType": "ALL"}}
boto3.client("dynamodb", **kw).create_table(
    TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=key("pk", "sk"),
    AttributeDefinitions=S("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk") + [{"AttributeName": "due_at", "AttributeType": "N"}],
    GlobalSecondaryIndexes=[gsi("gsi1", "gsi1pk", "gsi1sk"), gsi("gsi2", "gsi2pk", "due_at")])
boto3.client("secretsmanager", **kw).create_secret(Name=secret, SecretString="sluice-events-signing-key-not-a-secret-0123")
PY

# 2. cargo lambda watch; the functions get its environment.
port="$(free_port)"
env "${aws_env[@]}" SLUICE_TABLE="$table" SLUICE_TOKEN_KEY_SECRET="$secret" \
    setsid cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$port" >"$work/watch.log" 2>&1 &
watch_pid=$!
wait_port "$port" "$watch_pid" || fail "cargo lambda watch did not listen on 127.0.0.1:$port"

# invoke FN CASE STATUS [TEXT...]: invokes FN with events/FN/CASE.json, checks the status
# and that the body contains every TEXT (a JSON body is compared in compact form);
# writes the body to $work/body; adds the invoke's milliseconds to $sum_ms.
check_py='
import base64, json, sys
raw = sys.stdin.read()
try:
    r = json.loads(raw); body = r["body"] or ""
    body = base64.b64decode(body).decode() if r.get("isBase64Encoded") else body
except Exception as e:
    sys.exit(f"not a Lambda response ({e!r}): {raw}")
try: body = json.dumps(json.loads(body), separators=(",", ":"))
except ValueError: pass
bad = [] if r.get("statusCode") == int(sys.argv[1]) else [f"want statusCode {sys.argv[1]}"]
bad += [f"body lacks {t}" for t in sys.argv[2:] if t not in body]
sys.exit("; ".join(bad) + f"; response: {raw}") if bad else print(body)'
now_ms() { date +%s%3N; }
invoked=0 sum_ms=0
invoke() {
    local fn=$1 case=$2 want=$3 limit=${SMOKE_TIMEOUT:-180} pid ms seen
    shift 3
    ((invoked++)) || limit=${SMOKE_FIRST_TIMEOUT:-600}
    seen=$(wc -l <"$work/watch.log")
    (
        t0=$(now_ms) rc=0
        timeout "$limit" cargo lambda invoke --invoke-address 127.0.0.1 --invoke-port "$port" \
            --data-file "events/$fn/$case.json" "$fn" >"$work/out" 2>"$work/invoke.err" || rc=$?
        echo $(($(now_ms) - t0)) >"$work/ms"
        exit "$rc"
    ) &
    pid=$!
    # A function that fails to build or exits at cold start leaves the invoke hanging.
    while kill -0 "$pid" 2>/dev/null; do
        if tail -n "+$((seen + 1))" "$work/watch.log" | grep -qE "ERROR command (exited|killed|stopped)"; then
            # shellcheck disable=SC2046
            kill $(descendants "$pid") "$pid" 2>/dev/null || true
            fail "$fn $case: the function exited (build error or cold-start failure)"
        fi
        sleep 0.1
    done
    wait "$pid" || fail "$fn $case: invoke failed or timed out after ${limit}s: $(cat "$work/invoke.err" "$work/out")"
    ms=$(cat "$work/ms") sum_ms=$((sum_ms + ms))
    "$py" -c "$check_py" "$want" "$@" <"$work/out" >"$work/body" 2>&1 || fail "$fn $case: $(cat "$work/body")"
    echo "lambda-smoke: ok $fn $case -> $want (${ms} ms)"
}

invoke api-health ok 200
first_ms=$sum_ms sum_ms=0
invoke api-list-connectors ok 200 '"http_json"'
invoke api-create-storage ok 201 '"title":"Warehouse"'
storage_id="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")"
invoke api-list-storages ok 200 "\"id\":\"$storage_id\""
invoke api-get-data-mart ok 404 '"code":"not_found"'
invoke api-create-data-mart 422-unknown-field 422
later_ms=$((sum_ms / 5)) sum_ms=0
for _ in 1 2 3 4 5; do invoke api-health ok 200 >/dev/null; done

ok=1
echo "lambda-smoke: passed in $((SECONDS - t_start))s: install ${t_install}s, first invoke ${first_ms} ms" \
    "(builds if needed), next 5 functions ${later_ms} ms each (cargo run + cold start), warm invoke $((sum_ms / 5)) ms"
