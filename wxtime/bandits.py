"""Bandits for push slots: adaptive allocation, strategy comparison by simulation, replay of past schedules.

WeChat imposes **batched, delayed feedback**: one decision per day (tomorrow's
slot in a rotation, or tomorrow's audience share per slot in a split design),
and a push's opens arrive over the following hours, so the decision for day
``d`` sees pushes up to day ``d - delay_days``.

Policies are small immutable configs (:class:`Thompson`,
:class:`TopTwoThompson`, :class:`ExplorationSampling`, :class:`UCB`, :class:`EpsilonGreedy`,
:class:`Rotation`, :class:`ExploreFocus`) with their priors as parameters.
Every random thing takes a seed and echoes it.

Overdispersion
--------------
A push is one draw of its slot's rate times that day's content quality, so
10,000 deliveries of one push are worth far fewer than 10,000 independent
readers. With ``dispersion="estimate"`` a policy's Beta posterior uses
*effective* counts (successes and trials divided by each slot's dispersion
under multiplicative content noise, see :meth:`_State.dispersion`, floored
at 1; ``initial_dispersion`` until three pushes' worth of residual df exist),
so one lucky article does not lock the policy in. ``dispersion=1.0`` is the reader-level Beta-Bernoulli
model (right only when pushes vary binomially).

The simulation engine runs all replications at once: arrays of shape
(replications, slots), one Python iteration per day.
"""

from __future__ import annotations

import time
import warnings
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "UCB",
    "BanditSimulation",
    "EpsilonGreedy",
    "ExplorationSampling",
    "ExploreFocus",
    "Recommendation",
    "Rotation",
    "Thompson",
    "TopTwoThompson",
    "make_policy",
    "recommend",
    "replay_evaluate",
    "simulate",
]


