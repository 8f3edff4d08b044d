"""Raw delivery logs -> the push table, streamed from disk by DuckDB.

Push and email platforms log one row per delivery. The statistics need one
row per push, so the heavy step is a group-by over millions of rows.
:func:`aggregate_events` runs it in DuckDB, which scans Parquet or CSV from
disk in parallel and keeps only the per-push aggregates in memory (pandas
would load every row first: see ``benchmarks/aggregate_speed.py``). DuckDB
was chosen over Polars because the aggregation is one SQL statement that
the same engine runs on files of any size within a memory limit, and that
SQL is also what a distributed engine would run.

The event log
-------------
One row per delivery, columns (case-sensitive):

* ``push_id`` (required), ``sent_at`` (required; naive times are Asia/Shanghai)
* ``opened_at`` / ``read_at`` timestamps (null = never), **or** ``opened`` /
  ``read`` 0/1 or true/false flags (empty = 0; any other value is an error naming
  the row). Flags are counted in the same scan as the deliveries; timestamps get a
  filtered scan each.
* optional ``user_id`` (enables ``deduplicate``), ``group`` (split designs),
  ``slot``

``delivered`` counts deliveries, ``opened`` / ``read`` count deliveries
opened / read, within ``age_hours`` of the push when given (reads at a fixed
age, so recent pushes are comparable). An ``opened_at`` or ``read_at``
before ``sent_at``, or a delivery without ``push_id`` or ``sent_at``, is an error
naming the file row. An empty ``group`` is a group of its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import Problem, PushDataError
from .times import DEFAULT_TZ

if TYPE_CHECKING:  # the CLI's aggregation never imports pandas (the push table's module does)
    from .table import PushTable

__all__ = ["DUCKDB", "SPARK", "Aggregated", "Dialect", "aggregate", "aggregate_events", "build_query"]


def _scan(paths: list[Path], row_numbers: bool = False) -> str:
    suffixes = {p.suffix.lower() for p in paths}
    if len(suffixes) != 1 or suffixes - {".parquet", ".csv"}:
        raise PushDataError(
            ", ".join(map(str, paths[:3])),
            [Problem(None, None, "event logs must be all .parquet or all .csv")],
        )
    listing = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
    if ".parquet" in suffixes:
        extra = ", file_row_number = true, filename = true" if row_numbers else ""
        return f"read_parquet({listing}{extra})"
    extra = ", filename = true" if row_numbers else ""
    return f"read_csv({listing}, header = true, auto_detect = true{extra})"


class _Uri(str):
    """A remote location (s3a://, hdfs://, abfss://...), handed to the engine as it is."""

    @property
    def suffix(self) -> str:
        name = self.rstrip("/").rsplit("/", 1)[-1]
        return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".parquet"


def _expand(source) -> list[Path]:
    items = source if isinstance(source, (list, tuple)) else [source]
    paths: list[Path] = []
    for item in items:
        if isinstance(item, str) and "://" in item:
            paths.append(_Uri(item))  # remote: Spark lists and reads it (folders are Parquet datasets)
            continue
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in (".parquet", ".csv")))
        elif any(ch in str(item) for ch in "*?["):
            paths.extend(sorted(Path().glob(str(item))))
        elif not path.exists():
            raise PushDataError(str(path), [Problem(None, None, "does not exist")])
        else:
            paths.append(path)
    if not paths:
        raise PushDataError(str(source), [Problem(None, None, "holds no .parquet or .csv event files")])
    return paths


def _connect(memory_limit: str | None, threads: int | None, tz: str = DEFAULT_TZ):
    import duckdb

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET TimeZone = '{tz}'")  # naive timestamps are the account's wall clock
    return con


