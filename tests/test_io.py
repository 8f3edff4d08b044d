"""Reading: the one reader (wxtime.io.read), what it accepts, and how it names what it refuses.

Hand-made inputs for each rule; the download-shaped files written blind to the readers are in
tests/test_exports.py, and the adversarial corpus in tests/test_malformed_inputs.py.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import wxtime
from wxtime.cli import main
from wxtime.errors import InputError, PushDataError
from wxtime.io import read, validate
from wxtime.io.payloads import to_articletotal_payloads
from wxtime.io.sendtimes import infer_push_hours, parse_stated_slots
from wxtime.io.times import format_slot, parse_dates, parse_slot, parse_times_of_day

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
DAY1 = FIXTURES / "articletotal_2022_shape_2024-07-01.json"
DAY2 = FIXTURES / "articletotal_2022_shape_2024-07-02.json"
HOURLY = FIXTURES / "userreadhour_2024-07-01.json"
SEND_TIMES = {"2024-07-01": "2024-07-01 12:00", "2024-07-02": "2024-07-02 21:00"}


def good(**overrides):
    data = {
        "push_id": ["a", "b", "c"],
        "sent_at": ["2024-07-01 12:00", "2024-07-02 21:00", "2024-07-03 12:00"],
        "delivered": [1000, 1000, 1000],
        "opened": [80, 60, 70],
        "read": [40, 30, 35],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def problem_of(frame, **kwargs):
    with pytest.raises(PushDataError) as info:
        validate(frame, source="pushes.csv", **kwargs)
    return str(info.value), info.value.problems


def payload_folder(tmp_path, *files):
    folder = tmp_path / "payloads"
    folder.mkdir(exist_ok=True)
    for path in files:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


# -- the push table ---------------------------------------------------------------------------
def test_clean_input_gives_the_typed_push_table():
    table = validate(good())
    pushes = table.frame
    assert list(pushes.columns[:4]) == ["push_id", "sent_at", "time_source", "slot"]
    assert pushes["delivered"].dtype == "int64"
    assert str(pushes["sent_at"].dt.tz) == "Asia/Shanghai"
    assert pushes["slot"].tolist() == ["12:00", "21:00", "12:00"]
    assert table.level == "push" and table.load["time_sources"] == {"file": 3}


def test_naive_times_are_shanghai_and_aware_times_are_converted():
    pushes = validate(
        good(sent_at=["2024-07-01 04:00+00:00", "2024-07-02 21:00", "2024-07-03T12:00+08:00"])
    ).frame
    assert pushes["slot"].tolist() == ["12:00", "21:00", "12:00"]
    assert pushes["sent_at"].iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="Asia/Shanghai")


def test_chinese_dates_are_read():
    pushes = validate(good(sent_at=["2024年7月1日 12:00", "2024年7月2日 21:00", "2024年7月3日 12:00"])).frame
    assert pushes["sent_at"].dt.day.tolist() == [1, 2, 3]


def test_aliases_and_explicit_mapping():
    frame = pd.DataFrame({"hour": [12, 21], "sent": [100, 100], "送达人数x": [1, 2], "opens": [5, 4]})
    pushes = validate(frame, columns={"slot": "hour", "delivered": "sent"}).frame
    assert pushes["delivered"].tolist() == [100, 100]
    assert pushes["slot"].tolist() == ["12:00", "21:00"]
    chinese = pd.DataFrame({"发表时间": ["2024-07-01 12:00"], "送达人数": [100], "公众号消息阅读人数": [7]})
    assert validate(chinese).frame["opened"].tolist() == [7]
    # Headers people write: 时间, 阅读, 打开数, and units after the numbers.
    plain = pd.DataFrame(
        {"日期": ["2024-06-03"], "时间": ["20:30"], "送达": ["7,816人"], "打开数": ["312次"]}
    )
    pushes = validate(plain).frame
    assert pushes[["slot", "delivered", "opened"]].values.tolist() == [["20:30", 7816, 312]]


def test_of_two_headers_for_one_column_the_push_channel_and_people_are_chosen_and_said():
    both = pd.DataFrame(
        {"日期": ["2024-06-03"], "时间": ["20:30"], "送达人数": [1000], "阅读人数": [70], "阅读次数": [90]}
    )
    table = validate(both)
    assert table.frame["opened"].tolist() == [70]
    assert any("used '阅读人数'" in note for note in table.load["notes"])
    unclear = pd.DataFrame({"sent_at": ["2024-06-03 20:30"], "sent": [10], "opens": [1], "opened": [1]})
    with pytest.raises(PushDataError, match="all mean 'opened'"):
        validate(unclear)


def test_slot_level_file_is_accepted_and_flagged():
    frame = pd.DataFrame({"hour": [9, 12, 21], "sent": [500, 800, 700], "opened": [20, 50, 30]})
    table = validate(frame, columns={"slot": "hour", "delivered": "sent"})
    assert table.level == "slot"
    assert table.frame["push_id"].tolist() == ["P0001", "P0002", "P0003"]


def test_unknown_columns_are_kept_as_covariates():
    pushes = validate(good(campaign=["x", "y", "z"], weekday=[0, 1, 2])).frame
    assert pushes["campaign"].tolist() == ["x", "y", "z"]
    assert pushes["weekday"].tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("overrides", "row", "column", "words"),
    [
        ({"delivered": [1000, "lots", 1000]}, 2, "delivered", "not a number"),
        ({"opened": [80, -1, 70]}, 2, "opened", "negative"),
        ({"opened": [80, 60.5, 70]}, 2, "opened", "whole"),
        ({"opened": [80, 60, 1200]}, 3, "opened", "exceeds delivered"),
        ({"read": [40, 90, 35]}, 2, "read", "exceeds opened"),
        ({"sent_at": ["2024-07-01 12:00", "yesterday-ish", "2024-07-03 12:00"]}, 2, "sent_at", "not a date"),
        (
            {"sent_at": ["2024-07-01 12:00", "03/04/2024 12:00", "2024-07-03 12:00"]},
            2,
            "sent_at",
            "either way round",
        ),
        ({"push_id": ["a", "b", "a"]}, 3, "push_id", "repeats row 1"),
        ({"opened": [80, None, 70]}, 2, "opened", "missing"),
        ({"delivered": [1000, "10万+", 1000]}, 2, "delivered", "rounded display value"),
    ],
)
def test_bad_values_are_named_by_row_and_column(overrides, row, column, words):
    message, problems = problem_of(good(**overrides))
    assert "pushes.csv" in message
    assert f"row {row}" in message
    assert f"column '{column}'" in message
    assert words in message
    assert problems[0].row == row and problems[0].column == column


def test_a_file_names_the_line_a_frame_the_row(tmp_path):
    path = tmp_path / "exports.csv"
    path.write_text("sent_at,delivered,opened\n2024-07-01 12:00,100,5\n2024-07-02 12:00,100,500\n")
    with pytest.raises(PushDataError, match=r"exports\.csv.*\n.*row 2 \(line 3\), column 'opened'"):
        read(path)
    message, _ = problem_of(good(opened=[80, 60, 1200]))
    assert "row 3, column 'opened'" in message and "line" not in message


def test_bad_slot_is_named():
    frame = pd.DataFrame({"slot": ["12:00", "25:00"], "delivered": [10, 10], "opened": [1, 1]})
    message, _ = problem_of(frame)
    assert "row 2" in message and "column 'slot'" in message


def test_missing_required_column_says_how_to_map_it_and_never_suggests_a_used_header():
    message, _ = problem_of(pd.DataFrame({"sent_at": ["2024-07-01 12:00"], "sends": [10], "o": [1]}))
    assert "column 'opened'" in message and "is required" in message and "--columns" in message
    english = pd.DataFrame({"Date": ["2024-06-03"], "Send Time": ["20:30"], "Views": [5], "Clicks": [1]})
    message, _ = problem_of(english)
    assert "column 'delivered'" in message
    for taken in ("delivered=Views", "delivered=Date", "delivered=Send Time", "'delivered=Send Time'"):
        assert taken not in message
    spaced = pd.DataFrame({"Date": ["2024-06-03"], "Send Time": ["20:30"], "Open Count": [5], "Sent": [10]})
    message, _ = problem_of(spaced)
    assert "--columns 'opened=Open Count'" in message  # quoted for a shell


def test_explicit_mapping_to_an_absent_header_is_an_error():
    message, _ = problem_of(good(), columns={"delivered": "sent"})
    assert "'sent'" in message and "not in the file" in message


def test_duplicate_push_ids_are_fine_across_groups_but_not_within():
    split = good(push_id=["d1", "d1", "d2"], group=["A", "B", "A"])
    assert len(validate(split)) == 3
    message, _ = problem_of(good(push_id=["d1", "d1", "d2"], group=["A", "A", "B"]))
    assert "repeats row 1 within its group" in message


def test_a_repeated_push_id_under_any_alias_names_both_rows():
    sheet = good().rename(columns={"push_id": "推送编号"}).assign(推送编号=["T1", "T2", "T1"])
    message, _ = problem_of(sheet)
    assert "row 3" in message and "'推送编号' (push_id)" in message and "repeats row 1" in message


def test_an_identical_row_is_counted_once_and_said():
    sheet = pd.concat([good(), good().iloc[[1]]], ignore_index=True).drop(columns="push_id")
    table = validate(sheet)
    assert len(table) == 3
    assert table.load["skipped"] == {"duplicate_rows": 1}
    assert any("row 4 repeats row 2" in note for note in table.load["notes"])


def test_loose_funnel_allows_reads_above_opens():
    frame = good(read=[40, 90, 35])
    assert validate(frame, strict_funnel=False).frame["read"].tolist() == [40, 90, 35]


def test_every_problem_is_reported_not_just_the_first():
    _, problems = problem_of(good(opened=[-1, "x", 5000]))
    assert [p.row for p in problems] == [1, 2, 3]


def test_empty_input():
    message, _ = problem_of(good().iloc[:0])
    assert "has no rows" in message


# -- times, dates and slots ---------------------------------------------------------------------
@given(st.integers(min_value=0, max_value=24 * 60 - 1))
def test_slot_format_and_parse_round_trip(minutes):
    hour = minutes / 60
    assert parse_slot(format_slot(hour)) == pytest.approx(hour)


@given(st.integers(min_value=0, max_value=23))
def test_wechat_ref_hour_encoding(hour):
    assert parse_slot(hour * 100 if hour else 0) == hour


@given(st.text(max_size=8))
def test_slot_parser_never_crashes_unexpectedly(text):
    try:
        value = parse_slot(text)
    except InputError:
        return
    assert 0 <= value < 24


def test_times_of_day_as_people_write_them():
    written = [
        "7点",
        "上午7:30",
        "晚上9点半",
        "19:30:00",
        "7:30 PM",
        "12:00 PM",
        "中午12点",
        "20:00-21:00",
        "20点~21点",
    ]
    assert parse_times_of_day(written).tolist() == [420, 450, 1290, 1170, 1170, 720, 720, 1200, 1200]
    # Excel times saved as numbers are fractions of a day: 0.875 is 21:00 (a bare 21 is an hour).
    assert parse_times_of_day([0.875, 0.5]).tolist() == [1260.0, 720.0]
    assert parse_times_of_day([21, 12]).tolist() == [1260.0, 720.0]


def test_dates_as_exports_write_them():
    """Reference values: Excel's serial 45446 is 2024-06-03 (Excel: =DATE(2024,6,3) formatted as a
    number); 20220329-style numbers are the real 已通知内容 export's 发表时间 (reference notes, 1.10)."""
    parsed = parse_dates(["2024-06-03", "2024年6月4日", 20240329, 45446, "6月7日", "2024.6.8"])
    assert [str(d.date()) for d in parsed.values] == [
        "2024-06-03",
        "2024-06-04",
        "2024-03-29",
        "2024-06-03",
        "2024-06-07",
        "2024-06-08",
    ]
    # A year-less date needs a year: from other dates only when they agree.
    assert parse_dates(["6月3日"]).errors[0].endswith("give it with --year (e.g. --year 2024)")
    assert str(parse_dates(["6月3日"], year=2023).values[0].date()) == "2023-06-03"
    assert parse_dates(["6月3日", "2023-06-04", "2024-06-05"]).errors[0] is not None
    # Day and month: one order for the whole column, told by any day above 12, or by --date-format.
    assert [str(d.date()) for d in parse_dates(["03/06/2024", "25/06/2024"]).values] == [
        "2024-06-03",
        "2024-06-25",
    ]
    assert [str(d.date()) for d in parse_dates(["06/03/2024", "06/25/2024"]).values] == [
        "2024-06-03",
        "2024-06-25",
    ]
    assert str(parse_dates(["06/03/2024"], date_format="%d/%m/%Y").values[0].date()) == "2024-03-06"


