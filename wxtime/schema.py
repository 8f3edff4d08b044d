"""The push table: the one table every wxtime analysis consumes.

One row is one push (one mass message sent to the audience), or one push x
audience group in a split-audience design. Columns:

========== ========== =========================================================
column     required   meaning
========== ========== =========================================================
push_id    no         identifier of the push; generated (``P0001``...) if absent
sent_at    no*        send time, timezone-aware (naive times are read as
                      ``Asia/Shanghai``)
slot       no*        the send slot as ``"HH:MM"``; derived from ``sent_at``
                      (floored to the hour by default) when absent
slot_hour  (derived)  the slot as a float hour of day (``"07:30"`` -> 7.5)
delivered  yes        messages delivered (WeChat 送达人数 / ``target_user``)
opened     yes        recipients who opened the push (WeChat
                      ``int_page_from_session_read_user``: reads from the push)
read       no         recipients who read the article through
clicked    no         recipients who clicked a link (阅读原文)
shared     no         recipients who shared the article
group      no         audience group (split designs); ``push_id`` is unique
                      per group
title, column, position, followers: covariates; any other column is kept as it is
========== ========== =========================================================

``*`` at least one of ``sent_at`` and ``slot`` is needed.

Funnel definitions (used everywhere in wxtime):

* open rate  = opened / delivered
* read rate  = read / delivered
* read-through = read / opened

A file aggregated per slot (no ``sent_at``; each slot once) is accepted as
well; the result then has ``attrs["level"] == "slot"`` and push-level
inference is not possible on it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem, PushDataError

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_TZ",
    "InputError",
    "Problem",
    "PushDataError",
    "format_slot",
    "format_slots",
    "load_summary",
    "parse_columns_option",
    "read_pushes",
    "slot_to_hour",
    "validate_pushes",
]

DEFAULT_TZ = "Asia/Shanghai"
COUNT_COLUMNS = ("delivered", "opened", "read", "clicked", "shared")
COVARIATES = ("title", "column", "position", "followers")

#: Header spellings users' files have, mapped to wxtime's names. Keys are
#: compared after lower-casing and dropping spaces, underscores and brackets.
ALIASES: dict[str, str] = {
    # delivered
    "delivered": "delivered",
    "sent": "delivered",
    "sends": "delivered",
    "deliveries": "delivered",
    "recipients": "delivered",
    "targetuser": "delivered",
    "送达人数": "delivered",
    "送达": "delivered",
    "送达数": "delivered",
    # opened
    "opened": "opened",
    "opens": "opened",
    "open": "opened",
    "intpagefromsessionreaduser": "opened",
    "公众号消息阅读人数": "opened",
    "公众号消息阅读次数": "opened",
    "公众号会话阅读人数": "opened",
    "打开人数": "opened",
    "阅读人数": "opened",
    "阅读数": "opened",
    "阅读量": "opened",
    # read
    "read": "read",
    "reads": "read",
    "readthrough": "read",
    "阅读完成人数": "read",
    # clicked
    "clicked": "clicked",
    "clicks": "clicked",
    "click": "clicked",
    "oripagereaduser": "clicked",
    "阅读原文人数": "clicked",
    # shared
    "shared": "shared",
    "shares": "shared",
    "shareuser": "shared",
    "分享人数": "shared",
    # times and slots
    "sentat": "sent_at",
    "sendtime": "sent_at",
    "senttime": "sent_at",
    "datetime": "sent_at",
    "timestamp": "sent_at",
    "发表时间": "sent_at",
    "群发时间": "sent_at",
    "发送时间": "sent_at",
    "推送时间": "sent_at",
    "发布时间": "sent_at",
    "time": "sent_at",
    "sendat": "sent_at",
    # a date column, combined with a time-of-day column
    "date": "send_date",
    "day": "send_date",
    "senddate": "send_date",
    "日期": "send_date",
    "发送日期": "send_date",
    "推送日期": "send_date",
    "发布日期": "send_date",
    "群发日期": "send_date",
    "slot": "slot",
    "hour": "slot",
    "sendhour": "slot",
    "推送时段": "slot",
    "时段": "slot",
    # identifiers and covariates
    "pushid": "push_id",
    "msgid": "push_id",
    "group": "group",
    "分组": "group",
    "title": "title",
    "内容标题": "title",
    "标题": "title",
    "column": "column",
    "栏目": "column",
    "position": "position",
    "idx": "position",
    "位置": "position",
    "followers": "followers",
    "粉丝数": "followers",
}


def _header_key(name: object) -> str:
    return re.sub(r"[\s_\-()（）\[\]]", "", str(name)).lower()


_SLOT_RE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::00)?\s*$")
_REF_HOUR_RE = re.compile(r"^\s*(\d{3,4})\s*$")


def format_slot(hour: float) -> str:
    """Format a fractional hour of day as a ``"HH:MM"`` slot label.

    Examples
    --------
    >>> format_slot(7.5), format_slot(12), format_slot(23.75)
    ('07:30', '12:00', '23:45')
    """
    minutes = round(float(hour) * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_slots(hours) -> np.ndarray:
    """Vectorised :func:`format_slot` for an array of fractional hours.

    Examples
    --------
    >>> format_slots([7.5, 12, 23.75]).tolist()
    ['07:30', '12:00', '23:45']
    """
    minutes = np.round(np.asarray(hours, dtype=float) * 60).astype(np.int64) % (24 * 60)
    hh = pd.Series(minutes // 60).astype(str).str.zfill(2)
    mm = pd.Series(minutes % 60).astype(str).str.zfill(2)
    return (hh + ":" + mm).to_numpy(dtype=object)


def slot_to_hour(slot: object) -> float:
    """Parse a slot (``12``, ``7.5``, ``"12"``, ``"12:30"``, WeChat ``ref_hour`` ``1200``) to hours.

    Raises ``ValueError`` for anything else.

    Examples
    --------
    >>> slot_to_hour("07:30"), slot_to_hour(12), slot_to_hour("2230"), slot_to_hour(1200)
    (7.5, 12.0, 22.5, 12.0)
    """
    if isinstance(slot, (float, np.floating)) and not float(slot).is_integer():
        if 0 <= slot < 24:
            return float(slot)  # a fractional hour: 7.5 is 07:30
        raise ValueError(f"slot {slot!r} is not an hour of day")
    if isinstance(slot, (int, np.integer)) or isinstance(slot, (float, np.floating)):
        value = int(slot)
        if 0 <= value <= 23:
            return float(value)
        if value % 100 < 60 and 0 <= value // 100 <= 23 and value >= 100:
            return value // 100 + (value % 100) / 60  # WeChat ref_hour: 0, 100, ..., 2300
        raise ValueError(f"slot {slot!r} is not an hour of day")
    text = str(slot)
    match = _SLOT_RE.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour <= 23 and minute <= 59:
            return hour + minute / 60
        raise ValueError(f"slot {slot!r} is not a time of day")
    match = _REF_HOUR_RE.match(text)
    if match:
        return slot_to_hour(int(match.group(1)))
    raise ValueError(f"slot {slot!r} is not a time of day (expected HH:MM or an hour 0-23)")


# A date with no time of day; a whole column of dates at exactly midnight is one too.
# Written with [0-9] and [ \t] (not \d, \s, \b) so pyarrow's RE2 can run them over a whole
# column; the values are stripped first.
_DATE_ONLY = re.compile(r"^[ \t]*[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?[ \t]*$")
_DATE_MIDNIGHT = re.compile(
    r"^[ \t]*[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?(?:[ \t]+00:00(?::00)?)?[ \t]*$"
)
_HAS_TIME = re.compile(r"[0-9]{1,2}:[0-9]{2}|[0-9]{1,2}[ \t]*[点時时]|[0-9][ \t]*[apAP]\.?[mM]", re.I)
_HAS_DATE = re.compile(r"[0-9]{4}[-/.年][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}")
# Day-first/month-first dates such as 03/04/2024 cannot be read without guessing.
_AMBIGUOUS_DATE = re.compile(r"^[ \t]*([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{2,4})")
_CHINESE_DATE = re.compile(r"^\s*(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")


def _parse_time(value: object, tz: str) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp):
        ts = value
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("empty time")
        match = _CHINESE_DATE.match(text)
        if match:
            y, m, d, rest = match.groups()
            text = f"{y}-{int(m):02d}-{int(d):02d} {rest}".strip()
        ambiguous = _AMBIGUOUS_DATE.match(text)
        if ambiguous and int(ambiguous.group(1)) <= 12 and int(ambiguous.group(2)) <= 12:
            raise ValueError(f"time {text!r} is ambiguous (day/month or month/day?); use YYYY-MM-DD HH:MM")
        ts = pd.Timestamp(text)  # raises ValueError on nonsense
        if pd.isna(ts):
            raise ValueError("empty time")
    if ts.tzinfo is None:
        return ts.tz_localize(tz)
    return ts.tz_convert(tz)


def _parse_times(column: pd.Series, tz: str, rows: np.ndarray) -> tuple[pd.DatetimeIndex, list[Problem]]:
    """Parse a column of send times in bulk; returns the times (tz-aware) and the problems."""
    problems: list[Problem] = []
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
        stamps = pd.DatetimeIndex(column)
        for i in np.flatnonzero(stamps.isna()):
            problems.append(Problem(int(rows[i]), "sent_at", "is missing"))
        stamps = stamps.tz_convert(tz) if stamps.tz is not None else stamps.tz_localize(tz)
        return stamps, problems
    text = column.astype("string[pyarrow]").str.strip()  # RE2 regexes over the whole column
    # A send time needs both a date and a time of day: a row with one of them alone would
    # become midnight, or today.
    present = text.fillna("").to_numpy(dtype=object) != ""
    # Patterns as strings, so pyarrow's RE2 runs them over the column (compiled ones fall back
    # to Python, row by row).
    date_only = text.str.match(_DATE_ONLY.pattern, na=False).to_numpy(dtype=bool)
    midnight = text.str.match(_DATE_MIDNIGHT.pattern, na=False).to_numpy(dtype=bool)
    if present.sum() >= 3 and midnight[present].all():  # "2024-06-05 00:00:00" on every row: dates
        date_only = midnight
    time_only = (
        ~text.str.contains(_HAS_DATE.pattern, na=False).to_numpy(dtype=bool)
        & text.str.contains(_HAS_TIME.pattern, na=False).to_numpy(dtype=bool)
        & present
    )
    for i in np.flatnonzero(date_only):
        problems.append(Problem(int(rows[i]), "sent_at", f"{column.iloc[i]!s} has a date but no time of day"))
    for i in np.flatnonzero(time_only):
        problems.append(Problem(int(rows[i]), "sent_at", f"{column.iloc[i]!s} has a time of day but no date"))
    if problems:
        return pd.DatetimeIndex([pd.NaT] * len(column), tz=tz), problems
    is_chinese = text.str.contains("年", regex=False, na=False)
    if is_chinese.any():
        chinese = text.str.extract(_CHINESE_DATE.pattern)
        is_chinese = chinese[0].notna()
        text = text.mask(
            is_chinese,
            chinese[0]
            + "-"
            + chinese[1].str.zfill(2)
            + "-"
            + chinese[2].str.zfill(2)
            + " "
            + chinese[3].fillna(""),
        ).str.strip()
    is_ambiguous = np.zeros(len(text), dtype=bool)
    day_first = text.str.match(_AMBIGUOUS_DATE.pattern, na=False).to_numpy(dtype=bool)
    if day_first.any():
        ambiguous = text[day_first].str.extract(_AMBIGUOUS_DATE.pattern)
        first = pd.to_numeric(ambiguous[0], errors="coerce").astype(float).to_numpy()
        second = pd.to_numeric(ambiguous[1], errors="coerce").astype(float).to_numpy()
        is_ambiguous[day_first] = (first <= 12) & (second <= 12)  # NaN compares False
    has_zone = text.str.contains(r"(?:[+-][0-9]{2}:?[0-9]{2}|Z)$", regex=True, na=False).to_numpy()
    text = text.reset_index(drop=True)
    parts = []
    if has_zone.any():
        zoned = pd.to_datetime(text[has_zone], utc=True, errors="coerce", format="ISO8601")
        parts.append(zoned.dt.tz_convert(tz))
    if (~has_zone).any():
        naive = pd.to_datetime(text[~has_zone], errors="coerce", format="ISO8601")
        parts.append(naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT"))
    # Two typed halves put back in row order (no object arrays, no masked assignment).
    values = pd.concat(parts).sort_index() if parts else pd.Series([], dtype=f"datetime64[ns, {tz}]")
    failed = values.isna().to_numpy() | is_ambiguous
    for i in np.flatnonzero(failed):
        raw = column.iloc[i]
        try:
            values.iloc[i] = _parse_time(raw, tz)  # the slow path rescues odd formats or words the message
        except (TypeError, ValueError, OverflowError) as exc:
            msg = str(exc) if "ambiguous" in str(exc) else f"{raw!r} is not a date-time"
            problems.append(Problem(int(rows[i]), "sent_at", msg))
    values = pd.DatetimeIndex(values)
    return values, problems


def parse_columns_option(text: str | None) -> dict[str, str]:
    """Parse the CLI's ``--columns delivered=sent,slot=hour`` into a mapping.

    Examples
    --------
    >>> parse_columns_option("delivered=sent, slot=hour")
    {'delivered': 'sent', 'slot': 'hour'}
    """
    if not text:
        return {}
    mapping = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"--columns expects NAME=HEADER pairs, got {part.strip()!r}")
        key, value = (s.strip() for s in part.split("=", 1))
        if key in mapping:
            raise InputError(f"--columns gives {key!r} twice ({mapping[key]!r} and {value!r})")
        if not key or not value:
            raise InputError(f"--columns expects NAME=HEADER pairs, got {part.strip()!r}")
        mapping[key] = value
    return mapping


_KNOWN = set(COUNT_COLUMNS) | {"push_id", "sent_at", "slot", "group", "send_date"} | set(COVARIATES)
#: No account delivers one push to more people than this (WeChat's largest accounts have tens of
#: millions of followers); a larger count is a unit or parsing mistake.
MAX_DELIVERIES = 2_000_000_000


def check_tz(tz: str) -> str:
    """``tz`` if it names a time zone, else an :class:`InputError` saying so."""
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"{tz!r} is not a time zone (e.g. Asia/Shanghai)") from None
    return tz


def _suggest(name: str, headers) -> list[str]:
    """Headers that look like ``name`` or one of its aliases (for a missing column), closest first."""
    import difflib

    spellings = [key for key, target in ALIASES.items() if target == name] + [name]
    keys = {_header_key(h): str(h) for h in headers}
    close = []
    for spelling in spellings:
        close += [keys[k] for k in difflib.get_close_matches(spelling, list(keys), n=2, cutoff=0.5)]
    return list(dict.fromkeys(close))[:3]


_NEEDED = {
    "delivered": "the deliveries of each push (送达人数 / delivered)",
    "opened": "the opens or reads from the push (阅读人数 / 公众号消息阅读人数 / opened)",
    "sent_at": "when each push was sent (发送时间 / 推送时间 / sent_at), or its slot (时段 / hour)",
}


def _missing_problem(name: str, headers) -> Problem:
    """A required column the file lacks: what it is, what the file has, and the mapping to pass."""
    have = ", ".join(map(str, headers))
    close = _suggest(name, headers) + (_suggest("slot", headers) if name == "sent_at" else [])
    if close:
        hint = f"; closest in the file: {', '.join(repr(c) for c in close[:3])}: if that is it, pass "
        hint += f"--columns {name}={close[0]} (Python: columns={{'{name}': '{close[0]}'}})"
    else:
        hint = f"; name your column with --columns {name}=<your header> (Python: columns={{'{name}': ...}})"
    return Problem(None, name, f"is required: {_NEEDED[name]}. The file has: {have}{hint}")


def _rename(frame: pd.DataFrame, columns: Mapping[str, str] | None, source: str) -> pd.DataFrame:
    columns = dict(columns or {})
    problems = []
    for target, header in columns.items():
        if target not in _KNOWN:
            problems.append(
                Problem(None, target, f"is not a wxtime column (known: {', '.join(sorted(_KNOWN))})")
            )
        elif header not in frame.columns:
            problems.append(
                Problem(
                    None,
                    header,
                    f"was given for '{target}' but is not in the file "
                    f"(columns: {', '.join(map(str, frame.columns))})",
                )
            )
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    rename = {header: target for target, header in columns.items()}
    for header in frame.columns:
        if header not in rename and str(header) in rename.values():
            mapped = next(h for h, t in rename.items() if t == str(header))
            problems.append(
                Problem(
                    None,
                    str(header),
                    f"is in the file and the mapping also makes {mapped!r} the '{header}' column: "
                    "map one of them only",
                )
            )
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    claimed: dict[str, list[str]] = {}
    for header in frame.columns:
        if header in rename:
            continue
        target = ALIASES.get(_header_key(header))
        if target and target not in rename.values():
            claimed.setdefault(target, []).append(str(header))
    for target, headers in claimed.items():
        if len(headers) > 1:
            problems.append(
                Problem(
                    None,
                    headers[0],
                    f"and {', '.join(repr(h) for h in headers[1:])} all mean '{target}': keep one, or say "
                    f"which to use with columns={{'{target}': '{headers[0]}'}} (CLI: --columns {target}=...)",
                )
            )
        else:
            rename[headers[0]] = target
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    renamed = frame.rename(columns=rename)
    renamed.attrs["headers"] = {target: str(header) for header, target in rename.items()}
    return renamed


def _with_headers(problems: list[Problem], headers: Mapping[str, str]) -> list[Problem]:
    """Problems that name the file's own header beside wxtime's name (送达人数 beside delivered)."""
    from dataclasses import replace

    return [
        replace(p, header=headers[p.column]) if p.column in headers and p.header is None else p
        for p in problems
    ]


def _show(value) -> str:
    """A cell's value as a user would recognise it in a message (no numpy reprs)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _parse_count(value: object) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{value!r} is a true/false value, not a count")
    if isinstance(value, (int, np.integer)):
        return float(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text.endswith("万+") or text.endswith("万"):
        # "10万+" is a display floor, not a count: refuse rather than guess.
        raise ValueError(f"{value!r} is a rounded display value, not a count")
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def _parse_counts(frame: pd.DataFrame, rows: np.ndarray, problems: list) -> dict[str, np.ndarray]:
    """Counts: numeric, whole, non-negative, plausible. Parsed in bulk; failing rows are visited."""
    counts = {}
    for name in COUNT_COLUMNS:
        if name not in frame.columns:
            continue
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            problems.append(Problem(None, name, "holds true/false values, not counts"))
            continue
        if pd.api.types.is_numeric_dtype(column):
            values = column.to_numpy(dtype=float, na_value=np.nan, copy=True)
        else:
            text = column.astype("string").str.strip().str.replace(",", "", regex=False)
            percent = text.str.endswith("%", na=False)
            if percent.sum() > len(text) / 2:
                # A rate column mapped as counts: one message, not one per row.
                problems.append(
                    Problem(
                        None,
                        name,
                        f"holds percentages (e.g. {column[percent.to_numpy()].iloc[0]!r}), not counts: map "
                        "the count column instead (e.g. 送达人数 for delivered, "
                        "公众号消息阅读次数 for opened), "
                        f"with columns={{'{name}': 'header'}} or --columns {name}=header",
                    )
                )
                continue
            values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if column.dtype == object:  # JSON true/false among numbers: not counts
            flags = column.map(lambda v: isinstance(v, (bool, np.bool_))).to_numpy(bool)
            values[flags] = np.nan
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < 0) | (np.mod(values, 1) != 0) | (values > MAX_DELIVERIES)
        for i in np.flatnonzero(bad):
            raw = column.iloc[i]
            if (
                raw is None
                or raw is pd.NA
                or (isinstance(raw, float) and np.isnan(raw))
                or str(raw).strip() == ""
            ):
                problems.append(Problem(int(rows[i]), name, "is missing"))
                continue
            try:
                value = _parse_count(raw)
            except (TypeError, ValueError) as exc:
                problems.append(Problem(int(rows[i]), name, str(exc)))
                continue
            if not np.isfinite(value) or value < 0:
                problems.append(Problem(int(rows[i]), name, f"{_show(raw)} is negative or not finite"))
            elif value > MAX_DELIVERIES:
                problems.append(
                    Problem(int(rows[i]), name, f"{_show(raw)} is more than any account delivers in one push")
                )
            else:
                problems.append(Problem(int(rows[i]), name, f"{_show(raw)} is not a whole count"))
        values[bad] = np.nan
        counts[name] = values
    return counts


