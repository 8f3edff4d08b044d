"""Adversarial tests: malformed inputs fed to the ``wxtime`` command line, the way a user hits them.

Written from the user-facing contract and the documented data formats only (the WeChat datacube
payloads and MP-backend exports of ``reference/wechat-data.md`` part 1), not from the code.

The contract for **bad input** (every command that reads a file):

1. ``main(argv)`` returns exit code 2. It does not raise; ``SystemExit`` is allowed only for
   argparse usage errors (which also exit 2).
2. stderr holds a message starting ``wxtime: error: `` that names the file (the path as given or
   its base name) and *where* the problem is: ``row N`` (1-based data row, header excluded,
   optionally ``(line L)``), ``line N``, a JSON path such as ``field '$.list[0].details[1].target_user'``,
   or a column such as ``column 'delivered'``. Problems of a whole file (empty, binary, HTML, a
   folder with nothing in it) need only name the file.
3. No ``Traceback`` on stdout or stderr.
4. Nothing is written (no output file, not even a partial one) when a command fails.
5. Nothing is silently dropped or changed: a file that is accepted is reported with as many rows
   as it holds, unless the tool says what it left out.

Each parametrised case below is one malformed input (its id says the command, the format and the
fault); a handful of positive controls prove that the harness accepts good files in the same
formats, and two Hypothesis properties feed arbitrary JSON payloads and arbitrary bytes to
``wxtime validate``. The data files are generated in ``tmp_path`` at test time.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import re
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from wxtime.cli import main

os.environ.setdefault("MPLBACKEND", "Agg")

# Any of the location forms the contract allows.
LOC = r"\brow \d+|\bline \d+|field '|column '|\$"
PREFIX = "wxtime: error: "

# ---------------------------------------------------------------------------------------------
# running the command line in-process
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    code: int | str | None
    out: str
    err: str
    raised: str | None = None  # formatted traceback when main() raised something other than SystemExit
    system_exit: bool = False

    def describe(self) -> str:
        text = f"exit={self.code!r} system_exit={self.system_exit}\n--- stdout ---\n{self.out[-1500:]}"
        text += f"\n--- stderr ---\n{self.err[-2500:]}"
        if self.raised:
            text += f"\n--- raised ---\n{self.raised[-2500:]}"
        return text


def run_cli(argv: list[str], capsys) -> Run:
    """Call ``main(argv)`` and capture what it prints; exceptions are recorded, not propagated."""
    capsys.readouterr()
    raised = None
    system_exit = False
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors only
        system_exit = True
        code = exc.code
    except Exception:
        code = "raised"
        raised = traceback.format_exc()
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err, raised, system_exit)


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def error_message(res: Run) -> str:
    """The part of stderr from ``wxtime: error: `` on ('' when there is none)."""
    m = re.search(r"^wxtime: error: ", res.err, re.M)
    return res.err[m.start() :] if m else ""


def assert_no_traceback(res: Run) -> None:
    assert res.raised is None, f"main() raised instead of returning 2\n{res.describe()}"
    assert "Traceback" not in res.out and "Traceback" not in res.err, f"traceback printed\n{res.describe()}"


def assert_rejected(res: Run, names: tuple[str, ...], where: str | None) -> None:
    """The contract for bad input: exit 2, an error naming the file and the place, no traceback."""
    assert_no_traceback(res)
    assert not res.system_exit, f"SystemExit on bad input (not a usage error)\n{res.describe()}"
    assert res.code == 2, f"expected exit code 2\n{res.describe()}"
    msg = error_message(res)
    assert msg, f"no line starting {PREFIX!r} on stderr\n{res.describe()}"
    assert any(n in msg for n in names), f"the message names none of {names}\n{res.describe()}"
    if where is not None:
        assert re.search(where, msg), f"the message does not say where ({where!r})\n{res.describe()}"


def summary_of(res: Run) -> dict:
    try:
        summary = json.loads(res.out)
    except json.JSONDecodeError:
        pytest.fail(f"--json output is not one JSON object\n{res.describe()}")
    assert isinstance(summary, dict), res.describe()
    return summary


def skipped_total(summary: dict) -> int:
    skipped = summary.get("skipped") or {}
    if isinstance(skipped, dict):
        vals = list(skipped.values())
    elif isinstance(skipped, list):
        vals = skipped
    else:
        vals = [skipped]
    total = 0
    for v in vals:
        if isinstance(v, bool):
            total += int(v)
        elif isinstance(v, int | float):
            total += int(v)
        elif isinstance(v, list | dict):
            total += len(v)
        elif v:
            total += 1
    return total


# ---------------------------------------------------------------------------------------------
# building files
# ---------------------------------------------------------------------------------------------

Content = bytes | Callable[[], bytes] | None  # None = an (empty) directory

HEADER = ["push_id", "sent_at", "slot", "delivered", "opened", "read"]


def base_rows(n: int = 10) -> list[dict[str, str]]:
    """Ten good pushes, alternating 12:00 and 21:00, one a day from 2024-06-03."""
    rows = []
    for i in range(n):
        day = date(2024, 6, 3) + timedelta(days=i)
        noon = i % 2 == 0
        rows.append(
            {
                "push_id": f"P{i + 1:02d}",
                "sent_at": f"{day} {'12:01' if noon else '21:02'}",
                "slot": "12:00" if noon else "21:00",
                "delivered": str(1000 + 10 * i),
                "opened": str(60 + i),
                "read": str(30 + i),
            }
        )
    return rows


def table(
    set_: dict[tuple[int, str], str] | None = None,
    drop: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
    add: dict[str, list[str]] | None = None,
    n: int = 10,
) -> tuple[list[str], list[list[str]]]:
    """The base table with cells replaced (1-based data row, column), columns dropped/renamed/added."""
    rows = base_rows(n)
    for (r, col), value in (set_ or {}).items():
        rows[r - 1][col] = value
    header = [h for h in HEADER if h not in drop]
    body = [[row[h] for h in header] for row in rows]
    for col, values in (add or {}).items():
        header.append(col)
        for row, v in zip(body, values, strict=True):
            row.append(v)
    header = [(rename or {}).get(h, h) for h in header]
    return header, body


def csv_bytes(
    header: list[str], rows: list[list[str]], sep: str = ",", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def tcsv(**kw) -> bytes:
    return csv_bytes(*table(**kw))


def _cell(v):
    if isinstance(v, str):
        for conv in (int, float):
            try:
                return conv(v)
            except ValueError:
                pass
        with contextlib.suppress(ValueError):
            return datetime.strptime(v, "%Y-%m-%d %H:%M")
    return v


def xlsx_bytes(header: list[str] | None, rows: list[list], raw: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append([v if raw else _cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def txlsx(**kw) -> Callable[[], bytes]:
    return lambda: xlsx_bytes(*table(**kw))


def parquet_bytes(df: pd.DataFrame | pa.Table) -> bytes:
    tbl = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(tbl, buf)
    return buf.getvalue()


def base_frame(n: int = 10) -> pd.DataFrame:
    df = pd.DataFrame(base_rows(n))
    df["sent_at"] = pd.to_datetime(df["sent_at"])
    for c in ("delivered", "opened", "read"):
        df[c] = df[c].astype("int64")
    return df


def tparquet(mutate: Callable[[pd.DataFrame], pd.DataFrame | pa.Table]) -> Callable[[], bytes]:
    return lambda: parquet_bytes(mutate(base_frame()))


def set_cell(df: pd.DataFrame, row: int, col: str, value, dtype=None) -> pd.DataFrame:
    df = df.copy()
    if dtype is not None:
        df[col] = df[col].astype(dtype)
    df.loc[row - 1, col] = value
    return df


def records_bytes(mutate: Callable[[list[dict]], list] | None = None) -> bytes:
    recs: list = []
    for r in base_rows():
        rec: dict = dict(r)
        for c in ("delivered", "opened", "read"):
            rec[c] = int(rec[c])
        recs.append(rec)
    if mutate:
        recs = mutate(recs)
    return json.dumps(recs, ensure_ascii=False).encode()


def rec_set(row: int, col: str, value) -> Callable[[list[dict]], list]:
    def f(recs):
        recs[row - 1][col] = value
        return recs

    return f


# WeChat MP-backend export (已通知内容) with Chinese headers.
EXPORT_HEADER = ["内容标题", "发表时间", "总阅读人数", "送达人数", "公众号消息阅读次数", "送达阅读率"]


def export_rows(n: int = 10) -> list[list[str]]:
    out = []
    for i, r in enumerate(base_rows(n)):
        d, o = int(r["delivered"]), int(r["opened"])
        out.append([f"面经 · 第{i + 1}期", r["sent_at"], str(o + 20), str(d), str(o), f"{100 * o / d:.2f}%"])
    return out


def export(
    set_: dict[tuple[int, str], str] | None = None,
    header: list[str] | None = None,
    add_rows: list[list[str]] | None = None,
    encoding: str = "utf-8",
    bom: bool = True,
) -> bytes:
    hdr = list(header or EXPORT_HEADER)
    rows = export_rows()
    for (r, col), value in (set_ or {}).items():
        rows[r - 1][EXPORT_HEADER.index(col)] = value
    rows += add_rows or []
    return csv_bytes(hdr, rows, encoding=encoding, bom=bom and encoding == "utf-8")


def export_extra_col(name: str, source: str) -> bytes:
    """The export with one more column copying ``source`` under the header ``name``."""
    idx = EXPORT_HEADER.index(source)
    rows = [[*r, r[idx]] for r in export_rows()]
    return csv_bytes([*EXPORT_HEADER, name], rows, bom=True)


def date_time_export(date_bad: dict[int, str] | None = None, time_bad: dict[int, str] | None = None) -> bytes:
    """Separate 日期 and 时段 columns (the date is combined with the time)."""
    rows = []
    for i, r in enumerate(base_rows()):
        d, t = r["sent_at"].split(" ")
        d = (date_bad or {}).get(i + 1, d)
        t = (time_bad or {}).get(i + 1, r["slot"])
        rows.append([d, t, r["delivered"], r["opened"]])
    return csv_bytes(["日期", "时段", "送达人数", "公众号消息阅读人数"], rows, bom=True)


# WeChat datacube payloads.
PUSH_DAYS = ["2024-06-03", "2024-06-04", "2024-06-05", "2024-06-06"]
PUSH_HOURS = [12, 21, 12, 21]


CUMULATIVE = [0.55, 0.85, 0.93, 0.97, 0.99, 1.0, 1.0]  # share of 7-day reads by the end of each stat_date


def article(i: int) -> dict:
    """One getarticletotal record: seven cumulative details[], one per stat_date (as the API sends)."""
    day = date.fromisoformat(PUSH_DAYS[i])

    def detail(k: int) -> dict:
        frac = CUMULATIVE[k]
        return {
            "stat_date": str(day + timedelta(days=k)),
            "target_user": 1000 + 10 * i,
            "int_page_read_user": round(130 * frac) + i,
            "int_page_read_count": round(150 * frac) + i,
            "int_page_from_session_read_user": round(90 * frac) + i,
            "int_page_from_session_read_count": round(100 * frac) + i,
            "share_user": round(6 * frac),
            "share_count": round(8 * frac),
            "add_to_fav_user": round(2 * frac),
            "add_to_fav_count": round(2 * frac),
        }

    return {
        "ref_date": str(day),
        "msgid": f"{100 + i}_1",
        "title": f"面经 · 第{i + 1}期",
        "details": [detail(k) for k in range(7)],
    }


def articletotal(mutate: Callable[[dict], object] | None = None, n: int = 2) -> Callable[[], bytes]:
    def build():
        payload = {"list": [article(i) for i in range(n)]}
        if mutate:
            out = mutate(payload)
            payload = payload if out is None else out
        return json.dumps(payload, ensure_ascii=False).encode()

    return build


def at_detail(key: str, value, item: int = 1, det: int = 1, delete: bool = False):
    def f(p):
        d = p["list"][item]["details"][det]
        if delete:
            del d[key]
        else:
            d[key] = value

    return f


def at_item(key: str, value, item: int = 1, delete: bool = False):
    def f(p):
        if delete:
            del p["list"][item][key]
        else:
            p["list"][item][key] = value

    return f


def send_times_csv(
    n: int = 4, header: tuple[str, str] = ("msgid", "sent_at"), bad: dict | None = None
) -> bytes:
    rows = []
    for i in range(n):
        t = f"{PUSH_DAYS[i]} {PUSH_HOURS[i]:02d}:0{i}"
        rows.append([f"{100 + i}_1", (bad or {}).get(i + 1, t)])
    return csv_bytes(list(header), rows)


def articletotaldetail(mutate: Callable[[dict], None] | None = None) -> Callable[[], bytes]:
    def build():
        items = []
        for i in range(2):
            day = PUSH_DAYS[i]
            items.append(
                {
                    "ref_date": day,
                    "msgid": f"{100 + i}_1",
                    "publish_type": 0,
                    "title": f"t{i}",
                    "content_url": "https://mp.weixin.qq.com/s/x",
                    "detail_list": [
                        {
                            "stat_date": str(date.fromisoformat(day) + timedelta(days=k)),
                            "read_user": round(150 * frac) + i,
                            "read_user_source": [
                                {"user_count": round(90 * frac) + i, "scene_desc": "公众号消息"},
                                {"user_count": round(150 * frac) + i, "scene_desc": "全部"},
                                {"user_count": round(60 * frac), "scene_desc": "朋友圈"},
                            ],
                            "share_user": round(6 * frac),
                            "read_delivery_rate": (round(90 * frac) + i) / 1000,
                            "read_finish_rate": 0.6,
                            "read_avg_activetime": 1.2,
                        }
                        for k, frac in enumerate(CUMULATIVE)
                    ],
                }
            )
        payload = {"list": items, "is_delay": False}
        if mutate:
            mutate(payload)
        return json.dumps(payload, ensure_ascii=False).encode()

    return build


def at_dl(key: str, value, delete: bool = False):
    """Set (or delete) a field in every detail_list entry of the second article."""

    def f(p):
        for d in p["list"][1]["detail_list"]:
            if delete:
                del d[key]
            else:
                d[key] = value

    return f


def at_source(key: str, value):
    """Set a field of the 公众号消息 entry of read_user_source in every detail_list entry of article 2."""

    def f(p):
        for d in p["list"][1]["detail_list"]:
            d["read_user_source"][0][key] = value

    return f


def userreadhour(day: str, hour: int, mutate: Callable[[dict], None] | None = None) -> Callable[[], bytes]:
    """getuserreadhour for one day: session reads spike in the push hour (one row per hour x source)."""

    def build():
        rows = []
        for h in range(24):
            for src in (0, 99999999):
                reads = 400 if h == hour else (120 if h == (hour + 1) % 24 else 3)
                rows.append(
                    {
                        "ref_date": day,
                        "ref_hour": h * 100,
                        "user_source": src,
                        "int_page_read_user": reads if src == 0 else reads + 10,
                        "int_page_read_count": reads + 5,
                        "ori_page_read_user": 0,
                        "ori_page_read_count": 0,
                        "share_user": 1,
                        "share_count": 1,
                        "add_to_fav_user": 0,
                        "add_to_fav_count": 0,
                    }
                )
        payload = {"list": rows}
        if mutate:
            mutate(payload)
        return json.dumps(payload).encode()

    return build


def payload_folder(extra: dict[str, Content] | None = None, n: int = 4, hourly: bool = False) -> dict:
    files: dict[str, Content] = {}
    for i in range(n):
        one = {"list": [article(i)]}
        files[f"wx_raw_dir/getarticletotal_{PUSH_DAYS[i]}.json"] = json.dumps(
            one, ensure_ascii=False
        ).encode()
        if hourly:
            files[f"wx_raw_dir/getuserreadhour_{PUSH_DAYS[i]}.json"] = userreadhour(
                PUSH_DAYS[i], PUSH_HOURS[i]
            )
    files.update(extra or {})
    return files


def readhour_bad(mutate: Callable[[dict], None]) -> dict:
    """A payload folder whose send times must come from getuserreadhour, one of which is bad."""
    files = payload_folder(hourly=True)
    files[f"wx_raw_dir/getuserreadhour_{PUSH_DAYS[1]}.json"] = userreadhour(
        PUSH_DAYS[1], PUSH_HOURS[1], mutate
    )
    return files


def at_hour_row(key: str, value, row: int = 42, delete: bool = False):
    def f(p):
        if delete:
            del p["list"][row][key]
        else:
            p["list"][row][key] = value

    return f


# Delivery logs for `aggregate`.
EV_HEADER = ["push_id", "user_id", "sent_at", "opened_at", "read_at"]


def events(
    n: int = 8, set_: dict[tuple[int, str], str] | None = None, header: list[str] | None = None
) -> list[dict]:
    rows = []
    for i in range(n):
        p = i // 4
        sent = datetime(2024, 6, 3 + p, 12 if p % 2 == 0 else 21, 0, 0)
        opened = sent + timedelta(minutes=5 + i) if i % 2 == 0 else None
        read = opened + timedelta(minutes=1) if opened and i % 4 == 0 else None
        rows.append(
            {
                "push_id": f"P{p + 1}",
                "user_id": f"u{i % 4}",
                "sent_at": sent.strftime("%Y-%m-%d %H:%M:%S"),
                "opened_at": opened.strftime("%Y-%m-%d %H:%M:%S") if opened else "",
                "read_at": read.strftime("%Y-%m-%d %H:%M:%S") if read else "",
            }
        )
    for (r, col), v in (set_ or {}).items():
        rows[r - 1][col] = v
    return rows


def ev_csv(set_=None, drop: tuple[str, ...] = (), encoding: str = "utf-8") -> bytes:
    rows = events(set_=set_)
    hdr = [h for h in EV_HEADER if h not in drop]
    return csv_bytes(hdr, [[r[h] for h in hdr] for r in rows], encoding=encoding)


def ev_flags_csv(set_=None) -> bytes:
    rows = events()
    body = []
    for r in rows:
        body.append([r["push_id"], r["user_id"], r["sent_at"], "1" if r["opened_at"] else "0"])
    for (r, col), v in (set_ or {}).items():
        body[r - 1][["push_id", "user_id", "sent_at", "opened"].index(col)] = v
    return csv_bytes(["push_id", "user_id", "sent_at", "opened"], body)


def ev_frame() -> pd.DataFrame:
    df = pd.DataFrame(events())
    for c in ("sent_at", "opened_at", "read_at"):
        df[c] = pd.to_datetime(df[c].replace("", None))
    return df


def ev_parquet(mutate: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[], bytes]:
    return lambda: parquet_bytes(mutate(ev_frame()))


# Replay: a randomised log with the logging probability in column p.
def replay_table(set_: dict[int, str] | None = None) -> bytes:
    slots = ["12:00", "21:00", "21:00", "12:00", "21:00", "12:00", "12:00", "21:00"] * 3
    rows = []
    for i, slot in enumerate(slots):
        day = date(2024, 6, 3) + timedelta(days=i)
        t = "12:01" if slot == "12:00" else "21:01"
        d = 1000 + 7 * i
        o = (70 if slot == "12:00" else 55) + (i % 5)
        p = (set_ or {}).get(i + 1, "0.5")
        rows.append([f"R{i + 1:02d}", f"{day} {t}", slot, str(d), str(o), p])
    return csv_bytes(["push_id", "sent_at", "slot", "delivered", "opened", "p"], rows)


HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>微信公众平台</title></head>\n"
    "<body><p>请重新登录 (session expired)</p><table><tr><td>送达人数</td></tr></table></body></html>\n"
).encode()
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
    + bytes(range(256))
)
OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Workbook" + b"\x00" * 200


def truncated_xlsx() -> bytes:
    data = xlsx_bytes(*table())
    return data[: len(data) // 2]


# ---------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, Content]
    argv: tuple[str, ...]
    where: str | None = LOC  # regex the error message must match; None: a whole-file problem
    names: tuple[str, ...] = ()  # the message must contain one of these (default: the input's base name)
    # If set, exit 0 is also acceptable, provided `validate --json` reports this many rows
    # (and, when `needs_skip`, says in `skipped` that it left something out).
    accept_rows: int | None = None
    needs_skip: bool = False
    option_error: bool = False  # a bad option value: argparse's usage error is also fine
    option_words: tuple[str, ...] = field(default_factory=tuple)


CASES: list[Case] = []


# Test ids stay ASCII (pytest escapes other characters): Chinese headers by their pinyin.
ID_WORDS = {
    "推送时段": "tuisongshiduan",
    "送达人数": "songdarenshu",
    "发表时间": "fabiaoshijian",
    "群发时间": "qunfashijian",
    "阅读次数": "yueducishu",
    "日期": "riqi",
    "时段": "shiduan",
    "合计": "heji",
}


def add(id_: str, files: dict[str, Content], argv: list[str], **kw) -> None:
    for zh, ascii_ in ID_WORDS.items():
        id_ = id_.replace(zh, ascii_)
    assert id_.isascii(), id_
    CASES.append(Case(id_, files, tuple(argv), **kw))


def row(n: int) -> str:
    """Data row n (header excluded); a CSV may instead say line n + 1."""
    return rf"\brow {n}\b|\bline {n + 1}\b"


def col(name: str) -> str:
    return rf"'{re.escape(name)}'"


F = "wx_pushes.csv"

# --- validate: CSV push tables -----------------------------------------------------------------
csv_faults: list[tuple[str, bytes, str | None]] = [
    ("missing-delivered-column", tcsv(drop=("delivered",)), col("delivered")),
    ("missing-opened-column", tcsv(drop=("opened",)), col("opened")),
    ("missing-sent_at-and-slot", tcsv(drop=("sent_at", "slot")), r"'[^']*(sent_at|slot)[^']*'"),
    ("delivered-not-a-number", tcsv(set_={(3, "delivered"): "abc"}), row(3)),
    ("opened-not-a-number", tcsv(set_={(4, "opened"): "n/a"}), row(4)),
    ("opened-boolean-word", tcsv(set_={(2, "opened"): "true"}), row(2)),
    ("delivered-negative", tcsv(set_={(5, "delivered"): "-1000"}), row(5)),
    ("opened-negative", tcsv(set_={(6, "opened"): "-3"}), row(6)),
    ("read-negative", tcsv(set_={(7, "read"): "-1"}), row(7)),
    ("delivered-fractional", tcsv(set_={(2, "delivered"): "1000.5"}), row(2)),
    ("opened-fractional", tcsv(set_={(3, "opened"): "61.7"}), row(3)),
    ("delivered-1e19", tcsv(set_={(4, "delivered"): "1e19"}), row(4)),
    ("delivered-20-digits", tcsv(set_={(4, "delivered"): "99999999999999999999"}), row(4)),
    ("delivered-3-billion", tcsv(set_={(8, "delivered"): "3000000000"}), row(8)),
    ("delivered-inf", tcsv(set_={(2, "delivered"): "inf"}), row(2)),
    ("delivered-NaN-text", tcsv(set_={(2, "delivered"): "NaN"}), row(2)),
    ("delivered-empty-cell", tcsv(set_={(9, "delivered"): ""}), row(9)),
    ("opened-empty-cell", tcsv(set_={(9, "opened"): ""}), row(9)),
    ("opened-gt-delivered", tcsv(set_={(4, "opened"): "5000"}), row(4)),
    ("read-gt-opened", tcsv(set_={(5, "read"): "500"}), row(5)),
    ("opened-percent-string", tcsv(set_={(3, "opened"): "5.63%"}), row(3)),
    ("delivered-percent-string", tcsv(set_={(3, "delivered"): "98%"}), row(3)),
    ("opened-10wan-plus", tcsv(set_={(6, "opened"): "10万+"}), row(6)),
    ("clicked-not-a-number", tcsv(add={"clicked": ["1"] * 5 + ["x"] + ["2"] * 4}), row(6)),
    ("shared-negative", tcsv(add={"shared": ["1"] * 6 + ["-4"] + ["2"] * 3}), row(7)),
    ("sent_at-garbage", tcsv(set_={(3, "sent_at"): "not a date"}, drop=("slot",)), row(3)),
    ("sent_at-month-13", tcsv(set_={(3, "sent_at"): "2024-13-05 12:01"}, drop=("slot",)), row(3)),
    ("sent_at-feb-30", tcsv(set_={(3, "sent_at"): "2024-02-30 12:01"}, drop=("slot",)), row(3)),
    ("sent_at-hour-25", tcsv(set_={(3, "sent_at"): "2024-06-05 25:01"}, drop=("slot",)), row(3)),
    ("sent_at-empty", tcsv(set_={(5, "sent_at"): ""}, drop=("slot",)), row(5)),
    ("sent_at-date-only", tcsv(set_={(5, "sent_at"): "2024-06-07"}, drop=("slot",)), row(5)),
    ("sent_at-time-without-date", tcsv(set_={(5, "sent_at"): "12:01"}, drop=("slot",)), row(5)),
    (
        "sent_at-all-times-without-dates",
        tcsv(set_={(i, "sent_at"): base_rows()[i - 1]["sent_at"][11:] for i in range(1, 11)}, drop=("slot",)),
        LOC,
    ),
    (
        "sent_at-ambiguous-day-month",
        tcsv(
            set_={(i, "sent_at"): f"{i:02d}/{i + 1:02d}/2024 12:01" for i in range(1, 11)},
            drop=("slot",),
        ),
        LOC,
    ),
    ("slot-25h", tcsv(set_={(2, "slot"): "25:00"}, drop=("sent_at",)), row(2)),
    ("slot-minute-75", tcsv(set_={(2, "slot"): "12:75"}, drop=("sent_at",)), row(2)),
    ("slot-garbage", tcsv(set_={(2, "slot"): "abc"}, drop=("sent_at",)), row(2)),
    ("slot-negative", tcsv(set_={(2, "slot"): "-1"}, drop=("sent_at",)), row(2)),
    ("slot-empty", tcsv(set_={(2, "slot"): ""}, drop=("sent_at",)), row(2)),
    ("hour-alias-30", tcsv(set_={(3, "slot"): "30"}, drop=("sent_at",), rename={"slot": "hour"}), row(3)),
    (
        "推送时段-alias-garbage",
        tcsv(set_={(3, "slot"): "下午茶"}, drop=("sent_at",), rename={"slot": "推送时段"}),
        row(3),
    ),
    ("duplicate-push-id", tcsv(set_={(6, "push_id"): "P02"}), LOC),
    ("duplicate-row", csv_bytes(table()[0], table()[1] + [table()[1][3]]), LOC),
    (
        "duplicate-push-x-group",
        tcsv(add={"group": ["A", "B"] * 5}, set_={(3, "push_id"): "P01"}),
        LOC,
    ),
    ("duplicate-header-delivered", csv_bytes(*table(rename={"read": "delivered"})), col("delivered")),
    ("duplicate-header-opened", csv_bytes(*table(rename={"read": "opened"})), col("opened")),
    (
        "alias-and-canonical-delivered",
        tcsv(add={"送达人数": [r["delivered"] for r in base_rows()]}),
        r"送达人数|'delivered'",
    ),
    (
        "alias-and-canonical-opened",
        tcsv(add={"公众号消息阅读人数": [r["opened"] for r in base_rows()]}),
        r"公众号消息阅读人数|'opened'",
    ),
    (
        "alias-and-canonical-sent_at",
        tcsv(add={"发表时间": [r["sent_at"] for r in base_rows()]}),
        r"发表时间|'sent_at'",
    ),
    ("only-header", csv_bytes(HEADER, []), None),
    ("empty-file", b"", None),
    ("whitespace-only", b"\n\n   \n", None),
    ("binary-png-renamed-csv", PNG_BYTES, None),
    ("nul-bytes", b"push_id,sent_at,slot,delivered,opened\n\x00\x00\x00\x00\n", None),
    ("html-page-saved-as-csv", HTML_PAGE, None),
    ("json-text-named-csv", b'{"list": []}', None),
    (
        "non-utf8-byte-in-title",
        tcsv(add={"title": ["ok"] * 10}).replace(b"ok\nP04", b"\xff\xfe\xff\nP04"),
        LOC,
    ),
    ("utf8-file-read-as-gbk", export(), LOC),
    ("semicolon-file-with-sep-comma", csv_bytes(*table(), sep=";"), LOC),
    ("ragged-row-too-many-fields", tcsv() + b"P11,2024-06-13 12:01,12:00,1000,50,20,EXTRA,MORE\n", row(11)),
    ("ragged-row-too-few-fields", tcsv() + b"P11,2024-06-13 12:01,12:00\n", row(11)),
    ("unterminated-quote", tcsv() + b'P11,"2024-06-13 12:01,12:00,1000,50,20\n', LOC),
]
for name, data, where in csv_faults:
    argv = ["validate", F]
    if name == "utf8-file-read-as-gbk":
        argv += ["--encoding", "gbk"]
    if name == "semicolon-file-with-sep-comma":
        argv += ["--sep", ","]
    add(f"validate-csv-{name}", {F: data}, argv, where=where)

# Accept-or-reject: blank lines, a delimiter-only row, other encodings.
add(
    "validate-csv-blank-lines-inside",
    {F: tcsv().replace(b"\nP04", b"\n\n\nP04")},
    ["validate", F, "--json"],
    where=r"\bline \d+|\brow \d+",
    accept_rows=10,
)
add(
    "validate-csv-delimiter-only-row",
    {F: tcsv().replace(b"\nP04", b"\n,,,,,\nP04")},
    ["validate", F, "--json"],
    where=r"\bline 5\b|\brow 4\b",
    accept_rows=10,
)
add(
    "validate-csv-gbk-without-encoding",
    {F: export(encoding="gbk")},
    ["validate", F, "--json"],
    where=r"\bline \d+|\brow \d+",
    accept_rows=10,
)
add(
    "validate-csv-utf16-without-encoding",
    {F: tcsv().decode().encode("utf-16")},
    ["validate", F, "--json"],
    where=LOC,
    accept_rows=10,
)
add(
    "validate-csv-export-total-row-合计",
    {F: export(add_rows=[["合计", "", "1000", "10450", "645", "6.17%"]])},
    ["validate", F, "--json"],
    where=row(11),
    accept_rows=10,
    needs_skip=True,
)

# --- validate: WeChat backend export with Chinese headers --------------------------------------
X = "已通知内容_export.csv"
export_faults: list[tuple[str, bytes, str | None]] = [
    ("10wan-plus-reads", export({(2, "公众号消息阅读次数"): "10万+"}), row(2)),
    ("percent-in-送达人数", export({(3, "送达人数"): "5.63%"}), row(3)),
    ("reads-gt-送达人数", export({(5, "公众号消息阅读次数"): "99999"}), row(5)),
    ("发表时间-garbage", export({(4, "发表时间"): "昨天中午"}), row(4)),
    ("发表时间-date-only", export({(4, "发表时间"): "2024-06-06"}), row(4)),
    ("送达人数-negative", export({(7, "送达人数"): "-1030"}), row(7)),
    ("送达人数-not-a-number", export({(7, "送达人数"): "一千"}), row(7)),
    ("duplicate-送达人数-header", export_extra_col("送达人数", "送达人数"), col("送达人数")),
    ("送达人数-and-delivered", export_extra_col("delivered", "送达人数"), r"送达人数|'delivered'"),
    ("阅读次数-and-opened", export_extra_col("opened", "公众号消息阅读次数"), r"公众号消息阅读次数|'opened'"),
    ("发表时间-and-群发时间", export_extra_col("群发时间", "发表时间"), r"发表时间|群发时间|'sent_at'"),
    ("header-only", csv_bytes(EXPORT_HEADER, [], bom=True), None),
]
for name, data, where in export_faults:
    add(f"validate-export-{name}", {X: data}, ["validate", X], where=where)
add(
    "validate-export-percent-column-mapped-as-opened",
    {X: export()},
    ["validate", X, "--columns", "opened=送达阅读率"],
    where=LOC,
)
D = "hourly_export.csv"
add(
    "validate-export-日期-garbage",
    {D: date_time_export(date_bad={3: "2024-06-xx"})},
    ["validate", D],
    where=row(3),
)
add(
    "validate-export-时段-garbage",
    {D: date_time_export(time_bad={3: "午饭后"})},
    ["validate", D],
    where=row(3),
)
add("validate-export-时段-25h", {D: date_time_export(time_bad={6: "25:00"})}, ["validate", D], where=row(6))

# --- validate: XLSX ----------------------------------------------------------------------------
XL = "wx_pushes.xlsx"


def xlsx_with(set_: dict[tuple[int, str], object], drop: tuple[str, ...] = ()) -> Callable[[], bytes]:
    def build():
        header, rows = table(drop=drop)
        rows = [[_cell(v) for v in r] for r in rows]
        for (r, c), v in set_.items():
            rows[r - 1][header.index(c)] = v
        return xlsx_bytes(header, rows, raw=True)

    return build


xlsx_faults: list[tuple[str, Content, str | None]] = [
    ("missing-opened-column", txlsx(drop=("opened",)), col("opened")),
    ("delivered-text", txlsx(set_={(3, "delivered"): "abc"}), row(3)),
    ("opened-gt-delivered", txlsx(set_={(4, "opened"): "5000"}), row(4)),
    ("read-gt-opened", txlsx(set_={(4, "read"): "300"}), row(4)),
    ("delivered-negative", txlsx(set_={(5, "delivered"): "-7"}), row(5)),
    ("opened-fraction-cell", xlsx_with({(6, "opened"): 0.0563}), row(6)),
    ("delivered-1e19-cell", xlsx_with({(6, "delivered"): 1e19}), row(6)),
    ("opened-10wan-plus", txlsx(set_={(2, "opened"): "10万+"}), row(2)),
    ("delivered-empty-cell", xlsx_with({(8, "delivered"): None}), row(8)),
    ("delivered-uncomputed-formula", xlsx_with({(8, "delivered"): "=D2*2"}), row(8)),
    ("sent_at-text-garbage", xlsx_with({(3, "sent_at"): "yesterday"}, drop=("slot",)), row(3)),
    ("sent_at-time-cell-without-date", xlsx_with({(3, "sent_at"): time(12, 1)}, drop=("slot",)), row(3)),
    ("sent_at-date-cell-without-time", xlsx_with({(3, "sent_at"): date(2024, 6, 5)}, drop=("slot",)), row(3)),
    ("duplicate-header", lambda: xlsx_bytes(*table(rename={"read": "opened"})), col("opened")),
    ("header-only", lambda: xlsx_bytes(HEADER, []), None),
    ("empty-workbook", lambda: xlsx_bytes(None, []), None),
    ("truncated-zip", truncated_xlsx, None),
    ("csv-text-renamed-xlsx", tcsv(), None),
]
for name, data, where in xlsx_faults:
    add(f"validate-xlsx-{name}", {XL: data}, ["validate", XL], where=where)
add("validate-xls-ole-junk", {"wx_pushes.xls": OLE_XLS}, ["validate", "wx_pushes.xls"], where=None)
add("validate-xls-csv-text-renamed", {"wx_pushes.xls": tcsv()}, ["validate", "wx_pushes.xls"], where=None)
add(
    "validate-xlsx-export-10wan-plus",
    {"export.xlsx": lambda: xlsx_bytes(EXPORT_HEADER, [[*r[:4], "10万+", r[5]] for r in export_rows()])},
    ["validate", "export.xlsx"],
    where=row(1),
)

# --- validate: Parquet -------------------------------------------------------------------------
PQ = "wx_pushes.parquet"


def dup_columns(df: pd.DataFrame) -> pa.Table:
    t = pa.Table.from_pandas(df, preserve_index=False)
    return pa.Table.from_arrays(t.columns, names=[*t.column_names[:-1], "opened"])


parquet_faults: list[tuple[str, Content, str | None]] = [
    ("missing-opened-column", tparquet(lambda d: d.drop(columns=["opened"])), col("opened")),
    ("delivered-string-abc", tparquet(lambda d: set_cell(d, 3, "delivered", "abc", str)), row(3)),
    ("delivered-negative", tparquet(lambda d: set_cell(d, 3, "delivered", -5)), row(3)),
    ("opened-gt-delivered", tparquet(lambda d: set_cell(d, 4, "opened", 4000)), row(4)),
    ("read-gt-opened", tparquet(lambda d: set_cell(d, 4, "read", 400)), row(4)),
    ("delivered-fractional", tparquet(lambda d: set_cell(d, 5, "delivered", 1040.5, "float64")), row(5)),
    ("opened-NaN", tparquet(lambda d: set_cell(d, 5, "opened", np.nan, "float64")), row(5)),
    ("delivered-inf", tparquet(lambda d: set_cell(d, 5, "delivered", np.inf, "float64")), row(5)),
    ("delivered-uint64-1e19", tparquet(lambda d: set_cell(d, 6, "delivered", 10**19, "uint64")), row(6)),
    ("delivered-3-billion", tparquet(lambda d: set_cell(d, 6, "delivered", 3_000_000_000)), row(6)),
    ("delivered-bool-column", tparquet(lambda d: d.assign(delivered=[True] * 10)), LOC),
    (
        "sent_at-NaT",
        tparquet(lambda d: set_cell(d.drop(columns=["slot"]), 2, "sent_at", pd.NaT)),
        row(2),
    ),
    (
        "sent_at-strings-garbage",
        tparquet(lambda d: set_cell(d.drop(columns=["slot"]), 2, "sent_at", "garbage", str)),
        row(2),
    ),
    ("zero-rows", tparquet(lambda d: d.iloc[:0]), None),
    ("duplicate-column-names", tparquet(dup_columns), col("opened")),
    ("csv-text-renamed-parquet", tcsv(), None),
]
for name, data, where in parquet_faults:
    add(f"validate-parquet-{name}", {PQ: data}, ["validate", PQ], where=where)

# --- validate: JSON records --------------------------------------------------------------------
JS = "wx_pushes.json"
rec_where = r"\brow 2\b|\$\[1\]"
json_faults: list[tuple[str, Content, str | None]] = [
    ("delivered-string-abc", records_bytes(rec_set(2, "delivered", "abc")), rec_where),
    ("delivered-true", records_bytes(rec_set(2, "delivered", True)), rec_where),
    (
        "delivered-true-nothing-opened",
        records_bytes(
            lambda r: rec_set(2, "read", 0)(rec_set(2, "opened", 0)(rec_set(2, "delivered", True)(r)))
        ),
        rec_where,
    ),
    ("delivered-null", records_bytes(rec_set(2, "delivered", None)), rec_where),
    ("opened-object", records_bytes(rec_set(2, "opened", {"n": 5})), rec_where),
    ("opened-gt-delivered", records_bytes(rec_set(2, "opened", 99999)), rec_where),
    ("delivered-negative", records_bytes(rec_set(2, "delivered", -1)), rec_where),
    ("delivered-fractional", records_bytes(rec_set(2, "delivered", 1010.25)), rec_where),
    ("record-is-a-string", records_bytes(lambda r: [r[0], "P02", *r[2:]]), rec_where),
    (
        "opened-missing-everywhere",
        records_bytes(lambda r: [{k: v for k, v in x.items() if k != "opened"} for x in r]),
        col("opened"),
    ),
    (
        "sent_at-garbage",
        records_bytes(
            lambda r: [{k: v for k, v in x.items() if k != "slot"} for x in rec_set(2, "sent_at", "?")(r)]
        ),
        rec_where,
    ),
    ("empty-array", b"[]", None),
]
for name, data, where in json_faults:
    add(f"validate-json-records-{name}", {JS: data}, ["validate", JS], where=where)

# --- validate: files that are not files --------------------------------------------------------
add(
    "validate-nonexistent-file",
    {},
    ["validate", "no_such_pushes.csv"],
    where=None,
    names=("no_such_pushes.csv",),
)
add("validate-empty-folder", {"empty_dir": None}, ["validate", "empty_dir"], where=None, names=("empty_dir",))
add(
    "validate-folder-of-unrelated-files",
    {"notes_dir/readme.txt": b"just notes\n", "notes_dir/photo.png": PNG_BYTES},
    ["validate", "notes_dir"],
    where=None,
    names=("notes_dir",),
)

# --- shared options ----------------------------------------------------------------------------
GOOD = "good_pushes.csv"
good_csv = tcsv()
add(
    "validate-columns-no-equals",
    {GOOD: good_csv},
    ["validate", GOOD, "--columns", "delivered"],
    option_error=True,
    option_words=("--columns", "delivered"),
)
add(
    "validate-columns-unknown-wxtime-name",
    {GOOD: good_csv},
    ["validate", GOOD, "--columns", "bogus_name=delivered"],
    option_error=True,
    option_words=("--columns", "bogus_name"),
)
add(
    "validate-columns-header-not-in-file",
    {GOOD: tcsv(rename={"delivered": "sent"})},
    ["validate", GOOD, "--columns", "delivered=nosuchheader"],
    where=r"nosuchheader|'delivered'",
)
add(
    "validate-columns-one-name-two-headers",
    {GOOD: good_csv},
    ["validate", GOOD, "--columns", "opened=opened,opened=read"],
    option_error=True,
    option_words=("--columns", "opened"),
)
add(
    "validate-tz-unknown",
    {GOOD: good_csv},
    ["validate", GOOD, "--tz", "Mars/Olympus_Mons"],
    option_error=True,
    option_words=("--tz", "Mars/Olympus_Mons"),
)
for name, argv_extra, words in [
    ("slot-freq-banana", ["--slot-freq", "banana"], ("--slot-freq", "slot_freq", "banana")),
    ("slot-freq-zero", ["--slot-freq", "0min"], ("--slot-freq", "0min")),
    ("positions-middle", ["--positions", "middle"], ("--positions", "middle")),
    ("age-hours-negative", ["--age-hours", "-5"], ("--age-hours", "-5")),
    ("age-hours-not-a-number", ["--age-hours", "two days"], ("--age-hours", "two days")),
]:
    add(
        f"validate-{name}",
        {GOOD: good_csv},
        ["validate", GOOD, *argv_extra],
        option_error=True,
        option_words=words,
    )
add(
    "validate-encoding-unknown",
    {GOOD: good_csv},
    ["validate", GOOD, "--encoding", "klingon-8"],
    option_error=True,
    option_words=("--encoding", "klingon-8"),
)
add("validate-sep-semicolon-on-comma-file", {GOOD: good_csv}, ["validate", GOOD, "--sep", ";"], where=LOC)
add("validate-sep-pipe-on-comma-file", {GOOD: good_csv}, ["validate", GOOD, "--sep", "|"], where=LOC)
add("validate-sep-tab-on-comma-file", {GOOD: good_csv}, ["validate", GOOD, "--sep", "\t"], where=LOC)

# --- payloads: getarticletotal -----------------------------------------------------------------
P = "getarticletotal_2024-06-03.json"
ST = "send_times_log.csv"


def pl(name: str, data: Content, where: str | None, argv_extra: tuple[str, ...] = (), **kw) -> None:
    add(
        f"validate-payload-{name}",
        {P: data, ST: send_times_csv()},
        ["validate", P, "--send-times", ST, *argv_extra],
        where=where,
        **kw,
    )


def det_path(key: str) -> str:
    return re.escape(f"$.list[1].details[1].{key}")


good_payload = articletotal()()
pl("truncated-json", good_payload[: len(good_payload) // 2], r"\bline \d+")
pl("html-body", HTML_PAGE, None)
pl("empty-file", b"", None)
pl("top-level-array-of-numbers", b"[1, 2, 3]", LOC)
pl("top-level-string", b'"ok"', LOC)
pl("top-level-number", b"42", LOC)
pl("top-level-null", b"null", LOC)
pl("list-missing", b'{"total": 2}', r"list")
pl("list-is-object", b'{"list": {}}', re.escape("$.list"))
pl("list-is-string", b'{"list": "abc"}', re.escape("$.list"))
pl("list-is-null", b'{"list": null}', re.escape("$.list"))
pl("list-empty", b'{"list": []}', None)
pl("items-are-strings", b'{"list": ["100_1", "101_1"]}', re.escape("$.list[0]"))
pl("item-is-number", articletotal(lambda p: p["list"].__setitem__(1, 7)), re.escape("$.list[1]"))
pl("item-is-null", articletotal(lambda p: p["list"].__setitem__(1, None)), re.escape("$.list[1]"))
pl("details-missing", articletotal(at_item("details", None, delete=True)), re.escape("$.list[1]"))
pl(
    "details-is-dict",
    articletotal(at_item("details", {"stat_date": "2024-06-04"})),
    re.escape("$.list[1].details"),
)
pl("details-is-string", articletotal(at_item("details", "none")), re.escape("$.list[1].details"))
# An article without statistics yet: rejecting it or leaving it out (and saying so) are both fine.
pl(
    "details-empty",
    articletotal(at_item("details", [])),
    re.escape("$.list[1]"),
    ("--json",),
    accept_rows=1,
    needs_skip=True,
)
pl("detail-is-string", articletotal(at_item("details", ["x"])), re.escape("$.list[1].details[0]"))
pl("target_user-missing", articletotal(at_detail("target_user", None, delete=True)), det_path("target_user"))
pl("target_user-negative", articletotal(at_detail("target_user", -1010)), det_path("target_user"))
pl("target_user-not-a-number", articletotal(at_detail("target_user", "abc")), det_path("target_user"))
pl("target_user-fractional", articletotal(at_detail("target_user", 1010.5)), det_path("target_user"))
pl("target_user-null", articletotal(at_detail("target_user", None)), det_path("target_user"))
pl("target_user-true", articletotal(at_detail("target_user", True)), det_path("target_user"))
pl("target_user-1e19", articletotal(at_detail("target_user", 10**19)), det_path("target_user"))
pl("target_user-list", articletotal(at_detail("target_user", [1010])), det_path("target_user"))
pl(
    "target_user-NaN-literal",
    lambda: articletotal(at_detail("target_user", "@@NAN@@"))().replace(b'"@@NAN@@"', b"NaN"),
    det_path("target_user"),
)
pl(
    "session-reads-Infinity-literal",
    lambda: articletotal(at_detail("int_page_from_session_read_user", "@@INF@@"))().replace(
        b'"@@INF@@"', b"Infinity"
    ),
    det_path("int_page_from_session_read_user"),
)
pl(
    "session-reads-gt-target_user",
    articletotal(at_detail("int_page_from_session_read_user", 50000)),
    re.escape("$.list[1].details[1]"),
)
pl(
    "session-reads-negative",
    articletotal(at_detail("int_page_from_session_read_user", -4)),
    det_path("int_page_from_session_read_user"),
)
pl(
    "session-reads-not-a-number",
    articletotal(at_detail("int_page_from_session_read_user", "多")),
    det_path("int_page_from_session_read_user"),
)
pl("stat_date-null", articletotal(at_detail("stat_date", None)), det_path("stat_date"))
pl("stat_date-garbage", articletotal(at_detail("stat_date", "2024-06-99")), det_path("stat_date"))
pl("ref_date-missing", articletotal(at_item("ref_date", None, delete=True)), re.escape("$.list[1].ref_date"))
pl("ref_date-garbage", articletotal(at_item("ref_date", "2024-13-01")), re.escape("$.list[1].ref_date"))
pl("msgid-missing", articletotal(at_item("msgid", None, delete=True)), re.escape("$.list[1]"))
pl("msgid-object", articletotal(at_item("msgid", {"id": 101})), re.escape("$.list[1].msgid"))
pl(
    "errcode-45009-quota",
    b'{"errcode": 45009, "errmsg": "reach max api daily quota limit"}',
    r"errcode|45009",
)
pl(
    "errcode-40001-credential",
    b'{"errcode":40001,"errmsg":"invalid credential, access_token is invalid"}',
    r"errcode|40001",
)
pl(
    "errcode-61503-not-ready",
    b'{"errcode":61503,"errmsg":"data not ready, please try later"}',
    r"errcode|61503",
)
pl("errcode-minus-1-busy", b'{"errcode":-1,"errmsg":"system error"}', r"errcode|-1")

# --- payloads: getarticletotaldetail -----------------------------------------------------------
PD = "getarticletotaldetail_2026-03-09.json"


def pld(name: str, mutate: Callable[[dict], None], where: str | None, *extra: str, **kw) -> None:
    add(
        f"validate-payload-detail-{name}",
        {PD: articletotaldetail(mutate), ST: send_times_csv()},
        ["validate", PD, "--send-times", ST, *extra],
        where=where,
        **kw,
    )


dl_path = re.escape("$.list[1].detail_list")
pld("detail_list-is-dict", lambda p: p["list"][1].__setitem__("detail_list", {"read_user": 1}), dl_path)
pld("detail_list-missing", lambda p: p["list"][1].pop("detail_list"), re.escape("$.list[1]"))
pld("read_user_source-is-string", at_dl("read_user_source", "全部"), dl_path)
pld(
    "user_count-not-a-number",
    at_source("user_count", "abc"),
    dl_path,
)
pld(
    "user_count-negative",
    at_source("user_count", -60),
    dl_path,
)
pld("read_delivery_rate-not-a-number", at_dl("read_delivery_rate", "6.1%"), dl_path)
pld("read_delivery_rate-negative", at_dl("read_delivery_rate", -0.06), dl_path)
# Deliveries cannot be recovered from a zero rate: rejecting or leaving the push out (saying so) are fine.
pld(
    "read_delivery_rate-zero-with-reads",
    at_dl("read_delivery_rate", 0),
    dl_path,
    "--json",
    accept_rows=1,
    needs_skip=True,
)
pld("read_delivery_rate-above-1", at_dl("read_delivery_rate", 1.5), dl_path)
pld("stat_date-null", at_dl("stat_date", None), dl_path)

# --- payload folders ---------------------------------------------------------------------------
PF = "wx_raw_dir"
add(
    "validate-payload-folder-with-errcode-file",
    payload_folder(
        {
            "wx_raw_dir/getarticletotal_2024-06-07.json": b'{"errcode":45009,"errmsg":"quota"}',
            ST: send_times_csv(),
        }
    ),
    ["validate", PF, "--send-times", ST],
    where=r"errcode|45009",
    names=("getarticletotal_2024-06-07.json",),
)
add(
    "validate-payload-folder-with-truncated-file",
    payload_folder({"wx_raw_dir/getarticletotal_2024-06-07.json": good_payload[:40], ST: send_times_csv()}),
    ["validate", PF, "--send-times", ST],
    where=r"\bline \d+",
    names=("getarticletotal_2024-06-07.json",),
)
add(
    "validate-payload-folder-with-html-file",
    payload_folder({"wx_raw_dir/getarticletotal_2024-06-07.json": HTML_PAGE, ST: send_times_csv()}),
    ["validate", PF, "--send-times", ST],
    where=None,
    names=("getarticletotal_2024-06-07.json",),
)
add(
    "validate-payload-folder-bad-target_user",
    payload_folder(
        {
            "wx_raw_dir/getarticletotal_2024-06-04.json": articletotal(
                lambda p: {
                    "list": [{**article(1), "details": [{**article(1)["details"][0], "target_user": "x"}]}]
                }
            ),
            ST: send_times_csv(),
        }
    ),
    ["validate", PF, "--send-times", ST],
    where=re.escape("$.list[0].details[0].target_user"),
    names=("getarticletotal_2024-06-04.json",),
)

# getuserreadhour: send times inferred from hourly reads (no --send-times), one hourly file bad.
RH = f"getuserreadhour_{PUSH_DAYS[1]}.json"
readhour_faults = [
    ("ref_hour-not-a-number", at_hour_row("ref_hour", "abc")),
    ("ref_hour-2400", at_hour_row("ref_hour", 2400)),
    ("ref_hour-1230", at_hour_row("ref_hour", 1230)),
    ("ref_hour-negative", at_hour_row("ref_hour", -100)),
    ("ref_hour-null", at_hour_row("ref_hour", None)),
    ("ref_hour-missing", at_hour_row("ref_hour", None, delete=True)),
]
for name, mut in readhour_faults:
    add(
        f"validate-payload-readhour-{name}",
        readhour_bad(mut),
        ["validate", PF],
        where=r"ref_hour",
        names=(RH,),
    )
add(
    "validate-payload-readhour-list-not-a-list",
    {**payload_folder(hourly=True), f"wx_raw_dir/{RH}": b'{"list": {"ref_hour": 2100}}'},
    ["validate", PF],
    where=re.escape("$.list"),
    names=(RH,),
)

# --- --send-times problems ---------------------------------------------------------------------
PF_FILES = payload_folder()
for name, data, where in [
    ("missing-msgid-column", send_times_csv(header=("id", "sent_at")), r"'msgid'|msgid"),
    ("missing-sent_at-column", send_times_csv(header=("msgid", "time")), r"'sent_at'|sent_at"),
    ("bad-time", send_times_csv(bad={2: "yesterday noon"}), row(2)),
    ("date-only", send_times_csv(bad={3: "2024-06-05"}), row(3)),
    ("time-hour-25", send_times_csv(bad={3: "2024-06-05 25:00"}), row(3)),
    ("empty-file", b"", None),
    ("header-only", b"msgid,sent_at\n", LOC),
    (
        "duplicate-msgid-different-times",
        send_times_csv() + b"101_1,2024-06-04 08:00\n",
        LOC,
    ),
]:
    add(
        f"validate-send-times-{name}",
        {**PF_FILES, ST: data},
        ["validate", PF, "--send-times", ST],
        where=where,
        names=(ST,) if name != "header-only" else (ST, PF),
    )
add(
    "validate-send-times-missing-a-push",
    {**PF_FILES, ST: send_times_csv(n=3)},
    ["validate", PF, "--send-times", ST],
    where=LOC,
    names=(ST, PF, "getarticletotal_2024-06-06.json"),
)
add(
    "validate-send-times-nonexistent",
    PF_FILES,
    ["validate", PF, "--send-times", "no_such_times.csv"],
    where=None,
    names=("no_such_times.csv",),
)

# --- the other commands on bad push tables -----------------------------------------------------
cmd_faults: list[tuple[str, str, Content, str | None]] = [
    ("csv-missing-opened", F, tcsv(drop=("opened",)), col("opened")),
    ("csv-opened-gt-delivered", F, tcsv(set_={(4, "opened"): "5000"}), row(4)),
    ("csv-delivered-not-a-number", F, tcsv(set_={(2, "delivered"): "abc"}), row(2)),
    ("csv-empty-file", F, b"", None),
    ("csv-10wan-plus", F, tcsv(set_={(7, "opened"): "10万+"}), row(7)),
    ("xlsx-read-gt-opened", XL, txlsx(set_={(3, "read"): "999"}), row(3)),
    ("parquet-delivered-negative", PQ, tparquet(lambda d: set_cell(d, 3, "delivered", -5)), row(3)),
    ("payload-truncated", P, good_payload[:100], r"\bline \d+"),
]
# (report's out/study.html + .json and plan's plan.csv must not appear: every case checks that a
# failed command leaves no new file anywhere under tmp_path.)
commands: list[tuple[str, list[str]]] = [
    ("analyze", ["analyze", "{f}", "--json", "--permutations", "0"]),
    ("report", ["report", "{f}", "-o", "out/study.html"]),
    ("plan", ["plan", "{f}", "--days", "14", "-o", "plan.csv"]),
    ("bandit-recommend", ["bandit", "recommend", "{f}"]),
    ("replay", ["replay", "{f}", "--target", "12:00", "--uniform"]),
]
for cname, argv in commands:
    for fname, fpath, data, where in cmd_faults:
        files = {fpath: data}
        args = [a.replace("{f}", fpath) for a in argv]
        if fpath == P:
            files[ST] = send_times_csv()
            args += ["--send-times", ST]
        add(f"{cname}-{fname}", files, args, where=where)

# --metric needs a column the file lacks.
add(
    "analyze-metric-read-without-read-column",
    {F: tcsv(drop=("read",))},
    ["analyze", F, "--metric", "read"],
    where=col("read"),
)
add(
    "analyze-metric-click-without-clicked",
    {F: tcsv()},
    ["analyze", F, "--metric", "click"],
    where=col("clicked"),
)
add(
    "bandit-recommend-metric-share-without-shared",
    {F: tcsv()},
    ["bandit", "recommend", F, "--metric", "share"],
    where=col("shared"),
)

# --- replay propensities -----------------------------------------------------------------------
RP = "randomised_log.csv"
for name, bad, where in [
    ("zero", {3: "0"}, row(3)),
    ("empty", {3: ""}, row(3)),
    ("NaN", {3: "NaN"}, row(3)),
    ("above-1", {5: "1.5"}, row(5)),
    ("negative", {5: "-0.5"}, row(5)),
    ("not-a-number", {5: "half"}, row(5)),
    ("percent-string", {5: "50%"}, row(5)),
]:
    add(
        f"replay-propensity-{name}",
        {RP: replay_table(bad)},
        ["replay", RP, "--target", "12:00", "--propensity-column", "p"],
        where=where,
    )
add(
    "replay-propensity-column-missing",
    {RP: replay_table()},
    ["replay", RP, "--target", "12:00", "--propensity-column", "q"],
    where=col("q"),
)

# --- option values of the other commands -------------------------------------------------------
add(
    "replay-target-25h",
    {RP: replay_table()},
    ["replay", RP, "--target", "25:00", "--propensity-column", "p"],
    option_error=True,
    option_words=("--target", "25:00"),
)
add(
    "replay-target-mix-not-summing-to-1",
    {RP: replay_table()},
    ["replay", RP, "--target", "12:00=0.9,21:00=0.9", "--propensity-column", "p"],
    option_error=True,
    option_words=("--target", "12:00=0.9", "0.9", "1.8"),
)
add(
    "plan-days-negative",
    {GOOD: good_csv},
    ["plan", GOOD, "--days", "-3", "-o", "plan.csv"],
    option_error=True,
    option_words=("--days", "-3"),
)
add(
    "plan-days-not-a-number",
    {GOOD: good_csv},
    ["plan", GOOD, "--days", "two-weeks", "-o", "plan.csv"],
    option_error=True,
    option_words=("--days", "two-weeks"),
)
add(
    "analyze-alpha-above-1",
    {GOOD: good_csv},
    ["analyze", GOOD, "--alpha", "1.5", "--permutations", "0"],
    option_error=True,
    option_words=("--alpha", "1.5"),
)

# --- aggregate ---------------------------------------------------------------------------------
EV = "deliveries.csv"
EVP = "deliveries.parquet"
OUT = "agg_pushes.csv"
agg_csv_faults: list[tuple[str, bytes, str | None]] = [
    ("missing-push_id", ev_csv(drop=("push_id",)), col("push_id")),
    ("missing-sent_at", ev_csv(drop=("sent_at",)), col("sent_at")),
    ("sent_at-garbage", ev_csv({(3, "sent_at"): "not-a-time"}), row(3)),
    ("sent_at-empty", ev_csv({(3, "sent_at"): ""}), row(3)),
    ("push_id-empty", ev_csv({(3, "push_id"): ""}), row(3)),
    ("opened_at-garbage", ev_csv({(3, "opened_at"): "soon"}), row(3)),
    ("opened_at-before-sent_at", ev_csv({(3, "opened_at"): "2024-06-03 11:00:00"}), row(3)),
    ("read_at-before-sent_at", ev_csv({(5, "read_at"): "2024-06-04 20:00:00"}), row(5)),
    ("opened_at-month-13", ev_csv({(3, "opened_at"): "2024-13-03 12:30:00"}), row(3)),
    ("non-utf8-user_id", ev_csv().replace(b"u2,", b"\xff\xfeu2,", 1), LOC),
    ("empty-file", b"", None),
    ("html-page", HTML_PAGE, None),
    ("binary-bytes", PNG_BYTES, None),
]
for name, data, where in agg_csv_faults:
    add(f"aggregate-csv-{name}", {EV: data}, ["aggregate", EV, "-o", OUT], where=where)
for name, bad, where in [
    ("opened-flag-2", {(3, "opened"): "2"}, row(3)),
    ("opened-flag-minus-1", {(3, "opened"): "-1"}, row(3)),
    ("opened-flag-yes", {(3, "opened"): "yes"}, row(3)),
    ("opened-flag-0.5", {(3, "opened"): "0.5"}, row(3)),
]:
    add(f"aggregate-csv-{name}", {EV: ev_flags_csv(bad)}, ["aggregate", EV, "-o", OUT], where=where)

agg_pq_faults: list[tuple[str, Content, str | None]] = [
    ("missing-push_id", ev_parquet(lambda d: d.drop(columns=["push_id"])), col("push_id")),
    (
        "opened_at-before-sent_at",
        ev_parquet(lambda d: set_cell(d, 2, "opened_at", pd.Timestamp("2024-06-03 11:59:00"))),
        row(2),
    ),
    ("sent_at-null", ev_parquet(lambda d: set_cell(d, 2, "sent_at", pd.NaT)), row(2)),
    (
        "sent_at-string-garbage",
        ev_parquet(lambda d: set_cell(d.assign(sent_at=d.sent_at.astype(str)), 2, "sent_at", "garbage")),
        row(2),
    ),
    (
        "opened-flag-2",
        ev_parquet(
            lambda d: set_cell(
                d.drop(columns=["opened_at", "read_at"]).assign(opened=[1, 0] * 4), 2, "opened", 2
            )
        ),
        row(2),
    ),
    ("zero-rows", ev_parquet(lambda d: d.iloc[:0]), None),
    ("csv-text-renamed-parquet", ev_csv(), None),
]
for name, data, where in agg_pq_faults:
    add(f"aggregate-parquet-{name}", {EVP: data}, ["aggregate", EVP, "-o", OUT], where=where)
add(
    "aggregate-second-file-bad",
    {"logs/a_good.csv": ev_flags_csv(), "logs/b_bad.csv": ev_flags_csv({(4, "opened"): "2"})},
    ["aggregate", "logs/a_good.csv", "logs/b_bad.csv", "-o", OUT],
    where=row(4),
    names=("b_bad.csv",),
)
add(
    "aggregate-nonexistent",
    {},
    ["aggregate", "no_such_log.parquet", "-o", OUT],
    where=None,
    names=("no_such_log",),
)
add(
    "aggregate-glob-matches-nothing",
    {},
    ["aggregate", "nothing_*.parquet", "-o", OUT],
    where=None,
    names=("nothing_",),
)
add(
    "aggregate-empty-folder",
    {"log_dir": None},
    ["aggregate", "log_dir", "-o", OUT],
    where=None,
    names=("log_dir",),
)
add(
    "aggregate-age-hours-negative",
    {EV: ev_csv()},
    ["aggregate", EV, "-o", OUT, "--age-hours", "-5"],
    option_error=True,
    option_words=("--age-hours", "-5"),
)
add(
    "aggregate-age-hours-not-a-number",
    {EV: ev_csv()},
    ["aggregate", EV, "-o", OUT, "--age-hours", "a day"],
    option_error=True,
    option_words=("--age-hours", "a day"),
)

assert len({c.id for c in CASES}) == len(CASES), "duplicate case ids"


# Issue 18 changed these contracts: what the user means is clear, so the file is read and the load
# summary says what was done (never silently): identical rows are counted once (``skipped``), a
# text file with an Excel or Parquet name is read as text (``notes``), error responses in a folder
# of payloads are skipped and listed (``skipped``, ``notes``), and a send log of full date-times
# matches pushes by their date (a msgid column is one way of matching, not a requirement).
ACCEPTED_SINCE_ISSUE_18 = {
    "validate-csv-duplicate-row": (10, True),
    "validate-xlsx-csv-text-renamed-xlsx": (10, False),
    "validate-xls-csv-text-renamed": (10, False),
    "validate-parquet-csv-text-renamed-parquet": (10, False),
    "validate-payload-folder-with-errcode-file": (4, True),
    "validate-send-times-missing-msgid-column": (4, False),
    "validate-send-times-missing-sent_at-column": (4, False),
}
for i, case in enumerate(CASES):
    if case.id in ACCEPTED_SINCE_ISSUE_18:
        rows, skip = ACCEPTED_SINCE_ISSUE_18[case.id]
        CASES[i] = dataclasses.replace(case, argv=(*case.argv, "--json"), accept_rows=rows, needs_skip=skip)


def materialise(root: Path, files: dict[str, Content]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content() if callable(content) else content)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input(case: Case, tmp_path, monkeypatch, capsys):
    materialise(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    before = files_under(tmp_path)
    res = run_cli(list(case.argv), capsys)
    after = files_under(tmp_path)
    assert_no_traceback(res)

    if case.option_error:
        assert res.code == 2, f"expected exit code 2 for a bad option value\n{res.describe()}"
        if res.system_exit:
            assert "usage:" in res.err, f"SystemExit without an argparse usage message\n{res.describe()}"
        else:
            assert error_message(res), f"no line starting {PREFIX!r} on stderr\n{res.describe()}"
        assert any(w in res.err for w in case.option_words), (
            f"the message names neither the option nor the value ({case.option_words})\n{res.describe()}"
        )
    elif case.accept_rows is not None and res.code == 0:
        summary = summary_of(res)
        skipped = skipped_total(summary)
        assert summary.get("rows") == case.accept_rows, (
            f"accepted, but rows != {case.accept_rows} (the file holds that many pushes)\n{res.describe()}"
        )
        if case.needs_skip:
            assert skipped >= 1, (
                f"accepted a row that is not a push without saying it skipped it\n{res.describe()}"
            )
    else:
        names = case.names or (
            Path(next(a for a in case.argv[1:] if not a.startswith("-") and a != "recommend")).name,
        )
        assert_rejected(res, names, case.where)

    new = after - before
    if res.code != 0:
        assert not new, f"failed but wrote {sorted(new)}\n{res.describe()}"


def test_case_count():
    assert len(CASES) >= 150, len(CASES)


# ---------------------------------------------------------------------------------------------
# positive controls: the same formats, good, must succeed
# ---------------------------------------------------------------------------------------------


def noon_frame() -> pd.DataFrame:
    return pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "noon_study.csv")


def validate_ok(argv: list[str], capsys, rows: int) -> dict:
    res = run_cli([*argv, "--json"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, f"a good file was rejected\n{res.describe()}"
    summary = summary_of(res)
    assert summary.get("rows") == rows, res.describe()
    assert summary.get("slots"), res.describe()
    assert skipped_total(summary) == 0, res.describe()
    return summary


@pytest.mark.parametrize("fmt", ["csv", "semicolon-csv", "xlsx", "parquet", "json-records"])
def test_control_push_table_formats(fmt, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    df = noon_frame()
    argv = []
    if fmt == "csv":
        df.to_csv(name := "noon.csv", index=False)
    elif fmt == "semicolon-csv":
        df.to_csv(name := "noon.csv", sep=";", index=False)
        argv = ["--sep", ";"]
    elif fmt == "xlsx":
        df.to_excel(name := "noon.xlsx", index=False)
    elif fmt == "parquet":
        df.to_parquet(name := "noon.parquet", index=False)
    else:
        df.to_json(name := "noon.json", orient="records", force_ascii=False)
    summary = validate_ok(["validate", name, *argv], capsys, rows=70)
    assert summary["slots"] == ["07:30", "12:00", "18:00", "21:00", "22:30"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_control_wechat_export_chinese_headers(encoding, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path(X).write_bytes(export(encoding="utf-8" if encoding == "utf-8-sig" else encoding))
    argv = ["validate", X] + (["--encoding", "gbk"] if encoding == "gbk" else [])
    summary = validate_ok(argv, capsys, rows=10)
    assert summary["slots"] == ["12:00", "21:00"]


def test_control_date_and_time_columns(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path(D).write_bytes(date_time_export())
    validate_ok(["validate", D], capsys, rows=10)


def test_control_columns_mapping(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path(GOOD).write_bytes(tcsv(rename={"delivered": "sent", "slot": "when"}))
    validate_ok(["validate", GOOD, "--columns", "delivered=sent,slot=when"], capsys, rows=10)


def test_control_payload_folder_with_send_times(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    materialise(tmp_path, {**payload_folder(), ST: send_times_csv()})
    summary = validate_ok(["validate", PF, "--send-times", ST], capsys, rows=4)
    assert summary["slots"] == ["12:00", "21:00"]


def test_control_payload_file_and_detail_payload(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    materialise(tmp_path, {P: articletotal(), PD: articletotaldetail(), ST: send_times_csv()})
    validate_ok(["validate", P, "--send-times", ST], capsys, rows=2)
    validate_ok(["validate", PD, "--send-times", ST], capsys, rows=2)


def test_control_payload_folder_with_getuserreadhour(tmp_path, monkeypatch, capsys):
    """A folder of saved responses of both kinds (getarticletotal + getuserreadhour), plus a send log."""
    monkeypatch.chdir(tmp_path)
    materialise(tmp_path, {**payload_folder(hourly=True), ST: send_times_csv()})
    summary = validate_ok(["validate", PF, "--send-times", ST], capsys, rows=4)
    assert summary["slots"] == ["12:00", "21:00"]


def test_control_commands_write_outputs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    noon_frame().to_csv("noon.csv", index=False)
    res = run_cli(["analyze", "noon.csv", "--json", "--permutations", "0"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    assert summary_of(res)
    res = run_cli(["bandit", "recommend", "noon.csv"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    res = run_cli(["plan", "noon.csv", "--days", "14", "-o", "plan.csv"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    assert len(pd.read_csv("plan.csv")) >= 14
    res = run_cli(["report", "noon.csv", "-o", "out/study.html"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    assert Path("out/study.html").stat().st_size > 0 and Path("out/study.json").stat().st_size > 0


def test_control_replay_with_propensities(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path(RP).write_bytes(replay_table())
    res = run_cli(["replay", RP, "--target", "12:00", "--propensity-column", "p", "--json"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    assert summary_of(res)


def test_aggregate_files_with_different_schemas(tmp_path, monkeypatch, capsys):
    """One log with opened_at timestamps, one with 0/1 flags: combine them correctly or reject them."""
    monkeypatch.chdir(tmp_path)
    materialise(tmp_path, {"logs/a_times.csv": ev_csv(), "logs/b_flags.csv": ev_flags_csv()})
    res = run_cli(["aggregate", "logs/a_times.csv", "logs/b_flags.csv", "-o", OUT, "--json"], capsys)
    assert_no_traceback(res)
    assert res.code in (0, 2), res.describe()
    if res.code == 2:
        assert_rejected(res, ("a_times.csv", "b_flags.csv"), None)
        assert not Path(OUT).exists(), res.describe()
    else:
        out = pd.read_csv(OUT)
        assert out["delivered"].sum() == 16 and out["opened"].sum() == 8, res.describe()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_control_aggregate(fmt, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if fmt == "csv":
        Path(EV).write_bytes(ev_csv())
        src = EV
    else:
        Path(EVP).write_bytes(ev_parquet(lambda d: d)())
        src = EVP
    res = run_cli(["aggregate", src, "-o", OUT, "--json"], capsys)
    assert_no_traceback(res)
    assert res.code == 0, res.describe()
    out = pd.read_csv(OUT)
    assert len(out) == 2
    assert out["delivered"].tolist() == [4, 4] and out["opened"].tolist() == [2, 2]
    validate_ok(["validate", OUT], capsys, rows=2)


# ---------------------------------------------------------------------------------------------
# properties: arbitrary payloads and arbitrary bytes
# ---------------------------------------------------------------------------------------------

json_scalar = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
json_any = st.recursive(
    json_scalar,
    lambda ch: st.lists(ch, max_size=3) | st.dictionaries(st.text(max_size=6), ch, max_size=3),
    max_leaves=8,
)
count = st.integers(min_value=-5, max_value=3000) | json_scalar
detail_st = st.fixed_dictionaries(
    {},
    optional={
        "stat_date": st.sampled_from([*PUSH_DAYS, "2024-06-31", ""]) | json_scalar,
        "target_user": count,
        "int_page_read_user": count,
        "int_page_from_session_read_user": count,
        "share_user": count,
    },
)
item_st = st.fixed_dictionaries(
    {},
    optional={
        "ref_date": st.sampled_from(PUSH_DAYS) | json_scalar,
        "msgid": st.sampled_from([f"{100 + i}_1" for i in range(4)]) | json_scalar,
        "title": json_scalar,
        "details": st.lists(detail_st, max_size=3) | json_any,
    },
)
payload_st = st.one_of(
    json_any,
    st.fixed_dictionaries({"list": st.lists(item_st | json_any, max_size=4)}),
    st.fixed_dictionaries({"list": st.lists(item_st, min_size=1, max_size=4)}),
    st.fixed_dictionaries({"errcode": st.integers(-1, 70000), "errmsg": st.text(max_size=20)}),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,  # CI runs the same examples every time; fuzz wider by hand (max_examples)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(payload=payload_st)
@example(payload=[[], None])  # a top-level array that is not an array of records
@example(payload=[{"push_id": "P1", "delivered": 10, "opened": 1, "slot": "12:00"}, 5])
@example(payload={"list": [{"msgid": "100_1", "ref_date": "2024-06-03", "details": {"target_user": 1}}]})
@example(payload={"errcode": 0, "errmsg": "ok"})
def test_property_arbitrary_payload(payload, capsys):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz_payload.json"
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        times = Path(d) / "fuzz_times.csv"
        times.write_bytes(send_times_csv())
        res = run_cli(["validate", str(path), "--send-times", str(times), "--json"], capsys)
        assert_no_traceback(res)
        assert res.code in (0, 2), res.describe()
        if res.code == 0:
            summary = summary_of(res)
            items = payload.get("list") if isinstance(payload, dict) else None
            assert isinstance(items, list), f"accepted a payload without a list\n{res.describe()}"
            assert isinstance(summary.get("rows"), int) and 1 <= summary["rows"] <= len(items), res.describe()
            assert isinstance(summary.get("slots"), list) and summary["slots"], res.describe()
            assert isinstance(summary.get("skipped"), dict), res.describe()
        else:
            assert not res.system_exit, res.describe()
            empty = payload == [] or (isinstance(payload, dict) and payload.get("list") == [])
            assert_rejected(res, ("fuzz_payload.json",), None if empty else LOC)


cell_st = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", "10万+", "5.63%", "2024-06-03 12:01", "12:00", "21:00", "abc", "NaN", '"', "\\", "，"]
    ),
    st.text(max_size=6),
)
header_st = st.lists(
    st.sampled_from(
        [*HEADER, "送达人数", "公众号消息阅读人数", "发表时间", "时段", "日期", "hour", "group", "x"]
    ),
    min_size=1,
    max_size=7,
)


@st.composite
def csv_like(draw) -> bytes:
    header = draw(header_st)
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(cell_st, min_size=0, max_size=len(header) + 1), max_size=5))
    text = sep.join(header) + "\n" + "\n".join(sep.join(r) for r in rows)
    enc = draw(st.sampled_from(["utf-8", "utf-16", "gbk", "latin-1"]))
    return text.encode(enc, errors="replace")


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,  # CI runs the same examples every time; fuzz wider by hand (max_examples)
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.one_of(st.binary(max_size=400), csv_like()))
@example(data=b"\xef\xbb\xbf")  # a UTF-8 byte-order mark and nothing else
@example(data=b"delivered,opened,slot\n1,2,12:00\n")  # opened > delivered
@example(data="送达人数,打开人数,时段\n100,5,12点\n".encode("gbk"))
def test_property_arbitrary_bytes_as_csv(data, capsys):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz_bytes.csv"
        path.write_bytes(data)
        res = run_cli(["validate", str(path), "--json"], capsys)
        assert_no_traceback(res)
        assert res.code in (0, 2), res.describe()
        if res.code == 0:
            summary = summary_of(res)
            lines = data.count(b"\n") + 1
            assert isinstance(summary.get("rows"), int) and 1 <= summary["rows"] <= lines, res.describe()
        else:
            assert not res.system_exit, res.describe()
            assert error_message(res) and "fuzz_bytes.csv" in error_message(res), res.describe()
        assert set(os.listdir(d)) == {"fuzz_bytes.csv"}