def test_year_less_and_us_dates_in_a_file_are_refused_once_with_the_option(tmp_path):
    path = tmp_path / "sheet.csv"
    rows = "\n".join(f"{m}/{d}/2024,20:30,1000,50" for m, d in [(6, 3), (6, 4), (6, 5), (6, 6), (6, 7)])
    path.write_text("日期,时间,送达,阅读\n" + rows + "\n")
    with pytest.raises(PushDataError, match=r"5 dates could be read day/month or month/day.*--date-format"):
        read(path)
    table = read(path, date_format="%m/%d/%Y")
    assert table.frame["sent_at"].dt.strftime("%m-%d").tolist()[:2] == ["06-03", "06-04"]


def test_excel_serial_dates_and_day_fractions(tmp_path):
    path = tmp_path / "serials.xlsx"
    pd.DataFrame(
        {"日期": [45446, 45447], "时间": [0.875, 0.5], "送达": [1000, 1000], "阅读": [50, 40]}
    ).to_excel(path, index=False)
    pushes = read(path).frame
    assert pushes["sent_at"].astype(str).tolist() == [
        "2024-06-03 21:00:00+08:00",
        "2024-06-04 12:00:00+08:00",
    ]


# -- sheets as people keep them -------------------------------------------------------------------
def test_sheets_as_people_keep_them_blank_and_total_rows_title_rows_and_notes_sheets(tmp_path):
    """A hand-kept sheet: a title above the header, a notes sheet first, a blank row, a 合计 row."""
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["这张表记录每天的推送"])
    data = book.create_sheet("推送记录")
    data.append(["2024年9月 推送记录（运营部）"])
    data.append([])
    data.append(["日期", "发送时间", "送达人数", "阅读人数"])
    data.append(["2024/09/02", "晚上9点", 1000, 70])
    data.append(["2024/09/03", "12:00", 1000, 50])
    data.append([None, None, None, None])
    data.append(["2024/09/04", "21:00", 1000, 72])
    data.append(["合计", None, 3000, 192])
    path = tmp_path / "records.xlsx"
    book.save(path)
    table = read(path)
    assert table.frame["slot"].tolist() == ["21:00", "12:00", "21:00"]
    # The blank row inside the data is not a row of the table; the 合计 row is left out and said.
    assert table.load["skipped"] == {"total_rows": 1}
    assert any("'说明'" in note for note in table.load["notes"])
    assert any("row 3" in note for note in table.load["notes"])
    # A problem names the sheet and the row the user sees in Excel.
    data["D4"] = "x"
    book.save(path)
    with pytest.raises(
        PushDataError,
        match=r"sheet '推送记录', row 1 \(sheet row 4\), column '阅读人数' \(opened\): 'x' is not a number",
    ):
        read(path)