def _check_funnel(counts: dict, rows, strict_funnel: bool, problems: list) -> None:
    def check_le(small: str, big: str, why: str) -> None:
        if small in counts and big in counts:
            for i in np.flatnonzero(counts[small] > counts[big]):
                problems.append(
                    Problem(
                        int(rows[i]),
                        small,
                        f"{small}={int(counts[small][i])} exceeds {big}={int(counts[big][i])} ({why})",
                    )
                )

    check_le("opened", "delivered", "nobody opens a message they did not get")
    if strict_funnel:
        check_le(
            "read",
            "opened",
            "wxtime's funnel reads only among openers; pass strict_funnel=False if 'read' counts all reads",
        )
    for extra in ("clicked", "shared"):
        if "read" not in counts:
            check_le(extra, "delivered", "cannot exceed deliveries")


def _kind_of_times(column: pd.Series) -> str:
    """``"datetime"``, ``"date"`` (dates without times) or ``"time"`` (times of day without dates)."""
    import datetime as dt

    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.DatetimeIndex(column.dropna())
        return "date" if len(stamps) and (stamps == stamps.normalize()).all() else "datetime"
    values = column.dropna()
    if len(values) and values.map(lambda v: isinstance(v, dt.time)).all():
        return "time"
    text = values.astype(str).astype("string[pyarrow]").str.strip()
    text = text[text != ""]
    if not len(text):
        return "datetime"
    if text.str.match(_DATE_MIDNIGHT.pattern).all():
        return "date"
    if not text.str.contains(_HAS_DATE.pattern).any():
        return "time"
    return "datetime"


