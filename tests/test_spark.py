"""The same aggregation on Apache Spark gives exactly the embedded engine's counts."""

import importlib.util
import shutil

import numpy as np
import pandas as pd
import pytest

from wxtime.cli import main
from wxtime.errors import PushDataError
from wxtime.io.events import aggregate_events

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="needs the spark extra (pip install 'wxtime[spark]') and Java 17+; .ci/run installs both as root",
)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("wxtime-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    """300,000 deliveries over 200 pushes, with the edge cases: opens and reads after the
    24 h cut-off, deliveries never opened, reads without opens' timing, repeated events."""
    rng = np.random.default_rng(0)
    n, pushes = 300_000, 200
    push = rng.integers(0, pushes, n)
    sent = pd.Timestamp("2024-07-01 08:00") + pd.to_timedelta(push * 13, unit="h")
    opened = rng.random(n) < 0.08
    delay = pd.to_timedelta(rng.exponential(10, n), unit="h")  # a fat tail beyond 24 h
    events = pd.DataFrame(
        {
            "user_id": rng.integers(0, 50_000, n),
            "push_id": [f"p{i:03d}" for i in push],
            "sent_at": sent,
            "opened_at": pd.Series(sent + delay).where(opened),
            "read_at": pd.Series(sent + delay + pd.Timedelta(minutes=3)).where(
                opened & (rng.random(n) < 0.5)
            ),
        }
    )
    events = pd.concat([events, events.iloc[:500]], ignore_index=True)  # duplicate delivery events
    folder = tmp_path_factory.mktemp("log")
    # Spark reads microsecond timestamps (pandas writes nanoseconds unless told).
    events.to_parquet(folder / "events.parquet", coerce_timestamps="us", allow_truncated_timestamps=True)
    pd.read_parquet(folder / "events.parquet").to_csv(folder / "events.csv", index=False)
    return folder


COLUMNS = ["push_id", "sent_at", "slot", "delivered", "opened", "read"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize(
    "options",
    [{}, {"age_hours": 24}, {"age_hours": 24, "deduplicate": True}],
    ids=["all", "24h", "24h-dedup"],
)
def test_spark_counts_equal_the_embedded_engine(log, spark, fmt, options):
    path = log / f"events.{fmt}"
    embedded = aggregate_events(path, **options).frame
    on_spark = aggregate_events(path, engine="spark", spark=spark, **options)
    pd.testing.assert_frame_equal(embedded[COLUMNS], on_spark.frame[COLUMNS])
    assert on_spark.load["events"] == 300_500
    if "age_hours" in options:  # the cut-off bites: fewer opens than without it
        assert embedded["opened"].sum() < aggregate_events(path).frame["opened"].sum()


def test_spark_names_a_read_before_the_send(tmp_path, spark):
    events = pd.DataFrame(
        {
            "push_id": ["a", "a"],
            "sent_at": pd.to_datetime(["2024-07-01 12:00"] * 2),
            "opened_at": pd.to_datetime(["2024-07-01 11:00", None]),
        }
    )
    events.to_parquet(tmp_path / "e.parquet", coerce_timestamps="us")
    with pytest.raises(PushDataError, match=r"before sent_at .*push a"):
        aggregate_events(tmp_path / "e.parquet", engine="spark", spark=spark)


def test_spark_names_a_delivery_without_a_send_time(tmp_path, spark):
    events = pd.DataFrame(
        {
            "push_id": ["a", "a"],
            "sent_at": pd.to_datetime(["2024-07-01 12:00", None]),
            "opened_at": pd.to_datetime(["2024-07-01 13:00", None]),
        }
    )
    events.to_parquet(tmp_path / "e.parquet", coerce_timestamps="us")
    with pytest.raises(PushDataError, match=r"column 'sent_at': is empty.*push a"):
        aggregate_events(tmp_path / "e.parquet", engine="spark", spark=spark)


@pytest.mark.parametrize("dedup", [False, True])
def test_spark_counts_flag_logs_like_the_embedded_engine(log, tmp_path, spark, dedup):
    events = pd.read_parquet(log / "events.parquet")
    flags = events.assign(opened=events["opened_at"].notna().astype("int8"), read=events["read_at"].notna())
    flags = flags.drop(columns=["opened_at", "read_at"])
    flags.to_parquet(tmp_path / "flags.parquet", coerce_timestamps="us", allow_truncated_timestamps=True)
    ours = aggregate_events(tmp_path / "flags.parquet", deduplicate=dedup).frame
    theirs = aggregate_events(tmp_path / "flags.parquet", deduplicate=dedup, engine="spark", spark=spark)
    theirs = theirs.frame
    pd.testing.assert_frame_equal(ours[COLUMNS], theirs[COLUMNS], check_dtype=False)
    assert ours["opened"].sum() > 0 and ours["read"].sum() > 0


def test_spark_names_a_flag_that_is_not_0_or_1(tmp_path, spark):
    events = pd.DataFrame(
        {"push_id": ["a", "a"], "sent_at": pd.to_datetime(["2024-07-01 12:00"] * 2), "opened": [1, 2]}
    )
    events.to_parquet(tmp_path / "e.parquet", coerce_timestamps="us")
    with pytest.raises(PushDataError, match=r"column 'opened': 2 is not a 0/1 flag.*push a"):
        aggregate_events(tmp_path / "e.parquet", engine="spark", spark=spark)


def test_spark_from_the_command_line(log, tmp_path, capsys):
    out = tmp_path / "pushes.parquet"
    assert (
        main(
            [
                "aggregate",
                str(log / "events.parquet"),
                "--engine",
                "spark",
                "--age-hours",
                "24",
                "-o",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    assert pd.read_parquet(out)["delivered"].sum() == 300_500