# -- state ------------------------------------------------------------------------
@dataclass
class _State:
    """Sufficient statistics per replication x slot."""

    successes: np.ndarray  # (R, S) opens
    trials: np.ndarray  # (R, S) deliveries
    pushes: np.ndarray  # (R, S) number of pushes (or push-groups)
    square: np.ndarray  # (R, S) sum of y^2 / n, for the Pearson dispersion
    version: int = 0  # bumped on every update, so posteriors can be cached per day
    cache: dict = field(default_factory=dict)

    @classmethod
    def empty(cls, replications: int, slots: int) -> _State:
        z = np.zeros((replications, slots))
        return cls(z.copy(), z.copy(), z.copy(), z.copy())

    def mean_and_sd(self, a, b):
        """Posterior mean and sd of Beta(a, b), cached with the posterior."""
        key = ("moments", id(a))
        if key not in self.cache:
            total = a + b
            mean = a / total
            self.cache[key] = (mean, np.sqrt(mean * (1 - mean) / (total + 1)))
        return self.cache[key]

    def add(self, successes: np.ndarray, trials: np.ndarray, pushed: np.ndarray) -> None:
        """Add one day's (R, S) counts; ``pushed`` marks slots that received a push."""
        self.version += 1
        self.cache.clear()
        self.successes += successes
        self.trials += trials
        self.pushes += pushed
        with np.errstate(divide="ignore", invalid="ignore"):
            self.square += np.where(trials > 0, successes**2 / np.maximum(trials, 1), 0.0)

    def add_sparse(self, rows: np.ndarray, arm: np.ndarray, opened: np.ndarray, delivered: float) -> None:
        """Add one push per replication (rotation): slot ``arm[r]`` got ``opened[r]`` of ``delivered``."""
        self.version += 1
        self.cache.clear()
        self.successes[rows, arm] += opened
        self.trials[rows, arm] += delivered
        self.pushes[rows, arm] += 1
        self.square[rows, arm] += opened.astype(float) ** 2 / delivered

    def dispersion(self, initial: float, upper: float | None = None) -> np.ndarray:
        """Per-slot dispersion (R, S) under multiplicative content noise, floored at 1.

        A push's rate is its slot's rate times a content factor with squared
        coefficient of variation ``c2``, so its variance is
        ``p (1 - p) / n + c2 p^2`` and the slot's dispersion (variance over the
        binomial one) is ``phi_s = 1 + c2 p_s n_s / (1 - p_s)`` with ``n_s``
        the mean deliveries per push. ``c2`` is a method-of-moments estimate
        pooled over slots (the content noise is the account's, not the
        slot's); a single pooled Pearson dispersion would understate the
        variance of high-rate slots, exactly the ones that compete for best.
        ``initial`` is used until three pushes' worth of residual df exist.
        ``upper`` (e.g. 0.95): ``c2`` scaled by ``df / chi2.ppf(1 - upper, df)``
        (a conservative dispersion for stopping rules).
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(self.trials > 0, self.successes / np.maximum(self.trials, 1), 0.0)
            mean_n = np.where(self.pushes > 0, self.trials / np.maximum(self.pushes, 1), 0.0)
            spread = self.square - rate * self.successes  # sum over pushes of (y - n p)^2 / n
            excess = spread - np.maximum(self.pushes - 1, 0) * rate * (1 - rate)
            scale = np.maximum(self.pushes - 1, 0) * rate**2 * mean_n
            scale_total = scale.sum(axis=1)
            c2 = np.maximum(excess.sum(axis=1), 0) / np.where(scale_total > 0, scale_total, np.inf)
        df = self.pushes.sum(axis=1) - (self.pushes > 0).sum(axis=1)
        if upper is not None:
            c2 = c2 * np.maximum(df, 1) / stats.chi2.ppf(1 - upper, np.maximum(df, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = 1 + c2[:, None] * rate * mean_n / np.maximum(1 - rate, 1e-9)
        phi = np.where(df[:, None] >= 3, phi, initial)
        return np.maximum(phi, 1.0)


def _posterior(state: _State, prior, dispersion, initial_dispersion, upper=None):
    key = ("posterior", tuple(prior), dispersion, initial_dispersion, upper)
    if key not in state.cache:
        state.cache[key] = _posterior_uncached(state, prior, dispersion, initial_dispersion, upper)
    return state.cache[key]


def _posterior_uncached(state: _State, prior, dispersion, initial_dispersion, upper=None):
    if dispersion == "estimate":
        phi = state.dispersion(initial_dispersion, upper)
    else:
        phi = float(dispersion)
        if phi == 1.0:  # reader-level: skip two passes over the arrays
            return prior[0] + state.successes, prior[1] + (state.trials - state.successes)
    a = prior[0] + state.successes / phi
    b = prior[1] + (state.trials - state.successes) / phi
    return a, b


def _one_hot(arm: np.ndarray, slots: int) -> np.ndarray:
    out = np.zeros((len(arm), slots))
    out[np.arange(len(arm)), arm] = 1.0
    return out


def _argmax_random_ties(values: np.ndarray, rng) -> np.ndarray:
    noise = rng.random(values.shape) * 1e-12
    return np.argmax(values + noise, axis=1)


# -- policies -----------------------------------------------------------------------
@dataclass(frozen=True)
class Thompson:
    """Thompson sampling with a Beta prior, on effective (overdispersion-adjusted) counts.

    Rotation: tomorrow's slot is the argmax of one posterior draw.
    Split: tomorrow's shares are each slot's posterior P(best) (by
    ``share_draws`` draws), floored at ``floor`` and renormalised.
    """

    prior: tuple = (1.0, 1.0)
    dispersion: object = "estimate"
    initial_dispersion: float = 10.0
    floor: float = 0.01
    share_draws: int = 64
    name: str = "thompson"

    def posterior(self, state):
        return _posterior(state, self.prior, self.dispersion, self.initial_dispersion)

    def choose(self, state, rng, day):
        a, b = self.posterior(state)
        return np.argmax(_beta_draws_for_argmax(a, b, rng, state=state), axis=1)

    def shares(self, state, rng, day):
        a, b = self.posterior(state)
        draws = rng.beta(a[:, :, None], b[:, :, None], size=(*a.shape, self.share_draws))
        best = np.argmax(draws, axis=1)  # (R, draws)
        counts = np.stack([np.bincount(row, minlength=a.shape[1]) for row in best])
        return _floored(counts / self.share_draws, self.floor)


def _beta_draws_for_argmax(a, b, rng, width: float = 8.0, state=None):
    """One Beta(a, b) draw per cell, skipping cells that cannot hold the row's maximum.

    A slot whose posterior mean + ``width`` sd lies below another slot's mean
    - ``width`` sd wins a draw with probability below 1e-15, so it gets
    -inf instead of a draw. After the first weeks most of 24 slots are out
    of the running and Thompson sampling draws a few Betas per replication,
    not 24. Identical in distribution to drawing all (up to that 1e-15).
    """
    if state is not None:
        mean, sd = state.mean_and_sd(a, b)
    else:
        total = a + b
        mean = a / total
        sd = np.sqrt(mean * (1 - mean) / (total + 1))
    low = (mean - width * sd).max(axis=1, keepdims=True)
    candidates = mean + width * sd >= low
    if candidates.mean() > 0.6:
        return rng.beta(a, b)
    draws = np.full(a.shape, -np.inf)
    draws[candidates] = rng.beta(a[candidates], b[candidates])
    return draws


def _floored(shares, floor):
    shares = np.maximum(shares, floor)
    return shares / shares.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class TopTwoThompson(Thompson):
    """Top-two Thompson sampling (Russo 2020) for best-slot identification.

    With probability ``beta`` play the posterior draw's leader; otherwise
    redraw until another slot leads and play that challenger (up to
    ``max_redraws`` times; then the second-best of the last draw). Split:
    ``beta`` of the audience to the sampled leader, the rest to the challenger
    (floored).
    """

    beta: float = 0.5
    max_redraws: int = 10
    name: str = "top_two_thompson"

    def _leader_and_challenger(self, state, rng):
        a, b = self.posterior(state)
        draw = _beta_draws_for_argmax(a, b, rng)
        leader = np.argmax(draw, axis=1)
        challenger = np.full_like(leader, -1)
        for _ in range(self.max_redraws):
            todo = challenger < 0
            if not todo.any():
                break
            redraw = _beta_draws_for_argmax(a[todo], b[todo], rng)
            arm = np.argmax(redraw, axis=1)
            accept = arm != leader[todo]
            idx = np.flatnonzero(todo)[accept]
            challenger[idx] = arm[accept]
        todo = challenger < 0
        if todo.any():  # fall back to the runner-up of the first draw
            masked = draw[todo].copy()
            masked[np.arange(todo.sum()), leader[todo]] = -np.inf
            challenger[todo] = np.argmax(masked, axis=1)
        return leader, challenger

    def choose(self, state, rng, day):
        leader, challenger = self._leader_and_challenger(state, rng)
        return np.where(rng.random(len(leader)) < self.beta, leader, challenger)

    def shares(self, state, rng, day):
        # Batched top-two: the day's audience follows the top-two sampling
        # distribution, estimated from share_draws pairs of posterior draws:
        # beta * P(leader = j) + (1 - beta) * P(challenger = j), the challenger
        # being the leader of an independent draw with the first leader removed.
        a, b = self.posterior(state)
        size = (*a.shape, self.share_draws)
        first = rng.beta(a[:, :, None], b[:, :, None], size=size)
        second = rng.beta(a[:, :, None], b[:, :, None], size=size)
        leader = np.argmax(first, axis=1)  # (R, M)
        np.put_along_axis(second, leader[:, None, :], -np.inf, axis=1)
        challenger = np.argmax(second, axis=1)
        slots = a.shape[1]
        count = lambda idx: np.stack([np.bincount(row, minlength=slots) for row in idx])  # noqa: E731
        shares = (self.beta * count(leader) + (1 - self.beta) * count(challenger)) / self.share_draws
        return _floored(shares, self.floor)


@dataclass(frozen=True)
class ExplorationSampling(Thompson):
    """Exploration sampling (Kasy & Sautmann 2021, Econometrica 89(1)): shares ``q_k`` proportional
    to ``p_k (1 - p_k)``, ``p_k`` being slot ``k``'s posterior P(best).

    Designed for experiments whose goal is to pick the best slot at the end:
    it stops spending on the slot that is already clearly best and keeps
    exploring the close contenders. Rotation: tomorrow's slot is drawn from
    ``q``. P(best) is estimated from ``share_draws`` posterior draws.
    """

    name: str = "exploration_sampling"

    def _q(self, state, rng):
        a, b = self.posterior(state)
        draws = rng.beta(a[:, :, None], b[:, :, None], size=(*a.shape, self.share_draws))
        best = np.argmax(draws, axis=1)
        p = np.stack([np.bincount(row, minlength=a.shape[1]) for row in best]) / self.share_draws
        q = p * (1 - p)
        empty = q.sum(axis=1) == 0  # one slot certain: all weight on it
        q[empty] = p[empty]
        return q / q.sum(axis=1, keepdims=True)

    def choose(self, state, rng, day):
        q = self._q(state, rng)
        u = rng.random((q.shape[0], 1))
        return np.minimum((np.cumsum(q, axis=1) < u).sum(axis=1), q.shape[1] - 1)

    def shares(self, state, rng, day):
        return _floored(self._q(state, rng), self.floor)


@dataclass(frozen=True)
class UCB:
    """Upper confidence bounds on effective counts: ``"ucb1"`` (Auer et al. 2002) or ``"kl"`` (KL-UCB).

    Unpushed slots go first. The bonus uses effective trials (deliveries /
    dispersion) so that a push counts as what it is worth.
    """

    variant: str = "kl"
    dispersion: object = "estimate"
    initial_dispersion: float = 10.0
    floor: float = 0.01
    name: str = "ucb"

    def _index(self, state):
        phi = (
            state.dispersion(self.initial_dispersion)
            if self.dispersion == "estimate"
            else float(self.dispersion)
        )
        n = state.trials / phi
        mean = np.where(state.trials > 0, state.successes / np.maximum(state.trials, 1), 0.0)
        total = np.maximum(n.sum(axis=1, keepdims=True), 1.0)
        if self.variant == "ucb1":
            bonus = np.sqrt(2 * np.log(total) / np.maximum(n, 1e-9))
            index = mean + bonus
        elif self.variant == "kl":
            index = _kl_ucb(mean, np.maximum(n, 1e-9), np.log(np.maximum(total, np.e)))
        else:
            raise ValueError("variant must be 'ucb1' or 'kl'")
        return np.where(state.pushes > 0, index, np.inf)

    def choose(self, state, rng, day):
        return _argmax_random_ties(self._index(state), rng)

    def shares(self, state, rng, day):
        slots = state.trials.shape[1]
        return _floored(_one_hot(self.choose(state, rng, day), slots), self.floor)


def _kl_ucb(mean, n, log_t, iterations: int = 25):
    """Largest q >= mean with n * KL(mean, q) <= log t, by bisection (vectorised)."""
    low, high = mean.copy(), np.ones_like(mean)
    bound = log_t / n
    p = np.clip(mean, 1e-12, 1 - 1e-12)
    for _ in range(iterations):
        q = (low + high) / 2
        qc = np.clip(q, 1e-12, 1 - 1e-12)
        kl = p * np.log(p / qc) + (1 - p) * np.log((1 - p) / (1 - qc))
        over = kl > bound
        high = np.where(over, q, high)
        low = np.where(over, low, q)
    return low


@dataclass(frozen=True)
class EpsilonGreedy:
    """Play the best-looking slot, except a random slot with probability ``epsilon``."""

    epsilon: float = 0.1
    floor: float = 0.01
    name: str = "epsilon_greedy"

    def choose(self, state, rng, day):
        mean = np.where(state.pushes > 0, state.successes / np.maximum(state.trials, 1), np.inf)
        greedy = _argmax_random_ties(mean, rng)
        explore = rng.random(len(greedy)) < self.epsilon
        return np.where(explore, rng.integers(0, mean.shape[1], len(greedy)), greedy)

    def shares(self, state, rng, day):
        slots = state.trials.shape[1]
        mean = np.where(state.pushes > 0, state.successes / np.maximum(state.trials, 1), np.inf)
        greedy = _one_hot(_argmax_random_ties(mean, rng), slots)
        return _floored((1 - self.epsilon) * greedy + self.epsilon / slots, self.floor)


@dataclass(frozen=True)
class Rotation:
    """The fixed baseline: slots in turn, each kept ``days_per_slot`` days (1 = daily round robin).

    ``days_per_slot=7`` is the seed account's weekly stretches. Split: equal shares.
    """

    days_per_slot: int = 1
    name: str = "rotation"

    def choose(self, state, rng, day):
        slots = state.trials.shape[1]
        return np.full(state.trials.shape[0], (day // self.days_per_slot) % slots)

    def shares(self, state, rng, day):
        return np.full(state.trials.shape, 1.0 / state.trials.shape[1])


@dataclass(frozen=True)
class ExploreFocus:
    """Klaviyo-style schedule: explore every slot in turn, then focus on the best +-``width_hours``.

    ``explore_rounds`` rotations through all slots, then Thompson sampling
    restricted to slots within ``width_hours`` of the leader at that point
    (slot hours on the 24-hour circle are needed: pass ``hours``).
    """

    hours: tuple
    explore_rounds: int = 1
    width_hours: float = 2.0
    focus: Thompson = Thompson()
    name: str = "explore_focus"

    def _mask(self, state):
        a, b = self.focus.posterior(state)
        leader = np.argmax(a / (a + b), axis=1)
        hours = np.asarray(self.hours, float)
        gap = np.abs(hours[None, :] - hours[leader][:, None])
        gap = np.minimum(gap, 24 - gap)
        return gap <= self.width_hours + 1e-9

    def choose(self, state, rng, day):
        slots = state.trials.shape[1]
        if day < self.explore_rounds * slots:
            return np.full(state.trials.shape[0], day % slots)
        a, b = self.focus.posterior(state)
        draw = np.where(self._mask(state), rng.beta(a, b), -np.inf)
        return np.argmax(draw, axis=1)

    def shares(self, state, rng, day):
        slots = state.trials.shape[1]
        if day < self.explore_rounds:
            return np.full(state.trials.shape, 1.0 / slots)
        shares = self.focus.shares(state, rng, day) * self._mask(state)
        return shares / shares.sum(axis=1, keepdims=True)


def make_policy(name: str, *, hours=None, **kwargs):
    """A policy by CLI name: thompson, top_two, ucb1, kl_ucb, epsilon_greedy, rotation, weekly_rotation,
    explore_focus, exploration_sampling, thompson_reader (reader-level Beta-Bernoulli)."""
    name = name.replace("-", "_")
    if name == "thompson":
        return Thompson(**kwargs)
    if name == "thompson_reader":
        return Thompson(dispersion=1.0, name="thompson_reader", **kwargs)
    if name in ("top_two", "top_two_thompson"):
        return TopTwoThompson(**kwargs)
    if name == "exploration_sampling":
        return ExplorationSampling(**kwargs)
    if name == "ucb1":
        return UCB(variant="ucb1", name="ucb1", **kwargs)
    if name in ("kl_ucb", "ucb"):
        return UCB(variant="kl", name="kl_ucb", **kwargs)
    if name == "epsilon_greedy":
        return EpsilonGreedy(**kwargs)
    if name == "rotation":
        return Rotation(**kwargs)
    if name == "weekly_rotation":
        return Rotation(days_per_slot=7, name="weekly_rotation")
    if name == "explore_focus":
        if hours is None:
            raise ValueError("explore_focus needs the slots' hours")
        return ExploreFocus(hours=tuple(hours), **kwargs)
    raise ValueError(
        f"unknown policy {name!r}: thompson, thompson_reader, top_two, exploration_sampling, ucb1, kl_ucb, "
        "epsilon_greedy, rotation, weekly_rotation, explore_focus"
    )


# -- the simulation engine --------------------------------------------------------
def _leader_probability_bound(state: _State, prior, dispersion, initial_dispersion, upper=None, shrink=False):
    """Leader (highest posterior mean) and a lower bound on its posterior P(best).

    Bonferroni over normal approximations of the Beta posteriors:
    ``P(best) >= 1 - sum_j P(theta_j > theta_leader)``. Cheap enough to check
    every day in every replication, and conservative, so stopping on it keeps
    its error rate.
    """
    a, b = _posterior(state, prior, dispersion, initial_dispersion, upper)
    mean = a / (a + b)
    var = a * b / ((a + b) ** 2 * (a + b + 1))
    if shrink:
        # Empirical Bayes across slots (normal-normal, method of moments per replication):
        # the leader of many noisy slots is overrated under a flat prior (winner's curse).
        centre = mean.mean(axis=1, keepdims=True)
        tau2 = np.maximum(mean.var(axis=1, ddof=1, keepdims=True) - var.mean(axis=1, keepdims=True), 1e-12)
        precision = 1 / var + 1 / tau2
        mean = (mean / var + centre / tau2) / precision
        var = 1 / precision
    leader = np.argmax(mean, axis=1)
    rows = np.arange(len(leader))
    gap = mean[rows, leader][:, None] - mean
    sd = np.sqrt(var[rows, leader][:, None] + var)
    exceed = stats.norm.sf(gap / sd)
    exceed[rows, leader] = 0.0
    return leader, 1 - exceed.sum(axis=1)


@dataclass
class BanditSimulation:
    """Per-day results of a policy over many simulated studies.

    Attributes
    ----------
    summary : DataFrame
        One row per day: ``day, p_correct, p_correct_se, regret, regret_se,
        share_best, stopped`` (fraction of replications whose stopping rule
        has fired by that day). Regret is cumulative expected reads lost
        against always pushing at the true best slot.
    allocation : DataFrame
        Mean share of deliveries per slot per day (``day`` x slot).
    stop_day : ndarray
        Day (1-based) each replication's stopping rule first fired, 0 if never.
    stop_correct : ndarray of bool
        Whether the leader at that moment was the true best slot.
    policy, rates, slots, design, replications, days, seed, seconds
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
        """Median stopping day over replications (never-stopped ones count as beyond the horizon)."""
        stopped = np.where(self.stop_day > 0, self.stop_day, np.inf)
        median = float(np.median(stopped))
        return None if np.isinf(median) else median

    @property
    def stop_error_rate(self) -> float:
        """P(the stopping rule fires on a wrong slot), over all replications (the delta-PAC error)."""
        return float(np.mean((self.stop_day > 0) & ~self.stop_correct))

    @property
    def stop_error_among_stopped(self) -> float | None:
        """Among replications that stopped, the share that stopped on a wrong slot."""
        stopped = self.stop_day > 0
        return float(np.mean(~self.stop_correct[stopped])) if stopped.any() else None

    def days_to_pcs(self, target: float = 0.95) -> int | None:
        """First day from which the probability of correct selection stays at or above ``target``.

        "Stays": a rotation that has tried only two slots can look right early
        and lose the lead when the other slots come in.
        """
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
            "stopped": float(np.mean(self.stop_day > 0)),
            "stop_error_rate": self.stop_error_rate,
            "stop_error_among_stopped": self.stop_error_among_stopped,
            "days_to_pcs_95": self.days_to_pcs(0.95),
            "seed": self.seed,
            "seconds": self.seconds,
        }

    def plot(self, ax=None, what: str = "p_correct", lang: str = "en"):
        """PCS (default) or regret by day."""
        from .plots import plot_bandit_curves

        return plot_bandit_curves([self], ax=ax, what=what, lang=lang)

    def _repr_html_(self) -> str:
        from .report import html_table

        return (
            f"<p><b>{self.policy.name}</b>, {self.replications} replications, seed {self.seed}</p>"
            + html_table(pd.DataFrame([self.to_dict()]))
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
    stop_rule: str = "eb_posterior",
    min_pushes: int = 2,
    slots=None,
    seed: int = 0,
    progress: bool = False,
) -> BanditSimulation:
    """Simulate a policy on many replications of a push study at once.

    Parameters
    ----------
    policy : a policy config (:class:`Thompson`, ...)
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
        A day's opens are usable from ``delay_days`` days later (1: the next
        day's decision sees today's push).
    stop_threshold : float or None
        Confidence of the stopping rule (``1 - alpha``); None to skip it.
    stop_rule : {"eb_posterior", "posterior", "anytime"}
        ``"eb_posterior"`` (default): stop when a lower bound on the leader's
        posterior P(best) (Bonferroni over normal approximations) reaches
        ``stop_threshold``, the slots' posteriors first shrunk towards each
        other by empirical Bayes. A Bayesian rule: its frequentist error
        P(stop on a wrong slot) is measured by simulation, not guaranteed:
        at most 1-2% on the campus audience (5 or 24 slots), but 6-7% for a
        fixed rotation among three slots within 15% of each other (about 4%
        for Thompson sampling there). ``"posterior"``: the same with a flat
        prior; on many slots it stops on an overrated leader (winner's
        curse). ``"anytime"``: guaranteed, the bound with an upper 95%
        dispersion against ``1 - alpha * 6 / (pi^2 k^2)`` at the ``k``-th
        look (levels summing to ``alpha``, valid however long one looks),
        and slow to stop.
    min_pushes : int
        Every slot needs this many pushes before the rule may fire.
    slots : sequence of str, optional
        Labels for the output.
    seed : int
    progress : bool
        Show a progress bar over days.

    Examples
    --------
    >>> sim = simulate(Thompson(), [0.05, 0.06, 0.08], days=30, replications=200, seed=1)
    >>> bool(sim.summary["p_correct"].iloc[-1] > 0.9)
    True
    """
    rates = np.asarray(rates, dtype=float)
    n_slots = len(rates)
    slots = list(slots) if slots is not None else [f"arm{i}" for i in range(n_slots)]
    if design not in ("rotation", "split"):
        raise ValueError("design must be 'rotation' or 'split'")
    if rates.ndim != 1 or n_slots < 2 or not np.all((rates >= 0) & (rates <= 1)):
        raise ValueError(f"rates must be two or more rates between 0 and 1, not {rates.tolist()}")
    if days < 1 or replications < 1:
        raise ValueError(f"days and replications must be at least 1 (got {days} and {replications})")
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    state = _State.empty(replications, n_slots)
    pending: deque = deque()
    best = int(np.argmax(rates))
    gap = rates[best] - rates
    rows_index = np.arange(replications)
    tie_break = rng.random((replications, n_slots)) * 1e-12
    regret = np.zeros(replications)
    p_correct = np.empty(days)
    p_correct_se = np.empty(days)
    regret_mean = np.empty(days)
    regret_se = np.empty(days)
    share_best = np.empty(days)
    stopped_share = np.empty(days)
    allocation = np.empty((days, n_slots))
    stop_day = np.zeros(replications, dtype=int)
    stop_correct = np.zeros(replications, dtype=bool)
    looks = np.zeros(replications)
    prior = getattr(policy, "prior", (1.0, 1.0))
    dispersion = getattr(policy, "dispersion", "estimate")
    initial = getattr(policy, "initial_dispersion", 10.0)
    day_iter = range(days)
    if progress:
        from tqdm.auto import tqdm

        day_iter = tqdm(day_iter, desc=getattr(policy, "name", "policy"), unit="day")
    for day in day_iter:
        while pending and pending[0][0] <= day:
            _, kind, *update = pending.popleft()
            if kind == "sparse":
                state.add_sparse(rows_index, update[0], update[1], audience_size)
            else:
                state.add(*update)
        if content_sigma > 0:
            quality = np.exp(content_sigma * rng.standard_normal(replications) - content_sigma**2 / 2)
            p_day = np.clip(rates[None, :] * quality[:, None], 0, 1)
        else:
            p_day = None
        if design == "rotation":
            arm = policy.choose(state, rng, day)
            p = rates[arm] if p_day is None else p_day[rows_index, arm]
            opened = rng.binomial(audience_size, p)
            pending.append((day + delay_days, "sparse", arm, opened))
            regret += audience_size * gap[arm]
            share_best[day] = np.mean(arm == best)
            allocation[day] = np.bincount(arm, minlength=n_slots) / replications
        else:
            shares = policy.shares(state, rng, day)
            delivered = rng.multinomial(audience_size, shares).astype(float)
            p = np.broadcast_to(rates, delivered.shape) if p_day is None else p_day
            successes = rng.binomial(delivered.astype(np.int64), p).astype(float)
            pushed = delivered > 0
            regret += (delivered * (rates[best] - rates)).sum(axis=1)
            share_best[day] = np.mean(delivered[:, best]) / audience_size
            allocation[day] = delivered.mean(axis=0) / audience_size
            pending.append((day + delay_days, "dense", successes, delivered, pushed.astype(float)))
        # What the operator would pick today: the highest posterior mean among the slots tried
        # so far (an untried slot keeps its prior mean and is nobody's pick); ties, e.g. before
        # any data, are broken by a fixed random order per replication.
        a, b = _posterior(state, prior, dispersion, initial)
        tried = np.where(state.pushes > 0, state.mean_and_sd(a, b)[0], -1.0)
        leader = np.argmax(tried + tie_break, axis=1)
        correct = leader == best
        p_correct[day] = correct.mean()
        p_correct_se[day] = np.sqrt(p_correct[day] * (1 - p_correct[day]) / replications)
        regret_mean[day] = regret.mean()
        regret_se[day] = regret.std(ddof=1) / np.sqrt(replications) if replications > 1 else np.nan
        if stop_threshold is not None:
            ready = (stop_day == 0) & (state.pushes.min(axis=1) >= min_pushes)
            if ready.any():
                looks[ready] += 1
                if stop_rule == "anytime":
                    bound_leader, bound = _leader_probability_bound(
                        state, prior, dispersion, initial, upper=0.95
                    )
                    needed = 1 - (1 - stop_threshold) * 6 / (np.pi**2 * np.maximum(looks, 1) ** 2)
                elif stop_rule in ("eb_posterior", "posterior"):
                    bound_leader, bound = _leader_probability_bound(
                        state, prior, dispersion, initial, shrink=stop_rule == "eb_posterior"
                    )
                    needed = stop_threshold
                else:
                    raise ValueError("stop_rule must be 'eb_posterior', 'posterior' or 'anytime'")
                fire = ready & (bound >= needed)
                stop_day[fire] = day + 1
                stop_correct[fire] = bound_leader[fire] == best
        stopped_share[day] = np.mean(stop_day > 0)
    summary = pd.DataFrame(
        {
            "day": np.arange(1, days + 1),
            "p_correct": p_correct,
            "p_correct_se": p_correct_se,
            "regret": regret_mean,
            "regret_se": regret_se,
            "share_best": share_best,
            "stopped": stopped_share,
        }
    )
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
            "stop_rule": stop_rule,
            "min_pushes": min_pushes,
        },
    )


