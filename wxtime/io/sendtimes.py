"""Send times from wherever the operator has them.

The commonest export (已通知内容) gives 发表时间 as a date only, and the datacube payloads
give the push date, never its time. A push's time of day then comes from, in this order:

1. the file itself (a date-time, or a date and a time column);
2. a **send log** (``--send-times``): Chinese or English headers, matched to each push by
   its msgid (推送编号, msg_data_id), its title, or its date; times of day alone or full
   date-times (:func:`read_send_log`);
3. a **stated slot** (``--slot 20:30``, or per date range ``--slot 2024-06-01..2024-06-30=20:30``:
   :func:`parse_stated_slots`);
4. **hourly reads** (the 流量分析 hourly export or ``getuserreadhour``): the push hour is where
   the push channel's reads (公众号消息, ``user_source`` 0) jump above the day's background
   of old articles read at every hour (:func:`infer_push_hours`). Only the hour is known, and
   a day without a clear jump is left for the user to give.

Each push records which source its time came from (``time_source``). A push whose time
nothing gives is an error naming its date and the three ways to give it; a send log whose
dates are far from the data's is refused as the wrong log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, PushDataError
from .times import parse_dates, parse_datetimes, parse_slot, parse_times_of_day

__all__ = [
    "HOW_TO_GIVE_TIMES",
    "PushHours",
    "SendLog",
    "SendTimes",
    "StatedSlot",
    "infer_push_hours",
    "parse_stated_slots",
    "read_send_log",
    "settle",
]

#: The three ways to give send times, as every message about missing ones says them.
HOW_TO_GIVE_TIMES = (
    "give the send times with --send-times LOG (a sheet of dates or msgids and times), "
    "add the hourly reads (the 流量分析 hourly export or getuserreadhour payloads) to infer them, "
    "or state the slot with --slot 20:30 (or --slot 2024-06-01..2024-06-30=20:30)"
)
#: A send log more than this many days from every push is the wrong log.
LOG_DISTANCE_DAYS = 31


# -- stated slots ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatedSlot:
    """``--slot``: a time of day for every push, or for the pushes of a date range."""

    minutes: float
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    text: str = ""

    def covers(self, dates: pd.DatetimeIndex) -> np.ndarray:
        inside = np.ones(len(dates), dtype=bool)
        if self.first is not None:
            inside &= np.asarray(dates >= self.first)
        if self.last is not None:
            inside &= np.asarray(dates <= self.last)
        return inside


_RANGE = re.compile(r"^\s*(?P<first>[^.=]*?)\s*\.\.\s*(?P<last>[^=]*?)\s*=\s*(?P<slot>.+)$")


def parse_stated_slots(specs) -> list[StatedSlot]:
    """``--slot`` values: ``20:30`` (every push) or ``2024-06-01..2024-06-30=20:30`` (a range; either
    end may be left open). Ranges override a slot for every push; overlapping ranges with
    different slots are refused.

    Examples
    --------
    >>> [s.minutes for s in parse_stated_slots(["20:30", "2024-06-01..2024-06-30=晚上8点"])]
    [1230.0, 1200.0]
    """
    if specs is None:
        return []
    if isinstance(specs, str):
        specs = [specs]
    stated = []
    for spec in specs:
        text = str(spec).strip()
        match = _RANGE.match(text)
        if match:
            ends = []
            for end in (match["first"], match["last"]):
                if not end:
                    ends.append(None)
                    continue
                parsed = parse_dates([end], name="--slot")
                if parsed.errors[0] is not None:
                    raise InputError(f"--slot {text!r}: {end!r} is not a date (e.g. 2024-06-01)")
                ends.append(pd.Timestamp(parsed.values[0]))
            try:
                minutes = parse_slot(match["slot"]) * 60
            except InputError:
                raise InputError(
                    f"--slot {text!r}: {match['slot']!r} is not a time of day (e.g. 20:30)"
                ) from None
            if ends[0] is not None and ends[1] is not None and ends[0] > ends[1]:
                raise InputError(f"--slot {text!r}: the range ends before it starts")
            stated.append(StatedSlot(minutes, ends[0], ends[1], text))
        else:
            try:
                stated.append(StatedSlot(parse_slot(text) * 60, text=text))
            except InputError:
                raise InputError(
                    f"--slot {text!r} is neither a time of day (20:30) nor a range "
                    "(2024-06-01..2024-06-30=20:30)"
                ) from None
    ranged = [s for s in stated if s.first is not None or s.last is not None]
    for i, a in enumerate(ranged):
        for b in ranged[i + 1 :]:
            lo = max(a.first or pd.Timestamp.min, b.first or pd.Timestamp.min)
            hi = min(a.last or pd.Timestamp.max, b.last or pd.Timestamp.max)
            if lo <= hi and a.minutes != b.minutes:
                raise InputError(f"--slot {a.text!r} and --slot {b.text!r} overlap with different slots")
    if sum(1 for s in stated if s.first is None and s.last is None) > 1:
        raise InputError(
            "--slot gives more than one slot for every push; give date ranges (FIRST..LAST=SLOT)"
        )
    return stated


# -- send logs ---------------------------------------------------------------------------------
@dataclass
class SendLog:
    """A send log read: one entry per row, with ``date`` (NaT where the log gives none),
    ``minutes`` (time of day), and the keys it can be matched by (``push_id``, ``title``)."""

    source: str
    date: pd.DatetimeIndex
    minutes: np.ndarray
    push_id: np.ndarray | None
    title: np.ndarray | None
    places: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.minutes)


def _normal_id(values) -> np.ndarray:
    """Push ids compared without an article suffix: ``2247485082_1`` is push ``2247485082``."""
    text = pd.Series(values, dtype="string").str.strip().str.replace(r"_\d+$", "", regex=True)
    return text.fillna("").to_numpy(dtype=object)


def read_send_log(log, *, tz: str = "Asia/Shanghai", year=None, date_format=None) -> SendLog:
    """A send log from a file (CSV, Excel), a DataFrame or a mapping ``{msgid or date: time}``.

    The log needs a time (发送时间, 群发时间, 发表时间, time, sent_at, or a slot column) and
    something to match each push by: a date (日期, date), a msgid (推送编号, msgid,
    push_id) or a title (标题, 内容标题, title). A full date-time gives both a date and a
    time. Problems name the log, its row and its column.

    Examples
    --------
    >>> sheet = pd.DataFrame({"日期": ["2024-06-03", "2024-06-04"], "群发时间": ["20:29:41", "20:30"]})
    >>> log = read_send_log(sheet)
    >>> [str(d.date()) for d in log.date], log.minutes.round(2).tolist()
    (['2024-06-03', '2024-06-04'], [1229.68, 1230.0])
    """
    from .files import Table, read_table
    from .headers import header_key, map_headers

    if isinstance(log, dict):
        frame = pd.DataFrame({"key": [str(k) for k in log], "sent_at": list(log.values())})
        keys = frame["key"]
        dated = parse_dates(keys, name="key")
        is_date = dated.errors == None  # noqa: E711 - elementwise
        columns = {"sent_at": frame["sent_at"]}
        if (~is_date).any():
            columns["push_id"] = keys.where(~is_date, None)
        if is_date.any():
            columns["send_date"] = keys.where(is_date, None)
        frame = pd.DataFrame(columns)
        table = Table(frame, "<send times>", "mapping")
    elif isinstance(log, pd.DataFrame):
        table = Table(log.reset_index(drop=True), "<send times>", "frame")
    else:
        path = Path(log)
        if not path.is_file():
            raise PushDataError(
                str(path), [Problem(None, None, "does not exist" if not path.exists() else "is not a file")]
            )
        table = read_table(path)
    source = table.source
    frame = table.frame
    if frame.empty:
        raise PushDataError(source, [Problem(None, None, "has only its header: no send times")])
    mapping, _ = map_headers(frame.columns, None, source)
    frame = frame.rename(columns=mapping)
    headers = {t: h for h, t in mapping.items()}
    if "sent_at" not in frame.columns and "slot" in frame.columns:
        frame = frame.rename(columns={"slot": "sent_at"})
        headers["sent_at"] = headers.pop("slot")
    if "sent_at" not in frame.columns:
        # A log with a time column under another name: 时间点, 推送时刻...
        timeish = [c for c in frame.columns if any(w in header_key(c) for w in ("时间", "时刻", "time"))]
        if len(timeish) == 1:
            frame = frame.rename(columns={timeish[0]: "sent_at"})
            headers["sent_at"] = timeish[0]
    keys = [k for k in ("send_date", "push_id", "title") if k in frame.columns]
    problems = []
    if "sent_at" not in frame.columns:
        problems.append(
            Problem(
                None,
                "sent_at",
                "a send log needs the send time (发送时间 / time); the log has: "
                f"{', '.join(map(str, table.frame.columns))}",
            )
        )
    n = len(frame)
    date = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
    minutes = np.full(n, np.nan)
    if not problems:
        parsed = parse_datetimes(
            frame["sent_at"], tz, year=year, date_format=date_format, name=headers.get("sent_at", "sent_at")
        )
        time_only = ~parsed.timed & (parsed.errors != None)  # noqa: E711 - elementwise
        clock = parse_times_of_day(frame["sent_at"])
        whole = parsed.timed & (parsed.errors == None)  # noqa: E711 - elementwise
        if whole.any():
            date = parsed.stamps.tz_localize(None).normalize()
            minutes = np.where(whole, parsed.minutes, np.nan)
        alone = np.isfinite(clock) & ~whole
        minutes[alone] = clock[alone]
        if "send_date" in frame.columns:
            days = parse_dates(
                frame["send_date"],
                year=year,
                date_format=date_format,
                name=headers.get("send_date", "send_date"),
            )
            written = frame["send_date"].map(lambda v: not (v is None or pd.isna(v) or not str(v).strip()))
            for i in np.flatnonzero((days.errors != None) & written.to_numpy(bool)):  # noqa: E711
                problems.append(
                    Problem(
                        column="send_date",
                        message=str(days.errors[i]),
                        header=headers.get("send_date"),
                        **table.where(i),
                    )
                )
            given = ~pd.isna(days.values)
            date = pd.DatetimeIndex(np.where(given, days.values, date.to_numpy("datetime64[ns]")))
        if not keys and not whole.any():
            problems.append(
                Problem(
                    None,
                    None,
                    "has times but nothing to match them to pushes by: add a date (日期), a msgid (推送编号) "
                    "or a title (标题) column",
                )
            )
        for i in np.flatnonzero(np.isnan(minutes) & time_only):
            raw = frame["sent_at"].iloc[i]
            message = (
                "is missing"
                if pd.isna(raw) or not str(raw).strip()
                else f"{raw!r} is not a time or date-time"
            )
            problems.append(
                Problem(column="sent_at", message=message, header=headers.get("sent_at"), **table.where(i))
            )
        for i in np.flatnonzero(np.isnan(minutes) & ~time_only):
            problems.append(
                Problem(
                    column="sent_at",
                    message=f"{frame['sent_at'].iloc[i]!r} has a date but no time of day",
                    header=headers.get("sent_at"),
                    **table.where(i),
                )
            )
    if problems:
        raise PushDataError(source, problems)
    log_entry = SendLog(
        source=source,
        date=date,
        minutes=minutes,
        push_id=_normal_id(frame["push_id"]) if "push_id" in frame.columns else None,
        title=frame["title"].astype("string").str.strip().fillna("").to_numpy(dtype=object)
        if "title" in frame.columns
        else None,
        places=[table.where(i) for i in range(n)],
    )
    _check_log_conflicts(log_entry)
    return log_entry


def _check_log_conflicts(log: SendLog) -> None:
    """The same push (id, or date when that is the only key) listed twice with different times."""
    problems = []
    key = log.push_id if log.push_id is not None else None
    if key is None and log.title is None:
        key = np.asarray(log.date.strftime("%Y-%m-%d"), dtype=object)
    if key is None:
        return
    seen: dict = {}
    for i, k in enumerate(key):
        if not k or k == "NaT":
            continue
        if k in seen and abs(log.minutes[seen[k]] - log.minutes[i]) > 0.5:
            first = log.places[seen[k]]["row"]
            problems.append(
                Problem(
                    column="sent_at",
                    message=f"{k} is listed again with another time (first at row {first}): keep one",
                    **log.places[i],
                )
            )
        seen.setdefault(k, i)
    if problems:
        raise PushDataError(log.source, problems)


# -- hourly reads ------------------------------------------------------------------------------
PUSH_CHANNEL = 0  # user_source 0: 会话 / 公众号消息 (reads from the push)
ALL_CHANNELS = 99999999


@dataclass
class PushHours:
    """What :func:`infer_push_hours` found per day: ``hour`` (NaN where unsure), ``sure``,
    ``strength`` (the jump over the background, in Poisson standard deviations) and
    ``why`` (the reason a day is unsure)."""

    table: pd.DataFrame

    def hour_of(self, dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
        """``(hour, known)`` for each date (NaN and False where the reads say nothing sure)."""
        lookup = self.table.set_index("date")
        index = pd.DatetimeIndex(dates)
        found = index.isin(lookup.index)
        hours = np.full(len(index), np.nan)
        sure = np.zeros(len(index), dtype=bool)
        if found.any():
            rows = lookup.loc[index[found]]
            hours[found] = rows["hour"].to_numpy(float)
            sure[found] = rows["sure"].to_numpy(bool)
        return np.where(sure, hours, np.nan), sure


def infer_push_hours(hourly: pd.DataFrame, *, min_strength: float = 6.0) -> PushHours:
    """The hour each day's push went out, from the push channel's hourly reads.

    Old articles are read at every hour, so the push channel (公众号消息, ``user_source``
    0) has reads before the push. The push shows as a jump: the hour ``H`` whose reads rise
    most over the hour before. When that rise starts in the hour before (a push late in
    an hour fills little of its first bin), that earlier hour is taken. A day is **sure**
    when the push hour's reads stand at least ``min_strength`` Poisson standard deviations
    above the background (the median of the three hours before it) and the main rise is at
    least three times any other rise of the day; otherwise its hour is left unknown.

    Parameters
    ----------
    hourly : DataFrame
        ``date, hour, user_source, reads`` (as read from getuserreadhour payloads or the
        hourly 流量分析 export).
    min_strength : float

    Returns
    -------
    PushHours

    Examples
    --------
    >>> reads = [30, 20, 12, 8, 6, 9, 20, 35, 40, 38, 36, 34, 33, 30, 31, 33, 35, 40, 45, 50,
    ...          600, 900, 300, 120]
    >>> hourly = pd.DataFrame({"date": pd.Timestamp("2024-06-03"), "hour": range(24),
    ...                        "user_source": 0, "reads": reads})
    >>> infer_push_hours(hourly).table[["hour", "sure"]].values.tolist()
    [[20.0, True]]
    """
    session = hourly[hourly["user_source"] == PUSH_CHANNEL]
    records = []
    for date, day in session.groupby("date", sort=True):
        r = np.zeros(24)
        r[day["hour"].to_numpy(int)] = day["reads"].to_numpy(float)
        jump = np.diff(r)
        top = int(np.argmax(jump)) + 1
        if jump[top - 1] <= 0:
            records.append((pd.Timestamp(date), np.nan, False, 0.0, "no rise in push-channel reads"))
            continue
        hour = top
        background = float(np.median(r[max(0, hour - 4) : hour - 1])) if hour >= 2 else float(r[hour - 1])
        rise = r[hour] - background
        early = r[hour - 1] - background if hour >= 1 else 0.0
        if early > 3 * np.sqrt(background + 1) and early > 0.1 * rise:
            hour -= 1  # the push went out late in the previous hour: its first readers are there
            background = float(np.median(r[max(0, hour - 3) : hour])) if hour >= 1 else 0.0
        strength = (r[hour] + r[min(hour + 1, 23)] - 2 * background) / np.sqrt(2 * background + 2)
        others = np.delete(jump, [j for j in range(top - 3, top + 2) if 0 <= j < len(jump)])
        second = float(others.max()) if len(others) else 0.0
        sure = strength >= min_strength and jump[top - 1] >= 3 * max(second, 1.0)
        why = (
            ""
            if sure
            else (
                "the rise is small against the day's background reads"
                if strength < min_strength
                else "the day has another rise of similar size"
            )
        )
        records.append((pd.Timestamp(date), float(hour), bool(sure), float(strength), why))
    table = pd.DataFrame(records, columns=["date", "hour", "sure", "strength", "why"])
    return PushHours(table)


# -- settling --------------------------------------------------------------------------------
@dataclass
class SendTimes:
    """Every source of send times the user gave (any may be absent)."""

    log: SendLog | None = None
    stated: list = field(default_factory=list)
    hours: PushHours | None = None

    @property
    def any(self) -> bool:
        return self.log is not None or bool(self.stated) or self.hours is not None


def _check_log_near(log: SendLog, dates: pd.DatetimeIndex, source: str) -> None:
    log_days = log.date[~pd.isna(log.date)]
    data_days = dates[~pd.isna(dates)]
    if not len(log_days) or not len(data_days):
        return
    gap_after = (log_days.min() - data_days.max()).days
    gap_before = (data_days.min() - log_days.max()).days
    if max(gap_after, gap_before) > LOG_DISTANCE_DAYS:
        raise PushDataError(
            log.source,
            [
                Problem(
                    None,
                    None,
                    f"is dated {log_days.min():%Y-%m-%d}..{log_days.max():%Y-%m-%d}, "
                    f"but the pushes of {source} "
                    f"are dated {data_days.min():%Y-%m-%d}..{data_days.max():%Y-%m-%d} "
                    f"({max(gap_after, gap_before)} days apart): is it the log of this account and period?",
                )
            ],
        )


def settle(
    dates: pd.DatetimeIndex,
    minutes: np.ndarray,
    time_source: np.ndarray,
    times: SendTimes,
    *,
    push_ids=None,
    titles=None,
    source: str = "<data>",
    header: str | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each dated push's time of day, from the file, then the log, the stated slots and the
    hourly reads, in that order. Returns ``(minutes, time_source, notes)``; pushes still
    without a time are an error naming their dates and :data:`HOW_TO_GIVE_TIMES`."""
    minutes = np.asarray(minutes, float).copy()
    time_source = np.asarray(time_source, dtype=object).copy()
    dates = pd.DatetimeIndex(dates)
    dated = ~np.asarray(pd.isna(dates))
    need = dated & np.isnan(minutes)
    notes: list[str] = []
    log = times.log
    if log is not None:
        _check_log_near(log, dates[need] if need.any() else dates[dated], source)
    if log is not None and need.any():
        found = np.full(len(minutes), np.nan)
        if log.push_id is not None and push_ids is not None:
            lookup = {k: m for k, m in zip(log.push_id, log.minutes) if k}
            ids = _normal_id(push_ids)
            found = np.where(np.isnan(found), [lookup.get(k, np.nan) for k in ids], found)
        if log.title is not None and titles is not None:
            lookup = {k: m for k, m in zip(log.title, log.minutes) if k}
            names = pd.Series(titles, dtype="string").str.strip().fillna("").to_numpy(dtype=object)
            found = np.where(np.isnan(found), [lookup.get(k, np.nan) for k in names], found)
        dated_log = ~np.asarray(pd.isna(log.date))
        if dated_log.any() and log.push_id is None and log.title is None:
            by_day = pd.Series(log.minutes[dated_log], index=log.date[dated_log])
            by_day = by_day[~by_day.index.duplicated(keep="first")]
            found = np.where(np.isnan(found), by_day.reindex(dates).to_numpy(float), found)
        elif dated_log.any():
            # A log keyed by id or title may still date its rows: those dates match too.
            by_day = pd.Series(log.minutes[dated_log], index=log.date[dated_log])
            unique_days = by_day[~by_day.index.duplicated(keep=False)]
            found = np.where(np.isnan(found), unique_days.reindex(dates).to_numpy(float), found)
        use = need & np.isfinite(found)
        minutes[use] = found[use]
        time_source[use] = "log"
        need &= ~use
        unused = len(log) - int(use.sum())
        if unused > 0 and use.any():
            notes.append(f"{unused} send-log entries matched no push (other dates or pushes)")
        if not use.any() and need.any():
            notes.append("the send log matched none of the pushes")
    for stated in sorted(times.stated, key=lambda s: s.first is None and s.last is None):
        use = need & stated.covers(dates)
        minutes[use] = stated.minutes
        time_source[use] = "stated"
        need &= ~use
    if times.hours is not None and need.any():
        hour, sure = times.hours.hour_of(dates)
        use = need & sure
        minutes[use] = hour[use] * 60
        time_source[use] = "inferred"
        need &= ~use
        if use.any():
            days = len(np.unique(dates[use]))
            notes.append(
                f"send times of {days} day{'s' if days > 1 else ''} inferred from hourly reads as the hour "
                "the push channel's reads jumped (the hour only: a 20:30 push shows as 20:00)"
            )
    if need.any():
        days = sorted({f"{d:%Y-%m-%d}" for d in dates[need]})
        listed = ", ".join(days[:5]) + (f" and {len(days) - 5} more" if len(days) > 5 else "")
        unsure = ""
        if times.hours is not None:
            table = times.hours.table.set_index("date")
            reasons = {table.loc[d, "why"] for d in dates[need] if d in table.index and table.loc[d, "why"]}
            if reasons:
                unsure = f" (the hourly reads are not clear on those days: {'; '.join(sorted(reasons))})"
            else:
                unsure = " (the hourly reads do not cover those days)"
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    "sent_at",
                    "gives the date of each push but not its time of day, and nothing else gives it for "
                    f"the pushes of {len(days)} day{'s' if len(days) > 1 else ''} ({listed}){unsure}: "
                    f"{HOW_TO_GIVE_TIMES}",
                    header=header,
                )
            ],
            line_offset=None,
        )
    return minutes, time_source, notes
