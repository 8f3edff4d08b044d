"""Independent scenario generator for calibrating the slot tests (NumPy + pandas only).

Written blind to ``wxtime.simulate``: the worlds here are meant to check the project's tests on
data they were not tuned to, so this module shares no code or model with the package.

World model
-----------
An account pushes one article a day. On day ``d`` (0-based, day 0 is ``start``, a Monday unless
the scenario says otherwise) the push sent at slot ``s`` to audience group ``g`` has open rate

    p[d, s, g] = min(1, effect[s] * V[d] * S[d, s] * F(eta[d] + q[d]))

* ``F`` is the inverse link: ``exp`` for the log-scale families (``lognormal``, ``gamma``),
  the logistic function for the logit-scale ones (``logitnormal``, ``student_t``).
* ``eta[d] = eta0 + weekday[d mod 7] + trend * (d / (days - 1) - 1/2)`` is deterministic;
  ``eta0`` is chosen so that a plain push (effect 1, weekday 0, mid-study, not viral) has mean
  open rate ``base_rate``.
* ``q[d]`` is the article's quality, shared by every slot and group that day (so adaptive
  policies may query any slot on any day). It is stationary: i.i.d. or AR(1) with lag-1
  correlation ``rho``. Families: ``lognormal`` (Gaussian on the log scale, mean-corrected so
  ``E exp(q) = 1``), ``gamma`` (``exp(q)`` is Gamma with mean 1 and CV ``quality_sd``; the AR(1)
  is the beta-gamma process, whose marginal stays exactly Gamma), ``logitnormal`` (Gaussian on
  the logit scale: the project's own assumption) and ``student_t`` (i.i.d. Student-t shocks
  with ``t_df`` degrees of freedom on the logit scale, sd ``quality_sd``).
* ``S[d, s]`` is mean-one log-normal slot noise with sd ``slot_sd[s]`` on the log scale: the
  heteroscedastic slots of rotation designs, or the slot x day interaction of split designs.
* ``V[d]`` is 1, or with probability ``viral_prob`` a jump uniform on ``viral_jump``.
* ``effect[s]`` is the slot's true relative effect. Because every other factor is mean-one or
  shared, ``effect`` is exactly the ratio of the slots' true mean rates.

Audiences: the day's follower base is uniform on ``audience`` on day 0, grows geometrically by
``growth`` in total over the study, and jitters by ``audience_sd`` (log scale) from day to day.
Split designs divide it into one random group per slot (sizes ~equal, drawn once per world).
Opens are Binomial(delivered, p), or beta-binomial with intra-push correlation ``open_icc``.

``truth.rate`` of slot ``s`` is the expected open rate (opened / delivered) of a push at slot
``s`` on a day drawn uniformly from the study's ``days`` calendar days, averaged over the
article-quality, slot-noise and viral distributions (not over this world's draws)::

    rate[s] = effect[s] * E[V] * mean_d E_q[F(eta[d] + q)]

computed in closed form (log families) or by deterministic quadrature (logit families). It
ignores the cap at 1, which the scenarios make negligible (it binds with probability < 1e-4).
Under a null every slot's rate is therefore *exactly* equal, ``best`` is all False and
``World.best_slot`` is None; in power scenarios exactly one row has ``best`` True.

Scenarios and how they depart from "independent pushes, logit-normal article noise, binomial
opens" (AR = article quality AR(1), sd on the link scale; ~3,000-6,000 deliveries a push):

=================================  ==========  =====================================================
scenario                           design      departure
=================================  ==========  =====================================================
null_randomized_iid                rand. 70 d  none: the reference world (logit-normal sd 0.3)
null_blocked_ar05                  7 d x 2     log-normal quality, AR rho 0.5
null_blocked_ar08                  7 d x 2     log-normal quality, AR rho 0.8
null_random_blocks_weekday_ar06    7/14 d x 2  random block lengths and order, weekday effect,
                                               logit-normal AR 0.6, beta-binomial opens
null_one_stretch_ar06              14 d x 1    gamma quality (beta-gamma AR 0.6)
null_one_stretch_trend             14 d x 1    Student-t(4) shocks, logit trend +0.4 over the study
null_blocked_growth10              7 d x 2     gamma quality AR 0.5, follower base grows x10
null_blocked_viral                 7 d x 2     log-normal sd 0.25, 5% viral days x U(2, 4)
null_unequal_hetero                rand. 100 d allocation 40/30/15/10/5%, slot sds 0.18-0.6
null_hetero_equal                  rand. 70 d  slot sds 0.18-0.6, beta-binomial opens
null_split_interaction             split 14 d  Student-t(3) shared quality, slot x day sd 0.1
power_randomized_{10,20,30}        rand. 70 d  log-normal sd 0.3; best 22:30 / 12:00 / 07:30
power_blocked_{10,20,30}           7 d x 2     log-normal AR 0.5; best 12:00 / 07:30 / 22:30
power_split_10                     split 14 d  logit-normal sd 0.3, slot x day sd 0.05; best 21:00
=================================  ==========  =====================================================
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["SCENARIOS", "SLOTS", "WEEKDAY", "Scenario", "World", "generate"]

TZ = "Asia/Shanghai"
SLOTS: tuple[str, ...] = ("07:30", "12:00", "18:00", "21:00", "22:30")
# Link-scale weekday effects, Monday..Sunday: weekdays read a little more, weekends less.
WEEKDAY: tuple[float, ...] = (0.08, 0.06, 0.05, 0.04, 0.0, -0.2, -0.12)
Design = Literal["randomized", "blocked", "one_stretch", "split"]
Family = Literal["lognormal", "gamma", "logitnormal", "student_t"]
_LOGIT_FAMILIES = ("logitnormal", "student_t")


@dataclass(frozen=True)
class Scenario:
    """One simulated world's recipe (all fields have defaults; see the module docstring).

    Parameters
    ----------
    name, note : str
        Identifier and a one-line description of the world and its noise family.
    slots : tuple of str
        Send times "HH:MM", in the order used by ``effects``, ``slot_sd`` and ``allocation``.
    design : {"randomized", "blocked", "one_stretch", "split"}
        ``randomized``: one slot a day for everyone. ``blocked``: each slot kept for a stretch,
        stretches following one another, the cycle repeated ``rounds`` times. ``one_stretch``:
        ``blocked`` with one round. ``split``: every day the same article goes to one random
        audience group per slot, each group at its own slot (one row per day x group).
    days : int
        Study length for ``randomized`` and ``split``; ignored by the block designs, whose length
        follows from the blocks.
    days_per_slot, rounds, order : int, int, {"fixed", "random"}
        Block designs: stretch length, number of cycles through the slots, and whether each
        cycle visits the slots in the given order or a fresh random one (never the same slot
        twice in a row across cycles).
    block_lengths : tuple of int or None
        If given, each block's length is drawn uniformly from it (overrides ``days_per_slot``);
        the study's length then varies from seed to seed.
    randomization : {"complete", "bernoulli"}
        ``complete``: exactly ``round(days * allocation)`` days per slot, shuffled (so no slot
        goes unobserved); ``bernoulli``: each day's slot drawn independently.
    allocation : tuple of float or None
        Randomised designs' slot probabilities (None: equal).
    effects : tuple of float or None
        True relative effect of each slot, a multiplier on the rate (None: all 1, a null).
    base_rate : float
        Mean open rate of a plain push (effect 1, weekday effect 0, mid-study, not viral).
    quality, quality_sd, rho, t_df
        Article-quality family, its sd on the link scale (CV for ``gamma``), its daily lag-1
        autocorrelation, and the Student-t degrees of freedom (``student_t`` needs rho = 0).
    slot_sd : float or tuple of float
        Extra per-(day, slot) log-scale noise sd, one value or one per slot.
    weekday : tuple of 7 float or None
        Link-scale weekday effects, Monday first.
    trend : float
        Linear change on the link scale from the first to the last day.
    viral_prob, viral_jump
        Daily probability that the article goes viral, and the range of its rate multiplier.
    opens, open_icc
        ``binomial`` opens, or ``betabinomial`` with intra-push correlation ``open_icc``.
    audience, growth, audience_sd
        Day-0 deliveries per push (uniform range; the whole audience for split designs), total
        growth factor over the study, and day-to-day log-scale jitter.
    start : str
        First day, ISO date.
    """

    name: str = "custom"
    note: str = ""
    slots: tuple[str, ...] = SLOTS
    design: Design = "randomized"
    days: int = 70
    days_per_slot: int = 7
    rounds: int = 2
    order: Literal["fixed", "random"] = "fixed"
    block_lengths: tuple[int, ...] | None = None
    randomization: Literal["complete", "bernoulli"] = "complete"
    allocation: tuple[float, ...] | None = None
    effects: tuple[float, ...] | None = None
    base_rate: float = 0.065
    quality: Family = "lognormal"
    quality_sd: float = 0.3
    rho: float = 0.0
    t_df: float = 4.0
    slot_sd: float | tuple[float, ...] = 0.0
    weekday: tuple[float, ...] | None = None
    trend: float = 0.0
    viral_prob: float = 0.0
    viral_jump: tuple[float, float] = (2.0, 4.0)
    opens: Literal["binomial", "betabinomial"] = "binomial"
    open_icc: float = 0.001
    audience: tuple[int, int] = (3000, 6000)
    growth: float = 1.1
    audience_sd: float = 0.02
    start: str = "2024-03-04"

    def __post_init__(self) -> None:
        k = len(self.slots)
        for field in ("allocation", "effects"):
            value = getattr(self, field)
            if value is not None and len(value) != k:
                raise ValueError(f"{field} needs one value per slot ({k})")
        if not isinstance(self.slot_sd, float | int) and len(self.slot_sd) != k:
            raise ValueError(f"slot_sd needs one value per slot ({k})")
        if self.allocation is not None and not math.isclose(sum(self.allocation), 1.0):
            raise ValueError("allocation must sum to 1")
        if not 0 <= self.rho < 1:
            raise ValueError("rho must be in [0, 1)")
        if self.quality == "student_t" and (self.rho != 0 or self.t_df <= 2):
            raise ValueError("student_t quality is i.i.d. (rho = 0) with t_df > 2")
        if self.weekday is not None and len(self.weekday) != 7:
            raise ValueError("weekday needs 7 values, Monday first")

    @property
    def effect(self) -> np.ndarray:
        """Per-slot relative effects as an array (all 1 under a null)."""
        return np.ones(len(self.slots)) if self.effects is None else np.asarray(self.effects, float)

    @property
    def best_slot(self) -> str | None:
        """The slot with the unique largest effect, or None (a null, or a tie at the top)."""
        eff = self.effect
        top = np.flatnonzero(eff == eff.max())
        return self.slots[top[0]] if len(top) == 1 else None


def _expit(x: np.ndarray) -> np.ndarray:
    # exp(-log(1 + e^-x)) never overflows, even for the extreme Student-t shocks.
    return np.exp(-np.logaddexp(0.0, -x))


@functools.lru_cache(maxsize=64)
def _quality_nodes(quality: str, sd: float, df: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights that integrate a function of q over q's stationary distribution."""
    if quality == "logitnormal":
        x, w = np.polynomial.hermite_e.hermegauss(80)
        return sd * x, w / w.sum()
    # Student-t scaled to sd `sd`: a fine grid is exact enough because beyond |q| = 60 the
    # logistic is flat and the tail mass is < 1e-7.
    scale = sd * math.sqrt((df - 2) / df)
    x = np.arange(-60.0, 60.0, scale / 40)
    w = (1 + (x / scale) ** 2 / df) ** (-(df + 1) / 2)
    return x, w / w.sum()


