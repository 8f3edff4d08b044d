"""Raw delivery logs (one row per delivery) aggregated into pushes: counts equal pandas', bad rows named."""

import json

import numpy as np
import pandas as pd
import pytest

from wxtime.cli import main
from wxtime.errors import PushDataError
from wxtime.io import read
from wxtime.io.events import aggregate_events


def _log(n_pushes=30, per_push=400, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_pushes):
        sent = pd.Timestamp("2024-07-01 12:00") + pd.Timedelta(days=p, hours=int(rng.integers(0, 10)))
        opened = rng.random(per_push) < 0.07
        delay = pd.to_timedelta(rng.exponential(6, per_push), unit="h")
        read = opened & (rng.random(per_push) < 0.6)
        rows.append(
            pd.DataFrame(
                {
                    "user_id": rng.integers(0, 10**6, per_push),
                    "push_id": f"p{p:03d}",
                    "sent_at": sent,
                    "opened_at": np.where(opened, sent + delay, pd.NaT),
                    "read_at": np.where(read, sent + delay + pd.Timedelta(minutes=2), pd.NaT),
                }
            )
        )
    events = pd.concat(rows, ignore_index=True)
    for column in ("opened_at", "read_at"):
        events[column] = pd.to_datetime(events[column])
    return events


def _pandas_reference(events, age_hours=None):
    cutoff = events["sent_at"] + pd.Timedelta(hours=age_hours) if age_hours else pd.Timestamp.max
    return (
        events.assign(
            o=events["opened_at"].notna() & (events["opened_at"] < cutoff),
            r=events["read_at"].notna() & (events["read_at"] < cutoff),
        )
        .groupby("push_id")
        .agg(delivered=("o", "size"), opened=("o", "sum"), read=("r", "sum"))
    )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("age", [None, 24])
def test_event_log_counts_equal_pandas(tmp_path, fmt, age):
    events = _log()
    path = tmp_path / f"events.{fmt}"
    events.to_parquet(path) if fmt == "parquet" else events.to_csv(path, index=False)
    pushes = aggregate_events(path, age_hours=age).frame.set_index("push_id")
    reference = _pandas_reference(events, age)
    for column in ("delivered", "opened", "read"):
        assert pushes[column].tolist() == reference.loc[pushes.index, column].astype(int).tolist()
    assert aggregate_events(path, age_hours=age).load["events"] == len(events)


def _flag_log(kind):
    """The timestamp log as 0/1 flags: bool columns, integers, or integers with blanks (CSV)."""
    events = _log(n_pushes=8)
    flags = events.assign(opened=events["opened_at"].notna(), read=events["read_at"].notna())
    flags = flags.drop(columns=["opened_at", "read_at"])
    if kind == "int":
        flags = flags.astype({"opened": "int8", "read": "int8"})
    elif kind == "blank":  # an export that leaves "no" empty
        flags = flags.astype({"opened": "Int8", "read": "Int8"})
        flags.loc[flags["opened"] == 0, "opened"] = pd.NA
    elif kind == "mixed":  # opens timed, reads flagged
        flags = flags.drop(columns="opened").assign(opened_at=events["opened_at"])
    return events, flags


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("kind", ["bool", "int", "blank", "mixed"])
@pytest.mark.parametrize("dedup", [False, True])
def test_flag_log_counts_equal_pandas(tmp_path, fmt, kind, dedup):
    events, flags = _flag_log(kind)
    if dedup:  # a repeated delivery event: counted once per user
        flags = pd.concat([flags, flags.iloc[:40]], ignore_index=True)
    path = tmp_path / f"events.{fmt}"
    flags.to_parquet(path) if fmt == "parquet" else flags.to_csv(path, index=False)
    result = aggregate_events(path, deduplicate=dedup)
    pushes = result.frame.set_index("push_id")
    if dedup:  # distinct users per push among all, opened and read deliveries
        opened = flags["opened_at"].notna() if kind == "mixed" else flags["opened"].fillna(0) == 1
        reference = pd.DataFrame(
            {
                "delivered": flags.groupby("push_id")["user_id"].nunique(),
                "opened": flags[opened].groupby("push_id")["user_id"].nunique(),
                "read": flags[flags["read"] == 1].groupby("push_id")["user_id"].nunique(),
            }
        ).fillna(0)
    else:
        reference = _pandas_reference(events)
    for column in ("delivered", "opened", "read"):
        assert pushes[column].tolist() == reference.loc[pushes.index, column].astype(int).tolist()
    assert result.load["events"] == len(flags)