@dataclass(frozen=True)
class Dialect:
    """The few places where the engines' SQL differs; the aggregation itself is written once."""

    name: str
    quote_char: str

    def ident(self, name: str) -> str:
        return f"{self.quote_char}{name}{self.quote_char}"

    def stamp(self, column: str, column_type: str) -> str:
        # Timestamps stored as text are cast; real timestamp columns are used as they are (a
        # cast on every one of millions of rows is not free). DuckDB casts to TIMESTAMPTZ in
        # the session's zone (Asia/Shanghai), so "2024-06-03T20:30:00+08:00" and naive
        # wall-clock times both land on the right instant; Spark runs in UTC on wall clocks.
        if column_type.upper().startswith("TIMESTAMP"):
            return column
        kind = "TIMESTAMPTZ" if self.name == "duckdb" else "TIMESTAMP"
        return f"CAST({column} AS {kind})"

    def within(self, event: str, sent: str, seconds: float) -> str:
        """``event`` is less than ``seconds`` after ``sent``, compared as integer microseconds.

        ``event < sent + INTERVAL ...`` gives the same answer, but interval arithmetic on
        millions of rows costs a little more (DuckDB: 0.02-0.04 s per 3.5 million opens, measured
        in isolation; within the noise of the whole aggregation).
        """
        micros = round(seconds * 1_000_000)
        epoch = "unix_micros" if self.name == "spark" else "epoch_us"
        return f"{epoch}({event}) - {epoch}({sent}) < {micros}"


def _not_a_flag(column: str) -> str:
    """SQL: the value is there but is not 0 or 1 (as a number; TRY_CAST works on both engines)."""
    # As a double, so "0.5" is not rounded into a flag.
    return f"{column} IS NOT NULL AND coalesce(TRY_CAST({column} AS DOUBLE) NOT IN (0, 1), TRUE)"


DUCKDB = Dialect("duckdb", '"')
SPARK = Dialect("spark", "`")


def build_query(
    dialect: Dialect,
    source: str,
    columns: list[str],
    types: dict[str, str],
    *,
    age_hours: float | None,
    deduplicate: bool,
    where: str,
) -> str:
    """The aggregation, one SQL statement for either engine (``source`` is the table expression).

    One scan counts deliveries per push, and 0/1 flag events with them. Timestamped events
    (``opened_at``, ``read_at``) get one filtered scan each, joined back on the push: their
    ``IS NOT NULL`` filters are pushed into the Parquet readers, so the many deliveries
    never opened are skipped instead of compared (DuckDB: 0.5 s instead of 1.1 s for 50M
    rows). The event scans also count events timed before the send (``*_early_check``), and
    the delivery scan counts rows without a send time (or user, when deduplicating) and
    flags that are not 0/1; the caller turns any of these into an error naming the rows
    (see :func:`_split_checks`).
    """
    missing = [c for c in ("push_id", "sent_at") if c not in columns]
    if missing:
        raise PushDataError(
            where,
            [
                Problem(None, c, f"is required in an event log (columns: {', '.join(columns)})")
                for c in missing
            ],
        )
    if deduplicate and "user_id" not in columns:
        raise PushDataError(where, [Problem(None, "user_id", "is needed to deduplicate deliveries")])
    stamp = {c: dialect.stamp(c, types[c]) for c in ("sent_at", "opened_at", "read_at") if c in columns}
    keys = ["push_id"] + [c for c in ("group",) if c in columns]
    key_sql = ", ".join(dialect.ident(k) for k in keys)
    counter = "count(DISTINCT user_id)" if deduplicate else "count(*)"

    timed = [name for name in ("opened", "read") if f"{name}_at" in columns]
    flags = [name for name in ("opened", "read") if name in columns and f"{name}_at" not in columns]
    if "opened" not in timed + flags:
        raise PushDataError(where, [Problem(None, "opened_at", "or an 'opened' flag is required")])
    if flags and age_hours is not None:
        raise PushDataError(
            where, [Problem(None, flags[0], f"is a flag, so events within {age_hours} h cannot be told")]
        )
    slot_sql = ", any_value(slot) AS slot" if "slot" in columns else ""
    # Rows the counts cannot place are counted here (free: a column's null count) and turned
    # into an error naming them by the caller: a delivery without a send time, or without a
    # user when deliveries are deduplicated by user (count(DISTINCT) would skip it silently).
    checks = [f"count(*) - count({stamp['sent_at']}) AS untimed_check"]
    if deduplicate:
        checks.append("count(*) - count(user_id) AS anonymous_check")
    flag_counts = []
    for name in flags:
        # An empty flag is "no", like an empty timestamp; anything but 0/1 is an error.
        if types[name].upper() == "BOOLEAN":
            true = name
        else:
            true = f"TRY_CAST({name} AS DOUBLE) = 1"
            checks.append(f"count(*) FILTER (WHERE {_not_a_flag(name)}) AS {name}_flag_check")
        flag_counts.append(f"{counter} FILTER (WHERE {true}) AS {name}")
    ctes = [
        f"d AS (SELECT {key_sql}, min({stamp['sent_at']}) AS sent_at, {counter} AS delivered, "
        f"{''.join(c + ', ' for c in flag_counts)}count(*) AS events, {', '.join(checks)}{slot_sql} "
        f"FROM {source} GROUP BY {key_sql})"
    ]
    selects, joins = ["d.*"], []
    for name in timed:
        event = stamp[f"{name}_at"]
        condition = f"{name}_at IS NOT NULL"
        if age_hours is not None:
            condition += " AND " + dialect.within(event, stamp["sent_at"], age_hours * 3600)
        ctes.append(
            f"{name}_c AS (SELECT {key_sql}, {counter} FILTER (WHERE {condition}) AS {name}, "
            f"count(*) FILTER (WHERE {event} < {stamp['sent_at']}) AS {name}_early "
            f"FROM {source} WHERE {name}_at IS NOT NULL GROUP BY {key_sql})"
        )
        selects += [
            f"coalesce({name}_c.{name}, 0) AS {name}",
            f"coalesce({name}_c.{name}_early, 0) AS {name}_early_check",
        ]
        # Null-safe: a delivery with an empty group still finds its push's events.
        on = " AND ".join(
            f"{name}_c.{dialect.ident(k)} IS NOT DISTINCT FROM d.{dialect.ident(k)}" for k in keys
        )
        joins.append(f"LEFT JOIN {name}_c ON {on}")
    order = ", ".join(f"d.{dialect.ident(k)}" for k in keys)
    return (
        f"WITH {', '.join(ctes)} SELECT {', '.join(selects)} FROM d {' '.join(joins)} "
        f"ORDER BY d.sent_at, {order}"
    )