def test_a_workbook_with_one_sheet_per_month_gives_every_push(tmp_path):
    path = tmp_path / "months.xlsx"
    with pd.ExcelWriter(path) as writer:
        for month in (6, 7):
            pd.DataFrame(
                {
                    "日期": [f"2024-{month:02d}-{d:02d}" for d in (3, 4, 5)],
                    "时间": ["20:30"] * 3,
                    "送达": [1000] * 3,
                    "阅读": [50, 60, 70],
                }
            ).to_excel(writer, sheet_name=f"2024-{month:02d}", index=False)
    table = read(path)
    assert len(table) == 6
    assert any("read 2 sheets" in note for note in table.load["notes"])
    assert len(read(path, sheet="2024-07")) == 3


def test_sheets_with_different_push_tables_are_refused_by_name(tmp_path):
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"日期": ["2024-06-03"], "时间": ["20:30"], "送达": [1], "阅读": [1]}).to_excel(
            writer, sheet_name="A", index=False
        )
        pd.DataFrame({"sent_at": ["2024-06-03 20:30"], "delivered": [1], "opened": [1], "x": [0]}).to_excel(
            writer, sheet_name="B", index=False
        )
    with pytest.raises(PushDataError, match=r"different columns on several sheets.*'A'.*'B'.*--sheet"):
        read(path)


