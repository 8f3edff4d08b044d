"""Bandit policies for push slots: small immutable configs behind one protocol and a registry.

A policy answers two questions from the :class:`~wxtime.bandits.state.State`
of every replication at once:

* ``choose(state, rng, day)``: tomorrow's slot in a rotation, shape ``(R,)``;
* ``shares(state, rng, day)``: tomorrow's audience share per slot in a split
  design, shape ``(R, S)``, rows summing to 1.

Priors and dispersions are parameters. ``with_dispersion(phi)`` returns the
same policy seeing a known dispersion (the advisor estimates it from the whole
push table). New policies join :data:`POLICIES` with :func:`register`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import InputError
from .state import State, beta_posterior

__all__ = [
    "POLICIES",
    "UCB",
    "EpsilonGreedy",
    "ExplorationSampling",
    "ExploreFocus",
    "Policy",
    "Rotation",
    "Thompson",
    "TopTwoThompson",
    "make_policy",
    "register",
]


@runtime_checkable
class Policy(Protocol):
    """What the simulation engine, the advisor and replay need from a policy."""

    name: str

    def choose(self, state: State, rng: np.random.Generator, day: int) -> np.ndarray: ...

    def shares(self, state: State, rng: np.random.Generator, day: int) -> np.ndarray: ...

    def with_dispersion(self, phi: float) -> Policy: ...


def _one_hot(arm: np.ndarray, slots: int) -> np.ndarray:
    out = np.zeros((len(arm), slots))
    out[np.arange(len(arm)), arm] = 1.0
    return out


def argmax_random_ties(values: np.ndarray, rng) -> np.ndarray:
    """Row-wise argmax, ties (infinite values included) broken at random.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> picks = [int(argmax_random_ties(np.array([[np.inf, np.inf, 1.0]]), rng)[0]) for _ in range(200)]
    >>> sorted(set(picks))
    [0, 1]
    """
    top = values.max(axis=1, keepdims=True)
    tied = values >= top
    noise = np.where(tied, rng.random(values.shape), -1.0)
    return np.argmax(noise, axis=1)


def _floored(shares, floor):
    shares = np.maximum(shares, floor)
    return shares / shares.sum(axis=1, keepdims=True)


def _beta_draws_for_argmax(a, b, rng, width: float = 8.0, state: State | None = None):
    """One Beta(a, b) draw per cell, skipping cells that cannot hold the row's maximum.

    A slot whose posterior mean + ``width`` sd lies below another slot's mean -
    ``width`` sd wins a draw with probability below 1e-15, so it gets -inf
    instead of a draw. After the first weeks most of 24 slots are out of the
    running and Thompson sampling draws a few Betas per replication, not 24.
    """
    if state is not None:
        mean, sd = state.mean_and_sd(a, b)
    else:
        total = a + b
        mean = a / total
        sd = np.sqrt(mean * (1 - mean) / (total + 1))
    reach = sd * width
    low = np.subtract(mean, reach).max(axis=1, keepdims=True)
    reach += mean
    candidates = reach >= low
    if candidates.mean() > 0.6:
        return rng.beta(a, b)
    cells = np.flatnonzero(candidates)  # flat indices: take/put beat boolean masks here
    draws = np.full(a.shape, -np.inf)
    draws.put(cells, rng.beta(a.take(cells), b.take(cells)))
    return draws


def _best_counts(best: np.ndarray, slots: int) -> np.ndarray:
    """(R, M) winning slot indices -> (R, S) counts, with one bincount."""
    R = best.shape[0]
    offset = (np.arange(R)[:, None] * slots + best).ravel()
    return np.bincount(offset, minlength=R * slots).reshape(R, slots)


# -- policies ------------------------------------------------------------------------
@dataclass(frozen=True)
class Thompson:
    """Thompson sampling with a Beta prior, on effective (overdispersion-adjusted) counts.

    Rotation: tomorrow's slot is the argmax of one posterior draw. Split:
    tomorrow's shares are each slot's posterior P(best) (by ``share_draws``
    draws), floored at ``floor`` and renormalised.
    """

    prior: tuple = (1.0, 1.0)
    dispersion: object = "estimate"
    initial_dispersion: float = 30.0  # until 3 df exist; real accounts run 18-47
    floor: float = 0.01
    share_draws: int = 64
    name: str = "thompson"

    def posterior(self, state: State):
        return beta_posterior(state, self.prior, self.dispersion, self.initial_dispersion)

    def with_dispersion(self, phi: float):
        return dataclasses.replace(self, dispersion=float(phi))

    def choose(self, state, rng, day):
        a, b = self.posterior(state)
        return np.argmax(_beta_draws_for_argmax(a, b, rng, state=state), axis=1)

    def shares(self, state, rng, day):
        a, b = self.posterior(state)
        draws = rng.beta(a[:, :, None], b[:, :, None], size=(*a.shape, self.share_draws))
        counts = _best_counts(np.argmax(draws, axis=1), a.shape[1])
        return _floored(counts / self.share_draws, self.floor)


@dataclass(frozen=True)
class TopTwoThompson(Thompson):
    """Top-two Thompson sampling (Russo 2020) for best-slot identification.

    With probability ``beta`` play the posterior draw's leader; otherwise redraw
    until another slot leads and play that challenger (up to ``max_redraws``
    times; then the second-best of the last draw). Split: ``beta`` of the
    audience to the sampled leader, the rest to the challenger (floored).
    """

    beta: float = 0.5
    max_redraws: int = 10
    name: str = "top_two_thompson"

    def _leader_and_challenger(self, state, rng):
        a, b = self.posterior(state)
        draw = _beta_draws_for_argmax(a, b, rng, state=state)
        leader = np.argmax(draw, axis=1)
        challenger = np.full_like(leader, -1)
        for _ in range(self.max_redraws):
            todo = challenger < 0
            if not todo.any():
                break
            arm = np.argmax(_beta_draws_for_argmax(a[todo], b[todo], rng), axis=1)
            accept = arm != leader[todo]
            challenger[np.flatnonzero(todo)[accept]] = arm[accept]
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
        # Batched top-two: beta * P(leader = j) + (1 - beta) * P(challenger = j), the challenger
        # being the leader of an independent draw with the first leader removed.
        a, b = self.posterior(state)
        size = (*a.shape, self.share_draws)
        first = rng.beta(a[:, :, None], b[:, :, None], size=size)
        second = rng.beta(a[:, :, None], b[:, :, None], size=size)
        leader = np.argmax(first, axis=1)
        np.put_along_axis(second, leader[:, None, :], -np.inf, axis=1)
        challenger = np.argmax(second, axis=1)
        slots = a.shape[1]
        shares = (
            self.beta * _best_counts(leader, slots) + (1 - self.beta) * _best_counts(challenger, slots)
        ) / self.share_draws
        return _floored(shares, self.floor)


@dataclass(frozen=True)
class ExplorationSampling(Thompson):
    """Exploration sampling (Kasy & Sautmann 2021, *Econometrica* 89(1)): shares ``q_k`` proportional
    to ``p_k (1 - p_k)``, ``p_k`` being slot ``k``'s posterior P(best).

    Made for experiments whose goal is to pick the best slot at the end: it stops
    spending on the slot that is already clearly best and keeps exploring the
    close contenders. Rotation: tomorrow's slot is drawn from ``q``.
    """

    name: str = "exploration_sampling"

    def _q(self, state, rng):
        a, b = self.posterior(state)
        draws = rng.beta(a[:, :, None], b[:, :, None], size=(*a.shape, self.share_draws))
        p = _best_counts(np.argmax(draws, axis=1), a.shape[1]) / self.share_draws
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


def kl_ucb_index(mean, n, log_t, steps: int = 8):
    """Largest ``q >= mean`` with ``n * KL(mean, q) <= log_t`` (Bernoulli KL), by Newton steps.

    ``f(q) = KL(mean, q) - log_t / n`` is convex and increasing on ``(mean, 1)``.
    Newton from Pinsker's bound ``mean + sqrt(log_t / (2 n))`` (where ``f >= 0``)
    moves monotonically down to the root without overshooting; 8 steps give
    the choices a 25-step bisection gives (tests check both).

    Examples
    --------
    >>> round(float(kl_ucb_index(np.array(0.05), np.array(1000.0), np.log(100.0))), 4)
    0.0737
    """
    p = np.clip(mean, 1e-12, 1 - 1e-12)
    bound = log_t / n
    q = np.minimum(p + np.sqrt(bound / 2), 1 - 1e-12)
    for _ in range(steps):
        kl = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
        slope = (q - p) / (q * (1 - q))
        # Clipped: where even q -> 1 keeps KL below the bound (an untried slot) the index is 1.
        q = np.where(slope > 0, np.clip(q - (kl - bound) / np.maximum(slope, 1e-300), p, 1 - 1e-12), q)
    return q


@dataclass(frozen=True)
class UCB:
    """Upper confidence bounds on effective counts: ``"ucb1"`` (Auer et al. 2002) or ``"kl"`` (KL-UCB).

    Untried slots go first, in a random order. The bonus uses effective trials
    (deliveries / dispersion) so that a push counts as what it is worth.
    """

    variant: str = "kl"
    dispersion: object = "estimate"
    initial_dispersion: float = 30.0
    floor: float = 0.01
    name: str = "ucb"

    def with_dispersion(self, phi: float):
        return dataclasses.replace(self, dispersion=float(phi))

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
            index = mean + np.sqrt(2 * np.log(total) / np.maximum(n, 1e-9))
        elif self.variant == "kl":
            index = kl_ucb_index(mean, np.maximum(n, 1e-9), np.log(np.maximum(total, np.e)))
        else:
            raise ValueError("variant must be 'ucb1' or 'kl'")
        return np.where(state.pushes > 0, index, np.inf)

    def choose(self, state, rng, day):
        return argmax_random_ties(self._index(state), rng)

    def shares(self, state, rng, day):
        return _floored(_one_hot(self.choose(state, rng, day), state.shape[1]), self.floor)


@dataclass(frozen=True)
class EpsilonGreedy:
    """Play the best-looking slot, except a random slot with probability ``epsilon``."""

    epsilon: float = 0.1
    floor: float = 0.01
    name: str = "epsilon_greedy"

    def with_dispersion(self, phi: float):
        return self

    def _mean(self, state):
        return np.where(state.pushes > 0, state.successes / np.maximum(state.trials, 1), np.inf)

    def choose(self, state, rng, day):
        mean = self._mean(state)
        greedy = argmax_random_ties(mean, rng)
        explore = rng.random(len(greedy)) < self.epsilon
        return np.where(explore, rng.integers(0, mean.shape[1], len(greedy)), greedy)

    def shares(self, state, rng, day):
        slots = state.shape[1]
        greedy = _one_hot(argmax_random_ties(self._mean(state), rng), slots)
        return _floored((1 - self.epsilon) * greedy + self.epsilon / slots, self.floor)


@dataclass(frozen=True)
class Rotation:
    """The fixed baseline: slots in turn, each kept ``days_per_slot`` days (1 = daily round robin).

    ``days_per_slot=7`` is the seed account's weekly stretches. Split: equal shares.
    """

    days_per_slot: int = 1
    name: str = "rotation"

    def with_dispersion(self, phi: float):
        return self

    def choose(self, state, rng, day):
        return np.full(state.shape[0], (day // self.days_per_slot) % state.shape[1])

    def shares(self, state, rng, day):
        return np.full(state.shape, 1.0 / state.shape[1])


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

    def with_dispersion(self, phi: float):
        return dataclasses.replace(self, focus=self.focus.with_dispersion(phi))

    def _mask(self, state):
        a, b = self.focus.posterior(state)
        leader = np.argmax(a / (a + b), axis=1)
        hours = np.asarray(self.hours, float)
        gap = np.abs(hours[None, :] - hours[leader][:, None])
        gap = np.minimum(gap, 24 - gap)
        return gap <= self.width_hours + 1e-9

    def choose(self, state, rng, day):
        slots = state.shape[1]
        if day < self.explore_rounds * slots:
            return np.full(state.shape[0], day % slots)
        a, b = self.focus.posterior(state)
        return np.argmax(np.where(self._mask(state), rng.beta(a, b), -np.inf), axis=1)

    def shares(self, state, rng, day):
        if day < self.explore_rounds:
            return np.full(state.shape, 1.0 / state.shape[1])
        shares = self.focus.shares(state, rng, day) * self._mask(state)
        return shares / shares.sum(axis=1, keepdims=True)


# -- the registry ---------------------------------------------------------------------
#: name -> factory(hours, **kwargs) -> policy. ``make_policy`` and the CLI read it.
POLICIES: dict[str, Callable[..., Policy]] = {}


def register(name: str, factory: Callable[..., Policy], *aliases: str) -> None:
    """Add a policy factory (called as ``factory(hours=..., **kwargs)``) under ``name``."""
    for key in (name, *aliases):
        POLICIES[key] = factory


register("thompson", lambda hours=None, **kw: Thompson(**kw))
register("thompson_reader", lambda hours=None, **kw: Thompson(dispersion=1.0, name="thompson_reader", **kw))
register("top_two", lambda hours=None, **kw: TopTwoThompson(**kw), "top_two_thompson")
register("exploration_sampling", lambda hours=None, **kw: ExplorationSampling(**kw))
register("ucb1", lambda hours=None, **kw: UCB(variant="ucb1", name="ucb1", **kw))
register("kl_ucb", lambda hours=None, **kw: UCB(variant="kl", name="kl_ucb", **kw), "ucb")
register("epsilon_greedy", lambda hours=None, **kw: EpsilonGreedy(**kw))
register("rotation", lambda hours=None, **kw: Rotation(**kw))
register("weekly_rotation", lambda hours=None, **kw: Rotation(days_per_slot=7, name="weekly_rotation", **kw))


def _explore_focus(hours=None, **kw):
    if hours is None:
        raise InputError("explore_focus needs the slots' hours")
    return ExploreFocus(hours=tuple(hours), **kw)


register("explore_focus", _explore_focus)


def make_policy(name: str, *, hours=None, **kwargs) -> Policy:
    """A policy by name (see :data:`POLICIES`): thompson, thompson_reader, top_two,
    exploration_sampling, ucb1, kl_ucb, epsilon_greedy, rotation, weekly_rotation, explore_focus.

    Examples
    --------
    >>> make_policy("top_two").name
    'top_two_thompson'
    """
    key = name.strip().replace("-", "_")
    if key not in POLICIES:
        raise InputError(f"unknown policy {name!r}: {', '.join(sorted(POLICIES))}")
    return POLICIES[key](hours=hours, **kwargs)
