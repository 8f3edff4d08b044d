"""The advisor: from the pushes so far, what to push tomorrow and whether to stop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..counts import counts as resolve_counts
from ..errors import InputError
from ..i18n import t
from .policies import Thompson
from .state import State, push_logits
from .stopping import look_levels, stop_check

__all__ = ["Recommendation", "recommend"]


@dataclass
class Recommendation:
    """What to do tomorrow, from the pushes so far.

    Attributes
    ----------
    summary : DataFrame
        ``slot, pushes, units, <trials>, <successes>, pooled_rate, rate_shrunk,
        p_best, expected_loss, share_tomorrow``; the estimates come from the one
        posterior (:func:`wxtime.posterior.slot_posterior`; NaN while it cannot
        be computed).
    next_slot : str
        Tomorrow's slot in a rotation: one seeded draw of the policy.
    stop : bool
        Whether the stopping rule (:func:`wxtime.bandits.stop_check`) is met.
    leader : str
    message : str
    policy, dispersion, threshold, seed, metric
    """

    summary: pd.DataFrame
    next_slot: str
    stop: bool
    leader: str
    message: str
    policy: object
    dispersion: float
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
                "policy": self.policy.name,
                "metric": self.metric,
                "dispersion": self.dispersion,
                "threshold": self.threshold,
                "seed": self.seed,
                "slots": self.summary.to_dict(orient="records"),
            }
        )

    def plot(self, ax=None, lang: str = "en"):
        """Each slot's rate with the stopping rule's bounds and the posterior estimate."""
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
    policy=None,
    *,
    metric: str = "open",
    threshold: float = 0.95,
    horizon_days: int = 90,
    n_draws: int = 10_000,
    seed: int = 0,
    lang: str = "en",
) -> Recommendation:
    """Read the push table so far and say what to push tomorrow, and whether to stop.

    * Stop or continue: the stopping rule shared with the simulation engine
      (:func:`wxtime.bandits.stop_check`): the decision rule at this look's
      nominal level, ``1 - threshold`` being spent over ``horizon_days`` daily
      looks (today's look is the number of days since the first push).
    * P(best), expected loss and shrunk rates: the one posterior, as in the decision.
    * Tomorrow's slot: one seeded draw of ``policy`` (Thompson sampling by default),
      its dispersion estimated from the whole table; its split shares likewise.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> advice = recommend(load_noon_study(), seed=3)
    >>> advice.leader, advice.stop
    ('12:00', False)
    """
    from ..models import fit_slot_model
    from ..posterior import slot_posterior
    from ..rates import dispersion

    policy = policy or Thompson()
    if pushes is None or not len(pushes):
        raise InputError("no pushes yet: push at any slot first (or follow a rotation for the first days)")
    if not 0 < threshold < 1:
        raise InputError(f"threshold must be between 0 and 1, not {threshold!r}")
    c = resolve_counts(pushes, metric)
    K = c.n_slots
    totals = c.totals
    nan = np.full(K, np.nan)
    shrunk, p_best, loss = nan, nan, nan
    if c.design not in ("slot-level", "single-slot"):
        model = fit_slot_model(c, metric)
        post = slot_posterior(model, n_draws=n_draws, seed=seed)
        if post.available:
            table = post.summary
            shrunk, p_best, loss = (
                table[col].to_numpy() for col in ("rate_shrunk", "p_best", "expected_loss")
            )
    sent = c.sent_at
    look = int((sent.max().normalize() - sent.min().normalize()).days) + 1 if sent is not None else c.n_rows
    levels = look_levels(max(horizon_days, 1), round(1 - threshold, 10))
    check = stop_check(*_unit_sums(c), level=float(levels[min(look, len(levels)) - 1]))
    phi, df = dispersion(c.successes, c.trials, c.code) if c.n_rows > K else (np.nan, 0)
    phi = max(phi, 1.0) if np.isfinite(phi) and df >= 3 else getattr(policy, "initial_dispersion", 30.0)
    y = np.bincount(c.code, c.successes, minlength=K)
    n = np.bincount(c.code, c.trials, minlength=K)
    m = c.pushes_per_slot.astype(float)
    state = State.empty(1, K)
    state.successes[0], state.trials[0], state.pushes[0] = y, n, m
    rng = np.random.default_rng(seed)
    fixed = policy.with_dispersion(phi)
    next_arm = int(fixed.choose(state, rng, int(m.sum()))[0])
    shares = fixed.shares(state, rng, int(m.sum()))[0]
    leader = c.slots[int(check.leader[0])]
    stop = bool(check.stop[0])
    if stop:
        message = t("advice.stop", lang, slot=leader, day=look)
    else:
        message = t("advice.continue", lang, slot=leader, next=c.slots[next_arm])
    summary = totals.assign(rate_shrunk=shrunk, p_best=p_best, expected_loss=loss, share_tomorrow=shares)
    return Recommendation(
        summary=summary,
        next_slot=c.slots[next_arm],
        stop=stop,
        leader=leader,
        message=message,
        policy=policy,
        dispersion=float(phi),
        threshold=threshold,
        seed=seed,
        metric=metric,
    )
