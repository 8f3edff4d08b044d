"""Counts: a push table and a metric, resolved once into what every analysis needs.

This module is the one home of the metric's columns (:data:`METRICS`), of the
slot order, of the experiment design and of the **randomised unit**:

========== ================================ =====================================
design     what was assigned at random      unit of analysis
========== ================================ =====================================
randomized each day's slot                  the push
blocked    each stretch of days on a slot   the stretch (a run of consecutive
                                            pushes at one slot, in time order)
split      each follower group's slot       the day (groups compared within it)
slot-level nothing (one row per slot)       none: descriptive only
========== ================================ =====================================

A push reaches everyone at once, so its readers share one article and one
moment: readers are never the unit. In a rotation held for a stretch of days,
article quality drifts and runs in series, so the days of one stretch are not
independent either; what can be compared are stretches.

Examples
--------
>>> from wxtime.datasets import load_noon_study
>>> c = counts(load_noon_study(), "open")
>>> c.design, c.unit_kind, c.n_units, c.slots
('blocked', 'stretch', 10, ['07:30', '12:00', '18:00', '21:00', '22:30'])
>>> c.units_per_slot.tolist()
[2, 2, 2, 2, 2]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["METRICS", "Counts", "counts", "detect_design", "metric_columns", "slot_order"]

#: metric -> (successes column, trials column, English label). The funnel definitions
#: used everywhere in wxtime.
METRICS: dict[str, tuple[str, str, str]] = {
    "open": ("opened", "delivered", "open rate"),
    "read": ("read", "delivered", "read rate"),
    "read_through": ("read", "opened", "read-through"),
    "click": ("clicked", "delivered", "click rate"),
    "share": ("shared", "delivered", "share rate"),
}


def metric_columns(pushes: pd.DataFrame, metric: str) -> tuple[str, str]:
    """The (successes, trials) columns of ``metric``, checked against the table.

    Examples
    --------
    >>> metric_columns(pd.DataFrame(columns=["delivered", "opened"]), "open")
    ('opened', 'delivered')
    """
    from .errors import InputError, Problem, PushDataError
    from .io.table import PushTable, as_frame

    source = pushes.source if isinstance(pushes, PushTable) else "<data>"
    pushes = as_frame(pushes)
    if metric not in METRICS:
        raise InputError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    successes, trials, _ = METRICS[metric]
    missing = [c for c in (successes, trials) if c not in pushes.columns]
    if missing:
        available = [m for m, (s, t, _) in METRICS.items() if {s, t} <= set(pushes.columns)]
        have = f"; the data have: {', '.join(available)}" if available else ""
        raise PushDataError(
            source,
            [
                Problem(None, c, f"is needed for the metric {metric!r} but the data lack it{have}")
                for c in missing
            ],
            line_offset=None,
        )
    return successes, trials


def slot_order(pushes: pd.DataFrame) -> list[str]:
    """Slots by time of day (``slot_hour``), as every table and plot lists them."""
    hours = pushes.groupby("slot", sort=False)["slot_hour"].first().sort_values(kind="stable")
    return [str(s) for s in hours.index]


def _time_order(pushes: pd.DataFrame) -> pd.DataFrame:
    if "sent_at" in pushes.columns:
        return pushes.sort_values("sent_at", kind="stable")
    return pushes


def _run_index(codes: np.ndarray) -> np.ndarray:
    """Index of the run (stretch of consecutive equal codes) each element belongs to."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(codes[1:] != codes[:-1])]).astype(np.int64)


def _expected_runs(sizes: np.ndarray) -> float:
    """Expected number of runs when the labels' order is random (generalised Wald-Wolfowitz)."""
    n = sizes.sum()
    if n < 2:
        return float(n)
    return 1.0 + (n - 1) - float(np.sum(sizes * (sizes - 1))) / n


def _split_blocks(pushes: pd.DataFrame) -> np.ndarray | None:
    """Day blocks of a split test, or None: several follower groups pushed on the same day.

    The block is the shared ``push_id`` when groups share one (one push, several groups),
    else the calendar day of ``sent_at`` (exports that number each group's push).
    """
    if "group" not in pushes.columns or pushes["group"].nunique() < 2:
        return None
    if pushes["push_id"].duplicated().any():
        return pd.factorize(pushes["push_id"])[0].astype(np.int64)
    if "sent_at" in pushes.columns:
        day = pushes["sent_at"].dt.floor("D")
        if day.duplicated().any():
            return pd.factorize(day)[0].astype(np.int64)
    return None