def test_files_named_as_excel_that_are_not_are_read_for_what_they_are(tmp_path):
    fake = tmp_path / "export.xlsx"
    fake.write_text("日期,发送时间,送达人数,阅读人数\n2024/09/02,21:00,1000,70\n", encoding="utf-8")
    table = read(fake)
    assert len(table) == 1 and "read as text (CSV) despite its .xlsx name" in table.load["notes"]
    html = tmp_path / "export.xls"
    html.write_text("<html><table><tr><td>x</td></tr></table></html>")
    with pytest.raises(PushDataError, match=r"export\.xls is an HTML page"):
        read(html)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(PushDataError, match=r"broken\.xlsx is not an Excel workbook that can be read"):
        read(broken)
    typo = tmp_path / "typo.csv"
    typo.write_text("日期,发送时间,送达人说,阅读人数\n2024/09/02,21:00,1000,70\n", encoding="utf-8")
    with pytest.raises(PushDataError, match=r"closest in the file: '送达人说'.*--columns delivered=送达人说"):
        read(typo)
    with pytest.raises(PushDataError, match=r"^\S*nope\.csv does not exist$"):
        read(tmp_path / "nope.csv")


def test_encodings_delimiters_and_a_line_too_long(tmp_path, monkeypatch):
    path = tmp_path / "semi.csv"
    path.write_bytes("\ufeff发表时间;送达人数;公众号消息阅读人数\n2024-07-01 12:00;100;5\n".encode())
    assert read(path).frame["opened"].tolist() == [5]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("发表时间,送达人数,公众号消息阅读人数\n2024-07-01 12:00,100,5\n".encode("gbk"))
    sniffed = read(gbk)  # Excel on Chinese Windows saves GBK: read as GB18030, and said so
    assert sniffed.frame["delivered"].tolist() == [100]
    assert any("gb18030" in note for note in sniffed.load["notes"])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"slot,delivered,opened\n12,100,5\n21,\x80\xff,6\n")
    with pytest.raises(PushDataError, match=r"line 3 is not utf-8-sig text"):
        read(bad)
    with pytest.raises(InputError, match="klingon"):
        read(path, encoding="klingon-8")
    import wxtime.io.files as files

    monkeypatch.setattr(files, "MAX_LINE_BYTES", 100)
    long = tmp_path / "long.csv"
    long.write_text("sent_at,delivered,opened\n2024-07-01 12:00,100," + "9" * 500 + "\n")
    with pytest.raises(PushDataError, match=r"long\.csv line 2 is longer than"):
        files.read_table(long)


