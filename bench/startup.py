"""Start-up time of `sluice serve`: from process spawn to the first 200 from /health,
over N runs on a fresh and on an existing data directory. Prints medians."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

binary, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def once(data_dir):
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "--data-dir", data_dir, "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        return (time.perf_counter() - t0) * 1000
            except OSError:
                time.sleep(0.0005)
            if time.perf_counter() - t0 > 10:
                raise SystemExit("sluice did not answer within 10 s")
    finally:
        proc.terminate(); proc.wait()

fresh, warm = [], []
for _ in range(runs):
    d = tempfile.mkdtemp(prefix="sluice-startup-")
    fresh.append(once(d))
    warm.append(once(d))
    shutil.rmtree(d)
print(f"startup_fresh_ms_median {statistics.median(fresh):.1f}")
print(f"startup_existing_ms_median {statistics.median(warm):.1f}")