def _dates_as_text(column: pd.Series, rows, name: str, problems: list) -> pd.Series:
    """A date column as ``YYYY-MM-DD`` text (Excel dates, 2024/09/02, 2024年9月2日...)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.DatetimeIndex(column).strftime("%Y-%m-%d").to_series(index=column.index)
    text = column.astype("string").str.strip()
    chinese = text.str.extract(_CHINESE_DATE.pattern)
    text = text.mask(
        chinese[0].notna(), chinese[0] + "-" + chinese[1].str.zfill(2) + "-" + chinese[2].str.zfill(2)
    )
    parsed = pd.to_datetime(
        text.str.replace("/", "-", regex=False).str.replace(".", "-", regex=False),
        errors="coerce",
        format="%Y-%m-%d",
    )
    for i in np.flatnonzero(parsed.isna().to_numpy()):
        raw = column.iloc[i]
        missing = raw is None or (isinstance(raw, float) and np.isnan(raw)) or not str(raw).strip()
        problems.append(
            Problem(int(rows[i]), name, "is missing" if missing else f"{raw!r} is not a date (YYYY-MM-DD)")
        )
    return parsed.dt.strftime("%Y-%m-%d")


def _clock_text(minutes: np.ndarray) -> pd.Series:
    whole = np.round(np.nan_to_num(minutes)).astype(np.int64)
    return pd.Series([f"{m // 60:02d}:{m % 60:02d}" for m in whole])


def _send_times(frame, rows, tz, problems, source) -> tuple[pd.DatetimeIndex | None, np.ndarray | None, list]:
    """Send times (tz-aware) and, where a time column gives them, the times of day as written.

    Combines a date column with a time-of-day column (日期 + 发送时间), or a date column
    with the slot; refuses times without dates and dates without times, naming the column.
    """
    from .slots import parse_times_of_day

    notes: list[str] = []
    has_time, has_date, has_slot = (
        "sent_at" in frame.columns,
        "send_date" in frame.columns,
        "slot" in frame.columns,
    )
    if not has_time and not has_date:
        return None, None, notes
    kind = _kind_of_times(frame["sent_at"]) if has_time else None
    if has_time and kind == "datetime":
        stamps, time_problems = _parse_times(frame["sent_at"], tz, rows)
        problems.extend(time_problems)
        return stamps, None, notes
    if kind == "date" and not has_slot:
        problems.append(
            Problem(
                None,
                "sent_at",
                "holds dates without times of day: give the send time (a time column such as 发送时间, "
                "or a slot column)",
            )
        )
        return None, None, notes
    if kind == "time" and not has_date:
        problems.append(
            Problem(
                None,
                "sent_at",
                "holds times of day without dates: add a date column (日期 / date), or name the column "
                "'slot' if the dates are unknown",
            )
        )
        return None, None, notes
    dates = _dates_as_text(
        frame["send_date"] if has_date else frame["sent_at"],
        rows,
        "send_date" if has_date else "sent_at",
        problems,
    )
    source_column = "sent_at" if kind == "time" else "slot"
    if kind != "time" and not has_slot:
        problems.append(
            Problem(None, "send_date", "is a date column but no send time (time or slot) goes with it")
        )
        return None, None, notes
    minutes = parse_times_of_day(frame[source_column].to_numpy(dtype=object))
    for i in np.flatnonzero(np.isnan(minutes)):
        problems.append(
            Problem(int(rows[i]), source_column, f"{frame[source_column].iloc[i]!r} is not a time of day")
        )
    if problems:
        return None, None, notes
    text = pd.Series(dates.to_numpy(), dtype="string") + " " + _clock_text(minutes).astype("string")
    stamps, time_problems = _parse_times(text, tz, rows)
    problems.extend(time_problems)
    headers = frame.attrs.get("headers", {})
    date_header = headers.get("send_date", "send_date") if has_date else headers.get("sent_at", "sent_at")
    notes.append(
        f"send times combined from the dates in {date_header!r} and the times in "
        f"{headers.get(source_column, source_column)!r}"
    )
    return stamps, minutes, notes


def _slot_minutes(frame, stamps, written, rows, slot_freq, problems) -> tuple[np.ndarray, list[str]]:
    """Each push's scheduled slot (minutes after midnight) and how it was found."""
    from .slots import infer_slots, parse_times_of_day

    notes: list[str] = []
    if "slot" in frame.columns:
        raw = frame["slot"]
        numeric = pd.to_numeric(raw, errors="coerce")
        whole = numeric.notna() & (numeric % 1 == 0)
        if whole.all() and numeric.max() == 24 and numeric.min() >= 1:
            # An hour table numbered 1-24 (24 = midnight), as e-mail tools write it.
            notes.append("hours numbered 1-24: 24 read as 00:00")
            return (numeric.to_numpy(float) % 24) * 60, notes
        minutes = parse_times_of_day(raw.to_numpy(dtype=object))
        for i in np.flatnonzero(np.isnan(minutes)):
            problems.append(
                Problem(int(rows[i]), "slot", f"{raw.iloc[i]!r} is not a time of day (e.g. 12:00 or 12)")
            )
        if slot_freq is not None and not np.isnan(minutes).any():
            try:
                minutes = infer_slots(minutes, grid=slot_freq).slots
            except ValueError as exc:
                raise InputError(f"slot_freq: {exc}") from None
        return minutes, notes
    if stamps is None:
        return np.full(len(frame), np.nan), notes
    minutes = (
        written
        if written is not None
        else (stamps.hour.to_numpy() * 60 + stamps.minute.to_numpy() + stamps.second.to_numpy() / 60)
    )
    try:
        inference = infer_slots(minutes, grid=slot_freq)
    except ValueError as exc:
        raise InputError(f"slot_freq: {exc}") from None
    notes.append(inference.describe())
    return inference.slots, notes