def test_articles_without_positions_are_summed_not_picked_by_row_order():
    """Two articles per push, listed second-then-headline: without positions no row can be trusted
    to be the headline, so the push's reads are summed, and the summary says so."""
    sheet = pd.DataFrame(
        {
            "内容标题": ["b2", "b1", "a2", "a1"],
            "发表时间": ["2024-09-03 21:00:05"] * 2 + ["2024-09-02 12:00:04"] * 2,
            "送达人数": [1000, 1000, 1000, 1000],
            "公众号消息阅读次数": [10, 70, 8, 50],
        }
    )
    table = validate(sheet)
    assert sorted(table.frame["opened"].tolist()) == [58, 80]
    assert table.load["positions"] == "all" and table.load["articles_grouped"] == 2
    assert any("headline cannot be told" in note for note in table.load["notes"])
    with_positions = validate(sheet.assign(位置=[2, 1, 2, 1]))
    assert sorted(with_positions.frame["opened"].tolist()) == [50, 70]


# -- send times from elsewhere -------------------------------------------------------------------------
def notified_export(tmp_path, times=("20240603", "20240604", "20240605")):
    path = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "内容标题": ["a", "b", "c"],
            "发表时间": list(times),
            "送达人数": [1000, 1010, 1020],
            "公众号消息阅读次数": [50, 60, 70],
            "内容url": [f"http://mp.weixin.qq.com/s?__biz=X&mid=22474{i}&idx=1&sn=s" for i in range(3)],
        }
    ).to_csv(path, index=False)
    return path


def test_a_date_only_export_needs_send_times_and_says_the_three_ways(tmp_path):
    path = notified_export(tmp_path)
    with pytest.raises(PushDataError) as info:
        read(path)
    message = str(info.value)
    assert "column '发表时间' (sent_at)" in message
    assert "--send-times" in message and "流量分析" in message and "--slot" in message


def test_send_times_from_a_log_a_stated_slot_or_a_range(tmp_path):
    path = notified_export(tmp_path)
    log = tmp_path / "log.csv"
    log.write_text("日期,群发时间\n2024/6/3,20:29:41\n2024/6/4,20:30\n2024/6/5,12:00:07\n")
    table = read(path, send_times=log)
    assert table.frame["slot"].tolist() == ["20:30", "20:30", "12:00"]
    assert table.load["time_sources"] == {"log": 3}
    stated = read(path, slots=["20:30", "2024-06-05..2024-06-30=12:00"])
    assert stated.frame["slot"].tolist() == ["20:30", "20:30", "12:00"]
    assert stated.load["time_sources"] == {"stated": 3}
    # The log passed as a second file is recognised as a log.
    assert read([path, log]).frame["slot"].tolist() == ["20:30", "20:30", "12:00"]


def test_a_log_keyed_by_title_or_msgid(tmp_path):
    path = notified_export(tmp_path)
    by_title = tmp_path / "titles.csv"
    by_title.write_text(
        "标题,发布时间\na,2024年06月03日 20:00\nb,2024年06月04日 21:00\nc,2024年06月05日 20:00\n"
    )
    assert read(path, send_times=by_title).frame["slot"].tolist() == ["20:00", "21:00", "20:00"]
    by_id = tmp_path / "ids.csv"
    by_id.write_text(
        "msgid,send_time\n224740_1,2024-06-03 07:30\n224741,2024-06-04 07:30\n224742,2024-06-05 22:00\n"
    )
    assert read(path, send_times=by_id).frame["slot"].tolist() == ["07:30", "07:30", "22:00"]


def test_a_send_log_far_from_the_data_is_the_wrong_log(tmp_path):
    path = notified_export(tmp_path)
    log = tmp_path / "old.csv"
    log.write_text("日期,群发时间\n2022/12/3,20:30\n2022/12/4,20:30\n")
    with pytest.raises(PushDataError, match=r"old\.csv is dated 2022-12-03\.\.2022-12-04.*days apart"):
        read(path, send_times=log)


def test_stated_slots_are_checked():
    assert [s.minutes for s in parse_stated_slots(["晚上8点半"])] == [1230.0]
    with pytest.raises(InputError, match="overlap"):
        parse_stated_slots(["2024-06-01..2024-06-30=20:30", "2024-06-15..2024-07-15=12:00"])
    with pytest.raises(InputError, match="neither a time of day"):
        parse_stated_slots(["noonish"])


