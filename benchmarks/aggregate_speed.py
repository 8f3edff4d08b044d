"""Aggregating a 50-million-row delivery log: wxtime (DuckDB, streaming) vs pandas.read_parquet + groupby.

Generates (once, cached under benchmarks/results/) a Parquet log of N deliveries over P
pushes: push_id, sent_at, opened_at (null when not opened; some after 24 h), read_at.
Each method runs in its own process, so peak memory (ru_maxrss) is its own; both count
deliveries, opens within 24 h and reads within 24 h per push, and the counts are compared.

Usage: .venv/bin/python benchmarks/aggregate_speed.py [--rows 50000000] [--pushes 2000]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

GENERATE = """
COPY (
  SELECT (i % {pushes})::BIGINT AS push_id,
         TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ((i % {pushes})) DAY AS sent_at,
         CASE WHEN hash(i) % 100 < 7
              THEN TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ((i % {pushes})) DAY
                   + INTERVAL ((hash(i * 7) % 172800)) SECOND END AS opened_at,
         CASE WHEN hash(i) % 100 < 4
              THEN TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ((i % {pushes})) DAY
                   + INTERVAL ((hash(i * 7) % 172800) + 60) SECOND END AS read_at
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""

PANDAS = """
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
events = pd.read_parquet(sys.argv[1])
cutoff = events["sent_at"] + pd.Timedelta(hours=24)
events["opened"] = events["opened_at"].notna() & (events["opened_at"] < cutoff)
events["read"] = events["read_at"].notna() & (events["read_at"] < cutoff)
grouped = events.groupby("push_id")
table = grouped.agg(delivered=("sent_at", "size"), opened=("opened", "sum"), read=("read", "sum"))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "counts": table[["delivered", "opened", "read"]].sum().astype(int).tolist(),
                  "first": table.iloc[0].astype(int).tolist()}))
"""

WXTIME = """
import json, resource, sys, time
from wxtime.aggregate import aggregate_events
start = time.perf_counter()
table = aggregate_events(sys.argv[1], age_hours=24, memory_limit="512MB").sort_values("sent_at")
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "counts": table[["delivered", "opened", "read"]].sum().astype(int).tolist(),
                  "first": table[["delivered", "opened", "read"]].iloc[0].astype(int).tolist()}))
"""


SPARK = """
import json, resource, sys, time
from pyspark.sql import SparkSession
from wxtime.aggregate import aggregate_events
spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.memory", "4g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
aggregate_events(sys.argv[1], age_hours=24, engine="spark", spark=spark)  # JVM warm-up
start = time.perf_counter()
table = aggregate_events(sys.argv[1], age_hours=24, engine="spark", spark=spark).sort_values("sent_at")
seconds = time.perf_counter() - start
# Peak memory here is the Python driver's only (the JVM is a separate, still running process).
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak,
                  "counts": table[["delivered", "opened", "read"]].sum().astype(int).tolist(),
                  "first": table[["delivered", "opened", "read"]].iloc[0].astype(int).tolist()}))
"""


def run(code: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--spark", action="store_true", help="also time the Spark engine (local[2])")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"events_{args.rows}_{args.pushes}.parquet"
    if not path.exists():
        import duckdb

        start = time.perf_counter()
        duckdb.execute(GENERATE.format(rows=args.rows, pushes=args.pushes, path=path))
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s")
    results = {}
    methods = [("pandas", PANDAS), ("wxtime", WXTIME)] + ([("spark", SPARK)] if args.spark else [])
    for name, code in methods:
        runs = [run(code, path) for _ in range(args.repeats)]
        best = min(runs, key=lambda r: r["seconds"])
        best["peak_mb"] = max(r["peak_mb"] for r in runs)
        results[name] = best
        print(
            f"{name:7s} best of {args.repeats}: {best['seconds']:.2f} s, peak {best['peak_mb']:.0f} MB "
            f"(all: {', '.join(format(r['seconds'], '.2f') for r in runs)} s)"
        )
    same = results["pandas"]["counts"] == results["wxtime"]["counts"] and (
        results["pandas"]["first"] == results["wxtime"]["first"]
    )
    print(
        f"totals (delivered, opened<24h, read<24h): pandas {results['pandas']['counts']}, "
        f"wxtime {results['wxtime']['counts']}; identical: {same}"
    )
    print(
        f"speed-up {results['pandas']['seconds'] / results['wxtime']['seconds']:.1f}x; memory "
        f"{results['wxtime']['peak_mb'] / results['pandas']['peak_mb']:.3f} of pandas'"
    )


if __name__ == "__main__":
    main()
