"""The simulation engine: a policy run on many replications of a push study at once.

WeChat imposes **batched, delayed feedback**: one decision per day (tomorrow's
slot in a rotation, or tomorrow's audience share per slot in a split design),
and a push's opens arrive over the following hours, so the decision for day
``d`` sees pushes up to day ``d - delay_days``. All replications advance
together: arrays of shape (replications, slots), one Python iteration per day.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from .state import State
from .stopping import look_levels, stop_check

__all__ = ["BanditSimulation", "simulate"]


@dataclass
class BanditSimulation:
    """Per-day results of a policy over many simulated studies.

    Attributes
    ----------
    summary : DataFrame
        One row per day: ``day, p_correct, p_correct_se, regret, regret_se,
        share_best, stopped`` (share of replications whose stopping rule has
        fired by that day). "Correct" means the operator's pick that day (the
        tried slot with the highest mean push logit) is the true best slot.
        Regret is the cumulative expected opens lost against always pushing at
        the true best slot.
    allocation : DataFrame
        Mean share of deliveries per slot per day (``day`` x slot).
    stop_day : ndarray
        Day (1-based) each replication's stopping rule first fired, 0 if never.
    stop_correct : ndarray of bool
        Whether the slot it stopped on was the true best.
    policy, rates, slots, design, replications, days, seed, seconds, params
    """

    summary: pd.DataFrame
    allocation: pd.DataFrame
    stop_day: np.ndarray
    stop_correct: np.ndarray
    policy: object
    rates: np.ndarray
    slots: list
    design: str
    replications: int
    days: int
    seed: int
    seconds: float
    params: dict = field(default_factory=dict)

    @property
    def days_to_stop_median(self) -> float | None:
        """Median stopping day (replications that never stopped count as beyond the horizon)."""
        median = float(np.median(np.where(self.stop_day > 0, self.stop_day, np.inf)))
        return None if np.isinf(median) else median

    @property
    def stopped(self) -> float:
        return float(np.mean(self.stop_day > 0))

    @property
    def stop_error_rate(self) -> float:
        """P(the stopping rule fires on a wrong slot), over all replications."""
        return float(np.mean((self.stop_day > 0) & ~self.stop_correct))

    @property
    def stop_error_among_stopped(self) -> float | None:
        """Among replications that stopped, the share that stopped on a wrong slot."""
        stopped = self.stop_day > 0
        return float(np.mean(~self.stop_correct[stopped])) if stopped.any() else None

    def days_to_pcs(self, target: float = 0.95) -> int | None:
        """First day from which the probability of correct selection stays at or above ``target``."""
        below = np.flatnonzero(self.summary["p_correct"].to_numpy() < target)
        if not len(below):
            return 1
        return int(below[-1]) + 2 if below[-1] + 1 < self.days else None

    def to_dict(self) -> dict:
        last = self.summary.iloc[-1]
        return {
            "policy": self.policy.name,
            "design": self.design,
            "replications": self.replications,
            "days": self.days,
            "p_correct": float(last["p_correct"]),
            "mean_regret": float(last["regret"]),
            "mean_regret_se": float(last["regret_se"]),
            "days_to_stop_median": self.days_to_stop_median,
            "stopped": self.stopped,
            "stop_error_rate": self.stop_error_rate,
            "stop_error_among_stopped": self.stop_error_among_stopped,
            "days_to_pcs_95": self.days_to_pcs(0.95),
            "seed": self.seed,
            "seconds": self.seconds,
        }

    def plot(self, ax=None, what: str = "p_correct", lang: str = "en"):
        """PCS (default) or regret by day."""
        from ..plots import plot_bandit_curves

        return plot_bandit_curves([self], ax=ax, what=what, lang=lang)

    def _repr_html_(self) -> str:
        from .._display import frame_html

        return frame_html(
            pd.DataFrame([self.to_dict()]),
            caption=f"{self.policy.name}, {self.replications} replications, seed {self.seed}",
        )


def simulate(
    policy,
    rates,
    *,
    days: int = 60,
    audience_size: int = 10_000,
    replications: int = 1000,
    design: str = "rotation",
    content_sigma: float = 0.3,
    delay_days: int = 1,
    stop_threshold: float | None = 0.95,
    slots=None,
    seed: int = 0,
    progress: bool = False,
) -> BanditSimulation:
    """Simulate a policy on many replications of a push study at once.

    Parameters
    ----------
    policy : Policy
        A policy config (:class:`~wxtime.bandits.Thompson`, ...).
    rates : sequence of float
        True open rate of each slot.
    days : int
        Study length (one decision per day).
    audience_size : int
        Deliveries per day.
    replications : int
    design : {"rotation", "split"}
        Rotation: the whole audience gets one slot a day. Split: the day's
        audience is divided among slots by the policy's shares (the same
        article for all).
    content_sigma : float
        Sd of log content quality per day (0: pure binomial noise, as
        reader-level bandit libraries assume).
    delay_days : int
        A day's opens are usable from ``delay_days`` days later.
    stop_threshold : float or None
        ``1 - alpha`` of the stopping rule (:func:`wxtime.bandits.stop_check`, the
        same rule as the advisor's), with alpha spent over the ``days`` daily looks;
        None to skip it.
    slots : sequence of str, optional
        Labels for the output.
    seed : int
    progress : bool
        Show a progress bar over days.

    Examples
    --------
    >>> from wxtime.bandits import Thompson
    >>> sim = simulate(Thompson(), [0.05, 0.06, 0.08], days=30, replications=200, seed=1)
    >>> bool(sim.summary["p_correct"].iloc[-1] > 0.9)
    True
    """
    rates = np.asarray(rates, dtype=float)
    n_slots = len(rates)
    slots = list(slots) if slots is not None else [f"arm{i}" for i in range(n_slots)]
    if design not in ("rotation", "split"):
        raise InputError("design must be 'rotation' or 'split'")
    if rates.ndim != 1 or n_slots < 2 or not np.all((rates >= 0) & (rates <= 1)):
        raise InputError(f"rates must be two or more rates between 0 and 1, not {rates.tolist()}")
    if days < 1 or replications < 1:
        raise InputError(f"days and replications must be at least 1 (got {days} and {replications})")
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    state = State.empty(replications, n_slots)
    pending: deque = deque()
    best = int(np.argmax(rates))
    gap = rates[best] - rates
    rows_index = np.arange(replications)
    regret = np.zeros(replications)
    results = np.empty((days, 6))
    allocation = np.empty((days, n_slots))
    stop_day = np.zeros(replications, dtype=int)
    stop_correct = np.zeros(replications, dtype=bool)
    alpha = None if stop_threshold is None else 1 - stop_threshold
    levels = look_levels(days, alpha) if alpha is not None else np.full(days, 0.05)
    day_iter = range(days)
    if progress:
        from tqdm.auto import tqdm

        day_iter = tqdm(day_iter, desc=policy.name, unit="day")
    for day in day_iter:
        while pending and pending[0][0] <= day:
            _, kind, *update = pending.popleft()
            if kind == "sparse":
                state.add_sparse(rows_index, update[0], update[1], audience_size)
            else:
                state.add(*update)
        p_day = None
        if content_sigma > 0:
            quality = np.exp(content_sigma * rng.standard_normal(replications) - content_sigma**2 / 2)
            p_day = np.clip(rates[None, :] * quality[:, None], 0, 1)
        if design == "rotation":
            arm = policy.choose(state, rng, day)
            p = rates[arm] if p_day is None else p_day[rows_index, arm]
            opened = rng.binomial(audience_size, p)
            pending.append((day + delay_days, "sparse", arm, opened))
            regret += audience_size * gap[arm]
            share_best = np.mean(arm == best)
            allocation[day] = np.bincount(arm, minlength=n_slots) / replications
        else:
            shares = policy.shares(state, rng, day)
            delivered = rng.multinomial(audience_size, shares).astype(float)
            p = np.broadcast_to(rates, delivered.shape) if p_day is None else p_day
            successes = rng.binomial(delivered.astype(np.int64), p).astype(float)
            regret += (delivered * gap).sum(axis=1)
            share_best = np.mean(delivered[:, best]) / audience_size
            allocation[day] = delivered.mean(axis=0) / audience_size
            pending.append((day + delay_days, "dense", successes, delivered, (delivered > 0).astype(float)))
        # The operator's pick today: the tried slot with the highest mean push logit.
        tried = state.pushes > 0
        mean = np.divide(state.logit_sum, state.pushes, out=np.full(tried.shape, -np.inf), where=tried)
        leader = np.argmax(mean, axis=1)
        correct = (leader == best) & tried[rows_index, leader]
        if alpha is not None:
            active = np.flatnonzero(stop_day == 0)  # a stopped replication stays stopped
            if active.size:
                check = stop_check(
                    state.pushes[active],
                    state.logit_sum[active],
                    state.logit_square[active],
                    level=levels[day],
                )
                fire = active[check.stop]
                stop_day[fire] = day + 1
                stop_correct[fire] = check.leader[check.stop] == best
        p_correct = correct.mean()
        results[day] = (
            p_correct,
            np.sqrt(p_correct * (1 - p_correct) / replications),
            regret.mean(),
            regret.std(ddof=1) / np.sqrt(replications) if replications > 1 else np.nan,
            share_best,
            np.mean(stop_day > 0),
        )
    summary = pd.DataFrame(
        results, columns=["p_correct", "p_correct_se", "regret", "regret_se", "share_best", "stopped"]
    )
    summary.insert(0, "day", np.arange(1, days + 1))
    return BanditSimulation(
        summary=summary,
        allocation=pd.DataFrame(allocation, columns=slots)
        .rename_axis("day")
        .reset_index()
        .assign(day=lambda f: f["day"] + 1),
        stop_day=stop_day,
        stop_correct=stop_correct,
        policy=policy,
        rates=rates,
        slots=slots,
        design=design,
        replications=replications,
        days=days,
        seed=seed,
        seconds=time.perf_counter() - start,
        params={
            "audience_size": audience_size,
            "content_sigma": content_sigma,
            "delay_days": delay_days,
            "stop_threshold": stop_threshold,
        },
    )