_TOTAL_WORDS = re.compile(
    r"^\s*(合计|总计|小计|汇总|平均|平均值|均值|total|totals|sum|average|avg|mean)\s*[:：]?\s*$", re.I
)


def _drop_blank_and_total_rows(frame: pd.DataFrame, rows: np.ndarray):
    """Rows a sheet has that are not pushes: all blank, or a total/average row (合计, 平均, Total).

    A total row is one whose first filled cell says so. They are left out and counted
    (``{"blank rows": n, "total rows (合计, 平均...)": m}``), never parsed as pushes.
    """
    empty = frame.isna()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            empty[column] |= frame[column].astype("string").str.strip().fillna("") == ""
    blank = empty.all(axis=1).to_numpy()
    total = np.zeros(len(frame), dtype=bool)
    labels = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if labels:
        first = frame[labels].where(~empty[labels]).bfill(axis=1).iloc[:, 0]
        total = first.astype("string").str.match(_TOTAL_WORDS.pattern, na=False).to_numpy(dtype=bool)
        total &= ~blank
    keep = ~(blank | total)
    left_out = {"blank rows": int(blank.sum()), "total rows (合计, 平均...)": int(total.sum())}
    if keep.all():
        return frame, rows, {}
    return frame[keep].reset_index(drop=True), rows[keep], {k: v for k, v in left_out.items() if v}