def hourly_day(push_hour: int, background=20, peak=600, seed=0):
    """A day of push-channel reads: old articles read at every hour, a jump at the push hour."""
    rng = np.random.default_rng(seed)
    curve = np.array(
        [
            0.5,
            0.3,
            0.2,
            0.2,
            0.2,
            0.3,
            0.8,
            1.2,
            1.4,
            1.2,
            1.1,
            1.2,
            1.5,
            1.3,
            1.1,
            1.0,
            1.0,
            1.1,
            1.3,
            1.5,
            1.6,
            1.7,
            1.4,
            0.9,
        ]
    )
    reads = rng.poisson(background * curve).astype(float)
    decay = peak * np.array([1.0, 0.35, 0.12, 0.05])
    for k, extra in enumerate(decay):
        if push_hour + k < 24:
            reads[push_hour + k] += extra
    return reads


@pytest.mark.parametrize("push_hour", [7, 8, 12, 18, 21, 22])
def test_the_push_hour_is_found_at_the_jump_not_at_the_first_read(push_hour):
    reads = hourly_day(push_hour, seed=push_hour)
    hourly = pd.DataFrame(
        {"date": pd.Timestamp("2024-06-03"), "hour": range(24), "user_source": 0, "reads": reads}
    )
    table = infer_push_hours(hourly).table
    assert table["sure"].iloc[0] and table["hour"].iloc[0] == push_hour


def test_a_day_without_a_clear_jump_is_left_to_the_user():
    reads = hourly_day(20, peak=25, seed=1)  # a push that barely rose above the background
    hourly = pd.DataFrame(
        {"date": pd.Timestamp("2024-06-03"), "hour": range(24), "user_source": 0, "reads": reads}
    )
    table = infer_push_hours(hourly).table
    assert not table["sure"].iloc[0] and table["why"].iloc[0]


# -- datacube payloads ----------------------------------------------------------------------------------
def test_articletotal_takes_counts_at_the_chosen_age_from_cumulative_details(tmp_path):
    folder = payload_folder(tmp_path, DAY1, DAY2)
    # The 12:00 push's day-1 figure is 12 hours old (end of its day), day 2's 36 hours.
    day1 = read(folder, send_times=SEND_TIMES, age_hours=12).frame.set_index("push_id")
    day2 = read(folder, send_times=SEND_TIMES, age_hours=13).frame.set_index("push_id")
    assert day1.loc["2247485082", "opened"] == 298 and day2.loc["2247485082", "opened"] == 310
    assert day1.loc["2247485082", "age_hours"] == 12 and day2.loc["2247485082", "age_hours"] == 36
    assert day1.loc["2247485082", "delivered"] == 4012
    assert day1.loc["2247485082", "slot"] == "12:00" and day1.loc["2247485090", "slot"] == "21:00"
    assert day1.loc["2247485082", "reads_all"] == 341  # all reads, incl. shares: kept apart from 'opened'


def test_articletotal_counts_pushes_not_articles(tmp_path):
    """A push with two articles is one push: its headline's counts, or both summed."""
    folder = payload_folder(tmp_path, DAY1, DAY2)
    table = read(folder, send_times=SEND_TIMES, age_hours=12)
    assert table.load["articles_grouped"] == 1 and table.load["pushes"] == 2
    assert table.frame.set_index("push_id").loc["2247485082", "opened"] == 298
    both = read(folder, send_times=SEND_TIMES, age_hours=12, positions="all")
    assert both.frame.set_index("push_id").loc["2247485082", "opened"] == 298 + 71


def test_articletotal_too_young_pushes_are_listed_not_mixed_in(tmp_path):
    # 12:00 on 07-01 reaches 60 h at the end of 07-03; 21:00 on 07-02 only 51 h by then.
    table = read(payload_folder(tmp_path, DAY1, DAY2), send_times=SEND_TIMES, age_hours=60)
    assert table.frame["push_id"].tolist() == ["2247485082"]
    assert table.load["skipped"] == {"too_young": 1} and table.load["age_hours"] == 60


def test_payloads_with_hourly_reads_infer_send_times_and_read_curves(tmp_path):
    table = read(payload_folder(tmp_path, DAY1, HOURLY))
    assert table.frame["time_source"].tolist() == ["inferred"]
    assert table.frame["sent_at"].iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="Asia/Shanghai")
    assert table.curves["opened_cum"].tolist()[:3] == [240, 290, 298]
    assert wxtime.rates.read_curves(table.curves, table)["share"].iloc[-1] == pytest.approx(1.0)


def test_payloads_without_send_times_say_how_to_give_them(tmp_path):
    with pytest.raises(PushDataError, match=r"--send-times.*--slot"):
        read(payload_folder(tmp_path, DAY1))


def test_the_official_sample_is_refused_for_its_inconsistent_numbers():
    with pytest.raises(
        PushDataError, match=r"field '\$\.list\[0\]\.details\[0\]\.int_page_from_session_read_user'"
    ):
        read(FIXTURES / "articletotal_official_sample.json", send_times={"2014-12-14": "2014-12-14 20:00"})


