"""The push table's validator: what it accepts, and how it names what it rejects."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wxtime.schema import (
    InputError,
    PushDataError,
    format_slot,
    read_pushes,
    slot_to_hour,
    validate_pushes,
)


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
        validate_pushes(frame, source="pushes.csv", **kwargs)
    return str(info.value), info.value.problems


def test_clean_input_gives_the_typed_push_table():
    pushes = validate_pushes(good())
    assert list(pushes.columns[:6]) == ["push_id", "sent_at", "slot", "slot_hour", "delivered", "opened"]
    assert pushes["delivered"].dtype == "int64"
    assert str(pushes["sent_at"].dt.tz) == "Asia/Shanghai"
    assert pushes["slot"].tolist() == ["12:00", "21:00", "12:00"]
    assert pushes.attrs["level"] == "push"


def test_naive_times_are_shanghai_and_aware_times_are_converted():
    pushes = validate_pushes(
        good(sent_at=["2024-07-01 04:00+00:00", "2024-07-02 21:00", "2024-07-03T12:00+08:00"])
    )
    assert pushes["slot"].tolist() == ["12:00", "21:00", "12:00"]
    assert pushes["sent_at"].iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="Asia/Shanghai")


def test_chinese_dates_are_read():
    pushes = validate_pushes(good(sent_at=["2024年7月1日 12:00", "2024年7月2日 21:00", "2024年7月3日 12:00"]))
    assert pushes["sent_at"].dt.day.tolist() == [1, 2, 3]


def test_aliases_and_explicit_mapping():
    frame = pd.DataFrame({"hour": [12, 21], "sent": [100, 100], "送达人数x": [1, 2], "opens": [5, 4]})
    pushes = validate_pushes(frame, columns={"slot": "hour", "delivered": "sent"})
    assert pushes["delivered"].tolist() == [100, 100]
    assert pushes["slot"].tolist() == ["12:00", "21:00"]
    chinese = pd.DataFrame({"发表时间": ["2024-07-01 12:00"], "送达人数": [100], "公众号消息阅读人数": [7]})
    assert validate_pushes(chinese)["opened"].tolist() == [7]


def test_slot_level_file_is_accepted_and_flagged():
    frame = pd.DataFrame({"hour": [9, 12, 21], "sent": [500, 800, 700], "opened": [20, 50, 30]})
    pushes = validate_pushes(frame, columns={"slot": "hour", "delivered": "sent"})
    assert pushes.attrs["level"] == "slot"
    assert pushes["push_id"].tolist() == ["P0001", "P0002", "P0003"]


def test_unknown_columns_are_kept_as_covariates():
    pushes = validate_pushes(good(campaign=["x", "y", "z"], weekday=[0, 1, 2]))
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
        ({"sent_at": ["2024-07-01 12:00", "yesterday-ish", "2024-07-03 12:00"]}, 2, "sent_at", "date-time"),
        (
            {"sent_at": ["2024-07-01 12:00", "03/04/2024 12:00", "2024-07-03 12:00"]},
            2,
            "sent_at",
            "ambiguous",
        ),
        ({"push_id": ["a", "b", "a"]}, 3, "push_id", "repeats row 1"),
        ({"opened": [80, None, 70]}, 2, "opened", "missing"),
        ({"delivered": [1000, "10万+", 1000]}, 2, "delivered", "rounded display value"),
    ],
)
def test_bad_values_are_named_by_row_and_column(overrides, row, column, words):
    message, problems = problem_of(good(**overrides))
    assert "pushes.csv" in message
    assert f"row {row} (line {row + 1})" in message
    assert f"column '{column}'" in message
    assert words in message
    assert problems[0].row == row and problems[0].column == column


def test_bad_slot_is_named():
    frame = pd.DataFrame({"slot": ["12:00", "25:00"], "delivered": [10, 10], "opened": [1, 1]})
    message, _ = problem_of(frame)
    assert "row 2" in message and "column 'slot'" in message


def test_missing_required_column_says_how_to_map_it():
    message, _ = problem_of(pd.DataFrame({"sent_at": ["2024-07-01 12:00"], "sends": [10], "o": [1]}))
    assert "column 'opened'" in message and "is required" in message and "--columns" in message


def test_explicit_mapping_to_an_absent_header_is_an_error():
    message, _ = problem_of(good(), columns={"delivered": "sent"})
    assert "'sent'" in message and "not in the file" in message


def test_duplicate_push_ids_are_fine_across_groups_but_not_within():
    split = good(push_id=["d1", "d1", "d2"], group=["A", "B", "A"])
    assert len(validate_pushes(split)) == 3
    message, _ = problem_of(good(push_id=["d1", "d1", "d2"], group=["A", "A", "B"]))
    assert "repeats row 1 within its group" in message


def test_loose_funnel_allows_reads_above_opens():
    frame = good(read=[40, 90, 35])
    assert validate_pushes(frame, strict_funnel=False)["read"].tolist() == [40, 90, 35]


def test_every_problem_is_reported_not_just_the_first():
    _, problems = problem_of(good(opened=[-1, "x", 5000]))
    assert [p.row for p in problems] == [1, 2, 3]


def test_empty_input():
    message, _ = problem_of(good().iloc[:0])
    assert "has no rows" in message


def test_read_pushes_errors_name_the_file(tmp_path):
    path = tmp_path / "exports.csv"
    path.write_text("sent_at,delivered,opened\n2024-07-01 12:00,100,5\n2024-07-02 12:00,100,500\n")
    with pytest.raises(PushDataError, match=r"exports\.csv.*\n.*row 2 \(line 3\), column 'opened'"):
        read_pushes(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(PushDataError, match="is empty"):
        read_pushes(empty)
    with pytest.raises(PushDataError, match="does not exist"):
        read_pushes(tmp_path / "nope.csv")


def test_read_pushes_semicolons_bom_and_gbk(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_bytes("\ufeff发表时间;送达人数;公众号消息阅读人数\n2024-07-01 12:00;100;5\n".encode())
    assert read_pushes(path)["opened"].tolist() == [5]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("发表时间,送达人数,公众号消息阅读人数\n2024-07-01 12:00,100,5\n".encode("gbk"))
    sniffed = read_pushes(gbk)  # Excel on Chinese Windows saves GBK: read as GB18030, and said so
    assert sniffed["delivered"].tolist() == [100]
    assert "gb18030" in sniffed.attrs["load_summary"]["notes"][0]
    assert read_pushes(gbk, encoding="gbk")["delivered"].tolist() == [100]
    # Bytes that are neither UTF-8 nor GBK: the line is named.
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"slot,delivered,opened\n12,100,5\n21,\x80\xff,6\n")
    with pytest.raises(PushDataError, match=r"line 3 is not utf-8-sig text"):
        read_pushes(bad)
    with pytest.raises(InputError, match="klingon"):
        read_pushes(path, encoding="klingon-8")


def test_read_pushes_excel(tmp_path):
    path = tmp_path / "pushes.xlsx"
    good().to_excel(path, index=False)
    assert read_pushes(path)["opened"].tolist() == [80, 60, 70]


@given(st.integers(min_value=0, max_value=24 * 60 - 1))
def test_slot_format_and_parse_round_trip(minutes):
    hour = minutes / 60
    assert slot_to_hour(format_slot(hour)) == pytest.approx(hour)


@given(st.integers(min_value=0, max_value=23))
def test_wechat_ref_hour_encoding(hour):
    assert slot_to_hour(hour * 100 if hour else 0) == hour


@given(st.text(max_size=8))
def test_slot_parser_never_crashes_unexpectedly(text):
    try:
        value = slot_to_hour(text)
    except ValueError:
        return
    assert 0 <= value < 24


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
    pushes = read_pushes(path)
    assert pushes["slot"].tolist() == ["21:00", "12:00", "21:00"]
    summary = pushes.attrs["load_summary"]
    assert summary["skipped"] == {"blank rows": 1, "total rows (合计, 平均...)": 1}
    assert any("推送记录" in note for note in summary["notes"])
    assert any("row 3" in note for note in summary["notes"])
    # A problem names the sheet row the user sees (row 4 of the sheet is data row 1).
    data["D4"] = "x"
    book.save(path)
    with pytest.raises(
        PushDataError, match=r"row 1 \(line 4\), column '阅读人数' \(opened\): 'x' is not a number"
    ):
        read_pushes(path)


def test_files_named_as_excel_that_are_not_and_missing_headers_get_actionable_messages(tmp_path):
    fake = tmp_path / "export.xlsx"
    fake.write_text("日期,发送时间,送达人数,阅读人数\n2024/09/02,21:00,1000,70\n", encoding="utf-8")
    with pytest.raises(
        PushDataError, match=r"export\.xlsx is text \(CSV\), not an Excel workbook.*rename it to \.csv"
    ):
        read_pushes(fake)
    typo = tmp_path / "typo.csv"
    typo.write_text("日期,发送时间,送达人说,阅读人数\n2024/09/02,21:00,1000,70\n", encoding="utf-8")
    with pytest.raises(PushDataError, match=r"closest in the file: '送达人说'.*--columns delivered=送达人说"):
        read_pushes(typo)
    with pytest.raises(PushDataError, match=r"^\S*nope\.csv does not exist$"):
        read_pushes(tmp_path / "nope.csv")


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
    pushes = validate_pushes(sheet)
    assert sorted(pushes["opened"].tolist()) == [58, 80]
    summary = pushes.attrs["load_summary"]
    assert summary["positions"] == "all" and summary["articles_grouped"] == 2
    assert any("headline cannot be told" in note for note in summary["notes"])
    with_positions = validate_pushes(sheet.assign(位置=[2, 1, 2, 1]))
    assert sorted(with_positions["opened"].tolist()) == [50, 70]