def aggregate_events(
    source,
    *,
    age_hours: float | None = None,
    deduplicate: bool = False,
    output: str | os.PathLike | None = None,
    tz: str = DEFAULT_TZ,
    engine: str = "duckdb",
    spark=None,
    master: str = "local[2]",
    memory_limit: str | None = "2GB",
    threads: int | None = None,
) -> PushTable:
    """Aggregate a delivery log (Parquet or CSV files, a folder, or a glob) into the push table.

    Parameters
    ----------
    source : path, folder, glob or list of them
    age_hours : float, optional
        Count only opens and reads within this many hours of the push.
    deduplicate : bool
        Count distinct ``user_id`` per push (repeated delivery events count once).
    output : path, optional
        Also write the push table there (``.csv`` or ``.parquet``), atomically.
    tz : str
        Timezone of naive timestamps and of the result.
    engine : {"duckdb", "spark"}
        DuckDB, embedded (default); or Apache Spark (``pip install wxtime[spark]``,
        Java 17+), for logs that live on a cluster. Both run the same SQL
        (:func:`build_query`), so their counts are identical (tested).
    spark : SparkSession, optional
        An existing session (a cluster's); otherwise one is started on ``master``.
    master : str
        Spark master for a new session (``local[2]``, ``spark://host:7077``...).
    memory_limit, threads
        DuckDB settings (it spills to disk beyond the memory limit).

    Returns
    -------
    PushTable
        The validated push table; its ``load`` says how many events, pushes and
        date range were read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = log.write_text("push_id,sent_at,opened_at\\n"
    ...                    "p1,2024-07-01 12:00,2024-07-01 12:05\\n"
    ...                    "p1,2024-07-01 12:00,\\n"
    ...                    "p2,2024-07-02 21:00,2024-07-04 09:00\\n")
    >>> aggregate_events(log, age_hours=24).frame[["push_id", "slot", "delivered", "opened"]]
      push_id   slot  delivered  opened
    0      p1  12:00          2       1
    1      p2  21:00          1       0
    """
    aggregated = aggregate(
        source,
        age_hours=age_hours,
        deduplicate=deduplicate,
        tz=tz,
        engine=engine,
        spark=spark,
        master=master,
        memory_limit=memory_limit,
        threads=threads,
        output=output,
    )
    import pandas as pd

    from .table import load_summary
    from .validation import validate

    columns = aggregated.columns
    frame = pd.DataFrame(
        {name: values for name, values in columns.items() if name not in ("sent_us", "slot")}
    )
    frame.insert(1, "sent_at", pd.to_datetime(columns["sent_us"], unit="us", utc=True).tz_convert(tz))
    pushes = validate(frame, tz=tz, source=aggregated.where)
    # Nothing is skipped: a delivery the counts cannot place is an error, not a dropped row.
    pushes.load = load_summary(pushes.frame, aggregated.where, **aggregated.details)
    return pushes