def _group_articles(result: pd.DataFrame, positions: str) -> tuple[pd.DataFrame, int, list]:
    """Rows that are articles of one push (same send time to the second, same deliveries) -> one push.

    ``positions="headline"`` keeps the headline (``position`` 1); ``"all"`` sums the counts
    of every article. Without positions (no ``内容url`` with ``idx=``, no 位置 column) the
    headline cannot be told from the row order, so the articles are summed, and a note says
    so. Returns the table, how many rows were folded into others, and the notes.
    """
    if "sent_at" not in result.columns or "group" in result.columns or len(result) < 2:
        return result, 0, []
    key = result["sent_at"].astype("int64").astype(str) + "|" + result["delivered"].astype(str)
    if "push_key" in result.columns:
        key = result["push_key"].astype(str)
    if not key.duplicated().any():
        return result, 0, []
    notes = []
    if positions == "headline" and "position" not in result.columns:
        positions = "all"
        notes.append(
            "pushes with several articles: no article positions (内容url with idx=, or a 位置 column), "
            "so the headline cannot be told and every article's counts are summed (--positions all)"
        )
    order = result.assign(_key=key.to_numpy(), _row=np.arange(len(result)))
    if "position" in order.columns:
        order = order.sort_values(["_key", "position", "_row"], kind="stable")
    else:
        order = order.sort_values(["_key", "_row"], kind="stable")
    folded = int(key.duplicated().sum())
    if positions == "all":
        summed = [c for c in ("opened", "read", "clicked", "shared") if c in order.columns]
        totals = order.groupby("_key", sort=False)[summed].sum()
        first = order.drop_duplicates("_key").set_index("_key")
        first[summed] = totals.loc[first.index, summed].to_numpy()
        grouped = first.reset_index()
    else:
        grouped = order.drop_duplicates("_key")
    grouped = grouped.sort_values("_row").drop(columns=["_key", "_row"]).reset_index(drop=True)
    grouped.attrs = dict(result.attrs)
    return grouped, folded, notes


