"""Identity figures of the local server, as a user meets them (release build):
  - sign-in latency (Argon2id as the server hashes: m=19 MiB, t=6, p=1), median of N;
  - what checking the credential costs a request: GET /v1/storages with an operator
    token (the signature only), a user's access token (the signature, its session,
    user and membership read), and an API key (its digest and record read), each median and
    p90 of M requests on one kept-alive connection, and the difference to the
    operator token's.
Usage: python3 bench/identity.py SLUICE_BIN [N=20] [M=500]   (bench/identity.sh builds it)"""
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from benchlib import Server  # noqa: E402

PASSWORD = "a long benchmark password"


def timed(conn, method, path, body=None, token=None, expect=200):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = conn.getresponse()
    text = r.read()
    took = time.perf_counter() - start
    if r.status != expect:
        raise SystemExit(f"{method} {path}: {r.status} {text[:300]!r}")
    return took, (json.loads(text) if text else None)


def summary(xs):
    xs = sorted(xs)
    return statistics.median(xs) * 1000, xs[int(len(xs) * 0.9) - 1] * 1000


def main():
    bin = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    m = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    root = tempfile.mkdtemp(prefix="sluice-bench-identity-")
    state, files = os.path.join(root, "data"), os.path.join(root, "files")
    os.makedirs(state)
    os.makedirs(files)
    # No request budget: the bench sends far more than a caller's minute.
    os.environ["SLUICE_REQUESTS_PER_MINUTE"] = "0"
    server = Server(bin, state, files, extra=())
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        email = "bench@example.com"
        timed(conn, "POST", "/v1/auth/sign-up", {"email": email, "password": PASSWORD}, expect=201)
        sign_ins, access = [], None
        for _ in range(n):
            took, body = timed(conn, "POST", "/v1/auth/sign-in", {"email": email, "password": PASSWORD})
            sign_ins.append(took)
            access = body["access_token"]
        _, key = timed(conn, "POST", "/v1/api-keys", {"name": "bench", "role": "viewer"}, token=server.token,
                       expect=201)
        results = {}
        for name, token in [("operator token", server.token), ("user session", access), ("API key", key["key"])]:
            for _ in range(20):  # warm up
                timed(conn, "GET", "/v1/storages", token=token)
            results[name] = [timed(conn, "GET", "/v1/storages", token=token)[0] for _ in range(m)]
        med, p90 = summary(sign_ins)
        print(f"sign-in (Argon2id m=19456 KiB, t=6, p=1): median {med:.1f} ms, p90 {p90:.1f} ms over {n}")
        base, _ = summary(results["operator token"])
        print(f"GET /v1/storages, {m} requests on one connection:")
        for name, xs in results.items():
            med, p90 = summary(xs)
            print(f"  {name:15} median {med:.3f} ms  p90 {p90:.3f} ms  ({med - base:+.3f} ms against the operator token)")
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
