#!/usr/bin/env python3
"""The database source benchmark's peer: dlt with its ConnectorX backend reading
the same table into Parquet.

    .venv-bench/bin/python bench/db_peer.py --url postgres://…|mysql://… --table events --rows N

`sql_table(backend="connectorx")` reads the table as Arrow through ConnectorX;
dlt's `filesystem` destination writes it as Parquet into a local directory, which is
read back with pyarrow to check the row count. Prints one JSON line:
  {"tool":"dlt+connectorx","rows":N,"seconds":…,"cpu_seconds":…,"peak_rss_mb":…}
`seconds` is the wall time of the job (pipeline creation, extract, normalize, load);
`cpu_seconds` the process's user and system time over the same span (its threads
included), never the interpreter's start or the imports.
"""
import argparse
import glob
import json
import os
import resource
import shutil
import tempfile
import time


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--rows", type=int, required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="dlt-db-peer-")
    os.environ["DLT_DATA_DIR"] = os.path.join(work, "dlt-data")
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
    try:
        import dlt
        import pyarrow.parquet as pq
        from dlt.destinations import filesystem
        from dlt.sources.sql_database import sql_table

        start, cpu0 = time.perf_counter(), cpu()
        # SQLAlchemy reflects the table through its driver; ConnectorX reads it.
        credentials = a.url.replace("postgres://", "postgresql+psycopg2://", 1).replace(
            "mysql://", "mysql+pymysql://", 1)
        table = sql_table(credentials=credentials,
                          table=a.table, backend="connectorx", chunk_size=100_000,
                          reflection_level="full_with_precision")
        pipeline = dlt.pipeline(pipeline_name="db_peer", pipelines_dir=os.path.join(work, "pipelines"),
                                destination=filesystem(bucket_url="file://" + os.path.join(work, "out")),
                                dataset_name="bench")
        pipeline.run(table, loader_file_format="parquet")
        seconds, cpu_seconds = time.perf_counter() - start, cpu() - cpu0
        files = glob.glob(os.path.join(work, "out", "bench", a.table, "*.parquet"))
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        if rows != a.rows:
            raise SystemExit(f"dlt wrote {rows} rows, expected {a.rows}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"tool": "dlt+connectorx", "version": dlt.__version__, "rows": rows,
                          "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
                          "peak_rss_mb": round(peak, 1)}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