@functools.lru_cache(maxsize=64)
def _intercept(quality: str, sd: float, df: float, base: float) -> float:
    """Link-scale intercept giving a plain push mean rate ``base``."""
    if quality not in _LOGIT_FAMILIES:
        return math.log(base)  # the log families' quality is mean-one on the rate scale
    x, w = _quality_nodes(quality, sd, df)
    lo, hi = math.log(base / (1 - base)) - 5, math.log(base / (1 - base)) + 1
    for _ in range(60):  # bisection: the mean rate is increasing in the intercept
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if w @ _expit(mid + x) < base else (lo, mid)
    return (lo + hi) / 2


def _eta(sc: Scenario, days: int) -> np.ndarray:
    """Deterministic link-scale predictor of each day (intercept + weekday + trend)."""
    d = np.arange(days)
    eta = np.full(days, _intercept(sc.quality, sc.quality_sd, sc.t_df, sc.base_rate))
    if sc.weekday is not None:
        first = dt.date.fromisoformat(sc.start).weekday()
        eta += np.asarray(sc.weekday)[(first + d) % 7]
    if sc.trend and days > 1:
        eta += sc.trend * (d / (days - 1) - 0.5)
    return eta


@functools.lru_cache(maxsize=256)
def _truth_rates(sc: Scenario, days: int) -> tuple[float, ...]:
    """``truth.rate`` per slot; depends on the scenario and study length only."""
    eta = _eta(sc, days)
    if sc.quality in _LOGIT_FAMILIES:
        x, w = _quality_nodes(sc.quality, sc.quality_sd, sc.t_df)
        u, inv = np.unique(eta, return_inverse=True)  # few distinct days unless there is a trend
        mean_day = (_expit(u[:, None] + x) @ w)[inv]
    else:
        mean_day = np.exp(eta)
    viral = 1 + sc.viral_prob * (sum(sc.viral_jump) / 2 - 1)
    return tuple(float(r) for r in sc.effect * viral * mean_day.mean())


