"""Real data in: datacube payloads, backend exports and event logs, with their quirks and bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wxtime
from wxtime.aggregate import aggregate_events
from wxtime.cli import main
from wxtime.loaders import (
    curves_from_hourly,
    infer_send_times,
    read_any,
    read_articletotal,
    read_articletotaldetail,
    read_backend_export,
    read_hourly_export,
    read_userreadhour,
    to_articletotal_payloads,
    to_backend_export,
)
from wxtime.schema import PushDataError

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
DAY1 = FIXTURES / "articletotal_2022_shape_2024-07-01.json"
DAY2 = FIXTURES / "articletotal_2022_shape_2024-07-02.json"
HOURLY = FIXTURES / "userreadhour_2024-07-01.json"
SEND_TIMES = {"2024-07-01": "2024-07-01 12:00", "2024-07-02": "2024-07-02 21:00"}


# -- getarticletotal ----------------------------------------------------------------
def test_articletotal_takes_counts_at_the_chosen_age_from_cumulative_details():
    # The 12:00 push's day-1 figure is 12 hours old (end of its day), day 2's 36 hours.
    day1 = read_articletotal([DAY1, DAY2], send_times=SEND_TIMES, age_hours=12).set_index("push_id")
    day2 = read_articletotal([DAY1, DAY2], send_times=SEND_TIMES, age_hours=13).set_index("push_id")
    assert day1.loc["2247485082", "opened"] == 298 and day2.loc["2247485082", "opened"] == 310
    assert day1.loc["2247485082", "age_hours"] == 12 and day2.loc["2247485082", "age_hours"] == 36
    assert day1.loc["2247485082", "delivered"] == 4012
    assert day1.loc["2247485082", "slot"] == "12:00" and day1.loc["2247485090", "slot"] == "21:00"
    assert day1.loc["2247485082", "reads_all"] == 341  # all reads, incl. shares: kept apart from 'opened'


def test_articletotal_counts_pushes_not_articles():
    """A push with two articles is one push: its headline's counts, or both summed."""
    pushes = read_articletotal([DAY1, DAY2], send_times=SEND_TIMES, age_hours=12)
    summary = pushes.attrs["load_summary"]
    assert summary["articles_grouped"] == 1 and summary["pushes"] == 2
    assert pushes.set_index("push_id").loc["2247485082", "opened"] == 298
    both = read_articletotal([DAY1, DAY2], send_times=SEND_TIMES, age_hours=12, positions="all")
    assert both.set_index("push_id").loc["2247485082", "opened"] == 298 + 71


def test_articletotal_too_young_pushes_are_listed_not_mixed_in():
    # 12:00 on 07-01 reaches 60 h at the end of 07-03; 21:00 on 07-02 only 51 h by then.
    pushes = read_articletotal([DAY1, DAY2], send_times=SEND_TIMES, age_hours=60)
    assert pushes["push_id"].tolist() == ["2247485082"]
    summary = pushes.attrs["load_summary"]
    assert summary["too_young"] == ["2247485090"] and summary["skipped"] == {"younger than 60 h": 1}


def test_articletotal_folder_and_inferred_send_times():
    hourly = read_userreadhour(HOURLY)
    pushes = read_articletotal(DAY1, hourly=hourly)
    assert pushes["sent_at_inferred"].all()
    assert pushes["sent_at"].iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="Asia/Shanghai")


def test_articletotal_without_send_times_says_how_to_provide_them():
    with pytest.raises(PushDataError, match="send_times="):
        read_articletotal(DAY1)


def test_the_official_sample_is_refused_for_its_inconsistent_numbers():
    with pytest.raises(
        PushDataError, match=r"field '\$\.list\[0\]\.details\[0\]\.int_page_from_session_read_user'"
    ):
        read_articletotal(
            FIXTURES / "articletotal_official_sample.json", send_times={"2014-12-14": "2014-12-14 20:00"}
        )


