#!/usr/bin/env python3
"""The transform benchmark's job run with dlt (the peer), for comparison with Sluice.

    .venv-bench/bin/python bench/dlt_peer.py --input FILE [--workdir DIR]

Reads NDJSON made by bench/gen_ndjson.py, applies the benchmark mapping in an
`add_map` step on a @dlt.resource, and loads Parquet through dlt's `filesystem`
destination into a local directory. Then it reads the Parquet back with pyarrow and
checks the row count. Prints one JSON line:
  {"tool":"dlt","version":...,"rows":N,"seconds":...,"rows_per_second":...,"peak_rss_mb":...}
`seconds` is the wall time of the job (pipeline creation + extract + normalize + load),
not the interpreter start, the `import dlt` (reported apart as import_seconds) or the check.

Mapping (same as Sluice's side):
  order_id -> id (string); customer -> trim + upper; country -> upper;
  quantity -> bigint; unit_price -> decimal(12,2); amount = quantity * unit_price
  (decimal(12,2)); discount -> double, 0 when null; is_member -> bool;
  order_date -> date; updated_at -> timestamp (UTC); note dropped.
dlt adds its own _dlt_load_id and _dlt_id columns to every row, as it always does.
"""
import argparse
import glob
import os
import resource
import shutil
import sys
import tempfile
import time

BATCH = 10_000  # rows per yielded page, as a paginated source would yield them
TABLE = "orders"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--workdir", help="where dlt's state and the Parquet go (default: a temp dir, removed after)")
    a = ap.parse_args()
    src = os.path.abspath(a.input)

    own_workdir = a.workdir is None
    work = tempfile.mkdtemp(prefix="dlt-peer-") if own_workdir else os.path.abspath(a.workdir)
    os.makedirs(work, exist_ok=True)
    pipelines_dir = os.path.join(work, "pipelines")
    out_dir = os.path.join(work, "out")
    for d in (pipelines_dir, out_dir):  # each run starts from nothing
        shutil.rmtree(d, ignore_errors=True)

    # Must be set before dlt is imported: no state in ~/.dlt, no telemetry.
    os.environ["DLT_DATA_DIR"] = os.path.join(work, "dlt-data")
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")

    t_imp = time.perf_counter()
    import dlt
    import orjson  # a dependency of dlt; what dlt itself uses to parse JSON
    import pyarrow.parquet as pq
    from datetime import date, datetime
    from decimal import Decimal
    import_seconds = time.perf_counter() - t_imp

    @dlt.resource(
        name=TABLE,
        write_disposition="replace",
        columns={
            "id": {"data_type": "text", "nullable": False},
            "customer": {"data_type": "text"},
            "country": {"data_type": "text"},
            "quantity": {"data_type": "bigint"},
            "unit_price": {"data_type": "decimal", "precision": 12, "scale": 2},
            "amount": {"data_type": "decimal", "precision": 12, "scale": 2},
            "discount": {"data_type": "double"},
            "is_member": {"data_type": "bool"},
            "order_date": {"data_type": "date"},
            "updated_at": {"data_type": "timestamp"},
        },
    )
    def orders():
        # No arguments with defaults: dlt would inject them from config/env
        # (an argument named `path` picks up $PATH).
        loads = orjson.loads
        with open(src, "rb") as f:
            page = []
            for line in f:
                if line.strip():
                    page.append(loads(line))
                    if len(page) == BATCH:
                        yield page
                        page = []
            if page:
                yield page

    def transform(r):
        q = int(r["quantity"])
        p = Decimal(r["unit_price"])
        d = r["discount"]
        return {
            "id": r["order_id"],
            "customer": r["customer"].strip().upper(),
            "country": r["country"].upper(),
            "quantity": q,
            "unit_price": p,
            "amount": q * p,
            "discount": 0.0 if d is None else float(d),
            "is_member": r["is_member"] == "true",
            "order_date": date.fromisoformat(r["order_date"]),
            "updated_at": datetime.fromisoformat(r["updated_at"]),  # 3.11+: parses the trailing Z as UTC
        }

    def cpu_seconds():
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    t0, cpu0 = time.perf_counter(), cpu_seconds()
    pipeline = dlt.pipeline(
        pipeline_name="sluice_bench_dlt_peer",
        pipelines_dir=pipelines_dir,
        destination=dlt.destinations.filesystem(bucket_url="file://" + out_dir),
        dataset_name="bench",
    )
    info = pipeline.run(orders().add_map(transform), loader_file_format="parquet")
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    info.raise_on_failed_jobs()

    files = sorted(glob.glob(os.path.join(out_dir, "bench", TABLE, "**", "*.parquet"), recursive=True))
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    with open(src, "rb") as f:
        expected = sum(1 for line in f if line.strip())
    schema = pq.read_schema(files[0]) if files else None

    # Peak RSS in MiB (ru_maxrss is KiB on Linux). dlt normalizes in this process by
    # default (normalize.workers=1) but may spawn worker processes when configured for
    # more; RUSAGE_CHILDREN is the largest reaped child, so the max of both is the peak
    # of any single process of the job.
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

    result = {
        "tool": "dlt",
        "version": dlt.__version__,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(rows / seconds) if seconds else None,
        # CPU seconds of the job (this process and any worker it reaped), for a
        # per-core figure beside Sluice's.
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round(rows / cpu) if cpu else None,
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "import_seconds": round(import_seconds, 3),
        "parquet_files": len(files),
        # wall seconds of dlt's own steps (extract includes reading + add_map)
        "stages": {st.step: round((st.finished_at - st.started_at).total_seconds(), 3)
                   for st in pipeline.last_trace.steps if st.step in ("extract", "normalize", "load")},
    }
    if os.environ.get("DLT_PEER_SCHEMA"):
        print(schema, file=sys.stderr)
    print(orjson.dumps(result).decode())
    if own_workdir:
        shutil.rmtree(work, ignore_errors=True)
    if rows != expected:
        print(f"row count mismatch: parquet has {rows}, input has {expected}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
