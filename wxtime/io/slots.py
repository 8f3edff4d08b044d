"""Slots: the scheduled send time behind jittered send times, and slot labels (NumPy only).

A push scheduled for 07:30 is logged at 07:29:40 or 07:31:05; the slot is the **scheduled**
time, not the hour bin a log time falls in: flooring 07:29:40 to the hour gives 07:00, and a
22:00 vs 22:30 rotation collapses into one slot. :func:`infer_slots` groups send times that
belong to one schedule and snaps each group to the coarsest grid the data reveal.

This module needs NumPy alone, so the delivery-log aggregation (:mod:`wxtime.io.events`)
can label its pushes without importing pandas.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = ["JITTER_MINUTES", "SlotInference", "format_slot", "format_slots", "infer_slots", "snap_to_grid"]

#: Send times within this many minutes of each other belong to one schedule.
JITTER_MINUTES = 10.0
_GRIDS = (60, 30, 15, 10, 5, 1)
_LABELS = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)], dtype=object)


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
    return _LABELS[minutes]


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
    >>> times = [449.67, 451.08, 1320.17, 1349.83, 1319.2]  # 07:29:40, 07:31:05, 22:00:10, 22:29:50...
    >>> inference = infer_slots(times)
    >>> inference.slots.tolist(), inference.grid
    ([450.0, 450.0, 1320.0, 1350.0, 1320.0], 30)
    """
    minutes = np.asarray(minutes, float)
    if grid is not None:
        try:
            step = _grid_minutes(grid)
        except ValueError:
            raise InputError(f"a slot grid must be a duration such as 30min, not {grid!r}") from None
        if not step > 0:
            raise InputError(f"a slot grid must be a positive duration, not {grid!r}")
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


def _grid_minutes(grid) -> float:
    """``"30min"``, ``"1h"``, ``"15T"`` or a number of minutes, as minutes."""
    if not isinstance(grid, str):
        return float(grid)
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(min|m|t|h|hour|hours|minutes?)?\s*", grid.lower())
    if not match:
        raise ValueError(grid)
    value = float(match.group(1))
    return value * 60 if (match.group(2) or "min").startswith("h") else value