@pytest.mark.parametrize("value", ["2", "yes", "-1"])
def test_a_flag_that_is_not_0_or_1_names_the_row(tmp_path, value):
    path = tmp_path / "events.csv"
    path.write_text(f"push_id,sent_at,opened\np1,2024-07-01 12:00,1\np1,2024-07-01 12:00,{value}\n")
    with pytest.raises(
        PushDataError, match=rf"row 2 \(line 3\), column 'opened': .*{value}.* is not a 0/1 flag"
    ):
        aggregate_events(path)


def test_flags_cannot_give_a_fixed_age(tmp_path):
    _, flags = _flag_log("bool")
    flags.to_parquet(tmp_path / "events.parquet")
    with pytest.raises(
        PushDataError, match="column 'opened': is a flag, so events within 24 h cannot be told"
    ):
        aggregate_events(tmp_path / "events.parquet", age_hours=24)


def test_event_log_folder_output_and_deduplication(tmp_path):
    events = _log(n_pushes=6)
    folder = tmp_path / "log"
    folder.mkdir()
    events.iloc[:1000].to_parquet(folder / "part-0.parquet")
    events.iloc[1000:].to_parquet(folder / "part-1.parquet")
    out = tmp_path / "pushes.parquet"
    pushes = aggregate_events(folder, output=out).frame
    assert pd.read_parquet(out)["delivered"].sum() == len(events)
    doubled = pd.concat([events, events.iloc[:50]])
    doubled.to_parquet(tmp_path / "dup.parquet")
    assert aggregate_events(tmp_path / "dup.parquet").frame["delivered"].sum() == len(events) + 50
    assert aggregate_events(tmp_path / "dup.parquet", deduplicate=True).frame["delivered"].sum() == pushes[
        "delivered"
    ].sum() - (len(events) - events.groupby("push_id")["user_id"].nunique().sum())


def test_event_log_read_before_send_is_an_error_naming_the_row(tmp_path):
    events = _log(n_pushes=3, per_push=10)
    events.loc[17, "read_at"] = events.loc[17, "sent_at"] - pd.Timedelta(hours=1)
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    with pytest.raises(PushDataError, match=r"row 18 \(line 19\), column 'read_at'.*before sent_at"):
        aggregate_events(path)
    events.to_parquet(tmp_path / "events.parquet")
    with pytest.raises(PushDataError, match=r"row 18, column 'read_at'"):
        aggregate_events(tmp_path / "events.parquet")


@pytest.mark.parametrize(
    ("column", "options"),
    [("push_id", {}), ("sent_at", {"age_hours": 24}), ("user_id", {"deduplicate": True})],
)
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_event_log_rows_that_cannot_be_placed_are_errors_naming_the_row(tmp_path, column, options, fmt):
    """Found while checking the speed work: a delivery without a send time was counted but
    timed by its push's other rows, and one without a user vanished from a deduplicated
    count; an empty push_id was reported as a row of the aggregated table."""
    events = _log(n_pushes=3, per_push=10).astype({"user_id": "float64"})
    events.loc[12, column] = None
    path = tmp_path / f"events.{fmt}"
    events.to_csv(path, index=False) if fmt == "csv" else events.to_parquet(path)
    where = r"row 13 \(line 14\)" if fmt == "csv" else "row 13"
    with pytest.raises(PushDataError, match=rf"{where}, column '{column}': is empty"):
        aggregate_events(path, **options)


def test_event_log_with_an_empty_group_keeps_its_events(tmp_path):
    """An empty ``group`` is its own group; its opens are not lost in the join (they were)."""
    path = tmp_path / "events.csv"
    path.write_text(
        "push_id,group,sent_at,opened_at\n"
        "p1,A,2024-07-01 12:00,2024-07-01 12:05\n"
        "p1,,2024-07-01 12:00,2024-07-01 12:05\n"
        "p1,,2024-07-01 12:00,\n"
    )
    table = aggregate_events(path, age_hours=24).frame
    assert table[["delivered", "opened"]].sum().tolist() == [3, 2]
    assert table.loc[table["group"].isna(), ["delivered", "opened"]].iloc[0].tolist() == [2, 1]