def validate_pushes(
    data: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    slot_freq: str | None = None,
    strict_funnel: bool = True,
    positions: str = "headline",
    source: str = "<data>",
    line_offset: int | None = 1,
) -> pd.DataFrame:
    """Check a table of pushes and return the clean, typed push table.

    Parameters
    ----------
    data : DataFrame
        One row per push (or per push x group), one row per article of a push, or one
        row per slot.
    columns : mapping, optional
        Explicit ``{wxtime_name: header_in_file}`` mapping, applied before the
        built-in aliases (``sent``, ``送达人数``, ``target_user``, ``日期``...).
    tz : str
        Timezone for naive send times, and the timezone of the result.
    slot_freq : str, optional
        Force the slot grid (``"30min"``): every send time goes to the nearest grid
        point. By default slots are inferred from the send times: times within a few
        minutes of each other are one schedule (07:29:40 and 07:31:05 are 07:30).
    strict_funnel : bool
        Require ``read <= opened`` (wxtime's funnel). Set False for data where
        "read" counts all reads, including shares from outside the audience.
    positions : {"headline", "all"}
        Rows that are articles of one push (same send time and deliveries, or a
        ``push_key``) become one push: the headline's counts (default) or all
        articles' counts summed.
    source : str
        Name used in error messages (the file name).
    line_offset : int or None
        Added to the 1-based row to give the line in the file (1 for a CSV
        with one header line); None to omit line numbers.

    Returns
    -------
    DataFrame
        Columns ``push_id, sent_at, slot, slot_hour, delivered, opened`` and
        whichever of ``read, clicked, shared, group`` and the covariates the
        input had. Counts are ``int64``. Rows keep their input order.
        ``attrs["load_summary"]`` says what was loaded (:func:`load_summary`),
        including how slots were found and how many articles were grouped.

    Raises
    ------
    PushDataError
        Naming the source, row and column of every problem. No row is ever
        dropped silently.

    Examples
    --------
    >>> raw = pd.DataFrame({"sent_at": ["2024-07-01 12:00", "2024-07-02 21:00"],
    ...                     "sent": [1000, 1010], "opens": [80, 60]})
    >>> pushes = validate_pushes(raw)
    >>> pushes[["push_id", "slot", "delivered", "opened"]]
      push_id   slot  delivered  opened
    0   P0001  12:00       1000      80
    1   P0002  21:00       1010      60
    >>> str(pushes["sent_at"].dt.tz)
    'Asia/Shanghai'

    A sheet with a date column and times written by hand:

    >>> sheet = pd.DataFrame({"日期": ["2024/09/02", "2024/09/03"], "发送时间": ["晚上9点半", "7:29"],
    ...                       "送达数": [4500, 4510], "阅读人数": [300, 280]})
    >>> validate_pushes(sheet)[["sent_at", "slot"]].astype(str).values.tolist()
    [['2024-09-02 21:30:00+08:00', '21:30'], ['2024-09-03 07:29:00+08:00', '07:30']]
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(data).__name__}")
    check_tz(tz)
    if positions not in ("headline", "all"):
        raise InputError(f"positions must be 'headline' or 'all', not {positions!r}")
    if len(data) == 0:
        raise PushDataError(source, [Problem(None, None, "has no rows")])
    frame = _rename(data.copy(), columns, source)
    headers = frame.attrs.get("headers", {})
    missing = [c for c in ("delivered", "opened") if c not in frame.columns]
    if "sent_at" not in frame.columns and "slot" not in frame.columns:
        missing.append("sent_at")
    if missing:
        raise PushDataError(source, [_missing_problem(m, data.columns) for m in missing], line_offset=None)
    rows = np.arange(1, len(frame) + 1)
    frame, rows, left_out = _drop_blank_and_total_rows(frame, rows)
    if len(frame) == 0:
        raise PushDataError(source, [Problem(None, None, "has no rows (only blank or total rows)")])
    problems: list[Problem] = []
    counts = _parse_counts(frame, rows, problems)
    _check_funnel(counts, rows, strict_funnel, problems)
    stamps, written, notes = _send_times(frame, rows, tz, problems, source)
    minutes, slot_notes = (np.full(len(frame), np.nan), [])
    if not problems:
        minutes, slot_notes = _slot_minutes(frame, stamps, written, rows, slot_freq, problems)
    ids = _identifiers(frame, rows, problems)
    if problems:
        raise PushDataError(source, _with_headers(problems, headers), line_offset=line_offset)
    result = pd.DataFrame({"push_id": ids.astype(str).to_numpy()})
    if stamps is not None:
        result["sent_at"] = stamps
    hours = minutes / 60
    result["slot"] = format_slots(hours)
    result["slot_hour"] = np.round(minutes) % 1440 / 60
    for name, values in counts.items():
        result[name] = values.astype(np.int64)
    if "group" in frame.columns:
        result["group"] = frame["group"].astype(str).to_numpy()
    for name in COVARIATES:
        if name in frame.columns:
            result[name] = frame[name].to_numpy()
    # Anything else (weekday, paid, campaign...) is the user's: keep it as it is.
    for name in frame.columns:
        if name not in _KNOWN and name not in result.columns:
            result[name] = frame[name].to_numpy()
    for name in result.columns:
        if result[name].dtype == object or pd.api.types.is_string_dtype(result[name]):
            if name in ("push_id", "slot", "group", "title", "push_key"):
                continue
            try:  # CSVs are read as text: give numeric covariates their numbers back
                result[name] = pd.to_numeric(result[name])
            except (TypeError, ValueError):
                pass
    result, folded, group_notes = _group_articles(result, positions)
    if group_notes:
        positions = "all"  # no positions to find the headline by: the articles were summed
    if "push_key" in result.columns:
        result = result.drop(columns=["push_key"])
    level = "push"
    if stamps is None and not result["slot"].duplicated().any():
        level = "slot"
    result.attrs["level"] = level
    result.attrs["source"] = source
    result.attrs["tz"] = tz
    result.attrs["load_summary"] = load_summary(
        result,
        source,
        skipped=left_out,
        articles_grouped=folded,
        notes=notes + slot_notes + group_notes,
        positions=positions,
    )
    return result


def _identifiers(frame, rows, problems) -> pd.Series:
    if "push_id" in frame.columns:
        ids = frame["push_id"].astype(str).str.strip()
        for i in np.flatnonzero((ids == "") | frame["push_id"].isna().to_numpy()):
            problems.append(Problem(int(rows[i]), "push_id", "is empty"))
    else:
        ids = pd.Series("P" + pd.Series(rows).astype(str).str.zfill(4).to_numpy(), index=frame.index)
    keys = [ids]
    if "group" in frame.columns:
        keys.append(frame["group"].astype(str))
    dup = pd.DataFrame({f"k{j}": k.to_numpy() for j, k in enumerate(keys)}).duplicated(keep="first")
    if "push_key" in frame.columns or "push_id" not in frame.columns:
        return ids  # articles of one push share a key on purpose; generated ids never repeat
    for i in np.flatnonzero(dup.to_numpy()):
        first = int(np.flatnonzero((ids.to_numpy() == ids.iloc[i]) & ~dup.to_numpy())[0]) + 1
        scope = " within its group" if "group" in frame.columns else ""
        problems.append(Problem(int(rows[i]), "push_id", f"{ids.iloc[i]!r} repeats row {first}{scope}"))
    return ids


def load_summary(pushes: pd.DataFrame, source: str, *, skipped: Mapping[str, int] | None = None, **details):
    """What a loader loaded, as a small JSON-ready dict.

    Every loader's table carries one in ``attrs["load_summary"]``, with the same
    keys first: ``source``, ``pushes`` (rows), ``first`` and ``last`` send times
    (ISO 8601, or None for slot-level files), ``slots`` (sorted), and ``skipped``
    (reason -> number of rows or items left out; empty when nothing was). A loader
    adds its own details after them.

    Examples
    --------
    >>> pushes = validate_pushes(pd.DataFrame({"sent_at": ["2024-07-01 12:00", "2024-07-02 21:00"],
    ...                                        "delivered": [1000, 1010], "opened": [80, 60]}))
    >>> summary = load_summary(pushes, "two.csv", skipped={"too young": 1}, age_days=1)
    >>> summary["pushes"], summary["first"], summary["slots"], summary["skipped"]
    (2, '2024-07-01T12:00:00+08:00', ['12:00', '21:00'], {'too young': 1})
    """
    timed = "sent_at" in pushes.columns and len(pushes) > 0
    summary = {
        "source": source,
        "pushes": len(pushes),
        "first": pushes["sent_at"].min().isoformat() if timed else None,
        "last": pushes["sent_at"].max().isoformat() if timed else None,
        "slots": sorted(str(s) for s in pushes["slot"].unique()) if "slot" in pushes.columns else [],
        "skipped": {reason: int(n) for reason, n in (skipped or {}).items() if n},
    }
    summary.update(details)
    return summary


def read_excel(path: Path, **options) -> pd.DataFrame:
    """``pandas.read_excel`` (openpyxl), with a PushDataError naming the file when it cannot."""
    import zipfile

    try:
        return pd.read_excel(path, **options)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    f"is not an Excel workbook that can be read ({first}); "
                    "download the export again, or save it as CSV (UTF-8)",
                )
            ],
        ) from None


def _check_excel_bytes(path: Path, suffix: str) -> None:
    """An Excel-named file whose bytes are something else: say what it is and what to do."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return  # a zip (.xlsx) or an OLE compound file (.xls): let the Excel path decide
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<", b"<!doctype")):
        what = (
            "an HTML page (some backends save tables that way): open it in Excel or WPS and save it as .xlsx"
        )
    elif b"\x00" not in head and (b"," in head or b"\t" in head or b";" in head):
        what = f"text (CSV), not an Excel workbook, despite its {suffix} name: rename it to .csv"
    else:
        what = f"not an Excel workbook despite its {suffix} name (its first bytes are {head[:8].hex(' ')})"
    raise PushDataError(str(path), [Problem(None, None, f"is {what}")])