def _largest_remainder(probs: np.ndarray, total: int) -> np.ndarray:
    raw = probs * total
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: total - counts.sum()]] += 1
    return counts


def _schedule(sc: Scenario, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day, slot and group indices of the design's pushes (group 0 for rotation designs)."""
    k = len(sc.slots)
    if sc.design == "split":
        day = np.repeat(np.arange(sc.days), k)
        slot = np.tile(np.arange(k), sc.days)
        return day, slot, slot.copy()  # group g is always sent at slot g
    if sc.design == "randomized":
        probs = np.full(k, 1 / k) if sc.allocation is None else np.asarray(sc.allocation)
        if sc.randomization == "bernoulli":
            slot = rng.choice(k, size=sc.days, p=probs)
        else:
            slot = rng.permutation(np.repeat(np.arange(k), _largest_remainder(probs, sc.days)))
    else:
        blocks: list[np.ndarray] = []
        for _ in range(1 if sc.design == "one_stretch" else sc.rounds):
            order = np.arange(k) if sc.order == "fixed" else rng.permutation(k)
            if blocks and k > 1 and order[0] == blocks[-1][-1]:
                order[[0, 1]] = order[[1, 0]]  # keep two stretches of one slot apart
            if sc.block_lengths is None:
                lengths = np.full(k, sc.days_per_slot)
            else:
                lengths = rng.choice(np.asarray(sc.block_lengths), size=k)
            blocks.append(np.repeat(order, lengths))
        slot = np.concatenate(blocks)
    return np.arange(len(slot)), slot, np.zeros(len(slot), dtype=int)


class World:
    """One random world of a scenario, drawn up front so it can be queried day by day.

    Parameters
    ----------
    scenario : Scenario or str
        The recipe, or a key of ``SCENARIOS``.
    seed : int
        Seed for ``numpy.random.default_rng``; everything random comes from it.

    Attributes
    ----------
    slots : list of str
    days : int
        Study length (drawn, for random block lengths).
    start : datetime.date
    seed : int
    schedule : list of tuple
        The design's pushes: ``(day, slot)``, or ``(day, slot, group)`` for split designs.
    best_slot : str or None
        The truly best slot, None under a null.
    quality : ndarray
        Each day's article quality q on the link scale (for checks; not observable).
    rates : ndarray, shape (days, n_slots)
        The true open rate p of the push at each (day, slot) (shared by all groups).
    """

    def __init__(self, scenario: Scenario | str, seed: int) -> None:
        sc = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
        self.scenario, self.seed = sc, seed
        self.slots = list(sc.slots)
        self.start = dt.date.fromisoformat(sc.start)
        self.best_slot = sc.best_slot
        # Separate streams, so that e.g. a drawn block length does not shift the article draws.
        r_design, r_quality, r_noise, r_audience, r_opens = np.random.default_rng(seed).spawn(5)
        self._day, self._slot, self._group = _schedule(sc, r_design)
        self.days = d = sc.days if sc.design == "split" else len(self._day)
        k = len(self.slots)
        self._split = sc.design == "split"
        groups = k if self._split else 1

        self.quality = self._draw_quality(sc, d, r_quality)
        eta = _eta(sc, d)
        common = _expit(eta + self.quality) if sc.quality in _LOGIT_FAMILIES else np.exp(eta + self.quality)
        sd = np.broadcast_to(np.asarray(sc.slot_sd, float), (k,))
        slot_noise = np.exp(sd * r_noise.standard_normal((d, k)) - sd**2 / 2)
        viral = np.where(r_noise.random(d) < sc.viral_prob, r_noise.uniform(*sc.viral_jump, size=d), 1.0)
        self.rates = np.minimum(1.0, (sc.effect * slot_noise) * (viral * common)[:, None])

        size = r_audience.uniform(*sc.audience) * sc.growth ** (np.arange(d) / max(d - 1, 1))
        size *= np.exp(sc.audience_sd * r_audience.standard_normal(d))
        share = r_audience.dirichlet(np.full(groups, 400.0)) if groups > 1 else np.ones(1)
        self._delivered = np.rint(size[:, None] * share).astype(np.int64)  # (days, groups)

        p = np.broadcast_to(self.rates[:, :, None], (d, k, groups))
        if sc.opens == "betabinomial":
            p = np.clip(p, 1e-9, 1 - 1e-9)
            a = (1 - sc.open_icc) / sc.open_icc
            p = r_opens.beta(p * a, (1 - p) * a)
        self._opened = r_opens.binomial(self._delivered[:, None, :], p)  # (days, slots, groups)
        minutes = np.array([int(s[:2]) * 60 + int(s[3:]) for s in self.slots])
        day0 = np.datetime64(sc.start, "ns").astype(np.int64)
        self._local_ns = (
            day0
            + np.arange(d)[:, None, None] * 86_400_000_000_000
            + minutes[None, :, None] * 60_000_000_000
            + r_opens.integers(-90, 91, size=(d, k, groups)) * 1_000_000_000  # log jitter
        )

    @staticmethod
    def _draw_quality(sc: Scenario, d: int, rng: np.random.Generator) -> np.ndarray:
        """Stationary article quality on the link scale, one value a day."""
        rho, sd = sc.rho, sc.quality_sd
        if sc.quality == "student_t":
            return sd * math.sqrt((sc.t_df - 2) / sc.t_df) * rng.standard_t(sc.t_df, size=d)
        if sc.quality == "gamma":
            shape = 1 / sd**2
            if rho == 0:
                return np.log(rng.gamma(shape, 1 / shape, size=d))
            # Beta-gamma AR(1): B * X + G keeps X ~ Gamma(shape) and has correlation rho.
            b = rng.beta(shape * rho, shape * (1 - rho), size=d)
            g = rng.gamma(shape * (1 - rho), 1 / shape, size=d)
            x = [float(rng.gamma(shape, 1 / shape))]
            for t in range(1, d):
                x.append(float(b[t]) * x[-1] + float(g[t]))
            return np.log(x)
        e = rng.standard_normal(d)
        if rho > 0:  # stationary from day 0; a plain loop over floats is fastest at this length
            e[1:] *= math.sqrt(1 - rho**2)
            z = e.tolist()
            for t in range(1, d):
                z[t] += rho * z[t - 1]
            e = np.asarray(z)
        # Log-normal quality is mean-corrected so that E exp(q) = 1.
        return sd * e - (sd**2 / 2 if sc.quality == "lognormal" else 0.0)

    @property
    def schedule(self) -> list[tuple[Any, ...]]:
        """The design's pushes in order: ``(day, slot)``, or ``(day, slot, group)`` if split."""
        if self._split:
            return [(int(d), self.slots[s], int(g)) for d, s, g in zip(self._day, self._slot, self._group)]
        return [(int(d), self.slots[s]) for d, s in zip(self._day, self._slot)]

    @property
    def truth(self) -> pd.DataFrame:
        """``slot, rate, best``: each slot's true expected push open rate (module docstring)."""
        rate = _truth_rates(self.scenario, self.days)
        return pd.DataFrame(
            {"slot": self.slots, "rate": rate, "best": [s == self.best_slot for s in self.slots]}
        )

    def _index(self, day: int, slot: str, group: int | None) -> tuple[int, int, int]:
        if not 0 <= day < self.days:
            raise IndexError(f"day {day} outside 0..{self.days - 1}")
        if self._split != (group is not None):
            raise ValueError("split designs need a group, rotation designs none")
        if group is not None and not 0 <= group < len(self.slots):
            raise IndexError(f"group {group} outside 0..{len(self.slots) - 1}")
        return int(day), self.slots.index(slot), 0 if group is None else int(group)

    def push(self, day: int, slot: str, group: int | None = None) -> dict[str, Any]:
        """The push of ``day`` at ``slot`` (to ``group`` in split designs); same row every call."""
        d, s, g = self._index(day, slot, group)
        row: dict[str, Any] = {
            "push_id": self._push_id(d, s, g),
            "sent_at": pd.Timestamp(int(self._local_ns[d, s, g])).tz_localize(TZ),
            "slot": slot,
            "delivered": int(self._delivered[d, g]),
            "opened": int(self._opened[d, s, g]),
        }
        if self._split:
            row["group"] = g
        return row

    def _push_id(self, d: int, s: int, g: int) -> str:
        return f"d{d:03d}-{self.slots[s].replace(':', '')}" + (f"-g{g}" if self._split else "")

    def _frame(self, day: np.ndarray, slot: np.ndarray, group: np.ndarray) -> pd.DataFrame:
        frame = {
            "push_id": [
                self._push_id(d, s, g) for d, s, g in zip(day.tolist(), slot.tolist(), group.tolist())
            ],
            "sent_at": pd.DatetimeIndex(
                self._local_ns[day, slot, group].astype("datetime64[ns]")
            ).tz_localize(TZ),
            "slot": np.asarray(self.slots, dtype=object)[slot],
            "delivered": self._delivered[day, group],
            "opened": self._opened[day, slot, group],
        }
        if self._split:
            frame["group"] = group
        return pd.DataFrame(frame)

    def run(self) -> pd.DataFrame:
        """The study's push table following the scenario's own schedule."""
        return self._frame(self._day, self._slot, self._group)

    def potential_outcomes(self) -> pd.DataFrame:
        """Every push the world could produce: all days x slots (x groups), as ``run()`` rows."""
        d, s, g = np.indices(self._opened.shape).reshape(3, -1)
        return self._frame(d, s, g)


def generate(name_or_scenario: str | Scenario, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(pushes, truth)`` of one world: ``World(...).run()`` and ``World(...).truth``."""
    world = World(name_or_scenario, seed)
    return world.run(), world.truth


def _one_better(slot: str, lift: float) -> tuple[float, ...]:
    return tuple(1.0 + lift if s == slot else 1.0 for s in SLOTS)


def _total_to_extra(total_sds: tuple[float, ...], article_sd: float) -> tuple[float, ...]:
    # The slot noise adds to the article noise; the totals are what the scenarios name.
    return tuple(math.sqrt(t**2 - article_sd**2) for t in total_sds)


_HETERO = _total_to_extra((0.18, 0.27, 0.36, 0.48, 0.6), 0.18)
_BLOCKED = {"design": "blocked", "days_per_slot": 7, "rounds": 2}
_SPLIT = {"design": "split", "days": 14, "audience": (9000, 11000)}  # ~2,000 a group

_SPECS: dict[str, dict[str, Any]] = {
    "null_randomized_iid": dict(
        note="Randomised 70 d; i.i.d. logit-normal quality sd 0.3, binomial opens (the reference).",
        quality="logitnormal",
    ),
    "null_blocked_ar05": dict(note="Blocked 7 d x 2; log-normal quality AR(1) rho 0.5.", rho=0.5, **_BLOCKED),
    "null_blocked_ar08": dict(note="Blocked 7 d x 2; log-normal quality AR(1) rho 0.8.", rho=0.8, **_BLOCKED),
    "null_random_blocks_weekday_ar06": dict(
        note="7- or 14-day blocks, random order, each slot twice; weekday effect; logit-normal "
        "AR(1) rho 0.6; beta-binomial opens.",
        design="blocked",
        block_lengths=(7, 14),
        rounds=2,
        order="random",
        weekday=WEEKDAY,
        quality="logitnormal",
        rho=0.6,
        opens="betabinomial",
    ),
    "null_one_stretch_ar06": dict(
        note="Each slot once for 14 d; gamma quality (CV 0.3), beta-gamma AR(1) rho 0.6.",
        design="one_stretch",
        days_per_slot=14,
        quality="gamma",
        rho=0.6,
    ),
    "null_one_stretch_trend": dict(
        note="Each slot once for 14 d; i.i.d. Student-t(4) shocks sd 0.3; logit trend +0.4.",
        design="one_stretch",
        days_per_slot=14,
        quality="student_t",
        t_df=4.0,
        trend=0.4,
    ),
    "null_blocked_growth10": dict(
        note="Blocked 7 d x 2; followers grow x10 (3-6k to 30-60k); gamma quality AR(1) rho 0.5.",
        quality="gamma",
        rho=0.5,
        growth=10.0,
        **_BLOCKED,
    ),
    "null_blocked_viral": dict(
        note="Blocked 7 d x 2; i.i.d. log-normal sd 0.25; 5% of days go viral (x U(2, 4)).",
        quality_sd=0.25,
        viral_prob=0.05,
        **_BLOCKED,
    ),
    "null_unequal_hetero": dict(
        note="Randomised 100 d, allocation 40/30/15/10/5%; log-scale noise sd 0.18..0.6 by slot.",
        days=100,
        allocation=(0.4, 0.3, 0.15, 0.1, 0.05),
        quality_sd=0.18,
        slot_sd=_HETERO,
    ),
    "null_hetero_equal": dict(
        note="Randomised 70 d; log-scale noise sd 0.18..0.6 by slot; beta-binomial opens.",
        quality_sd=0.18,
        slot_sd=_HETERO,
        opens="betabinomial",
    ),
    "null_split_interaction": dict(
        note="Split 5 groups x 14 d; shared Student-t(3) quality sd 0.3; slot x day sd 0.1.",
        quality="student_t",
        t_df=3.0,
        slot_sd=0.1,
        **_SPLIT,
    ),
}
for _lift, _rand_best, _block_best in (
    (10, "22:30", "12:00"),
    (20, "12:00", "07:30"),
    (30, "07:30", "22:30"),
):
    _SPECS[f"power_randomized_{_lift}"] = dict(
        note=f"Randomised 70 d; {_rand_best} +{_lift}%; i.i.d. log-normal sd 0.3.",
        effects=_one_better(_rand_best, _lift / 100),
    )
    _SPECS[f"power_blocked_{_lift}"] = dict(
        note=f"Blocked 7 d x 2; {_block_best} +{_lift}%; log-normal AR(1) rho 0.5.",
        effects=_one_better(_block_best, _lift / 100),
        rho=0.5,
        **_BLOCKED,
    )

_SPECS["power_split_10"] = dict(
    note="Split 5 groups x 14 d; 21:00 +10%; logit-normal sd 0.3; slot x day sd 0.05.",
    quality="logitnormal",
    slot_sd=0.05,
    effects=_one_better("21:00", 0.10),
    **_SPLIT,
)

SCENARIOS: dict[str, Scenario] = {name: Scenario(name=name, **spec) for name, spec in _SPECS.items()}
