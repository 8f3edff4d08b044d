"""Aggregating a 50-million-row delivery log: wxtime (DuckDB, streaming) vs pandas.read_parquet + groupby.

Generates (once, cached under benchmarks/results/) a Parquet log of N deliveries over P
pushes, of one of two kinds: ``timestamps`` (push_id, sent_at, opened_at: null when not
opened, spread over 48 h so some fall after the 24 h cut-off, read_at), aggregated with
a 24 h window; or ``flags`` (push_id, sent_at, opened and read as booleans), summed.
Two row orders: ``interleaved`` (row i belongs to push i mod P, so every row group holds
every push: the hardest case for a group-by) and ``clustered`` (a push's deliveries are
consecutive, as a log appended while each push goes out is written).

Each method runs in its own process, so peak memory (ru_maxrss) is its own; both count
deliveries, opens and reads per push (within 24 h for timestamps), and the counts are
compared.
The in-process clock starts after each method's libraries are imported (pandas and
pyarrow; wxtime and duckdb), so it times the aggregation; the import times are printed
too, and so is each whole process (start-up, imports, aggregation, exit) timed from
outside. The methods alternate run by run (pandas first on odd runs, wxtime first on
even ones), so a noisy neighbour on a shared machine slows both alike; the speed-up is
reported on the medians and on the best runs.

Usage: .venv/bin/python benchmarks/aggregate_speed.py [--rows 50000000] [--pushes 2000]
       [--log timestamps|flags] [--layout interleaved|clustered] [--repeats 5] [--spark]
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"

GENERATE = """
COPY (
  SELECT {user}{push}::BIGINT AS push_id,
         TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ({push}) DAY AS sent_at,
         CASE WHEN hash(i) % 100 < 7
              THEN TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ({push}) DAY
                   + INTERVAL ((hash(i * 7) % 172800)) SECOND END AS opened_at,
         CASE WHEN hash(i) % 100 < 4
              THEN TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ({push}) DAY
                   + INTERVAL ((hash(i * 7) % 172800) + 60) SECOND END AS read_at
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""
GENERATE_FLAGS = """
COPY (
  SELECT {user}{push}::BIGINT AS push_id,
         TIMESTAMP '2024-01-01 12:00:00' + INTERVAL ({push}) DAY AS sent_at,
         hash(i) % 100 < 7 AS opened,
         hash(i) % 100 < 4 AS read
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""
PUSH = {"interleaved": "(i % {pushes})", "clustered": "(i // ({rows} // {pushes}))"}

PANDAS = """
import json, resource, sys, time
t0 = time.perf_counter()
import pandas as pd
import pyarrow.parquet  # pandas' Parquet engine, imported lazily by read_parquet
imports = time.perf_counter() - t0
cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
start = time.perf_counter()
events = pd.read_parquet(sys.argv[1])
if sys.argv[2] == "timestamps":
    cutoff = events["sent_at"] + pd.Timedelta(hours=24)
    events["opened"] = events["opened_at"].notna() & (events["opened_at"] < cutoff)
    events["read"] = events["read_at"].notna() & (events["read_at"] < cutoff)
grouped = events.groupby("push_id")
table = grouped.agg(delivered=("sent_at", "size"), opened=("opened", "sum"), read=("read", "sum"))
seconds = time.perf_counter() - start
cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu0
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "imports": imports, "cpu": cpu,
                  "counts": table[["delivered", "opened", "read"]].sum().astype(int).tolist(),
                  "first": table.iloc[0].astype(int).tolist()}))
"""

WXTIME = """
import json, resource, sys, time
t0 = time.perf_counter()
import duckdb  # wxtime's engine
from wxtime.io.events import aggregate  # what `wxtime aggregate` runs: DuckDB and NumPy, no pandas
imports = time.perf_counter() - t0
cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
start = time.perf_counter()
age = 24 if sys.argv[2] == "timestamps" else None
columns = aggregate(sys.argv[1], age_hours=age, memory_limit="512MB").columns
seconds = time.perf_counter() - start
cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu0
assert "pandas" not in sys.modules
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "imports": imports, "cpu": cpu,
                  "counts": [int(columns[c].sum()) for c in ("delivered", "opened", "read")],
                  "first": [int(columns[c][0]) for c in ("delivered", "opened", "read")]}))
"""


SPARK = """
import json, resource, sys, time
from pyspark.sql import SparkSession
from wxtime.io.events import aggregate_events
spark = (SparkSession.builder.master("local[2]").config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .config("spark.driver.memory", "4g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
age = 24 if sys.argv[2] == "timestamps" else None
aggregate_events(sys.argv[1], age_hours=age, engine="spark", spark=spark)  # JVM warm-up
start = time.perf_counter()
table = aggregate_events(sys.argv[1], age_hours=age, engine="spark", spark=spark).frame.sort_values("sent_at")
seconds = time.perf_counter() - start
# Peak memory here is the Python driver's only (the JVM is a separate, still running process).
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak,
                  "counts": table[["delivered", "opened", "read"]].sum().astype(int).tolist(),
                  "first": table[["delivered", "opened", "read"]].iloc[0].astype(int).tolist()}))