def test_error_payloads_and_truncated_files_get_their_own_messages():
    with pytest.raises(PushDataError, match="errcode 45009"):
        read_articletotal(FIXTURES / "errcode.json", send_times=SEND_TIMES)
    with pytest.raises(PushDataError, match=r"not valid JSON \(line 1, column \d+.*truncated"):
        read_articletotal(FIXTURES / "truncated.json", send_times=SEND_TIMES)


def test_missing_fields_are_named_by_json_path(tmp_path):
    payload = json.loads(DAY2.read_text())
    del payload["list"][0]["details"][0]["target_user"]
    with pytest.raises(PushDataError, match=r"field '\$\.list\[0\]\.details\[0\]\.target_user': is missing"):
        read_articletotal(payload, send_times=SEND_TIMES)


# -- getarticletotaldetail -----------------------------------------------------------
def test_articletotaldetail_recovers_deliveries_from_the_delivery_read_rate():
    pushes = read_articletotaldetail(
        FIXTURES / "articletotaldetail_2026-03-09.json",
        send_times={"2026-03-09": "2026-03-09 20:00"},
        age_hours=4,
    )
    row = pushes.iloc[0]
    assert row["opened"] == 2 and row["delivered"] == 29 and bool(row["delivered_inferred"])
    assert row["read_finish_rate"] == pytest.approx(0.6667, abs=1e-4)


# -- getuserreadhour ---------------------------------------------------------------
def test_userreadhour_decodes_hours_drops_stray_dates_and_tolerates_thin_channel_rows():
    hourly = read_userreadhour(HOURLY)
    assert hourly.attrs["stray_rows"] == 1
    assert set(hourly["hour"]) == set(range(24))
    assert set(hourly["user_source"]) == {0, 4, 99999999}
    noon = hourly.query("hour == 12 and user_source == 0")["reads"].iloc[0]
    assert noon == 240
    assert infer_send_times(hourly) == {"2024-07-01": pd.Timestamp("2024-07-01 12:00", tz="Asia/Shanghai")}


def test_read_curve_from_hourly_reads():
    hourly = read_userreadhour(HOURLY)
    pushes = read_articletotal(DAY1, hourly=hourly)
    curves = curves_from_hourly(hourly, pushes)
    assert curves["opened_cum"].tolist()[:3] == [240, 290, 298]
    table = wxtime.rates.read_curves(curves, pushes)
    assert table["share"].iloc[-1] == pytest.approx(1.0)


def test_hourly_backend_export(tmp_path):
    path = tmp_path / "hourly.csv"
    pd.DataFrame(
        {
            "日期": ["2024-07-01"] * 4,
            "小时": ["12", "13", "12", "12"],
            "阅读次数": [250, 55, 300, 9],
            "阅读人数": [240, 50, 290, 8],
            "渠道": ["公众号消息", "公众号消息", "全部", "朋友圈"],
        }
    ).to_csv(path, index=False)
    table = read_hourly_export(path)
    assert table["user_source"].tolist() == [0, 0, 99999999]
    assert table.attrs["other_channels_left_out"] == 1


# -- backend export -------------------------------------------------------------------
def test_backend_export_with_chinese_headers_and_percent_strings(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "内容标题": ["面经"],
            "发表时间": ["2024-07-01 12:03:00"],
            "送达人数": ["4,012"],
            "公众号消息阅读次数": [298],
            "送达阅读率": ["7.43%"],
            "阅读完成率": ["55.10%"],
            "阅读后关注（人）": [3],
        }
    ).to_csv(path, index=False, encoding="utf-8-sig")
    pushes = read_backend_export(path)
    row = pushes.iloc[0]
    assert row["delivered"] == 4012 and row["opened"] == 298 and row["slot"] == "12:00"
    assert row["阅读完成率"] == pytest.approx(0.551)
    assert "阅读后关注（人）" in pushes.columns


