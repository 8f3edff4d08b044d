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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COUNT_COLUMNS",
    "DEFAULT_TZ",
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
    # opened
    "opened": "opened",
    "opens": "opened",
    "open": "opened",
    "intpagefromsessionreaduser": "opened",
    "公众号消息阅读人数": "opened",
    "公众号消息阅读次数": "opened",
    "公众号会话阅读人数": "opened",
    "打开人数": "opened",
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
    "followers": "followers",
    "粉丝数": "followers",
}


def _header_key(name: object) -> str:
    return re.sub(r"[\s_\-()（）\[\]]", "", str(name)).lower()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what it is."""

    row: int | None  # 1-based data row (header excluded); None for whole-file problems
    column: str | None
    message: str


class PushDataError(ValueError):
    """Input that cannot become a push table.

    The message names the file, the row and the column of every problem found
    (up to ten are listed). ``problems`` holds them all as :class:`Problem`.
    """

    def __init__(self, source: str, problems: list[Problem], *, line_offset: int | None = 1):
        self.source = source
        self.problems = problems
        shown = [self._describe(p, line_offset) for p in problems[:10]]
        more = len(problems) - len(shown)
        head = f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the push data"
        tail = f"\n  ... and {more} more" if more else ""
        super().__init__(head + ":\n  " + "\n  ".join(shown) + tail)

    @staticmethod
    def _describe(problem: Problem, line_offset: int | None) -> str:
        where = []
        if problem.row is not None:
            row = f"row {problem.row}"
            if line_offset is not None:
                row += f" (line {problem.row + line_offset})"
            where.append(row)
        if problem.column is not None:
            # JSON payload problems carry a JSON path ($.list[0].msgid) instead of a column.
            kind = "field" if str(problem.column).startswith("$") else "column"
            where.append(f"{kind} '{problem.column}'")
        return (", ".join(where) + ": " if where else "") + problem.message


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


# Day-first/month-first dates such as 03/04/2024 cannot be read without guessing.
_AMBIGUOUS_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
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
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return pd.DatetimeIndex(column).tz_convert(tz), problems
    if pd.api.types.is_datetime64_dtype(column):
        return pd.DatetimeIndex(column).tz_localize(tz), problems
    text = column.astype("string").str.strip()
    chinese = text.str.extract(_CHINESE_DATE.pattern)
    is_chinese = chinese[0].notna()
    if is_chinese.any():
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
    ambiguous = text.str.extract(_AMBIGUOUS_DATE.pattern)
    is_ambiguous = (
        ambiguous[0].notna()
        & (pd.to_numeric(ambiguous[0], errors="coerce") <= 12)
        & (pd.to_numeric(ambiguous[1], errors="coerce") <= 12)
    ).to_numpy()
    has_zone = text.str.contains(r"(?:[+-]\d{2}:?\d{2}|Z)$", regex=True, na=False).to_numpy()
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
            raise ValueError(f"--columns expects NAME=HEADER pairs, got {part.strip()!r}")
        key, value = (s.strip() for s in part.split("=", 1))
        mapping[key] = value
    return mapping


_KNOWN = set(COUNT_COLUMNS) | {"push_id", "sent_at", "slot", "group"} | set(COVARIATES)


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
        raise PushDataError(source, problems)
    rename = {header: target for target, header in columns.items()}
    taken = set(rename.values())
    for header in frame.columns:
        if header in rename:
            continue
        target = ALIASES.get(_header_key(header))
        if target and target not in taken:
            rename[header] = target
            taken.add(target)
    return frame.rename(columns=rename)


def _parse_count(value: object) -> float:
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


def validate_pushes(
    data: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    slot_freq: str = "60min",
    strict_funnel: bool = True,
    source: str = "<data>",
    line_offset: int | None = 1,
) -> pd.DataFrame:
    """Check a table of pushes and return the clean, typed push table.

    Parameters
    ----------
    data : DataFrame
        One row per push (or per push x group), or one row per slot.
    columns : mapping, optional
        Explicit ``{wxtime_name: header_in_file}`` mapping, applied before the
        built-in aliases (``sent``, ``送达人数``, ``target_user``...).
    tz : str
        Timezone for naive send times, and the timezone of the result.
    slot_freq : str
        When ``slot`` is absent, ``sent_at`` is floored to this frequency.
    strict_funnel : bool
        Require ``read <= opened`` (wxtime's funnel). Set False for data where
        "read" counts all reads, including shares from outside the audience;
        ``read <= delivered`` is then not checked either.
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
        ``attrs["load_summary"]`` says what was loaded (:func:`load_summary`);
        loaders add what they skipped and why.

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
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise PushDataError(source, [Problem(None, None, "has no rows")])
    frame = _rename(data.copy(), columns, source)
    problems: list[Problem] = []

    missing = [c for c in ("delivered", "opened") if c not in frame.columns]
    if "sent_at" not in frame.columns and "slot" not in frame.columns:
        missing.append("sent_at or slot")
    if missing:
        have = ", ".join(map(str, data.columns))
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    m,
                    f"is required but missing (the file has: {have}); "
                    "map a header with columns={'delivered': 'sent'} or --columns delivered=sent",
                )
                for m in missing
            ],
        )

    rows = np.arange(1, len(frame) + 1)

    # Counts: numeric, whole, non-negative. Parsed in bulk; only failing rows are visited,
    # to write their messages.
    counts = {}
    for name in COUNT_COLUMNS:
        if name not in frame.columns:
            continue
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            values = column.to_numpy(dtype=float, na_value=np.nan, copy=True)
        else:
            text = column.astype("string").str.strip().str.replace(",", "", regex=False)
            values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values) | (values < 0) | (np.mod(values, 1) != 0)
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
                problems.append(Problem(int(rows[i]), name, f"{raw!r} is negative or not finite"))
            else:
                problems.append(Problem(int(rows[i]), name, f"{raw!r} is not a whole count"))
        values[bad] = np.nan
        counts[name] = values

    def check_le(small: str, big: str, why: str) -> None:
        if small in counts and big in counts:
            bad = np.flatnonzero(counts[small] > counts[big])
            for i in bad:
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

    # Times: typed datetimes are used as they are; text is parsed in bulk (ISO 8601 and
    # Chinese dates), with the rows that fail or are ambiguous visited for their messages.
    stamps: pd.DatetimeIndex | None = None
    if "sent_at" in frame.columns:
        stamps, time_problems = _parse_times(frame["sent_at"], tz, rows)
        problems.extend(time_problems)

    # Slots.
    hours = np.full(len(frame), np.nan)
    if "slot" in frame.columns:
        for i, raw in enumerate(frame["slot"].tolist()):
            try:
                hours[i] = slot_to_hour(raw)
            except (TypeError, ValueError) as exc:
                problems.append(Problem(int(rows[i]), "slot", str(exc)))
    elif stamps is not None and not problems:
        floored = stamps.floor(slot_freq)
        hours = (floored.hour + floored.minute / 60).to_numpy(dtype=float)

    # Identifiers.
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
    for i in np.flatnonzero(dup.to_numpy()):
        first = int(np.flatnonzero((ids.to_numpy() == ids.iloc[i]) & ~dup.to_numpy())[0]) + 1
        scope = " within its group" if "group" in frame.columns else ""
        problems.append(Problem(int(rows[i]), "push_id", f"{ids.iloc[i]!r} repeats row {first}{scope}"))

    if problems:
        raise PushDataError(source, problems, line_offset=line_offset)

    result = pd.DataFrame({"push_id": ids.astype(str).to_numpy()})
    if stamps is not None:
        result["sent_at"] = stamps
    result["slot"] = format_slots(hours)
    result["slot_hour"] = hours
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
            if name in ("push_id", "slot", "group", "title"):
                continue
            try:  # CSVs are read as text: give numeric covariates their numbers back
                result[name] = pd.to_numeric(result[name])
            except (TypeError, ValueError):
                pass
    level = "push"
    if stamps is None and not result["slot"].duplicated().any():
        level = "slot"
    result.attrs["level"] = level
    result.attrs["source"] = source
    result.attrs["tz"] = tz
    result.attrs["load_summary"] = load_summary(result, source)
    return result


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


