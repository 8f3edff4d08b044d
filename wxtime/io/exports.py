"""MP-backend exports (数据分析 › 内容分析 › 下载数据明细), recognised by their headers.

* **已通知内容** (one row per article): 内容标题, 发表时间, 送达人数, 公众号消息阅读次数,
  送达阅读率, 内容url ... The real download is often an old BIFF ``total_xxx.xls`` (sheet
  "New Sheet1", a blank column A, the header on row 3) and its 发表时间 a date only
  (``20220329``). Articles of one push share the push id in 内容url (``mid=``), and
  ``idx=`` is their position (1 = the headline). Some downloads have no
  公众号消息阅读次数: the push's opens are then 送达阅读率 x 送达人数 (送达阅读率 is
  defined as 公众号消息阅读次数 / 送达人数), never 阅读人数, which counts every channel.
* **流量分析** by hour (日期 x 小时 x 渠道, 阅读人数 / 阅读次数): the account's hourly reads,
  from which send times can be inferred; 渠道 公众号消息 is the push channel. The same
  export by day (no hour) holds no pushes and is said to be so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem, PushDataError
from .files import Table
from .headers import header_key
from .sendtimes import ALL_CHANNELS, PUSH_CHANNEL

__all__ = ["CHANNELS", "classify", "hourly_from_export", "notified_columns", "to_notified_export"]

#: 流量分析's 渠道 names as datacube ``user_source`` codes (the API's own numbering).
CHANNELS = {
    "全部": ALL_CHANNELS,
    "公众号消息": PUSH_CHANNEL,
    "会话": PUSH_CHANNEL,
    "聊天会话": 1,
    "好友转发": 1,
    "朋友圈": 2,
    "公众号主页": 4,
    "历史消息页": 4,
    "其他": 5,
    "推荐": 6,
    "看一看": 6,
    "搜一搜": 7,
}
_URL_KEYS = re.compile(r"[?&]mid=(?P<mid>\d+).*?[?&]idx=(?P<idx>\d+)")


def _keys(frame: pd.DataFrame) -> dict[str, str]:
    return {header_key(c): c for c in frame.columns}


def classify(table: Table, columns: Mapping[str, str] | None = None) -> str:
    """What a table is: ``"notified"`` (已通知内容), ``"hourly"`` (流量分析 by hour),
    ``"daily"`` (流量分析 by day), ``"log"`` (a send log: times, no counts) or ``"pushes"``.
    ``columns`` (the user's ``--columns``) counts too: a sheet whose count headers the
    aliases do not know is a push table once the user names them."""
    from .headers import ALIASES

    keys = _keys(table.frame)
    targets = {ALIASES.get(k, k) for k in keys}
    targets |= {target for target, header in (columns or {}).items() if header_key(header) in keys}
    if "渠道" in keys or "传播渠道" in keys:
        hour = any(k in keys for k in ("小时", "时段", "时刻", "hour"))
        return "hourly" if hour else "daily"
    if "发表时间" in keys and "送达人数" in keys and ({"内容标题", "内容url", "标题"} & set(keys)):
        return "notified"
    has_counts = bool({"delivered", "opened"} & targets)
    has_time = bool({"sent_at", "send_date", "slot"} & targets)
    if has_time and not has_counts:
        return "log"
    return "pushes"


def notified_columns(table: Table, columns: dict) -> tuple[pd.DataFrame, dict, list[str]]:
    """What an 已通知内容 export adds to the generic reading: ``(extra columns, column mapping,
    notes)``: the push id and article position from 内容url, percent columns as fractions,
    and the opens from 送达阅读率 when the export has no 公众号消息阅读次数."""
    frame = table.frame
    keys = _keys(frame)
    extra = pd.DataFrame(index=frame.index)
    mapping = dict(columns or {})
    notes = []
    url = next((keys[k] for k in ("内容url", "url", "文章链接", "链接") if k in keys), None)
    if url is not None:
        found = frame[url].astype("string").str.extract(_URL_KEYS)
        if found["mid"].notna().mean() > 0.5:
            # Rows without a link (a 合计 row, a hand-added line) stay pushes of their own.
            own = pd.Series([f"row{i}" for i in range(len(frame))], index=frame.index)
            extra["push_key"] = found["mid"].fillna(own).to_numpy(dtype=object)
            extra["position"] = pd.to_numeric(found["idx"]).fillna(1).astype(int).to_numpy()
    opens = [k for k in ("公众号消息阅读次数", "公众号消息阅读人数", "公众号会话阅读人数") if k in keys]
    rate = keys.get("送达阅读率")
    if "opened" not in mapping and not opens and rate is not None:
        percent = _fraction(frame[rate])
        delivered = pd.to_numeric(
            frame[keys["送达人数"]].astype("string").str.replace(r"[,，\s人]", "", regex=True),
            errors="coerce",
        )
        derived = np.round(percent.to_numpy(float) * delivered.to_numpy(float))
        name = "公众号消息阅读 (送达阅读率 x 送达人数)"
        extra[name] = derived
        mapping["opened"] = name
        notes.append(
            f"opens are {rate} x 送达人数 (the export has no 公众号消息阅读次数; "
            "阅读人数 counts every channel)"
        )
    return extra, mapping, notes


def _fraction(values: pd.Series) -> pd.Series:
    """A rate column as fractions: ``"3.74%"`` and ``0.0374`` are both 0.0374."""
    text = values.astype("string").str.strip()
    percent = text.str.endswith("%", na=False)
    number = pd.to_numeric(text.str.rstrip("%").str.strip(), errors="coerce")
    return number.where(~percent, number / 100)


def hourly_from_export(table: Table) -> pd.DataFrame:
    """The 流量分析 hourly export as hourly reads: ``date, hour, user_source, reads``.

    渠道 公众号消息 is the push channel (``user_source`` 0) and 全部 is every channel
    (99999999); other channels keep their datacube codes. Readers (阅读人数) are used when
    the export has them, else reads (阅读次数). Problems name the file, row and column.
    """
    from .times import parse_dates, parse_times_of_day

    frame = table.frame
    keys = _keys(frame)
    date = keys.get("日期") or keys.get("date")
    hour = next((keys[k] for k in ("小时", "时段", "时刻", "hour") if k in keys), None)
    channel = keys.get("渠道") or keys.get("传播渠道")
    reads = keys.get("阅读人数") or keys.get("阅读次数")
    missing = [
        name
        for name, column in (("日期", date), ("小时", hour), ("渠道", channel), ("阅读人数", reads))
        if column is None
    ]
    if missing:
        raise PushDataError(
            table.source,
            [
                Problem(None, m, "is needed in the hourly 流量分析 export but the file lacks it")
                for m in missing
            ],
            line_offset=None,
        )
    problems = []
    days = parse_dates(frame[date], name=date)
    minutes = parse_times_of_day(frame[hour], day_fractions=False)
    count = pd.to_numeric(
        frame[reads].astype("string").str.replace(r"[,，\s人次]", "", regex=True), errors="coerce"
    )
    names = frame[channel].astype("string").str.strip()
    codes = names.map(CHANNELS)
    for i in np.flatnonzero(days.errors != None):  # noqa: E711 - elementwise
        problems.append(Problem(column=date, message=str(days.errors[i]), **table.where(i)))
    for i in np.flatnonzero(np.isnan(minutes) | (np.mod(minutes, 60) != 0)):
        problems.append(
            Problem(
                column=hour, message=f"{frame[hour].iloc[i]!r} is not an hour of the day", **table.where(i)
            )
        )
    for i in np.flatnonzero(count.isna().to_numpy() | (count < 0).to_numpy()):
        problems.append(
            Problem(column=reads, message=f"{frame[reads].iloc[i]!r} is not a count", **table.where(i))
        )
    if problems:
        raise PushDataError(table.source, problems, line_offset=None)
    unknown = codes.isna().to_numpy()
    result = pd.DataFrame(
        {
            "date": days.values,
            "hour": (minutes // 60).astype(int),
            "user_source": codes.fillna(-1).astype(int).to_numpy(),
            "reads": count.astype(np.int64).to_numpy(),
        }
    )
    result = result[~unknown] if unknown.any() else result
    if not (result["user_source"] == PUSH_CHANNEL).any():
        raise PushDataError(
            table.source,
            [
                Problem(
                    None,
                    channel,
                    "has no 公众号消息 rows: the push channel's hourly reads are what give send times",
                )
            ],
            line_offset=None,
        )
    return result.sort_values(["date", "user_source", "hour"]).reset_index(drop=True)


def to_notified_export(pushes: pd.DataFrame) -> pd.DataFrame:
    """A push table as the backend's 已通知内容 export (Chinese headers, percent strings)."""
    return pd.DataFrame(
        {
            "内容标题": pushes.get("title", pd.Series([""] * len(pushes))),
            "发表时间": pushes["sent_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "送达人数": pushes["delivered"],
            "公众号消息阅读次数": pushes["opened"],
            "送达阅读率": (100 * pushes["opened"] / pushes["delivered"]).map("{:.2f}%".format),
            "总分享人数": pushes.get("shared", 0),
        }
    )
