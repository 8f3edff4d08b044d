"""The advisor: from the pushes so far, what to push tomorrow and whether the leader is settled.

Tomorrow's slot is the next step's (:mod:`wxtime.nextstep`), the same in every command; the
advisor adds the stopping rule's verdict at today's look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..counts import counts as resolve_counts
from ..errors import InputError
from ..i18n import t
from .state import push_logits
from .stopping import look_levels, stop_check

__all__ = ["Recommendation", "recommend"]


@dataclass
class Recommendation:
    """What to do tomorrow, from the pushes so far.

    Attributes
    ----------
    summary : DataFrame
        ``slot, pushes, units, <trials>, <successes>, pooled_rate, rate_shrunk, p_best,
        expected_loss, share_tomorrow``: the estimates of the decision
        (:func:`wxtime.decision.decide`) and each slot's share of days in the next step
        (:attr:`wxtime.nextstep.NextStep.day_shares`: the daily probability, averaged over
        a week when weekends have their own slot).
    next_slot : str
        Tomorrow's slot: the first day of the next step (the schedule every command shows).
    next_step : NextStep
        The operating schedule (:func:`wxtime.nextstep.operating_schedule`).
    stop : bool
        Whether the stopping rule (:func:`wxtime.bandits.stop_check`) is met: the leader is
        settled at this look's level.
    leader : str
    message : str
    threshold, seed, metric
    """

    summary: pd.DataFrame
    next_slot: str
    next_step: object
    stop: bool
    leader: str
    message: str
    threshold: float
    seed: int
    metric: str

    def to_dict(self) -> dict:
        from .._display import json_ready

        return json_ready(
            {
                "next_slot": self.next_slot,
                "stop": self.stop,
                "leader": self.leader,
                "message": self.message,
                "metric": self.metric,
                "threshold": self.threshold,
                "seed": self.seed,
                "slots": self.summary.to_dict(orient="records"),
                "next_step": self.next_step.to_dict(),
            }
        )

    def plot(self, ax=None, lang: str = "en"):
        """Each slot's rate with the posterior estimate; tomorrow's slot highlighted."""
        from ..plots import plot_advice

        return plot_advice(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        import html

        from .._display import frame_html

        return f"<p><b>{html.escape(self.message)}</b></p>" + frame_html(self.summary)


def _unit_sums(c) -> tuple[np.ndarray, ...]:
    """Per slot: units and sums of unit logits and their squares (for the stopping rule).

    A unit is a push, except in a rotation held in stretches, where the stretch mean is the
    unit (its days are not independent).
    """
    y, _ = push_logits(c.successes, c.trials)
    if c.unit_kind == "stretch":
        m = np.bincount(c.unit, minlength=c.n_units).astype(float)
        y = np.bincount(c.unit, y, minlength=c.n_units) / m
        code = c.unit_slot
    else:
        code = c.code
    K = c.n_slots
    return (
        np.bincount(code, minlength=K).astype(float),
        np.bincount(code, y, minlength=K),
        np.bincount(code, y**2, minlength=K),
    )


def recommend(
    pushes,
    *,
    metric: str = "open",
    threshold: float = 0.95,
    horizon_days: int = 90,
    n_draws: int | None = None,
    seed: int = 0,
    lang: str = "en",
    account: str = "subscription",
    max_loss: float | None = None,
    start=None,
    schedule_days: int = 28,
) -> Recommendation:
    """Read the push table so far and say what to push tomorrow, and whether the leader is settled.

    * Tomorrow: the first day of the next step, the operating schedule that ``wxtime
      report``, ``analyze`` and ``plan`` show too (same data, seed and start: same day).
    * Settled or not: the stopping rule shared with the simulation engine
      (:func:`wxtime.bandits.stop_check`): the decision rule at this look's nominal
      level, ``1 - threshold`` being spent over ``horizon_days`` daily looks (today's look
      is the number of days since the first push).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> advice = recommend(load_noon_study(), seed=3, start="2030-01-01")
    >>> advice.leader, advice.stop, advice.next_slot == advice.next_step.tomorrow["slot"]
    ('12:00', False, True)
    """
    from ..decision import decide

    if pushes is None or not len(pushes):
        raise InputError("no pushes yet: push at any slot first (or follow a rotation for the first days)")
    if not 0 < threshold < 1:
        raise InputError(f"threshold must be between 0 and 1, not {threshold!r}")
    c = resolve_counts(pushes, metric)
    decision = decide(
        pushes,
        metric,
        seed=seed,
        n_permutations=0,
        plan=False,
        **({} if n_draws is None else {"bayes_draws": n_draws}),
        account=account,
        max_loss=max_loss,
        start=start,
        schedule_days=schedule_days,
    )
    step = decision.next_step
    sent = c.sent_at
    look = int((sent.max().normalize() - sent.min().normalize()).days) + 1 if sent is not None else c.n_rows
    levels = look_levels(max(horizon_days, 1), round(1 - threshold, 10))
    from ..rule import MIN_UNITS_PER_SLOT

    check = stop_check(
        *_unit_sums(c),
        level=float(levels[min(look, len(levels)) - 1]),
        min_units=MIN_UNITS_PER_SLOT if c.unit_kind == "stretch" else 1,
    )
    leader = c.slots[int(check.leader[0])]
    stop = bool(check.stop[0])
    message = step.headline(lang)
    if stop:
        message = t("advice.stop", lang, slot=leader, day=look) + " " + message
    table = decision.slots.set_index("slot")
    summary = c.totals.assign(
        rate_shrunk=table["rate_shrunk"].reindex(c.slots).to_numpy(),
        p_best=table["p_best"].reindex(c.slots).to_numpy(),
        expected_loss=table["expected_loss"].reindex(c.slots).to_numpy(),
        share_tomorrow=[step.day_shares.get(s, 0.0) for s in c.slots],
    )
    return Recommendation(
        summary=summary,
        next_slot=str(step.tomorrow["slot"]),
        next_step=step,
        stop=stop,
        leader=leader,
        message=message,
        threshold=threshold,
        seed=seed,
        metric=metric,
    )