def _read_json_records(path: Path) -> pd.DataFrame:
    """A JSON array of push records (objects), with the JSON path of anything that is not one."""
    import json

    source = str(path)

    def fail(where: str, message: str):
        return PushDataError(source, [Problem(None, where, message)], line_offset=None)

    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise fail("$", f"is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise fail("$", f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list)]
        hint = f" (the records may be under '$.{lists[0]}')" if len(lists) == 1 else ""
        raise fail("$", f"is a JSON object, not an array of push records{hint}")
    if not isinstance(data, list):
        raise fail("$", f"is a JSON {type(data).__name__}, not an array of push records")
    if not data:
        raise fail("$", "is an empty array: no pushes")
    not_records = [i for i, record in enumerate(data) if not isinstance(record, dict) or not record]
    if not_records:
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    f"$[{i}]",
                    f"is {json.dumps(data[i])[:40]}, not a push record (an object with its counts)",
                )
                for i in not_records[:20]
            ],
            line_offset=None,
        )
    return pd.DataFrame.from_records(data)


def _known_headers(values) -> int:
    """How many of ``values`` are headers wxtime knows (its names or their aliases)."""
    keys = {_header_key(v) for v in values if isinstance(v, str) and v.strip()}
    return sum(1 for k in keys if k in ALIASES or k in {_header_key(n) for n in _KNOWN})


def _excel_layout(path: Path, sheet: object) -> tuple[object, int, str]:
    """``(sheet, header_row, note)``: where the push table is in a workbook.

    The given sheet, or else the first sheet whose header (in its first ten rows) has the
    most known column names; the header is the row with the most of them. A title row
    above the header, or a notes sheet before the data, is skipped and said in the note.
    """
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, InvalidFileException):
        # Not a workbook openpyxl can open: read_excel says what is wrong with the file.
        return (sheet if sheet is not None else 0), 0, ""
    try:
        names = book.sheetnames
        candidates = [names[sheet] if isinstance(sheet, int) else sheet] if sheet is not None else names
        best = (0, names[0] if names else 0, 0)
        for name in candidates:
            if name not in names:
                continue
            rows = list(book[name].iter_rows(min_row=1, max_row=10, values_only=True))
            for index, row in enumerate(rows):
                score = _known_headers(row)
                if score > best[0]:
                    best = (score, name, index)
    finally:
        book.close()
    score, chosen, header_row = best
    if score < 2:  # nothing recognisable anywhere: the first sheet as it is, and its error message
        return (sheet if sheet is not None else 0), 0, ""
    notes = []
    if sheet is None and names and chosen != names[0]:
        notes.append(f"read sheet {chosen!r} (the first sheet, {names[0]!r}, holds no push table)")
    if header_row:
        notes.append(f"the header is row {header_row + 1} of the sheet: the rows above it were skipped")
    return chosen, header_row, "; ".join(notes)


def _excel_date_only_cells(
    path: Path, frame: pd.DataFrame, sheet: object, header_row: int = 0
) -> pd.DataFrame:
    """Date-time columns with cells formatted as a date alone become text, so they are flagged.

    Excel stores a date cell as midnight; only its number format tells "2024-06-05" (no time
    of day) from a push at 00:00. A column where some midnight cells are formatted without
    hours is turned into text (dates alone as ``YYYY-MM-DD``) for the send-time checks.
    """
    timed = [
        c
        for c in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[c])
        and (frame[c].dropna() == frame[c].dropna().dt.normalize()).any()
    ]
    if not timed:
        return frame
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        if sheet is None or isinstance(sheet, int):
            worksheet = book.worksheets[sheet or 0]
        else:
            worksheet = book[sheet]
        rows = worksheet.iter_rows(min_row=header_row + 1, values_only=False)
        header = [str(cell.value) for cell in next(rows)]
        wanted = {header.index(str(c)): c for c in timed if str(c) in header}
        date_only = {c: [] for c in timed}
        for number, row in enumerate(rows):
            for index, column in wanted.items():
                if index < len(row):
                    cell = row[index]
                    fmt = str(getattr(cell, "number_format", "") or "").lower()
                    if getattr(cell, "is_date", False) and "h" not in fmt and "s" not in fmt:
                        date_only[column].append(number)
    finally:
        book.close()
    for column, numbers in date_only.items():
        numbers = [n for n in numbers if n < len(frame)]
        if numbers:
            text = frame[column].dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
            text.iloc[numbers] = frame[column].iloc[numbers].dt.strftime("%Y-%m-%d")
            frame[column] = text.where(frame[column].notna(), None)
    return frame


def _duplicate_headers(headers) -> list[str]:
    seen, duplicates = set(), []
    for header in headers:
        key = str(header).strip()
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    return duplicates


_SNIFF_BYTES = 4 << 20


def check_encoding(encoding: str | None) -> None:
    """Raise :class:`InputError` when ``encoding`` is not a text encoding Python knows."""
    import codecs

    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(
            f"--encoding {encoding!r} is not a text encoding; use e.g. utf-8, utf-8-sig, gbk or utf-16"
        ) from None