@dataclass
class Aggregated:
    """A delivery log aggregated (NumPy only): ``columns`` (``push_id``, ``group`` when the log
    has one, ``sent_us`` (the send instant, microseconds since the epoch, UTC), ``slot``,
    ``delivered``, ``opened``, ``read``), ``where`` (the log, for messages), ``summary`` (the
    load summary: pushes, dates, slots, totals, events...) and ``details`` (what
    :func:`wxtime.io.table.load_summary` adds for this reader)."""

    columns: dict
    where: str
    summary: dict
    details: dict


def _local(sent_us: np.ndarray, tz: str) -> list:
    """Each send instant as a local ``datetime`` (one per push: a few thousand at most)."""
    import datetime as dt
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return [(epoch + dt.timedelta(microseconds=int(us))).astimezone(zone) for us in sent_us]


def aggregate(
    source,
    *,
    age_hours: float | None = None,
    deduplicate: bool = False,
    tz: str = DEFAULT_TZ,
    engine: str = "duckdb",
    spark=None,
    master: str = "local[2]",
    memory_limit: str | None = "2GB",
    threads: int | None = None,
    output: str | os.PathLike | None = None,
) -> Aggregated:
    """The aggregation behind :func:`aggregate_events` (and ``wxtime aggregate``), without pandas:
    per push the deliveries, opens and reads, its slot (the schedule behind the send times) and
    the funnel checked; written to ``output`` (``.csv`` or ``.parquet``) atomically when given."""
    from .slots import infer_slots
    from .times import check_tz

    check_tz(tz)
    if output is not None and Path(output).suffix.lower() not in (".csv", ".parquet"):
        raise PushDataError(
            str(output), [Problem(None, None, "the push table is written as .csv or .parquet")]
        )
    paths = _expand(source)
    where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} event files"
    options = dict(age_hours=age_hours, deduplicate=deduplicate, where=where)
    if engine == "duckdb":
        columns = _run_duckdb(paths, options, memory_limit, threads, tz)
    elif engine == "spark":
        columns = _run_spark(paths, options, spark, master, tz)
    else:
        raise ValueError("engine must be 'duckdb' or 'spark'")
    events = int(columns.pop("events").sum())
    if not len(columns["sent_us"]):
        raise PushDataError(where, [Problem(None, None, "holds no deliveries (no rows)")])
    order = np.argsort(columns["sent_us"], kind="stable")
    columns = {name: values[order] for name, values in columns.items()}
    local = _local(columns["sent_us"], tz)
    minutes = np.array([t.hour * 60 + t.minute + t.second / 60 for t in local], float)
    inference = infer_slots(minutes)
    from .slots import format_slots

    columns["slot"] = format_slots(inference.slots / 60)
    problems = []
    if "read" in columns:
        for i in np.flatnonzero(columns["read"] > columns["opened"]):
            problems.append(
                Problem(
                    None,
                    "read",
                    f"push {columns['push_id'][i]}: {int(columns['read'][i])} read exceed "
                    f"{int(columns['opened'][i])} opened (reads are counted among opens; are read_at "
                    "rows without opened_at?)",
                )
            )
    if problems:
        raise PushDataError(where, problems, line_offset=None)
    slots, counts = np.unique(columns["slot"], return_counts=True)
    totals = {c: int(columns[c].sum()) for c in ("delivered", "opened") if c in columns}
    details = {
        "kind": "event log",
        "engine": engine,
        "files": len(paths),
        "events": events,
        "age_hours": age_hours,
        "deduplicated": bool(deduplicate),
        "notes": [inference.describe()],
    }
    summary = {
        "source": where,
        "pushes": len(order),
        "first": local[0].isoformat() if local else None,
        "last": local[-1].isoformat() if local else None,
        "slots": [str(s) for s in slots],
        "slot_pushes": {str(s): int(n) for s, n in zip(slots, counts)},
        "totals": totals,
        "time_sources": {"file": len(order)},
        "skipped": {},
        **details,
    }
    result = Aggregated(columns, where, summary, details)
    if output is not None:
        _write(result, local, Path(output))
    return result


