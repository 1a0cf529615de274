"""Size and cold start of the Lambda function binaries (profile `deploy`, stripped).

Cold start = from process spawn to the first event handled: each binary runs
against a local Lambda Runtime API (this script serves it on 127.0.0.1), takes the
function's sample event from events/<function>/ok.json and posts its response;
the time to that post is measured, N times per function (median reported). The
AWS services the functions call at start or on the event are moto's, started here.

    .venv/bin/python bench/cold_start.py [RUNS=10] [FUNCTION ...]

`BENCH_EVENT=name` takes events/<function>/<name>.json instead of ok.json (the
authorizer's `ok-session` reads the table; its `ok`, an operator token, does not).

The size is the binary's and its deployment zip's (the binary as `bootstrap`,
deflated at level 9, as `cargo lambda build --output-format zip` packs it).

Needs the binaries (`cargo build --profile deploy -p <function> …` into
$CARGO_TARGET_DIR, default target/; bench/functions.sh builds them) and .venv with moto (scripts/test-deps.sh).
"""
import http.server, io, json, os, socket, statistics, subprocess, sys, threading, time, zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
names = sys.argv[2:] or sorted(os.listdir(os.path.join(ROOT, "functions")))

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

class Runtime(http.server.BaseHTTPRequestHandler):
    event = b"{}"
    done = None  # threading.Event, set when the response (or an error) is posted
    posted_at = None
    status = None
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.endswith("/runtime/invocation/next"):
            if Runtime.done.is_set():  # one invocation per process: hold the next poll
                time.sleep(30)
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(Runtime.event)))
            self.end_headers()
            try:
                self.wfile.write(Runtime.event)
            except OSError:  # the process was stopped while its next poll was held
                pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        Runtime.posted_at = time.perf_counter()
        Runtime.status = ("ok" if "/response" in self.path else "error") + " " + body[:200].decode(errors="replace")
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
        Runtime.done.set()

def main():
    moto_port = free_port()
    moto = subprocess.Popen([os.path.join(ROOT, ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{moto_port}"
    env_aws = dict(AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL=endpoint)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", moto_port), 1).close(); break
            except OSError:
                time.sleep(0.05)
        import boto3
        kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
        S = lambda *n: [{"AttributeName": x, "AttributeType": "S"} for x in n]
        key = lambda h, r: [{"AttributeName": h, "KeyType": "HASH"}, {"AttributeName": r, "KeyType": "RANGE"}]
        gsi = lambda name, h, r: {"IndexName": name, "KeySchema": key(h, r), "Projection": {"ProjectionType": "ALL"}}
        boto3.client("dynamodb", **kw).create_table(
            TableName="bench", BillingMode="PAY_PER_REQUEST", KeySchema=key("pk", "sk"),
            AttributeDefinitions=S("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk") + [{"AttributeName": "due_at", "AttributeType": "N"}],
            GlobalSecondaryIndexes=[gsi("gsi1", "gsi1pk", "gsi1sk"), gsi("gsi2", "gsi2pk", "due_at")])
        boto3.client("secretsmanager", **kw).create_secret(Name="bench/key", SecretString="sluice-events-signing-key-not-a-secret-0123")
        sqs = boto3.client("sqs", **kw)
        for q in ["sluice-extract-files", "sluice-extract-http-json", "sluice-extract-postgres", "sluice-transform", "sluice-finalize"]:
            sqs.create_queue(QueueName=f"bench-{q}")
        boto3.client("s3", **kw).create_bucket(Bucket="bench-runs")
        boto3.client("events", **kw).create_event_bus(Name="bench-runs")

        # The peer: what moto takes to answer the two reads every API function's
        # cold start makes (the token key, then a record), from a warm client.
        secrets, table = boto3.client("secretsmanager", **kw), boto3.client("dynamodb", **kw)
        reads = []
        for _ in range(max(runs, 5)):
            t0 = time.perf_counter()
            secrets.get_secret_value(SecretId="bench/key")
            table.get_item(TableName="bench", Key={"pk": {"S": "p"}, "sk": {"S": "s"}})
            reads.append((time.perf_counter() - t0) * 1000)
        print(f"moto answering a secret read and a record read (boto3, warm): {statistics.median(reads):.1f} ms median of {len(reads)}")

        bins = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"), "deploy")
        print(f"{'function':<34} {'size MB':>8} {'zip MB':>7} {'cold start ms (median of %d)' % runs:>30}  first response")
        for name in names:
            binary = os.path.join(bins, name)
            event_file = os.path.join(ROOT, "events", name, os.environ.get("BENCH_EVENT", "ok") + ".json")
            if not os.path.exists(binary) or not os.path.exists(event_file):
                print(f"{name:<34} {'-':>8} {'-':>7} {'(no binary or sample event)':>30}")
                continue
            size = os.path.getsize(binary) / 1048576
            packed = io.BytesIO()
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
                z.write(binary, "bootstrap")
            zipped = len(packed.getvalue()) / 1048576
            Runtime.event = open(event_file, "rb").read()
            times, status = [], ""
            for _ in range(runs):
                port = free_port()
                Runtime.done = threading.Event()
                server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Runtime)
                server.daemon_threads = True
                threading.Thread(target=server.serve_forever, daemon=True).start()
                env = dict(os.environ, **env_aws,
                           AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}", AWS_LAMBDA_FUNCTION_NAME=name,
                           AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512", AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
                           AWS_LAMBDA_LOG_STREAM_NAME="bench", AWS_LAMBDA_LOG_GROUP_NAME="bench",
                           SLUICE_TABLE="bench", SLUICE_TOKEN_KEY_SECRET="bench/key", SLUICE_BUCKET="bench-runs",
                           SLUICE_QUEUE_URL_PREFIX=f"{endpoint}/123456789012/bench-", SLUICE_EVENT_BUS="bench-runs",
                           SLUICE_ATHENA_DATABASE="bench", SLUICE_ATHENA_OUTPUT="s3://bench-runs/athena-results/",
                           SLUICE_ENGINE_FUNCTION="bench-engine", SLUICE_MAIL_FROM="reports@bench.example",
                           RUST_LOG="error")
                t0 = time.perf_counter()
                proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                ok = Runtime.done.wait(20)
                proc.kill(); proc.wait()
                server.shutdown(); server.server_close()
                if not ok:
                    status = "no response within 20 s"; break
                times.append((Runtime.posted_at - t0) * 1000)
                status = Runtime.status
            med = f"{statistics.median(times):.1f}" if times else "-"
            print(f"{name:<34} {size:>8.1f} {zipped:>7.2f} {med:>30}  {status[:70]}")
    finally:
        moto.terminate(); moto.wait()

main()
