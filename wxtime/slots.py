"""Send slots: times of day as people write them, and the scheduled slot behind jittered send times.

A push scheduled for 07:30 is logged at 07:29:40 or 07:31:05; people write the
same slot as ``7:30``, ``07:30:00``, ``上午7:30``, ``早上7点半``, ``7:30 AM`` or
``7点30``. The slot is the **scheduled** time, not the hour bin a log time falls
in: flooring 07:29:40 to the hour gives 07:00, and a 22:00 vs 22:30 rotation
collapses into one slot.

* :func:`parse_times_of_day` reads times of day (minutes since midnight) in
  those spellings, vectorised.
* :func:`infer_slots` groups send times that belong to one schedule (times
  within a few minutes of each other) and snaps each group to the coarsest
  grid the data reveal (the hour, the half hour, the quarter...), so 07:29:40
  and 07:31:05 are both 07:30 and 22:00 stays apart from 22:30.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["SlotInference", "infer_slots", "parse_times_of_day", "snap_to_grid"]

#: Send times within this many minutes of each other belong to one schedule.
JITTER_MINUTES = 10.0
_GRIDS = (60, 30, 15, 10, 5, 1)

_PM_WORDS = ("下午", "晚上", "傍晚", "夜里", "夜间", "晚间", "晚")
_AM_WORDS = ("上午", "早上", "早晨", "清晨", "凌晨", "早")
_NOON_WORDS = ("中午",)
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s*[Mm]\.?)?$"
)
_CHINESE = re.compile(r"^(?P<hour>\d{1,2})\s*[点點时時](?:\s*(?P<half>半)|\s*(?P<minute>\d{1,2})\s*分?)?$")
_HHMM = re.compile(r"^(?P<hhmm>\d{3,4})$")


def _one(text: str) -> float:
    """Minutes after midnight for one written time of day, NaN if it is not one."""
    text = text.strip().replace("：", ":").replace(" ", " ")
    if not text:
        return np.nan
    period = None
    for words, name in ((_NOON_WORDS, "noon"), (_PM_WORDS, "pm"), (_AM_WORDS, "am")):
        for word in words:
            if text.startswith(word):
                period, text = name, text[len(word) :].strip()
                break
        if period:
            break
    hour = minute = None
    match = _CLOCK.match(text)
    if match:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        ampm = match["ampm"]
        if ampm:
            if hour < 1 or hour > 12 or period:
                return np.nan
            period = "pm" if ampm.lower().startswith("p") else "am"
            if period == "am" and hour == 12:
                hour = 0  # 12:30 AM
            if period == "pm" and hour == 12:
                period = "noon"  # 12:00 PM is noon
    else:
        match = _CHINESE.match(text)
        if match:
            hour = int(match["hour"])
            minute = 30 if match["half"] else int(match["minute"] or 0)
        else:
            match = _HHMM.match(text)
            if not match or period:
                return np.nan
            value = int(match["hhmm"])
            hour, minute = value // 100, value % 100
    if period == "pm" and 1 <= hour <= 11:
        hour += 12
    elif period == "pm" and hour == 12:
        hour = 0  # 晚上12点: midnight
    elif period == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return np.nan
    return float(hour * 60 + minute)


def parse_times_of_day(values) -> np.ndarray:
    """Minutes after midnight of times of day written as people write them (NaN where unreadable).

    Understands ``HH:MM``, ``H:MM:SS``, ``7:30 PM``/``7:30pm`` (``12:00 PM`` is noon),
    ``7点``, ``7点半``, ``7点30``, ``7点30分``, Chinese periods (``上午``/``早上`` morning,
    ``中午`` noon, ``下午``/``晚上``/``晚`` afternoon and evening: 晚上9点半 = 21:30),
    WeChat's ``ref_hour`` HHMM numbers (``1230``), ``datetime.time`` values and
    fractional hours (``7.5``). A bare number is an hour of day (0-23).

    Examples
    --------
    >>> written = ["7点", "上午7:30", "晚上9点半", "19:30:00", "7:30 PM", "12:00 PM", "中午12点"]
    >>> parse_times_of_day(written).tolist()
    [420.0, 450.0, 1290.0, 1170.0, 1170.0, 720.0, 720.0]
    >>> parse_times_of_day(["25:00", "noon", ""]).tolist()
    [nan, nan, nan]
    """
    import datetime as dt

    series = pd.Series(values, dtype=object)
    # Each distinct spelling is read once: a table of 100,000 pushes has a handful of them.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    parsed = np.full(len(uniques), np.nan)
    for i, value in enumerate(uniques):
        if isinstance(value, dt.time):
            parsed[i] = value.hour * 60 + value.minute + value.second / 60
        elif isinstance(value, (bool, np.bool_)):
            continue
        elif isinstance(value, (int, np.integer)):
            parsed[i] = float(value) * 60 if 0 <= value <= 23 else _one(str(value))
        elif isinstance(value, (float, np.floating)):
            parsed[i] = float(value) * 60 if 0 <= value < 24 else np.nan
        else:
            parsed[i] = _one(str(value))
    out = np.full(len(series), np.nan)
    known = codes >= 0
    out[known] = parsed[codes[known]]
    return out


def snap_to_grid(minutes, grid: float) -> np.ndarray:
    """Each time (minutes after midnight) to the nearest multiple of ``grid`` minutes, on the 24-hour circle.

    Examples
    --------
    >>> snap_to_grid([449.67, 1439.5, 14.0], 30).tolist()
    [450.0, 0.0, 0.0]
    """
    minutes = np.asarray(minutes, float)
    return (np.round(minutes / grid) * grid) % 1440


class SlotInference:
    """What :func:`infer_slots` found: the grid, the slots, and how far send times were from them."""

    def __init__(self, slots: np.ndarray, grid: float, schedule: bool, max_jitter: float):
        self.slots = slots
        self.grid = grid
        self.schedule = schedule
        self.max_jitter = max_jitter

    def describe(self) -> str:
        if not self.schedule:
            return f"send times do not cluster into schedules; rounded to the nearest {self.grid:g} minutes"
        return (
            f"send times grouped into scheduled slots on a {self.grid:g}-minute grid "
            f"(up to {self.max_jitter:.1f} min off)"
        )


def infer_slots(minutes, *, grid: str | float | None = None, jitter: float = JITTER_MINUTES) -> SlotInference:
    """The scheduled slot (minutes after midnight) of each send time.

    Send times within ``jitter`` minutes of each other (on the 24-hour circle)
    form one schedule; each schedule's centre is snapped to the coarsest grid
    (60, 30, 15, 10, 5 or 1 minutes) that puts every centre within ``jitter``
    of a grid point and keeps different schedules apart. If the times do not
    form tight schedules (a group spanning more than an hour: sends at any
    minute), each time is rounded to the nearest hour instead, and
    ``schedule`` is False. ``grid`` (minutes, or a pandas frequency such as
    ``"30min"``) forces the grid.

    Examples
    --------
    >>> times = parse_times_of_day(["07:29:40", "07:31:05", "22:00:10", "22:29:50", "21:59:12"])
    >>> inference = infer_slots(times)
    >>> inference.slots.tolist(), inference.grid
    ([450.0, 450.0, 1320.0, 1350.0, 1320.0], 30)
    """
    minutes = np.asarray(minutes, float)
    if grid is not None:
        step = pd.Timedelta(grid).total_seconds() / 60 if isinstance(grid, str) else float(grid)
        if not step > 0:
            raise ValueError(f"a slot grid must be a positive duration, not {grid!r}")
        snapped = snap_to_grid(minutes, step)
        off = np.abs((minutes - snapped + 720) % 1440 - 720)
        return SlotInference(snapped, step, True, float(off.max()) if len(off) else 0.0)
    if len(minutes) == 0:
        return SlotInference(minutes, 60, True, 0.0)
    order, inverse = np.unique(minutes, return_inverse=True)
    gaps = np.diff(np.r_[order, order[0] + 1440])
    # Walk the circle from just after the largest gap, so a schedule around midnight stays whole.
    start = (int(np.argmax(gaps)) + 1) % len(order)
    rotation = np.r_[np.arange(start, len(order)), np.arange(start)]
    circle = order[rotation] + np.where(rotation < start, 1440.0, 0.0)
    group_of_rotated = np.r_[0, np.cumsum(np.diff(circle) > jitter)]
    n_groups = int(group_of_rotated[-1]) + 1
    low = np.full(n_groups, np.inf)
    high = np.full(n_groups, -np.inf)
    np.minimum.at(low, group_of_rotated, circle)
    np.maximum.at(high, group_of_rotated, circle)
    if (high - low).max() > 60:
        snapped = snap_to_grid(minutes, 60)
        off = np.abs((minutes - snapped + 720) % 1440 - 720)
        return SlotInference(snapped, 60, False, float(off.max()))
    centres = np.array([float(np.median(circle[group_of_rotated == g])) % 1440 for g in range(n_groups)])
    chosen = 1
    for step in _GRIDS:
        snapped = snap_to_grid(centres, step)
        off = np.abs((centres - snapped + 720) % 1440 - 720)
        if (off <= jitter).all() and len(np.unique(snapped)) == len(snapped):
            chosen = step
            break
    group_of_unique = np.empty(len(order), dtype=np.int64)
    group_of_unique[rotation] = group_of_rotated
    slots = snap_to_grid(centres, chosen)[group_of_unique[inverse]]
    off = np.abs((minutes - slots + 720) % 1440 - 720)
    return SlotInference(slots, chosen, True, float(off.max()))