def _split_checks(table: dict) -> tuple[dict, dict[str, int]]:
    """The columns without their ``*_check`` counters, and their totals by kind.

    Kinds: ``opened_early``, ``read_early`` (events timed before the send), ``untimed``
    (deliveries without ``sent_at``), ``anonymous`` (without ``user_id`` when
    deduplicating), ``opened_flag``, ``read_flag`` (flags that are not 0/1), ``keyless``
    (without ``push_id``).
    """
    counters = [c for c in table if c.endswith("_check")]
    totals: dict[str, int] = {}
    for column in counters:
        kind = column.removesuffix("_check")
        values = np.asarray(table[column], dtype=float)
        totals[kind] = totals.get(kind, 0) + int(np.nansum(values))
    keys = np.asarray(table["push_id"], dtype=object)
    keyless = np.array([k is None or (isinstance(k, float) and k != k) for k in keys], dtype=bool)
    totals["keyless"] = int(np.asarray(table["events"])[keyless].sum())
    return {name: np.asarray(values) for name, values in table.items() if name not in counters}, totals


def _run_duckdb(paths, options, memory_limit, threads, tz) -> dict:
    con = _connect(memory_limit, threads, tz)
    scan = _scan(paths)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except Exception as exc:  # duckdb raises its own error types for unreadable files
        raise _unreadable(paths, exc) from None
    columns = [row[0] for row in described]
    types = {row[0]: str(row[1]) for row in described}
    query = build_query(DUCKDB, scan, columns, types, **options)
    try:
        # The push table is small (one row per push): NumPy columns, no pandas.
        table, checks = _split_checks(
            # A naive TIMESTAMP column becomes an instant in the session's zone (the cast to
            # TIMESTAMPTZ reads it so); a TIMESTAMPTZ one is one already.
            con.execute(
                f"SELECT *, epoch_us(CAST(sent_at AS TIMESTAMPTZ)) AS sent_us FROM ({query})"
            ).fetchnumpy()
        )
    except PushDataError:
        raise
    except Exception as exc:  # duckdb's own error types: a value that does not convert, usually
        _explain_unreadable_values(con, paths, columns, types, exc)
        raise
    stamp = {c: DUCKDB.stamp(c, types[c]) for c in ("sent_at", "opened_at", "read_at") if c in columns}
    for condition, column, message in _row_checks(checks, columns, stamp):
        _refuse_rows(con, paths, condition, column, message)
    con.close()
    table.pop("sent_at")
    return _plain(table)


def _plain(table: dict) -> dict:
    """NumPy columns as plain arrays (DuckDB hands masked arrays for columns with nulls)."""
    out = {}
    for name, values in table.items():
        if isinstance(values, np.ma.MaskedArray):
            values = values.astype(object).filled(None) if values.dtype.kind in "OUS" else values.filled(0)
        out[name] = np.asarray(values)
    return out


def _row_checks(checks: dict[str, int], columns: list[str], stamp: dict[str, str]):
    """(SQL condition, column, message) for each kind of bad row the counters found.

    ``message`` is a format string over the offending row's values (a dict by column).
    """
    found = []
    if checks.get("keyless"):
        found.append(("push_id IS NULL", "push_id", "is empty: a delivery must name its push"))
    if checks.get("untimed"):
        found.append(("sent_at IS NULL", "sent_at", "is empty: a delivery must have a send time"))
    if checks.get("anonymous"):
        found.append(("user_id IS NULL", "user_id", "is empty, so the delivery cannot be deduplicated"))
    for column in ("opened", "read"):
        if checks.get(f"{column}_flag"):
            found.append((_not_a_flag(column), column, "{" + column + "!r} is not a 0/1 flag"))
    for column in ("opened_at", "read_at"):
        if checks.get(column.replace("_at", "_early")):
            found.append(
                (
                    f"{stamp[column]} < {stamp['sent_at']}",
                    column,
                    "{" + column + "} is before sent_at {sent_at}",
                )
            )
    return found