def _read_table(
    path: Path, sep: str | None, encoding: str | None, sheet: object
) -> tuple[pd.DataFrame, int | None]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        # Excel rows: header is row 1, so data row r is sheet row r + 1.
        return read_excel(path, sheet_name=sheet if sheet is not None else 0), 1
    if suffix == ".parquet":
        return pd.read_parquet(path), None
    if suffix == ".json":
        return pd.read_json(path, orient="records"), None
    encodings = [encoding] if encoding else ["utf-8-sig"]
    last_error: Exception | None = None
    for enc in encodings:
        try:
            return pd.read_csv(
                path,
                sep=sep,
                engine="python" if sep is None else "c",
                encoding=enc,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
            ), 1
        except UnicodeDecodeError as exc:
            last_error = exc
    raise ValueError(
        f"is not UTF-8 text ({last_error}); exports saved by Excel in China are often GBK: "
        "pass encoding='gbk' (CLI: --encoding gbk)"
    )


def read_pushes(
    path: str | os.PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    slot_freq: str = "60min",
    strict_funnel: bool = True,
    sep: str | None = None,
    encoding: str | None = None,
    sheet: object = None,
) -> pd.DataFrame:
    """Read a push table from CSV (any delimiter), Excel, Parquet or JSON records.

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
    except PushDataError:
        raise
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise PushDataError(source, [Problem(None, None, f"cannot be read: {exc}")]) from None
    pushes = validate_pushes(
        frame,
        columns=columns,
        tz=tz,
        slot_freq=slot_freq,
        strict_funnel=strict_funnel,
        source=source,
        line_offset=line_offset,
    )
    from ._io import file_sha256

    pushes.attrs["load_summary"]["sha256"] = file_sha256(path)
    return pushes