def test_error_responses_are_skipped_and_said_and_truncated_files_named(tmp_path):
    folder = payload_folder(tmp_path, DAY1, DAY2, FIXTURES / "errcode.json")
    table = read(folder, send_times=SEND_TIMES, age_hours=12)
    assert len(table) == 2 and table.load["skipped"]["error_responses"] == 1
    assert any("errcode.json (errcode 45009" in note for note in table.load["notes"])
    with pytest.raises(
        PushDataError, match=r"field '\$\.errcode': is an error response saved as data \(errcode 45009"
    ):
        read(FIXTURES / "errcode.json")
    with pytest.raises(PushDataError, match=r"not valid JSON \(line 1, column \d+.*truncated"):
        read(FIXTURES / "truncated.json", send_times=SEND_TIMES)


def test_a_payload_downloaded_twice_is_read_once_and_said(tmp_path):
    folder = payload_folder(tmp_path, DAY1, DAY2)
    (folder / f"{DAY1.stem} (1).json").write_bytes(DAY1.read_bytes())
    table = read(folder, send_times=SEND_TIMES, age_hours=12, positions="all")
    assert table.frame.set_index("push_id").loc["2247485082", "opened"] == 298 + 71
    assert table.load["skipped"]["payload_downloaded_twice"] == 1