def test_backend_export_missing_column_and_gbk(tmp_path):
    missing = tmp_path / "missing.csv"
    pd.DataFrame({"内容标题": ["a"], "发表时间": ["2024-07-01 12:00"], "送达人数": [10]}).to_csv(
        missing, index=False
    )
    with pytest.raises(PushDataError, match=r"column 'opened'.*is required"):
        read_backend_export(missing)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(
        "内容标题,发表时间,送达人数,公众号消息阅读次数\n面经,2024-07-01 12:00,100,7\n".encode("gbk")
    )
    assert read_backend_export(gbk)["opened"].tolist() == [7]  # GBK sniffed
    assert read_backend_export(gbk, encoding="gbk")["opened"].tolist() == [7]
    with pytest.raises(PushDataError, match=r"line 1 is not utf-8 text.*gb18030"):
        read_backend_export(gbk, encoding="utf-8")


def test_backend_export_xlsx(tmp_path):
    path = tmp_path / "export.xlsx"
    pd.DataFrame(
        {
            "内容标题": ["a"],
            "发表时间": ["2024-07-01 21:00"],
            "送达人数": [100],
            "公众号消息阅读次数": [9],
            "送达阅读率": ["9.00%"],
        }
    ).to_excel(path, index=False)
    assert read_backend_export(path)["slot"].tolist() == ["21:00"]


# -- round trips ------------------------------------------------------------------------
def test_round_trip_through_the_backend_export(tmp_path):
    study = wxtime.simulate_rotation(seed=5)
    path = tmp_path / "export.csv"
    to_backend_export(study.pushes).to_csv(path, index=False, encoding="utf-8-sig")
    back = read_backend_export(path, slot_freq="30min")  # the replica has half-hour slots
    for column in ("sent_at", "slot", "delivered", "opened", "title"):
        assert back[column].tolist() == study.pushes[column].tolist(), column


def test_round_trip_through_datacube_json(tmp_path):
    study = wxtime.simulate_rotation(seed=6)
    for i, payload in enumerate(to_articletotal_payloads(study.pushes, study.curves, days=3)):
        (tmp_path / f"day{i:03d}.json").write_text(json.dumps(payload, ensure_ascii=False))
    send_times = {row.push_id: row.sent_at for row in study.pushes.itertuples()}
    back = read_articletotal(tmp_path, send_times=send_times, age_hours=48)  # the end of day 3
    original = study.pushes.set_index("push_id")
    assert back["push_id"].tolist() == study.pushes["push_id"].tolist()
    assert (back["sent_at"].to_numpy() == original["sent_at"].to_numpy()).all()
    assert back["delivered"].tolist() == original["delivered"].tolist()
    # Day 3 ends 60-84 hours after the push: the cumulative count read back is the curve's.
    expected = []
    for row in study.pushes.itertuples():
        end = row.sent_at.normalize() + pd.Timedelta(days=3)
        age = int((end - row.sent_at.floor("h")) / pd.Timedelta(hours=1))
        curve = study.curves[(study.curves["push_id"] == row.push_id) & (study.curves["age_hours"] <= age)]
        expected.append(int(curve["opened_cum"].iloc[-1]))
    assert back["opened"].tolist() == expected


