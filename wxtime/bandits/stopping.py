"""The one stopping rule, shared by the advisor and the simulation engine.

Stopping is the decision rule (:func:`wxtime.rule.apply_rule`) taken at every
daily look: on the per-slot means of the push logits (stretch means in a
rotation held in stretches), with one pooled variance and its degrees of
freedom,

* every slot has been tried and the variance rests on at least three df;
* the leader beats every other slot in its t test,

each at the **nominal level of that look** in an O'Brien-Fleming
alpha-spending plan over the study's horizon (Lan & DeMets 1983; boundaries by
:func:`wxtime.sequential.group_sequential_boundaries`). Looking every day
therefore costs little early on, when the boundaries are far out, and the
overall chance of stopping on a slot that is not the best stays near ``alpha``;
the benchmark (``benchmarks/calibration.py --part stop``) measures it,
including adaptive allocation, which the spending theory does not cover
exactly. It rests on evidence, not push counts: a slot tried once can be left
behind if it was far below, and a close rival keeps the study going. With
overdispersed pushes the variance is estimated from the pushes themselves
(t and F with their df), so the rule is conservative while it rests on few.

After the horizon the last look's level is kept, which spends more than
``alpha``: plan the horizon (``wxtime plan``) rather than run past it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

if TYPE_CHECKING:
    from ..rule import RuleResult

__all__ = ["StopCheck", "look_levels", "stop_check"]


@functools.lru_cache(maxsize=64)
def look_levels(horizon: int, alpha: float = 0.05) -> np.ndarray:
    """Nominal two-sided level of each of ``horizon`` equally spaced daily looks (O'Brien-Fleming spending).

    Examples
    --------
    >>> levels = look_levels(30)
    >>> bool(levels[0] < 1e-6), bool(0.02 < levels[-1] < 0.05)
    (True, True)
    """
    from ..sequential import group_sequential_boundaries

    z = np.asarray(group_sequential_boundaries(np.arange(1, horizon + 1), alpha=alpha).z)
    return 2 * special.ndtr(-z)


@dataclass(frozen=True)
class StopCheck:
    """Outcome of :func:`stop_check` for each replication (``(R,)`` arrays; ``mean`` is ``(R, S)``).

    ``p_hardest`` is the largest pairwise p-value of the leader against the others (1 where
    no test can be run), computed when asked for: the simulation engine looks every day of
    thousands of replications and needs only ``stop``.
    """

    stop: np.ndarray
    leader: np.ndarray
    mean: np.ndarray
    df: np.ndarray
    level: float
    outcome: RuleResult = field(repr=False)

    @property
    def p_hardest(self) -> np.ndarray:
        return self.outcome.p_hardest


def stop_check(pushes, logit_sum, logit_square, *, level: float = 0.05, min_units: int = 1) -> StopCheck:
    """The decision rule at nominal ``level`` on per-slot sums of unit logits (``(R, S)`` or ``(S,)``).

    Parameters
    ----------
    pushes : array
        Units per slot (pushes; stretches in a rotation held in stretches).
    logit_sum, logit_square : array
        Sums of the units' empirical logits and of their squares.
    level : float
        This look's nominal level (:func:`look_levels`; ``alpha`` for a single look).
    min_units : int
        Units every slot needs: 1 when units are randomised pushes (a slot tried once and far
        below can be left behind); :data:`wxtime.rule.MIN_UNITS_PER_SLOT` when they are
        stretches, since a slot seen in one stretch is confounded with its time.

    Returns
    -------
    StopCheck

    Examples
    --------
    Three slots, 20 pushes each, the last one 0.3 higher on the logit scale (sd 0.15):

    >>> rng = np.random.default_rng(1)
    >>> y = rng.normal([-2.8, -2.8, -2.5], 0.15, size=(20, 3))
    >>> check = stop_check(np.full(3, 20), y.sum(0), (y**2).sum(0))
    >>> bool(check.stop[0]), int(check.leader[0])
    (True, 2)
    """
    from ..rule import apply_rule

    n = np.atleast_2d(np.asarray(pushes, float))
    total = np.atleast_2d(np.asarray(logit_sum, float))
    square = np.atleast_2d(np.asarray(logit_square, float))
    tried = n > 0
    safe_n = np.where(tried, n, 1.0)
    mean = np.where(tried, total / safe_n, -np.inf)
    df = (n - 1).clip(min=0).sum(axis=1)
    within = np.maximum(np.where(tried, square - total**2 / safe_n, 0.0), 0.0).sum(axis=1)
    s2 = within / np.maximum(df, 1)
    # An untried slot cannot be beaten: its variance is infinite, so the rule waits for it.
    variance = np.where(tried, s2[:, None] / safe_n, np.inf)
    outcome = apply_rule(
        np.where(tried, mean, 0.0),
        variance,
        df[:, None],
        n,
        residual_df=df,
        leader=np.argmax(mean, axis=1),
        level=level,
        pooled=True,
        min_units=min_units,
    )
    stop = outcome.winner & tried.all(axis=1)
    return StopCheck(
        stop=stop,
        leader=outcome.leader,
        mean=mean,
        df=df,
        level=level,
        outcome=outcome,
    )