# -- the advisor --------------------------------------------------------------------
@dataclass
class Recommendation:
    """What to do tomorrow, from the pushes so far.

    Attributes
    ----------
    summary : DataFrame
        ``slot, pushes, delivered, opened, rate, rate_posterior, p_best,
        expected_loss, share_tomorrow``.
    next_slot : str
        Tomorrow's slot (rotation) - one posterior draw of the policy, seeded.
    stop : bool
        Whether the stopping rule is met (leader's P(best) >= threshold).
    message : str
    policy, dispersion, threshold, seed
    """

    summary: pd.DataFrame
    next_slot: str
    stop: bool
    message: str
    policy: object
    dispersion: float
    threshold: float
    seed: int

    def to_dict(self) -> dict:
        return {
            "next_slot": self.next_slot,
            "stop": self.stop,
            "message": self.message,
            "policy": self.policy.name,
            "dispersion": self.dispersion,
            "threshold": self.threshold,
            "seed": self.seed,
            "slots": self.summary.to_dict(orient="records"),
        }

    def plot(self, ax=None, lang: str = "en"):
        """Posterior density of each slot's rate."""
        from .plots import plot_posteriors

        return plot_posteriors(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        import html

        from .report import html_table

        return f"<p><b>{html.escape(self.message)}</b></p>" + html_table(self.summary)


def recommend(
    pushes: pd.DataFrame,
    policy=None,
    *,
    metric: str = "open",
    threshold: float = 0.95,
    n_draws: int = 20000,
    seed: int = 0,
) -> Recommendation:
    """Read the push table so far and say what to push tomorrow, and whether to stop.

    The posterior of each slot's rate is Beta(prior + effective counts), the
    effective counts being the counts divided by the pushes' Pearson
    dispersion (floored at 1). P(best) and expected loss come from
    ``n_draws`` posterior draws; tomorrow's slot from the policy (one seeded
    draw); tomorrow's split shares from the policy's ``shares``.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> advice = recommend(load_noon_study(), seed=3)
    >>> advice.summary.sort_values("p_best").iloc[-1]["slot"]
    '12:00'
    """
    from .rates import _metric_columns, _slot_order, dispersion, posterior_best

    policy = policy or Thompson()
    if not len(pushes):
        raise ValueError("no pushes yet: push at any slot first (or follow a rotation for the first days)")
    successes, trials = _metric_columns(pushes, metric)
    order = _slot_order(pushes)
    codes = pd.Categorical(pushes["slot"], categories=order).codes
    y = np.bincount(codes, pushes[successes].to_numpy(float), minlength=len(order))
    n = np.bincount(codes, pushes[trials].to_numpy(float), minlength=len(order))
    m = np.bincount(codes, minlength=len(order)).astype(float)
    phi, df = dispersion(pushes[successes], pushes[trials], codes)
    phi = max(phi, 1.0) if np.isfinite(phi) and df >= 3 else getattr(policy, "initial_dispersion", 10.0)
    state = _State(y[None, :], n[None, :], m[None, :], np.zeros((1, len(order))))
    prior = getattr(policy, "prior", (1.0, 1.0))
    a = prior[0] + y / phi
    b = prior[1] + (n - y) / phi
    rng = np.random.default_rng(seed)
    p_best, loss = posterior_best(a, b, n_draws=n_draws, seed=rng)
    fixed = _FixedDispersion(policy, phi)
    next_arm = int(fixed.choose(state, rng, int(m.sum()))[0])
    shares = fixed.shares(state, rng, int(m.sum()))[0]
    leader = int(np.argmax(p_best))
    stop = bool(p_best[leader] >= threshold)
    if stop:
        message = f"stop: {order[leader]} is best with P = {p_best[leader]:.2f}"
    else:
        message = (
            f"continue: {order[leader]} leads with P(best) = {p_best[leader]:.2f} (< {threshold:.2f}); "
            f"push tomorrow at {order[next_arm]}"
        )
    summary = pd.DataFrame(
        {
            "slot": order,
            "pushes": m.astype(int),
            "delivered": n.astype(np.int64),
            "opened": y.astype(np.int64),
            "rate": np.where(n > 0, y / np.maximum(n, 1), np.nan),
            "rate_posterior": a / (a + b),
            "p_best": p_best,
            "expected_loss": loss,
            "share_tomorrow": shares,
        }
    )
    return Recommendation(
        summary=summary,
        next_slot=order[next_arm],
        stop=stop,
        message=message,
        policy=policy,
        dispersion=float(phi),
        threshold=threshold,
        seed=seed,
    )


@dataclass(frozen=True)
class _FixedDispersion:
    """A policy seen through a known dispersion (the advisor estimates it from the whole table)."""

    inner: object
    phi: float

    def choose(self, state, rng, day):
        return self._inner().choose(state, rng, day)

    def shares(self, state, rng, day):
        return self._inner().shares(state, rng, day)

    def _inner(self):
        import dataclasses

        if hasattr(self.inner, "dispersion"):
            return dataclasses.replace(self.inner, dispersion=self.phi)
        if isinstance(self.inner, ExploreFocus):
            return dataclasses.replace(
                self.inner, focus=dataclasses.replace(self.inner.focus, dispersion=self.phi)
            )
        return self.inner


# -- replay of past schedules (off-policy evaluation) ------------------------------
def replay_evaluate(
    pushes: pd.DataFrame,
    target,
    *,
    metric: str = "open",
    propensities=None,
    seed: int = 0,
) -> pd.DataFrame:
    """Estimate what a different schedule would have achieved, from a logged rotation.

    Parameters
    ----------
    pushes : DataFrame
        The logged push table (one push a day), in time order.
    target : str, dict or policy
        A slot (``"20:00"``: always push then), a fixed distribution over
        slots (``{"12:00": 0.5, "21:00": 0.5}``), or an adaptive policy
        (:class:`Thompson`, ...), evaluated by the replay method.
    propensities : None, "uniform", dict or array
        The logging probability of the slot actually pushed each day.
        ``"uniform"``: a daily randomised rotation over the logged slots.
        None: inferred, uniform for a randomised rotation, and **refused**
        for a blocked rotation (a warning and NaN estimates: a fixed
        schedule of stretches never had a chance to play most policies, so
        there is no overlap to weight by).

    Returns
    -------
    DataFrame
        One row per estimator (``ips``, ``snips``, ``replay``): ``estimator,
        value`` (the mean per-push rate the target would have had),
        ``se``, ``matched`` (logged pushes that agree with the target) and
        ``effective_n``.

    Notes
    -----
    IPS is unbiased when the propensities are right and positive wherever the
    target puts weight (Horvitz & Thompson 1952); SNIPS trades a little bias
    for much less variance (Swaminathan & Joachims 2015). Replay (Li et al.
    2011) runs an adaptive policy on the logged pushes where it agrees with
    the log, and is unbiased for uniformly randomised logs.

    Examples
    --------
    >>> import wxtime
    >>> log = wxtime.simulate_rotation(design="randomized", days=100, seed=4).pushes
    >>> table = replay_evaluate(log, "12:00")
    >>> list(table["estimator"])
    ['ips', 'snips', 'replay']
    """
    from .abtest import detect_design
    from .rates import _metric_columns, _slot_order

    successes, trials = _metric_columns(pushes, metric)
    data = pushes.sort_values("sent_at") if "sent_at" in pushes.columns else pushes
    order = _slot_order(data)
    arms = pd.Categorical(data["slot"], categories=order).codes
    reward = (data[successes] / data[trials]).to_numpy(float)
    n = len(data)
    if propensities is None:
        design = detect_design(data)
        if design != "randomized":
            warnings.warn(
                f"the log is a {design} rotation: its slots were not randomised, so other schedules have "
                "no overlap with it and cannot be evaluated by weighting; pass propensities= if the slots "
                "were in fact drawn at random",
                stacklevel=2,
            )
            return pd.DataFrame(
                {
                    "estimator": ["ips", "snips", "replay"],
                    "value": np.nan,
                    "se": np.nan,
                    "matched": 0,
                    "effective_n": 0.0,
                }
            )
        propensities = "uniform"
    if isinstance(propensities, str):
        if propensities != "uniform":
            raise ValueError("propensities must be 'uniform', a dict by slot, or an array")
        logging_p = np.full(n, 1.0 / len(order))
    elif isinstance(propensities, dict):
        logging_p = np.array([propensities[s] for s in data["slot"]], float)
    else:
        logging_p = np.asarray(propensities, float)
    rows = []
    if isinstance(target, (str, dict)):
        dist = {target: 1.0} if isinstance(target, str) else dict(target)
        missing = set(dist) - set(order)
        if missing:
            raise ValueError(
                f"target slot(s) {', '.join(sorted(missing))} never appear in the log: no overlap"
            )
        target_p = np.array([dist.get(order[a], 0.0) for a in arms])
        weights = target_p / logging_p
        ips = reward * weights
        rows.append(("ips", ips.mean(), ips.std(ddof=1) / np.sqrt(n), int((target_p > 0).sum())))
        snips = (reward * weights).sum() / weights.sum()
        linear = weights * (reward - snips)
        rows.append(("snips", snips, np.sqrt((linear**2).sum()) / weights.sum(), int((target_p > 0).sum())))
        ess = weights.sum() ** 2 / (weights**2).sum()
        rows.append(
            (
                "replay",
                reward[target_p == 1].mean() if (target_p == 1).any() else np.nan,
                reward[target_p == 1].std(ddof=1) / np.sqrt(max((target_p == 1).sum(), 1)),
                int((target_p == 1).sum()),
            )
        )
        table = pd.DataFrame(rows, columns=["estimator", "value", "se", "matched"])
        table["effective_n"] = [ess, ess, float((target_p == 1).sum())]
        return table
    # Adaptive policy: the replay method.
    rng = np.random.default_rng(seed)
    state = _State.empty(1, len(order))
    accepted = []
    delivered = data[trials].to_numpy(float)
    opened = data[successes].to_numpy(float)
    for t in range(n):
        arm = int(target.choose(state, rng, len(accepted))[0])
        if arm == arms[t]:
            accepted.append(reward[t])
            s = np.zeros((1, len(order)))
            d = np.zeros((1, len(order)))
            s[0, arm] = opened[t]
            d[0, arm] = delivered[t]
            state.add(s, d, (d > 0).astype(float))
    accepted = np.asarray(accepted)
    value = accepted.mean() if len(accepted) else np.nan
    se = accepted.std(ddof=1) / np.sqrt(len(accepted)) if len(accepted) > 1 else np.nan
    return pd.DataFrame(
        {
            "estimator": ["replay"],
            "value": [value],
            "se": [se],
            "matched": [len(accepted)],
            "effective_n": [float(len(accepted))],
        }
    )