def test_bare_list_payloads_as_api_clients_return_them(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    for path in (DAY1, DAY2):
        (folder / path.name).write_text(json.dumps(json.loads(path.read_text())["list"]))
    (folder / "empty_day.json").write_text("[]")
    assert len(read(folder, send_times=SEND_TIMES, age_hours=12)) == 2


def test_missing_fields_are_named_by_json_path(tmp_path):
    payload = json.loads(DAY2.read_text())
    del payload["list"][0]["details"][0]["target_user"]
    path = tmp_path / "day2.json"
    path.write_text(json.dumps(payload))
    with pytest.raises(PushDataError, match=r"field '\$\.list\[0\]\.details\[0\]\.target_user': is missing"):
        read(path, send_times=SEND_TIMES)


def test_articletotaldetail_recovers_deliveries_from_the_delivery_read_rate():
    table = read(
        FIXTURES / "articletotaldetail_2026-03-09.json",
        send_times={"2026-03-09": "2026-03-09 20:00"},
        age_hours=4,
    )
    row = table.frame.iloc[0]
    assert row["opened"] == 2 and row["delivered"] == 29 and bool(row["delivered_inferred"])
    assert row["read_finish_rate"] == pytest.approx(0.6667, abs=1e-4)


def test_hourly_reads_alone_are_not_pushes():
    with pytest.raises(PushDataError, match="holds hourly reads: the push figures are needed too"):
        read(HOURLY)


def test_round_trip_through_datacube_json(tmp_path):
    study = wxtime.simulate_rotation(seed=6)
    for i, payload in enumerate(to_articletotal_payloads(study.pushes, study.curves, days=3)):
        (tmp_path / f"day{i:03d}.json").write_text(json.dumps(payload, ensure_ascii=False))
    send_times = {row.push_id: row.sent_at for row in study.pushes.itertuples()}
    back = read(tmp_path, send_times=send_times, age_hours=48).frame  # the end of day 3
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


# -- backend exports -------------------------------------------------------------------------------------
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
    row = read(path).frame.iloc[0]
    assert row["delivered"] == 4012 and row["opened"] == 298 and row["slot"] == "12:00"
    assert row["阅读完成率"] == pytest.approx(0.551)


def test_an_export_without_push_reads_takes_opens_from_the_delivery_read_rate(tmp_path):
    """The 2026 total_*.xls has 阅读人数 (every channel) but no 公众号消息阅读次数: opens are
    送达阅读率 x 送达人数, by the export's own definition of 送达阅读率."""
    path = tmp_path / "total.csv"
    pd.DataFrame(
        {
            "标题": ["a"],
            "发表时间": ["2024-07-01 12:00"],
            "阅读人数": [400],
            "送达人数": [5000],
            "送达阅读率": ["6.00%"],
            "内容url": ["http://mp.weixin.qq.com/s?__biz=X&mid=1&idx=1&sn=s"],
        }
    ).to_csv(path, index=False)
    table = read(path)
    assert table.frame["opened"].tolist() == [300] and table.frame["阅读人数"].tolist() == [400]
    assert any("送达阅读率 x 送达人数" in note for note in table.load["notes"])


def test_round_trip_through_the_backend_export(tmp_path):
    from wxtime.io.exports import to_notified_export

    study = wxtime.simulate_rotation(seed=5)
    path = tmp_path / "export.csv"
    to_notified_export(study.pushes).to_csv(path, index=False, encoding="utf-8-sig")
    back = read(path, slot_freq="30min").frame  # the replica has half-hour slots
    for column in ("sent_at", "slot", "delivered", "opened", "title"):
        assert back[column].tolist() == study.pushes[column].tolist(), column


def test_a_daily_traffic_export_holds_no_pushes(tmp_path):
    path = tmp_path / "daily.csv"
    pd.DataFrame({"日期": ["2024-07-01"], "阅读人数": [5], "渠道": ["全部"]}).to_csv(path, index=False)
    with pytest.raises(PushDataError, match="daily reads by channel"):
        read(path)


# -- several files and the summary ------------------------------------------------------------------------
def test_a_push_in_two_files_is_counted_once_and_conflicts_are_errors(tmp_path):
    first, second = tmp_path / "june.csv", tmp_path / "june_again.csv"
    good().to_csv(first, index=False)
    good().iloc[1:].to_csv(second, index=False)
    table = read([first, second])
    assert len(table) == 3 and table.load["skipped"] == {"in_two_files": 2}
    good(opened=[80, 61, 70]).to_csv(second, index=False)
    with pytest.raises(PushDataError, match=r"also in june\.csv with other figures"):
        read([first, second])


def test_every_reader_summarises_what_it_read_and_left_out(tmp_path, capsys):
    folder = payload_folder(tmp_path, DAY1, DAY2)
    times = tmp_path / "times.csv"
    pd.DataFrame({"date": list(SEND_TIMES), "sent_at": list(SEND_TIMES.values())}).to_csv(times, index=False)
    tables = {
        "getarticletotal": read(folder, send_times=times),
        "push table": read(wxtime.datasets.data_dir() / "noon_study.csv"),
    }
    for name, table in tables.items():
        load = table.load
        assert list(load)[:9] == [
            "source",
            "pushes",
            "first",
            "last",
            "slots",
            "slot_pushes",
            "totals",
            "time_sources",
            "skipped",
        ], name
        assert load["pushes"] == len(table) and load["slots"] == sorted(table.frame["slot"].unique())
        assert load["first"] == table.frame["sent_at"].min().isoformat()
        assert load["files"] and all(len(f["sha256"]) == 64 for f in load["files"])
    assert tables["getarticletotal"].load["skipped"] == {"too_young": 1}
    assert main(["validate", str(folder), "--send-times", str(times), "--age-hours", "12"]) == 0
    out = capsys.readouterr().out
    assert "1 article rows folded into their pushes (the headline's counts)" in out
    assert "compared at 12 hours" in out


def test_the_load_summary_reads_in_chinese(tmp_path, capsys):
    sheet = tmp_path / "s.csv"
    pd.DataFrame(
        {"日期": ["2024-06-03", "合计"], "时间": ["20:30", None], "送达": [100, 100], "阅读": [5, 5]}
    ).to_csv(sheet, index=False)
    assert main(["validate", str(sheet), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "读取成功" in out and "未纳入：1（合计或平均行）" in out


def test_iso_fast_path_reads_as_the_general_parser():
    """A column that is all ISO goes through Arrow's parser in one pass; the same values
    with one non-ISO row go through the general path, and the ISO rows read the same."""
    from wxtime.io.times import parse_datetimes

    iso = ["2024-06-03 20:29:41", "2024-06-04T08:00", "2024-06-05", " 2024-06-06 12:00:30.5 "]
    fast = parse_datetimes(pd.Series(iso, dtype="string[pyarrow]"))
    slow = parse_datetimes(pd.Series([*iso, "6月7日 12:00"], dtype=object), year=2024)
    assert list(fast.stamps) == list(slow.stamps[:4])
    np.testing.assert_array_equal(fast.timed, slow.timed[:4])
    np.testing.assert_allclose(fast.minutes, slow.minutes[:4], equal_nan=True)
    assert fast.timed.tolist() == [True, True, False, True]
    # a column of dates written with a zero clock is dates, on both paths
    zeros = parse_datetimes(pd.Series(["2024-06-03 00:00:00"] * 3))
    assert not zeros.timed.any()


def test_columns_rescue_a_sheet_whose_count_headers_wxtime_does_not_know(tmp_path):
    """A sheet with dates, times and two unknown count headers was taken for a send log, and
    --columns could not say otherwise; now the mapping decides, and without it the message
    says how."""
    path = tmp_path / "unk.csv"
    path.write_text(
        "日期,推送时间,人数甲,人数乙\n2024-06-01,12:00,1000,50\n2024-06-02,21:00,1000,60\n"
        "2024-06-03,12:00,1000,55\n2024-06-04,21:00,1000,62\n",
        encoding="utf-8",
    )
    with pytest.raises(PushDataError, match="--columns delivered=<header>,opened=<header>"):
        read(path)
    table = read(path, columns={"delivered": "人数甲", "opened": "人数乙"})
    assert table.frame["opened"].tolist() == [50, 60, 55, 62]
    assert table.frame["slot"].tolist() == ["12:00", "21:00", "12:00", "21:00"]