"""


def run(code: str, path: Path, log: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), log], capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - start  # the whole process: start-up, imports, exit
    return result


def summarise(name: str, runs: list[dict]) -> dict:
    seconds = sorted(r["seconds"] for r in runs)
    summary = {
        "best": seconds[0],
        "median": statistics.median(seconds),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "imports": min(r.get("imports", 0.0) for r in runs),
        "cpu": statistics.median(r.get("cpu", float("nan")) for r in runs),
        "process": statistics.median(r["process"] for r in runs),
        "counts": runs[0]["counts"],
        "first": runs[0]["first"],
        "all_same": all(r["counts"] == runs[0]["counts"] and r["first"] == runs[0]["first"] for r in runs),
    }
    print(
        f"{name:7s} median {summary['median']:.2f} s, best {summary['best']:.2f} s, "
        f"CPU (user+system, median) {summary['cpu']:.2f} s, "
        f"peak {summary['peak_mb']:.0f} MB, imports {summary['imports']:.2f} s, "
        f"whole process (median) {summary['process']:.2f} s "
        f"(runs in order: {', '.join(format(r['seconds'], '.2f') for r in runs)} s)"
    )
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--log", choices=["timestamps", "flags"], default="timestamps")
    parser.add_argument("--layout", choices=sorted(PUSH), default="interleaved")
    parser.add_argument(
        "--user-id",
        action="store_true",
        help="add a user_id column (random follower ids), as the issue's logs have: pandas.read_parquet"
        " reads it, DuckDB skips it (it is needed only to deduplicate)",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs of each method first (the first process to touch gigabytes of fresh"
        " memory on this VM pays for it: pandas' first run takes 8-9 s instead of 2-5)",
    )
    parser.add_argument("--spark", action="store_true", help="also time the Spark engine (local[2])")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    suffix = ("" if args.layout == "interleaved" else f"_{args.layout}") + (
        "" if args.log == "timestamps" else "_flags"
    )
    suffix += "_users" if args.user_id else ""
    path = RESULTS / f"events_{args.rows}_{args.pushes}{suffix}.parquet"
    if not path.exists():
        import duckdb

        start = time.perf_counter()
        push = PUSH[args.layout].format(rows=args.rows, pushes=args.pushes)
        template = GENERATE if args.log == "timestamps" else GENERATE_FLAGS
        user = "(hash(i * 13) % 20000000)::BIGINT AS user_id, " if args.user_id else ""
        duckdb.execute(template.format(rows=args.rows, push=push, user=user, path=path))
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - start:.0f} s")
    methods = [("pandas", PANDAS), ("wxtime", WXTIME)]
    runs: dict[str, list[dict]] = {name: [] for name, _ in methods}
    for _ in range(args.warmup):
        for _name, code in methods:
            run(code, path, args.log)
    for repeat in range(args.repeats):
        for name, code in methods if repeat % 2 == 0 else methods[::-1]:
            runs[name].append(run(code, path, args.log))
    if args.spark:
        runs["spark"] = [run(SPARK, path, args.log) for _ in range(args.repeats)]
    print(
        f"{args.log} log{' with user_id' if args.user_id else ''}, {args.layout} layout, "
        f"{args.rows:,} rows, {args.pushes:,} pushes, "
        f"{args.repeats} alternating runs after {args.warmup} warm-up run(s) each"
    )
    results = {name: summarise(name, r) for name, r in runs.items()}
    pandas, wxtime = results["pandas"], results["wxtime"]
    same = pandas["all_same"] and wxtime["all_same"] and pandas["counts"] == wxtime["counts"]
    same = same and pandas["first"] == wxtime["first"]
    if "spark" in results:
        spark = results["spark"]
        same = (
            same
            and spark["all_same"]
            and (spark["counts"], spark["first"])
            == (
                wxtime["counts"],
                wxtime["first"],
            )
        )
    print(
        f"totals (delivered, opened, read{' within 24 h' if args.log == 'timestamps' else ''}): "
        f"pandas {pandas['counts']}, "
        f"wxtime {wxtime['counts']}; identical{' (spark too)' if 'spark' in results else ''}: {same}"
    )
    print(
        f"speed-up {pandas['median'] / wxtime['median']:.1f}x on medians, "
        f"{pandas['best'] / wxtime['best']:.1f}x on best runs, "
        f"{pandas['cpu'] / wxtime['cpu']:.1f}x in CPU time, "
        f"{pandas['process'] / wxtime['process']:.1f}x as whole processes (medians); memory "
        f"{wxtime['peak_mb'] / pandas['peak_mb']:.3f} of pandas'"
    )


if __name__ == "__main__":
    main()