def test_cli_reads_json_payloads_with_send_times(tmp_path, capsys):
    times = tmp_path / "times.csv"
    times.write_text("msgid,sent_at\n2247485082,2024-07-01 12:00\n")
    assert main(["validate", str(DAY1), "--send-times", str(times), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["slots"] == ["12:00"]
    assert main(["validate", str(FIXTURES / "errcode.json")]) == 2
    assert "errcode 45009" in capsys.readouterr().err


def test_read_any_dispatches_and_refuses_hourly_payloads():
    assert len(read_any(DAY1, send_times=SEND_TIMES)) == 1
    with pytest.raises(PushDataError, match=r"hourly reads .getuserreadhour. only"):
        read_any(HOURLY)


# -- event logs -------------------------------------------------------------------------
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
    pushes = aggregate_events(path, age_hours=age).set_index("push_id")
    reference = _pandas_reference(events, age)
    for column in ("delivered", "opened", "read"):
        assert pushes[column].tolist() == reference.loc[pushes.index, column].astype(int).tolist()
    assert pushes.attrs["load_summary"]["events"] == len(events)


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
    pushes = aggregate_events(path, deduplicate=dedup).set_index("push_id")
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
    assert pushes.attrs["load_summary"]["events"] == len(flags)


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
    pushes = aggregate_events(folder, output=out)
    assert pd.read_parquet(out)["delivered"].sum() == len(events)
    doubled = pd.concat([events, events.iloc[:50]])
    doubled.to_parquet(tmp_path / "dup.parquet")
    assert aggregate_events(tmp_path / "dup.parquet")["delivered"].sum() == len(events) + 50
    assert aggregate_events(tmp_path / "dup.parquet", deduplicate=True)["delivered"].sum() == pushes[
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
    table = aggregate_events(path, age_hours=24)
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
    assert len(wxtime.read_pushes(out)) == 4


def test_event_log_with_an_unparseable_time_names_the_row(tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_text("push_id,sent_at,opened_at\np1,2024-07-01 12:00,2024-07-01 12:05\np1,not-a-time,\n")
    with pytest.raises(
        PushDataError, match=r"row 2 \(line 3\), column 'sent_at': 'not-a-time' is not a date-time"
    ):
        aggregate_events(path)
    assert main(["aggregate", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_every_loader_summarises_what_it_loaded_and_left_out(tmp_path, capsys):
    """The issue's item 5: pushes, date range, slots, rows skipped and why, from every loader."""
    folder = tmp_path / "payloads"
    folder.mkdir()
    for day in (DAY1, DAY2):
        (folder / day.name).write_bytes(day.read_bytes())
    times = tmp_path / "times.csv"
    pd.DataFrame({"date": list(SEND_TIMES), "sent_at": list(SEND_TIMES.values())}).to_csv(times, index=False)
    events = tmp_path / "events.parquet"
    _log(n_pushes=3).to_parquet(events)
    export = tmp_path / "export.csv"
    pushes = read_articletotal(folder, send_times=times)
    to_backend_export(pushes).to_csv(export, index=False)
    tables = {
        "getarticletotal": pushes,
        "getarticletotal, 60 h": read_articletotal(folder, send_times=times, age_hours=60),
        "backend export": read_backend_export(export),
        "event log": aggregate_events(events),
        "push table": wxtime.read_pushes(wxtime.datasets.load_study_data()[2]),
    }
    for name, table in tables.items():
        summary = table.attrs["load_summary"]
        assert list(summary)[:6] == ["source", "pushes", "first", "last", "slots", "skipped"], name
        assert summary["pushes"] == len(table) and summary["slots"] == sorted(table["slot"].unique())
        assert summary["first"] == table["sent_at"].min().isoformat()
    assert tables["getarticletotal"].attrs["load_summary"]["skipped"] == {"younger than 48 h": 1}
    assert tables["getarticletotal"].attrs["load_summary"]["articles_grouped"] == 0  # _2 too young: not read
    assert tables["getarticletotal, 60 h"].attrs["load_summary"]["skipped"] == {"younger than 60 h": 1}
    assert tables["event log"].attrs["load_summary"]["skipped"] == {}
    assert main(["validate", str(folder), "--send-times", str(times), "--age-hours", "12"]) == 0
    out = capsys.readouterr().out
    assert "1 article rows folded into their pushes (headline)" in out and "compared at 12 hours" in out


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


@pytest.mark.parametrize("reader", ["read_pushes", "read_backend_export", "read_hourly_export"])
def test_a_broken_workbook_is_named_not_a_pandas_traceback(tmp_path, reader):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    read = getattr(wxtime.loaders, reader) if reader != "read_pushes" else wxtime.read_pushes
    with pytest.raises(PushDataError, match=r"export\.xlsx is not an Excel workbook that can be read"):
        read(path)


def test_aggregate_refuses_an_output_it_cannot_write_before_reading_the_log(tmp_path):
    log = tmp_path / "missing.parquet"  # never read: the output is checked first
    with pytest.raises(PushDataError, match=r"written as \.csv or \.parquet"):
        aggregate_events(log, output=tmp_path / "pushes.txt")


def test_read_pushes_on_a_folder_says_so(tmp_path):
    with pytest.raises(PushDataError, match="is a folder"):
        wxtime.read_pushes(tmp_path)