def detect_design(pushes, level: str | None = None) -> str:
    """Which design produced a push table.

    * ``"slot-level"``: one row per slot (no push-to-push variation).
    * ``"split"``: several follower groups (a ``group`` column) were pushed on the same day
      (the same ``push_id``, or the same send date).
    * ``"blocked"``: in time order, slots come in runs (mean run of 2 or more pushes)
      *and* clearly fewer runs than a random order of the same slots would give
      (at most 60% of the expected number). The second condition keeps a
      randomised two-slot rotation, whose runs average 2 pushes by chance, a
      randomised design.
    * ``"randomized"``: otherwise.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> detect_design(load_noon_study())
    'blocked'
    """
    from .io.table import as_table

    table = as_table(pushes)
    pushes = table.frame
    if (level or table.level) == "slot":
        return "slot-level"
    if _split_blocks(pushes) is not None:
        return "split"
    slots = _time_order(pushes)["slot"].to_numpy()
    runs = 1 + int(np.sum(slots[1:] != slots[:-1])) if len(slots) else 0
    if runs == 0:
        return "randomized"
    sizes = pd.Series(slots).value_counts().to_numpy()
    clumped = len(slots) / runs >= 2 and runs <= 0.6 * _expected_runs(sizes)
    return "blocked" if clumped else "randomized"


@dataclass(frozen=True)
class Counts:
    """A push table resolved for one metric: arrays in time order, slots, design and units.

    Build it with :func:`counts`. Every analysis in wxtime takes a push table
    *or* a :class:`Counts`; passing the object on avoids resolving it again.

    Attributes
    ----------
    metric, label : str
        The metric (``"open"``...) and its label (``"open rate"``).
    successes_column, trials_column : str
        The push-table columns the metric is made of.
    frame : DataFrame
        The rows used (time order, pushes with zero trials left out), index reset.
    slots : list of str
        Slots by time of day; ``code[i]`` indexes this list.
    slot_hours : ndarray
    code, successes, trials : ndarray
        Per row: slot index, successes and trials (floats).
    design : str
        See :func:`detect_design`; ``"single-slot"`` when only one slot was used.
    unit : ndarray of int
        Per row: index of its randomised unit (push, stretch or day).
    unit_kind : str
        ``"push"``, ``"stretch"``, ``"day"`` or ``"slot"`` (slot-level data).
    dropped : dict
        Rows left out and why (``{"no_trials": 3}``).
    source : str
        What was read (a file name), for messages.
    load : dict
        The load summary of the push table (:attr:`wxtime.io.table.PushTable.load`).
    """

    metric: str
    label: str
    successes_column: str
    trials_column: str
    frame: pd.DataFrame
    slots: list
    slot_hours: np.ndarray
    code: np.ndarray
    successes: np.ndarray
    trials: np.ndarray
    design: str
    unit: np.ndarray
    unit_kind: str
    dropped: dict = field(default_factory=dict)
    source: str = "<data>"
    load: dict = field(default_factory=dict)

    @property
    def n_slots(self) -> int:
        return len(self.slots)

    @property
    def n_rows(self) -> int:
        return len(self.code)

    @property
    def n_units(self) -> int:
        return int(self.unit.max()) + 1 if len(self.unit) else 0

    @property
    def unit_slot(self) -> np.ndarray:
        """Slot index of each unit (for split designs, -1: a day holds every slot)."""
        if self.design == "split":
            return np.full(self.n_units, -1)
        first = np.zeros(self.n_units, dtype=np.int64)
        first[self.unit[::-1]] = self.code[::-1]
        return first

    @property
    def fixed_order(self) -> bool:
        """Whether the units followed a fixed cycle through the slots (12, 18, 21, 12, 18, 21...)
        rather than an order drawn at random: at least two rounds, and 90% of units on the
        slot of the unit one cycle before."""
        sequence = self.unit_slot
        K = self.n_slots
        if self.design == "split" or K < 2 or len(sequence) < 2 * K:
            return False
        return bool(np.mean(sequence[K:] == sequence[:-K]) >= 0.9)

    @property
    def pushes_per_slot(self) -> np.ndarray:
        return np.bincount(self.code, minlength=self.n_slots)

    @property
    def units_per_slot(self) -> np.ndarray:
        """Randomised units per slot (days in a split design: every day has each slot it used)."""
        if self.design == "split":
            pairs = np.unique(self.unit * self.n_slots + self.code)
            return np.bincount(pairs % self.n_slots, minlength=self.n_slots)
        return np.bincount(self.unit_slot, minlength=self.n_slots)

    @property
    def totals(self) -> pd.DataFrame:
        """Per slot: ``slot, pushes, units, <trials column>, <successes column>, pooled_rate``."""
        trials = np.bincount(self.code, self.trials, minlength=self.n_slots)
        successes = np.bincount(self.code, self.successes, minlength=self.n_slots)
        return pd.DataFrame(
            {
                "slot": self.slots,
                "pushes": self.pushes_per_slot,
                "units": self.units_per_slot,
                self.trials_column: trials.astype(np.int64),
                self.successes_column: successes.astype(np.int64),
                "pooled_rate": np.divide(
                    successes, trials, out=np.full(self.n_slots, np.nan), where=trials > 0
                ),
            }
        )

    @property
    def sent_at(self) -> pd.Series | None:
        return self.frame["sent_at"] if "sent_at" in self.frame.columns else None

    def days_since_start(self) -> np.ndarray | None:
        """Days from the first push to each row's push (None without send times)."""
        sent = self.sent_at
        if sent is None:
            return None
        return ((sent - sent.min()).dt.total_seconds() / 86400).to_numpy()

    def weekday(self) -> np.ndarray | None:
        """Weekday of each row (0 = Monday), from ``sent_at`` or a ``weekday`` column."""
        if self.sent_at is not None:
            return self.sent_at.dt.day_of_week.to_numpy()
        if "weekday" in self.frame.columns:
            return self.frame["weekday"].to_numpy()
        return None