def _run_spark(paths, options, spark, master, tz) -> dict:
    import shutil

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise RuntimeError(
            "engine='spark' needs PySpark: pip install 'wxtime[spark]' (and Java 17+ on the PATH)"
        ) from None
    if spark is None and shutil.which("java") is None:
        raise RuntimeError(
            "engine='spark' needs Java 17+ on the PATH (Debian: apt-get install default-jre-headless)"
        )
    if spark is None:
        # Wall-clock timestamps are read and returned as they are: the session runs in UTC so
        # Spark shifts nothing, and wxtime attaches the account's timezone afterwards.
        spark = (
            SparkSession.builder.master(master)
            .appName("wxtime-aggregate")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
    files = [str(p) for p in paths]
    try:
        if paths[0].suffix.lower() == ".parquet":
            frame = spark.read.parquet(*files)
        else:
            frame = spark.read.option("header", True).option("inferSchema", True).csv(files)
    except Exception as exc:  # pyspark's AnalysisException and friends
        hint = ""
        if "NANOS" in str(exc):
            hint = (
                "; Spark reads microsecond timestamps only: write the log with "
                "df.to_parquet(path, coerce_timestamps='us') (pandas defaults to nanoseconds)"
            )
        raise PushDataError(
            files[0], [Problem(None, None, f"Spark cannot read it: {str(exc).splitlines()[0]}{hint}")]
        ) from None
    frame.createOrReplaceTempView("wxtime_events")
    types = {name: kind for name, kind in frame.dtypes}
    query = build_query(SPARK, "wxtime_events", list(frame.columns), types, **options)
    # The result is one row per push: collected as rows (PySpark's pandas conversion warns
    # about pandas 3 and is not needed for a table this small).
    rows = spark.sql(query).collect()
    columns = spark.sql(query).columns if not rows else list(rows[0].asDict())
    records = [row.asDict() for row in rows]
    table, checks = _split_checks({c: np.array([r[c] for r in records], dtype=object) for c in columns})
    stamp = {c: SPARK.stamp(c, types[c]) for c in ("sent_at", "opened_at", "read_at") if c in frame.columns}
    problems = []
    for condition, column, message in _row_checks(checks, list(frame.columns), stamp):
        # Spark has no file row numbers: the push and the file name the rows instead.
        for row in spark.sql(
            f"SELECT input_file_name() AS wxtime_file, * FROM wxtime_events WHERE {condition} LIMIT 10"
        ).collect():
            values = row.asDict()
            problems.append(
                Problem(
                    None,
                    column,
                    f"{message.format(**values)} (push {values['push_id']}, file {values['wxtime_file']})",
                )
            )
    if problems:
        raise PushDataError(options["where"], problems, line_offset=None)
    # Spark ran in UTC on wall-clock times: each send is read in ``tz`` and made an instant.
    import zoneinfo

    zone = zoneinfo.ZoneInfo(tz)
    table["sent_us"] = np.array(
        [int(t.replace(tzinfo=zone).timestamp() * 1_000_000) for t in table.pop("sent_at")], dtype=np.int64
    )
    for name in ("delivered", "opened", "read", "events"):
        if name in table:
            table[name] = table[name].astype(np.int64)
    return table


def _first_non_utf8_line(path: Path) -> int | None:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _unreadable(paths, exc) -> PushDataError:
    """A short, clear error for a file DuckDB cannot read (its own message is a page long)."""
    if "utf-8" in str(exc).lower():
        for path in paths:
            if path.suffix.lower() == ".csv" and (line := _first_non_utf8_line(path)) is not None:
                return PushDataError(
                    str(path),
                    [
                        Problem(
                            None,
                            None,
                            f"is not UTF-8 (line {line} is the first that is not; WeChat backend "
                            "exports are often GBK). Convert it first, e.g. "
                            f"iconv -f GBK -t UTF-8 {path.name} > utf8.csv, or write the log as Parquet",
                        )
                    ],
                )
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return PushDataError(str(paths[0]), [Problem(None, None, f"cannot be read: {first}")])


def _explain_unreadable_values(con, paths, columns, types, exc) -> None:
    """Turn a failed conversion into a PushDataError naming the file, row and column."""
    if "utf-8" in str(exc).lower():  # a CSV with a non-UTF-8 byte beyond DESCRIBE's sample
        raise _unreadable(paths, exc) from None
    if "schema mismatch" in str(exc).lower():  # files with different columns
        files = re.findall(r'file "([^"]+)"', str(exc))
        column = re.search(r'column "([^"]+)"', str(exc))
        named = " and ".join(dict.fromkeys(files)) or ", ".join(str(p) for p in paths)
        raise PushDataError(
            named,
            [
                Problem(
                    None,
                    column.group(1) if column else None,
                    "is in some of the files and not in others: aggregate files with the same "
                    "columns together (e.g. timestamps in all, or 0/1 flags in all)",
                )
            ],
            line_offset=None,
        ) from None
    text_times = [
        c
        for c in ("sent_at", "opened_at", "read_at")
        if c in columns and not types[c].upper().startswith("TIMESTAMP")
    ]
    problems = []
    for column in text_times:
        scan = _scan(paths, row_numbers=True)
        if paths[0].suffix.lower() == ".parquet":
            rows = con.execute(
                f"SELECT file_row_number + 1, {column} FROM {scan} WHERE {column} IS NOT NULL "
                f"AND TRY_CAST({column} AS TIMESTAMPTZ) IS NULL ORDER BY 1 LIMIT 10"
            ).fetchall()
        else:
            rows = con.execute(
                f"SELECT rn, {column} FROM (SELECT *, row_number() OVER (PARTITION BY filename) AS rn "
                f"FROM {scan}) WHERE {column} IS NOT NULL AND TRY_CAST({column} AS TIMESTAMPTZ) IS NULL "
                "ORDER BY rn LIMIT 10"
            ).fetchall()
        problems += [Problem(int(row), column, f"{value!r} is not a date-time") for row, value in rows]
    if not problems:
        problems = [Problem(None, None, f"cannot be aggregated: {str(exc).splitlines()[0]}")]
    line_offset = 1 if paths[0].suffix.lower() == ".csv" else None
    raise PushDataError(str(paths[0]), problems, line_offset=line_offset) from None


def _refuse_rows(con, paths, condition: str, column: str, message: str) -> None:
    """Raise a PushDataError naming the file and row of the first ten rows matching ``condition``.

    Only called once the aggregation's counters found such rows, so the extra scan costs
    nothing on good data.
    """
    scan = _scan(paths, row_numbers=True)
    if paths[0].suffix.lower() == ".parquet":
        query = (
            f"SELECT filename, file_row_number + 1 AS wxtime_row, * EXCLUDE (filename, file_row_number) "
            f"FROM {scan} WHERE {condition} ORDER BY filename, file_row_number LIMIT 10"
        )
        line_offset = None
    else:
        # DuckDB keeps a CSV's row order when scanning it (preserve_insertion_order), so
        # row_number() over the scan is the file row.
        query = (
            f"SELECT filename, wxtime_row, * EXCLUDE (filename, wxtime_row) FROM "
            f"(SELECT *, row_number() OVER (PARTITION BY filename) AS wxtime_row FROM {scan}) "
            f"WHERE {condition} ORDER BY filename, wxtime_row LIMIT 10"
        )
        line_offset = 1
    result = con.execute(query)
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, row)) for row in result.fetchall()]
    if not rows:  # the counters and this scan disagree: say so rather than pass bad data
        raise PushDataError(
            str(paths[0]), [Problem(None, column, message.split("{")[0] + "(rows not found)")]
        )
    several = len(paths) > 1
    problems = [
        Problem(
            int(row["wxtime_row"]),
            column,
            message.format(**row) + (f" (file {row['filename']})" if several else ""),
        )
        for row in rows
    ]
    raise PushDataError(str(rows[0]["filename"]), problems, line_offset=line_offset)


def _write(result: Aggregated, local: list, path: Path) -> None:
    """The push table as CSV (csv module) or Parquet (pyarrow), atomically; no pandas."""
    columns = result.columns
    names = [n for n in ("push_id", "group") if n in columns]
    names += ["sent_at", "slot"] + [n for n in ("delivered", "opened", "read") if n in columns]
    data = {n: columns[n] for n in names if n != "sent_at"}
    data["sent_at"] = np.array([t.isoformat() for t in local], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.table({n: data[n].tolist() for n in names}), tmp)
        else:
            import csv

            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(names)
                writer.writerows(zip(*(data[n].tolist() for n in names)))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