def test_event_log_without_required_columns(tmp_path):
    path = tmp_path / "events.csv"
    pd.DataFrame({"push_id": ["a"], "opened_at": ["2024-07-01 12:00"]}).to_csv(path, index=False)
    with pytest.raises(PushDataError, match="column 'sent_at'"):
        aggregate_events(path)


def test_aggregate_cli(tmp_path, capsys):
    events = _log(n_pushes=4)
    path = tmp_path / "events.parquet"
    events.to_parquet(path)
    out = tmp_path / "pushes.csv"
    assert main(["aggregate", str(path), "-o", str(out), "--age-hours", "24", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pushes"] == 4 and summary["events"] == len(events)
    assert len(read(out)) == 4


def test_event_log_with_an_unparseable_time_names_the_row(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("push_id,sent_at,opened_at\np1,2024-07-01 12:00,2024-07-01 12:05\np1,not-a-time,\n")
    with pytest.raises(
        PushDataError, match=r"row 2 \(line 3\), column 'sent_at': 'not-a-time' is not a date-time"
    ):
        aggregate_events(path)
    assert main(["aggregate", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_event_logs_that_cannot_be_read_get_a_short_clear_error(tmp_path, capsys):
    """DuckDB's own messages run to a page (the CSV sniffer's settings, a SQL caret);
    the user gets one line naming the file, and for a GBK log the first bad line."""
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"garbage")
    with pytest.raises(PushDataError, match=r"(?s)corrupt\.parquet cannot be read: .*too small") as error:
        aggregate_events(corrupt)
    assert "LINE 1" not in str(error.value)
    rows = ["push_id,sent_at,opened_at"] + [f"p{i % 5},2024-07-01 12:00," for i in range(30_000)]
    late = tmp_path / "late.csv"  # the bad line is past DuckDB's 20,480-row sample
    late.write_bytes(("\n".join([*rows, "推送1,2024-07-01 12:00,"]) + "\n").encode("gbk"))
    with pytest.raises(PushDataError, match=r"is not UTF-8 \(line 30002 .*iconv -f GBK"):
        aggregate_events(late)
    early = tmp_path / "early.csv"
    early.write_bytes("push_id,sent_at,opened_at\n推送1,2024-07-01 12:00,\n".encode("gbk"))
    assert main(["aggregate", str(early)]) == 2
    err = capsys.readouterr().err
    assert "is not UTF-8 (line 2" in err and "Traceback" not in err and "sample_size" not in err


def test_aggregate_refuses_an_output_it_cannot_write_before_reading_the_log(tmp_path):
    log = tmp_path / "missing.parquet"  # never read: the output is checked first
    with pytest.raises(PushDataError, match=r"written as \.csv or \.parquet"):
        aggregate_events(log, output=tmp_path / "pushes.txt")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_event_log_times_with_a_zone_are_read_in_shanghai(tmp_path, fmt):
    """Timestamps written with an offset (+08:00, or UTC) and tz-aware Parquet columns: once they
    crashed the aggregation (``Already tz-aware``)."""
    events = pd.DataFrame(
        {
            "push_id": ["p1", "p1", "p2"],
            "sent_at": ["2024-06-03T20:30:00+08:00", "2024-06-03T20:30:00+08:00", "2024-06-04T12:30:00Z"],
            "opened_at": ["2024-06-03T20:35:00+08:00", None, "2024-06-04T12:31:00Z"],
        }
    )
    path = tmp_path / f"events.{fmt}"
    if fmt == "csv":
        events.to_csv(path, index=False)
    else:
        for column in ("sent_at", "opened_at"):
            events[column] = pd.to_datetime(events[column], utc=True).dt.tz_convert("Asia/Shanghai")
        events.to_parquet(path)
    table = aggregate_events(path).frame.set_index("push_id")
    assert table.loc["p1", "slot"] == "20:30" and table.loc["p2", "slot"] == "20:30"
    assert str(table.loc["p2", "sent_at"]) == "2024-06-04 20:30:00+08:00"
    assert table["delivered"].tolist() == [2, 1] and table["opened"].tolist() == [1, 1]
