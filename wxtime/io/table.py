"""The push table: the one table every wxtime analysis consumes, and what reading it found.

One row is one push (one mass message sent to the audience on one day), or one push x
audience group in a split-audience design. Columns:

============ ========== =========================================================
column       required   meaning
============ ========== =========================================================
push_id      yes        identifier of the push (generated ``P0001``... if the file has none)
sent_at      no*        send time, timezone-aware (``Asia/Shanghai`` unless told)
slot         yes        the scheduled send slot, ``"HH:MM"`` (07:29:40 is the 07:30 slot)
slot_hour    yes        the slot as a float hour of day (``"07:30"`` -> 7.5)
delivered    yes        messages delivered (WeChat 送达人数 / ``target_user``)
opened       yes        recipients who opened the push (WeChat
                        ``int_page_from_session_read_user``, 公众号消息阅读次数: reads
                        from the push itself)
read         no         recipients who read the article through
clicked      no         recipients who clicked a link (阅读原文)
shared       no         recipients who shared the article
group        no         audience group (split designs); ``push_id`` is unique per group
time_source  no         where the send time came from: ``file``, ``log`` (a send log),
                        ``stated`` (``--slot``) or ``inferred`` (hourly reads)
propensity   no         the probability the push's slot had of being drawn (schedules
                        with exploration days write it; replay uses it)
title, column, position, followers: covariates; any other column is kept as it is
============ ========== =========================================================

``*`` absent only in tables with no dates at all (one row per slot, or posts with an
hour but no date).

Funnel definitions (used everywhere in wxtime): open rate = opened / delivered; read
rate = read / delivered; read-through = read / opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .times import DEFAULT_TZ

__all__ = ["PushTable", "as_frame", "as_table", "load_summary"]

#: How each send-time source is named in the load summary and on the page.
TIME_SOURCES = {
    "file": "the file's own send times",
    "log": "the send log",
    "stated": "the slot you stated (--slot)",
    "inferred": "inferred from hourly reads",
}


def load_summary(frame: pd.DataFrame, source: str, *, skipped=None, **details) -> dict:
    """What was read, as a small JSON-ready dict.

    The same keys first: ``source``, ``pushes`` (rows), ``first`` and ``last`` send times
    (ISO 8601, None without dates), ``slots`` (sorted), ``slot_pushes`` (pushes per slot),
    ``totals`` (delivered and opened), ``time_sources`` (pushes per source of their send
    time) and ``skipped`` (reason -> rows or items left out; empty when nothing was). A
    reader adds its own details after them (``notes``, ``files``, ``age_hours``...).

    Examples
    --------
    >>> frame = pd.DataFrame({"sent_at": pd.to_datetime(["2024-07-01 12:00", "2024-07-02 21:00"]).tz_localize(
    ...     "Asia/Shanghai"), "slot": ["12:00", "21:00"], "delivered": [1000, 1010], "opened": [80, 60]})
    >>> summary = load_summary(frame, "two.csv", skipped={"too young": 1})
    >>> summary["pushes"], summary["first"], summary["slots"], summary["skipped"], summary["totals"]
    (2, '2024-07-01T12:00:00+08:00', ['12:00', '21:00'], {'too young': 1}, {'delivered': 2010, 'opened': 140})
    """
    timed = "sent_at" in frame.columns and len(frame) > 0 and frame["sent_at"].notna().any()
    slot_pushes = (
        frame["slot"].value_counts().sort_index() if "slot" in frame.columns else pd.Series(dtype=int)
    )
    sources = frame["time_source"].value_counts().to_dict() if "time_source" in frame.columns else {}
    summary = {
        "source": source,
        "pushes": len(frame),
        "first": frame["sent_at"].min().isoformat() if timed else None,
        "last": frame["sent_at"].max().isoformat() if timed else None,
        "slots": [str(s) for s in slot_pushes.index],
        "slot_pushes": {str(s): int(n) for s, n in slot_pushes.items()},
        "totals": {c: int(frame[c].sum()) for c in ("delivered", "opened") if c in frame.columns},
        "time_sources": {str(k): int(v) for k, v in sources.items()},
        "skipped": {reason: int(n) for reason, n in (skipped or {}).items() if n},
    }
    summary.update(details)
    return summary


@dataclass
class PushTable:
    """A push table and what reading it found: the one thing every reader returns.

    Attributes
    ----------
    frame : DataFrame
        The pushes (columns in the module docstring), in the files' order.
    source : str
        What was read (a file, or several joined by ``+``).
    level : {"push", "slot"}
        ``"slot"`` for a file with one row per slot and no dates: descriptive only.
    load : dict
        The load summary (:func:`load_summary`): pushes, dates, slots, where send times
        came from, rows left out by reason, notes, and each file read with its SHA-256.
    curves : DataFrame or None
        Cumulative opens by hours since each push (``push_id, age_hours, opened_cum``),
        from hourly reads, when they were given.
    hourly : DataFrame or None
        The hourly reads themselves (``date, hour, user_source, reads``).
    propensities : str or None
        The column holding each push's logging probability, when the file has one.
    tz : str
        The time zone of ``sent_at``.
    """

    frame: pd.DataFrame
    source: str
    level: str = "push"
    load: dict = field(default_factory=dict)
    curves: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None
    propensities: str | None = None
    tz: str = DEFAULT_TZ

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        slots = ", ".join(self.load.get("slots", [])) if self.load else ""
        return f"PushTable({self.source!r}: {len(self.frame)} pushes, {self.level} level, slots {slots})"

    @property
    def summary(self) -> pd.DataFrame:
        """Per slot: ``slot, pushes, first, last, delivered, opened``."""
        frame = self.frame
        agg = {"pushes": ("slot", "size"), "delivered": ("delivered", "sum"), "opened": ("opened", "sum")}
        if "sent_at" in frame.columns:
            agg |= {"first": ("sent_at", "min"), "last": ("sent_at", "max")}
        table = frame.groupby("slot", sort=False).agg(**agg).reset_index()
        table["_hour"] = frame.groupby("slot", sort=False)["slot_hour"].first().to_numpy()
        return table.sort_values("_hour").drop(columns="_hour").reset_index(drop=True)

    def with_frame(self, frame: pd.DataFrame) -> PushTable:
        """The same table's reading, over other rows (a selection of these pushes)."""
        return PushTable(
            frame=frame,
            source=self.source,
            level=self.level,
            load=self.load,
            curves=self.curves,
            hourly=self.hourly,
            propensities=self.propensities,
            tz=self.tz,
        )

    def _repr_html_(self) -> str:
        from .._display import frame_html

        caption = f"{self.source}: {len(self.frame)} pushes ({self.level} level)"
        return frame_html(self.summary, caption=caption)


def as_frame(pushes) -> pd.DataFrame:
    """The push frame of a :class:`PushTable`, or a push-table DataFrame as it is.

    Examples
    --------
    >>> as_frame(pd.DataFrame({"slot": ["12:00"]})).columns.tolist()
    ['slot']
    """
    if isinstance(pushes, PushTable):
        return pushes.frame
    if isinstance(pushes, pd.DataFrame):
        return pushes
    raise TypeError(f"expected a push table (wxtime.io.read) or a DataFrame, got {type(pushes).__name__}")


def as_table(pushes) -> PushTable:
    """A :class:`PushTable` as it is, or a push-table DataFrame (a simulated study's) wrapped in one.

    Examples
    --------
    >>> as_table(pd.DataFrame({"slot": ["12:00", "21:00"], "slot_hour": [12.0, 21.0]})).level
    'slot'
    """
    if isinstance(pushes, PushTable):
        return pushes
    frame = as_frame(pushes)
    level = "push" if "sent_at" in frame.columns or frame["slot"].duplicated().any() else "slot"
    return PushTable(frame=frame, source="<data>", level=level)