def text_encoding(path: Path, encoding: str | None) -> str:
    """The encoding to read a text file with: the one given, or sniffed from its first bytes.

    A byte-order mark says UTF-16 or UTF-8; otherwise UTF-8 when the start decodes as
    UTF-8, else GB18030 (a superset of GBK, what Excel saves on Chinese Windows) when it
    decodes as that. Anything else is left to UTF-8 and fails with the line named.
    """
    import codecs

    check_encoding(encoding)
    if encoding is not None:
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(head, final=len(head) < _SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return candidate
    return "utf-8-sig"


def _decode_problem(path: Path, encoding: str) -> Problem:
    """Where a file stops being ``encoding`` text: the line, and a likely fix."""
    import codecs

    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
    else:  # pragma: no cover - read_csv failed on a file that decodes
        line, bad = None, ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        hint = "it is UTF-16 text: pass --encoding utf-16"
    else:
        hint = next(
            (
                f"it decodes as {other}: pass --encoding {other}"
                for other in ("utf-8-sig", "gb18030")
                if codecs.lookup(other).name != codecs.lookup(encoding).name and _decodes(data, other)
            ),
            "save it again as CSV (UTF-8) or pass the right --encoding",
        )
    where = f"line {line}" if line is not None else "the file"
    return Problem(None, None, f"{where} is not {encoding} text (bytes {bad}); {hint}")


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _unclosed_quote_line(path: Path, encoding: str) -> int | None:
    """The line where a quoted field opens and never closes (None if quotes balance)."""
    opened_at = None
    with open(path, encoding=encoding, errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            if line.count('"') % 2:
                opened_at = number if opened_at is None else None
    return opened_at


def _csv_dialect(path: Path, sep: str | None, encoding: str) -> tuple[list[str], str]:
    """The header row and the delimiter (``sep``, or sniffed from the header: , ; tab or |)."""
    import csv

    with open(path, encoding=encoding, newline="") as fh:
        for line in fh:
            if line.strip():
                dialect_sep = sep or (
                    csv.Sniffer().sniff(line, delimiters=",;\t|").delimiter
                    if any(d in line for d in ",;\t|")
                    else ","
                )
                return next(csv.reader([line], delimiter=dialect_sep)), dialect_sep
    return [], sep or ","


def _csv_header(path: Path, sep: str | None, encoding: str) -> list[str]:
    return _csv_dialect(path, sep, encoding)[0]


def _read_table(
    path: Path, sep: str | None, encoding: str | None, sheet: object
) -> tuple[pd.DataFrame, int | None]:
    suffix = path.suffix.lower()
    source = str(path)
    if suffix in (".xls", ".xlsx", ".xlsm"):
        _check_excel_bytes(path, suffix)
    if suffix == ".xls":
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    None,
                    "is an old Excel 97-2003 workbook (.xls): open it in Excel or WPS and save "
                    "it as .xlsx or as CSV (UTF-8)",
                )
            ],
        )
    if suffix in (".xlsx", ".xlsm"):
        # The sheet and the header row that hold the push table (a title row above the header,
        # a notes sheet first); data row r is then sheet row header_row + 1 + r.
        sheet, header_row, note = _excel_layout(path, sheet)
        frame = read_excel(path, sheet_name=sheet, header=header_row)
        if note:
            frame.attrs["read_note"] = note
        headers = [str(c) for c in frame.columns]
        mangled = [h for h in headers if re.search(r"\.\d+$", h) and h.rsplit(".", 1)[0] in headers]
        if mangled:
            raise PushDataError(
                source,
                [Problem(None, h.rsplit(".", 1)[0], "appears twice in the header row") for h in mangled],
            )
        return _excel_date_only_cells(path, frame, sheet, header_row), header_row + 1
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            names = pq.read_schema(path).names
        except (OSError, ValueError) as exc:
            raise PushDataError(
                source, [Problem(None, None, f"is not a Parquet file that can be read ({exc})")]
            ) from None
        duplicates = _duplicate_headers(names)
        if duplicates:
            raise PushDataError(
                source, [Problem(None, d, "appears twice in the columns") for d in duplicates]
            )
        try:
            return pd.read_parquet(path), None
        except (OSError, ValueError) as exc:
            raise PushDataError(
                source, [Problem(None, None, f"is not a Parquet file that can be read ({exc})")]
            ) from None
    if suffix == ".json":
        return _read_json_records(path), None
    enc = text_encoding(path, encoding)
    try:
        header, delimiter = _csv_dialect(path, sep, enc)
        if not header:
            raise PushDataError(source, [Problem(None, None, "has no header row (only blank lines)")])
        duplicates = _duplicate_headers(header)
        if duplicates:
            raise PushDataError(
                source, [Problem(None, d, "appears twice in the header row") for d in duplicates]
            )
        frame = pd.read_csv(
            path,
            sep=delimiter,  # the C parser: 10x the python engine's speed on large files
            engine="c",
            encoding=enc,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except UnicodeDecodeError:
        raise PushDataError(source, [_decode_problem(path, enc)]) from None
    except (pd.errors.ParserError, csv_error()) as exc:
        line = _unclosed_quote_line(path, enc)
        if line is not None:
            raise PushDataError(
                source, [Problem(None, None, f'line {line} opens a quoted field (") that never closes')]
            ) from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PushDataError(source, [Problem(None, None, f"cannot be read as a table: {first}")]) from None
    if frame.empty:
        raise PushDataError(source, [Problem(None, None, "has a header but no rows")])
    if encoding is None and enc != "utf-8-sig":
        frame.attrs["read_note"] = f"read as {enc} text (no --encoding given; sniffed from the bytes)"
    return frame, 1


def read_pushes(
    path: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    slot_freq: str | None = None,
    strict_funnel: bool = True,
    positions: str = "headline",
    sep: str | None = None,
    encoding: str | None = None,
    sheet: object = None,
) -> pd.DataFrame:
    """Read a push table from CSV (any delimiter), Excel (.xlsx), Parquet or JSON records.

    The file goes through :func:`validate_pushes`; errors name the file, the
    row (and the line in the file) and the column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pushes.csv"
    >>> _ = path.write_text("hour,sent,opened\\n12,1000,80\\n21,1000,60\\n")
    >>> read_pushes(path, columns={"slot": "hour", "delivered": "sent"})[["slot", "opened"]]
        slot  opened
    0  12:00      80
    1  21:00      60
    """
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise PushDataError(source, [Problem(None, None, "does not exist")])
    if path.is_dir():
        raise PushDataError(
            source,
            [
                Problem(
                    None, None, "is a folder: give a file (folders of API payloads: wxtime.loaders.read_any)"
                )
            ],
        )
    if path.stat().st_size == 0:
        raise PushDataError(source, [Problem(None, None, "is empty")])
    try:
        frame, line_offset = _read_table(path, sep, encoding, sheet)
    except (PushDataError, InputError):
        raise
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, csv_error()) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PushDataError(source, [Problem(None, None, f"cannot be read as a table: {first}")]) from None
    pushes = validate_pushes(
        frame,
        columns=columns,
        tz=tz,
        slot_freq=slot_freq,
        strict_funnel=strict_funnel,
        positions=positions,
        source=source,
        line_offset=line_offset,
    )
    from ._io import file_sha256

    pushes.attrs["load_summary"]["sha256"] = file_sha256(path)
    if "read_note" in frame.attrs:
        pushes.attrs["load_summary"].setdefault("notes", []).insert(0, frame.attrs["read_note"])
    return pushes


def csv_error():
    import csv

    return csv.Error