def counts(pushes: pd.DataFrame | Counts, metric: str = "open", *, design: str = "auto") -> Counts:
    """Resolve a push table and a metric into a :class:`Counts` (returned as is if it already is one).

    Parameters
    ----------
    pushes : PushTable, DataFrame or Counts
        A push table (:func:`wxtime.io.read`, :func:`wxtime.io.validate`, or a simulated one).
    metric : {"open", "read", "read_through", "click", "share"}
    design : {"auto", "randomized", "blocked", "split"}
        ``"auto"`` detects it (:func:`detect_design`). Forcing ``"randomized"`` on a
        rotation run in stretches treats the days of a stretch as independent,
        which drifting article quality makes false: do it only if the slots were
        drawn day by day.

    Examples
    --------
    >>> import pandas as pd
    >>> from wxtime.io import validate
    >>> table = validate(pd.DataFrame({
    ...     "sent_at": pd.date_range("2024-07-01 12:00", periods=6, freq="D").astype(str),
    ...     "slot": ["12:00", "21:00", "12:00", "21:00", "21:00", "12:00"],
    ...     "delivered": 1000, "opened": [70, 60, 72, 58, 61, 69]}))
    >>> c = counts(table, "open")
    >>> c.design, c.unit_kind, c.pushes_per_slot.tolist()
    ('randomized', 'push', [3, 3])
    """
    from .errors import InputError, Problem, PushDataError
    from .io.table import as_table

    if isinstance(pushes, Counts):
        if pushes.metric != metric:
            raise ValueError(f"these counts are for metric {pushes.metric!r}, not {metric!r}")
        return pushes
    successes_column, trials_column = metric_columns(pushes, metric)
    table = as_table(pushes)
    source, level, load, pushes = table.source, table.level, table.load, table.frame
    if design not in ("auto", "randomized", "blocked", "split"):
        raise InputError(f"design must be auto, randomized, blocked or split, not {design!r}")
    ordered = _time_order(pushes)
    trials_all = ordered[trials_column].to_numpy(float)
    keep = trials_all > 0
    dropped = {} if keep.all() else {"no_trials": int((~keep).sum())}
    frame = ordered[keep].reset_index(drop=True)
    if len(frame) == 0:
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    trials_column,
                    f"is 0 for every push: the metric {metric!r} has nothing to divide by",
                )
            ],
            line_offset=None,
        )
    slots = slot_order(frame)
    code = pd.Categorical(frame["slot"], categories=slots).codes.astype(np.int64)
    hours = frame.groupby("slot")["slot_hour"].first().reindex(slots).to_numpy(float)
    detected = detect_design(frame, level) if design == "auto" else design
    if detected == "split" and "group" not in frame.columns:
        raise InputError("design 'split' needs a group column (one row per push x follower group)")
    if len(slots) == 1 and detected != "slot-level":
        detected = "single-slot"
    if detected == "slot-level":
        unit, unit_kind = code.copy(), "slot"
    elif detected == "split":
        unit, unit_kind = _split_blocks(frame), "day"
    elif detected == "blocked":
        unit, unit_kind = _run_index(code), "stretch"
    else:
        unit, unit_kind = np.arange(len(frame), dtype=np.int64), "push"
    return Counts(
        metric=metric,
        label=METRICS[metric][2],
        successes_column=successes_column,
        trials_column=trials_column,
        frame=frame,
        slots=slots,
        slot_hours=hours,
        code=code,
        successes=frame[successes_column].to_numpy(float),
        trials=frame[trials_column].to_numpy(float),
        design=detected,
        unit=unit,
        unit_kind=unit_kind,
        dropped=dropped,
        source=source,
        load=load,
    )
