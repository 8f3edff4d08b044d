"""Independent scenario generator for calibrating the slot tests (NumPy + pandas only).

Written blind to ``wxtime.simulate``: the worlds here are meant to check the project's tests on
data they were not tuned to, so this module shares no code or model with the package.

World model
-----------
An account pushes one article a day. On day ``d`` (0-based, day 0 is ``start``, a Monday unless
the scenario says otherwise; ``w(d)`` is its weekday, Monday 0) the push sent at slot ``s`` to
audience group ``g`` has open rate

    p[d, s, g] = min(1, effect[d, s] * W[w(d), s] * V[d] * S[d, s] * F(eta[d] + q[d]))

* ``F`` is the inverse link: ``exp`` for the log-scale families (``lognormal``, ``gamma``),
  the logistic function for the logit-scale ones (``logitnormal``, ``student_t``).
* ``eta[d] = eta0 + weekday[w(d)] + trend * (d / (days - 1) - 1/2)`` is deterministic;
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
* ``effect[d, s]`` is the slot's true relative effect on day ``d``. It is ``effects`` (all 1
  under a null) on every day, unless

  - ``effects_sd > 0`` (random effects): each world draws ``log effect[s] ~ N(0, effects_sd^2)``
    i.i.d. over slots, once, from a random stream of its own (so one seed draws the same
    effects in every scenario with that ``effects_sd``, whatever the design);
  - ``effects_after`` is given (drift): ``effects`` before day ``change_day`` and
    ``effects_after`` from it on (a step), or with ``ramp_days = R > 1`` the linear mix
    ``(1 - a) * effects + a * effects_after`` with ``a = (d - change_day + 1) / R`` clipped to
    [0, 1]: day ``change_day`` is the first changed day and ``change_day + R - 1`` the first
    day fully in the new regime.
* ``W[w, s]`` is a slot x weekday multiplier (``slot_weekday``: 7 rows, Monday first, one value
  per slot; all 1 unless given): weekday-specific best slots.

Because every other factor is mean-one or shared, ``effect[d, s] * W[w(d), s]`` is exactly the
ratio of the slots' true mean rates on day ``d``.

Audiences: the day's follower base is uniform on ``audience`` on day 0, grows geometrically by
``growth`` in total over the study, and jitters by ``audience_sd`` (log scale) from day to day.
Split designs divide it into one random group per slot (sizes ~equal, drawn once per world).
Opens are Binomial(delivered, p), or beta-binomial with intra-push correlation ``open_icc``.

Every (day, slot) push is drawn up front, whatever the design, so ``World.push(day, slot)`` and
``World.potential_outcomes()`` give any slot on any day ``0 .. days - 1`` (a caller may choose
each day's slot itself), and the design only picks which of them ``run()`` returns.

Designs
-------
``randomized`` (one slot a day, complete or Bernoulli randomisation), ``blocked`` /
``one_stretch`` (stretches of days per slot), ``split`` (one audience group per slot, every
day), and two adaptive ones whose ``run()`` table has a ``propensity`` column, the probability
with which that day's slot was chosen (``World.allocation_probs`` holds every slot's):

* ``thompson``: the generator's own Thompson sampler, written here and nowhere else. Each
  push is one observation ``y = logit((opened + 0.5) / (delivered + 1))`` (the push is the
  unit). Slot ``s``'s mean logit has a Gaussian posterior: prior ``N(m0, 0.3^2)`` with ``m0``
  the mean ``y`` of all pushes so far (0 before the first), push noise variance
  ``sigma^2 = (5 * 0.3^2 + SS) / (5 + n - n_slots_seen)`` (``SS`` the within-slot sum of
  squares; a plug-in, not integrated over), so ``mean_s = (m0 / 0.3^2 + sum_s y / sigma^2) /
  prec_s`` and ``sd_s = prec_s^-1/2`` with ``prec_s = 1 / 0.3^2 + n_s / sigma^2``. Each day it
  makes ``propensity_draws`` (2,000) joint posterior draws (seeded from the world's seed),
  counts how often each slot has the largest draw (``allocation_probs``, in multiples of
  1/2,000) and pushes at the argmax of one of those draws picked uniformly at random. The
  logged propensity is therefore *exactly* the probability of the choice given the day's
  draws (never 0 for the chosen slot), and a Monte Carlo estimate (sd <= 0.011) of the exact
  Thompson probability. A slot whose estimate is 0 cannot be chosen that day (no floor).
* ``operate``: an account that runs. Each day, with probability ``1 - epsilon`` it pushes at
  its fixed ``current`` slot (default: the slot best on day 0, or the first slot under a tie)
  and otherwise at one of the other slots drawn uniformly; propensity ``1 - epsilon`` or
  ``epsilon / (n_slots - 1)``. The current slot never changes (even after a drift): detecting
  the change from the log is the caller's job.

Truth
-----
With ``m[d] = E_q F(eta[d] + q)`` (closed form for the log families, deterministic quadrature
for the logit ones) and ``E[V] = 1 + viral_prob * (mean jump - 1)``:

* ``World.truth_at(day)``: ``rate[s] = effect[day, s] * E[V] * mean_d (W[w(d), s] * m[d])``,
  the slot effects in force on ``day`` on the study's average calendar (the mean over its
  ``days`` calendar days), averaged over the article-quality, slot-noise and viral
  distributions (not over this world's draws).
* ``World.truth`` is ``truth_at(days - 1)``: the regime in force on the study's last day. For a
  world without drift that is, as ever, the expected open rate (opened / delivered) of a push
  at ``s`` on a day drawn uniformly from the study's days; for a drifting world it is what a
  push at ``s`` would earn over the study's calendar had the final regime held throughout (not
  the average over the study's regimes).
* ``World.truth_by_weekday()``: the final regime per weekday, ``effect[s] * W[w, s] * E[V] *
  mean m[d]`` over the study's days with weekday ``w``.
* ``World.expected_rates[d, s] = effect[d, s] * W[w(d), s] * E[V] * m[d]``: the expected rate of
  one day's push (for regret in operating simulations); without drift, its mean over days is
  ``truth.rate``.

All ignore the cap at 1, which the scenarios make negligible (it binds with probability
< 1e-4). Under a null every slot's rate is *exactly* equal, ``best`` is all False and
``best_slot`` is None; otherwise exactly one row has ``best`` True (``best_slot_at(day)`` and
``truth_by_weekday().best`` likewise).

Scenarios and how they depart from "independent pushes, logit-normal article noise, binomial
opens" (AR = article quality AR(1), sd on the link scale; ~3,000-6,000 deliveries a push;
log-normal sd 0.3 i.i.d. unless stated; WEEKDAY x2 = the weekday effects below doubled):

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
null_rare_noisy                    rand. 100 d allocation 40/30/15/10/5%; total log sd 0.3 for
                                               the three common slots, 0.45 / 0.6 (x1.5, x2) for
                                               the two rarest
null_rare_mild                     rand. 100 d as null_rare_noisy with 0.375 / 0.45 (x1.25, x1.5)
null_randomized_viral              rand. 70 d  log-normal sd 0.25, 5% viral days x U(2, 4)
null_fixed_order_weekday           10 d x 2    the same slot order both cycles, WEEKDAY x2: each
                                               stretch sees its own mix of weekdays
null_thompson_log                  Thompson    120 d adaptive log, propensity column
null_follow                        rand. 120 d for caller-chosen schedules (push(day, slot))
null_weekday_same                  rand. 140 d WEEKDAY x2, no slot x weekday interaction
power_randomized_{10,20,30}        rand. 70 d  log-normal sd 0.3; best 22:30 / 12:00 / 07:30
power_blocked_{10,20,30}           7 d x 2     log-normal AR 0.5; best 12:00 / 07:30 / 22:30
power_blocked_30_iid               7 d x 2     i.i.d. (rho 0); 22:30 +30%
power_split_10                     split 14 d  logit-normal sd 0.3, slot x day sd 0.05; best 21:00
power_thompson_20                  Thompson    120 d adaptive log; 22:30 +20%
follow_20                          rand. 120 d 18:00 +20%; for caller-chosen schedules
random_effects_randomized          rand. 70 d  effects drawn per world: log-normal sd 0.1
random_effects_blocked             7 d x 2     effects drawn per world (sd 0.1); AR 0.5
drift_randomized_120               rand. 120 d 12:00 +20% on days 0-59, then 21:00 +20% (12:00
                                               back to 1) from day 60: a step change
stable_operate_365                 operate     365 d, epsilon 0.2, current 12:00 = best (+20%),
                                               no change (false-alarm world); base rate 0.055
shift_operate_30                   operate     as stable_operate_365 until day 239; from day 240
                                               21:00 has effect 1.56 = 1.3 x 1.2, 30% above the
                                               current slot 12:00 (which keeps 1.2)
drop_operate_30                    operate     as stable_operate_365 (base rate 0.06) until day
                                               239; from day 240 the current best 12:00 falls
                                               30% (1.2 -> 0.84; 18:00 at 1.05 is then best)
rise_operate_30                    operate     as stable_operate_365 until day 239; from day 240
                                               the current best 12:00 rises 30% (1.2 -> 1.56)
weekday_same_25                    rand. 140 d WEEKDAY x2; 12:00 +25% every day (no interaction)
weekday_differs                    rand. 140 d WEEKDAY x2; 12:00 x1.25 Mon-Fri, 21:00 x1.25
                                               Sat-Sun (overall best 12:00)
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

__all__ = [
    "DAY_NAMES",
    "SCENARIOS",
    "SLOTS",
    "WEEKDAY",
    "Scenario",
    "World",
    "generate",
    "push_logit",
    "thompson_posterior",
]

TZ = "Asia/Shanghai"
SLOTS: tuple[str, ...] = ("07:30", "12:00", "18:00", "21:00", "22:30")
# Link-scale weekday effects, Monday..Sunday: weekdays read a little more, weekends less.
WEEKDAY: tuple[float, ...] = (0.08, 0.06, 0.05, 0.04, 0.0, -0.2, -0.12)
DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
Design = Literal["randomized", "blocked", "one_stretch", "split", "thompson", "operate"]
Family = Literal["lognormal", "gamma", "logitnormal", "student_t"]
_LOGIT_FAMILIES = ("logitnormal", "student_t")
_ADAPTIVE = ("thompson", "operate")
# The Thompson sampler's prior sd of a slot's mean logit, and its prior guess of the push-level
# noise sd with the weight (pseudo-pushes) of that guess (module docstring).
_TS_PRIOR_SD, _TS_NOISE_SD, _TS_NOISE_WEIGHT = 0.3, 0.3, 5.0


@dataclass(frozen=True)
class Scenario:
    """One simulated world's recipe (all fields have defaults; see the module docstring).

    Parameters
    ----------
    name, note : str
        Identifier and a one-line description of the world and its noise family.
    slots : tuple of str
        Send times "HH:MM", in the order used by ``effects``, ``slot_sd`` and ``allocation``.
    design : {"randomized", "blocked", "one_stretch", "split", "thompson", "operate"}
        ``randomized``: one slot a day for everyone. ``blocked``: each slot kept for a stretch,
        stretches following one another, the cycle repeated ``rounds`` times. ``one_stretch``:
        ``blocked`` with one round. ``split``: every day the same article goes to one random
        audience group per slot, each group at its own slot (one row per day x group).
        ``thompson``: each day's slot chosen by the module's Thompson sampler from the pushes so
        far. ``operate``: the ``current`` slot with probability ``1 - epsilon``, else another
        drawn uniformly. The two adaptive designs log a ``propensity`` column.
    days : int
        Study length for ``randomized``, ``split``, ``thompson`` and ``operate``; ignored by the
        block designs, whose length follows from the blocks.
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
        True relative effect of each slot, a multiplier on the rate (None: all 1, a null);
        with drift, the effects before ``change_day``.
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
    effects_sd : float
        If > 0, random effects: every world draws its own ``log effect ~ N(0, effects_sd^2)``,
        i.i.d. over slots (``effects`` and ``effects_after`` must then be None).
    effects_after, change_day, ramp_days
        Drift: the effects from day ``change_day`` on (a step change), or reached linearly over
        ``ramp_days`` days starting at ``change_day`` when ``ramp_days > 1``.
    slot_weekday : tuple of 7 tuples of float, or None
        Slot x weekday multipliers on the rate, Monday's row first, one value per slot.
    epsilon, current
        ``operate``: the share of days pushed away from ``current`` (default: the slot best on
        day 0, or the first slot if none is).
    propensity_draws : int
        ``thompson``: posterior draws a day behind the choice and its propensity.
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
    effects_sd: float = 0.0
    effects_after: tuple[float, ...] | None = None
    change_day: int | None = None
    ramp_days: int = 0
    slot_weekday: tuple[tuple[float, ...], ...] | None = None
    epsilon: float = 0.2
    current: str | None = None
    propensity_draws: int = 2000

    def __post_init__(self) -> None:
        k = len(self.slots)
        for field in ("allocation", "effects", "effects_after"):
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
        if self.effects_sd < 0 or (
            self.effects_sd > 0 and (self.effects is not None or self.effects_after is not None)
        ):
            raise ValueError("effects_sd must be >= 0, and > 0 only without effects/effects_after")
        if (self.effects_after is None) != (self.change_day is None):
            raise ValueError("drift needs both effects_after and change_day")
        if (self.change_day is not None and self.change_day < 1) or self.ramp_days < 0:
            raise ValueError("change_day must be >= 1 and ramp_days >= 0")
        if self.slot_weekday is not None and (
            len(self.slot_weekday) != 7
            or any(len(row) != k for row in self.slot_weekday)
            or min(min(row) for row in self.slot_weekday) <= 0
        ):
            raise ValueError(f"slot_weekday needs 7 rows (Monday first) of {k} positive multipliers")
        if not 0 <= self.epsilon <= 1 or self.propensity_draws < 1:
            raise ValueError("epsilon must be in [0, 1] and propensity_draws >= 1")
        if self.current is not None and self.current not in self.slots:
            raise ValueError(f"current slot {self.current!r} is not one of the slots")
        if self.design in _ADAPTIVE and k < 2:
            raise ValueError("adaptive designs need at least two slots")

    @property
    def effect(self) -> np.ndarray:
        """Per-slot relative effects as an array (all 1 under a null; before any drift)."""
        return np.ones(len(self.slots)) if self.effects is None else np.asarray(self.effects, float)

    @property
    def best_slot(self) -> str | None:
        """The truly best slot of the final regime, or None (a null, or a tie at the top).

        Also None for random effects (``effects_sd > 0``), which each world draws:
        ``World.best_slot`` is the authoritative answer. With a slot x weekday interaction the
        answer averages over the calendar of a study of the design's nominal length.
        """
        if self.effects_sd > 0:
            return None
        final = self.effect if self.effects_after is None else np.asarray(self.effects_after, float)
        return _best(self.slots, _regime_rates(self, self._nominal_days, final))

    @property
    def _nominal_days(self) -> int:
        if self.design not in ("blocked", "one_stretch"):
            return self.days
        per = self.days_per_slot if self.block_lengths is None else float(np.mean(self.block_lengths))
        return round(per * len(self.slots) * (1 if self.design == "one_stretch" else self.rounds))


def _best(slots: Any, rate: np.ndarray) -> str | None:
    """The slot with the unique largest rate, or None under a tie at the top."""
    top = np.flatnonzero(rate == rate.max())
    return slots[top[0]] if len(top) == 1 else None


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


def _weekdays(sc: Scenario, days: int) -> np.ndarray:
    """Weekday of each study day, Monday 0."""
    return (dt.date.fromisoformat(sc.start).weekday() + np.arange(days)) % 7


def _eta(sc: Scenario, days: int) -> np.ndarray:
    """Deterministic link-scale predictor of each day (intercept + weekday + trend)."""
    d = np.arange(days)
    eta = np.full(days, _intercept(sc.quality, sc.quality_sd, sc.t_df, sc.base_rate))
    if sc.weekday is not None:
        eta += np.asarray(sc.weekday)[_weekdays(sc, days)]
    if sc.trend and days > 1:
        eta += sc.trend * (d / (days - 1) - 0.5)
    return eta


@functools.lru_cache(maxsize=256)
def _calendar(sc: Scenario, days: int) -> tuple[float, np.ndarray]:
    """``E[V]`` and ``m[d]``, each day's mean rate of a plain push (depend on sc and days only)."""
    eta = _eta(sc, days)
    if sc.quality in _LOGIT_FAMILIES:
        x, w = _quality_nodes(sc.quality, sc.quality_sd, sc.t_df)
        u, inv = np.unique(eta, return_inverse=True)  # few distinct days unless there is a trend
        mean_day = (_expit(u[:, None] + x) @ w)[inv]
    else:
        mean_day = np.exp(eta)
    mean_day.setflags(write=False)
    return 1 + sc.viral_prob * (sum(sc.viral_jump) / 2 - 1), mean_day


def _interaction(sc: Scenario, days: int) -> np.ndarray | None:
    """``W[w(d), s]`` of each study day, shape (days, slots), or None without interaction."""
    if sc.slot_weekday is None:
        return None
    return np.asarray(sc.slot_weekday, float)[_weekdays(sc, days)]


def _regime_rates(sc: Scenario, days: int, effect: np.ndarray) -> np.ndarray:
    """Truth rates of slot effects ``effect`` on the average calendar of a ``days``-day study."""
    viral, mean_day = _calendar(sc, days)
    inter = _interaction(sc, days)
    if inter is None:
        return effect * viral * mean_day.mean()
    return effect * viral * (inter * mean_day[:, None]).mean(axis=0)


def _effect_path(sc: Scenario, days: int, initial: np.ndarray) -> np.ndarray:
    """``effect[d, s]`` of every day: constant, or a step / linear ramp to ``effects_after``."""
    path = np.broadcast_to(initial, (days, len(initial)))
    if sc.effects_after is None:
        return path
    assert sc.change_day is not None
    a = np.clip((np.arange(days) - sc.change_day + 1) / max(sc.ramp_days, 1), 0.0, 1.0)[:, None]
    # (1 - a) * x + a * y is exactly x at a = 0 and exactly y at a = 1 (ties stay exact).
    return (1 - a) * initial + a * np.asarray(sc.effects_after, float)


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


def push_logit(opened: Any, delivered: Any) -> np.ndarray:
    """The Thompson sampler's observation of a push: ``logit((opened + 0.5) / (delivered + 1))``."""
    opened, delivered = np.asarray(opened, float), np.asarray(delivered, float)
    return np.log((opened + 0.5) / (delivered - opened + 0.5))


def thompson_posterior(n: np.ndarray, total: np.ndarray, sumsq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and sd of each slot's mean push logit (module docstring).

    ``n``, ``total`` and ``sumsq`` are each slot's number of pushes so far and the sum and sum
    of squares of their ``push_logit``.
    """
    pushes = n.sum()
    m0 = total.sum() / pushes if pushes else 0.0
    within = np.where(n > 0, sumsq - total**2 / np.maximum(n, 1), 0.0).sum()
    df = pushes - np.count_nonzero(n)
    noise_var = (_TS_NOISE_WEIGHT * _TS_NOISE_SD**2 + max(within, 0.0)) / (_TS_NOISE_WEIGHT + df)
    precision = 1 / _TS_PRIOR_SD**2 + n / noise_var
    mean = (m0 / _TS_PRIOR_SD**2 + total / noise_var) / precision
    return mean, 1 / np.sqrt(precision)


def _thompson(y: np.ndarray, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each day's slot and every slot's choice probability, given the potential logits ``y``."""
    days, k = y.shape
    n, total, sumsq = np.zeros(k), np.zeros(k), np.zeros(k)
    slots = np.empty(days, dtype=int)
    probs = np.empty((days, k))
    for t in range(days):
        mean, sd = thompson_posterior(n, total, sumsq)
        winners = np.argmax(mean + sd * rng.standard_normal((draws, k)), axis=1)
        probs[t] = np.bincount(winners, minlength=k) / draws
        s = slots[t] = winners[rng.integers(draws)]  # one of the draws: P(s) = probs[t, s] exactly
        n[s] += 1
        total[s] += y[t, s]
        sumsq[s] += y[t, s] ** 2
    return slots, probs


def _operate(
    days: int, current: int, k: int, epsilon: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each day's slot of the epsilon-exploring account, and the (constant) choice probabilities."""
    other = rng.integers(k - 1, size=days)
    other += other >= current  # uniform over the slots other than the current one
    slots = np.where(rng.random(days) < epsilon, other, current)
    probs = np.full(k, epsilon / (k - 1))
    probs[current] = 1 - epsilon
    return slots, np.broadcast_to(probs, (days, k))


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
        The truly best slot of the final regime (``truth``), None under a null.
    effect : ndarray, shape (n_slots,)
        The slots' relative effects in the final regime (drawn, for random effects).
    effects : ndarray, shape (days, n_slots)
        ``effect[d, s]`` of every day (constant over days unless the scenario drifts).
    quality : ndarray
        Each day's article quality q on the link scale (for checks; not observable).
    rates : ndarray, shape (days, n_slots)
        The true open rate p of the push at each (day, slot) (shared by all groups).
    allocation_probs : ndarray, shape (days, n_slots), or None
        Adaptive designs: each day's probability of choosing each slot (the logged
        ``propensity`` is that of the chosen slot); None for the other designs.
    """

    def __init__(self, scenario: Scenario | str, seed: int) -> None:
        sc = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
        self.scenario, self.seed = sc, seed
        self.slots = list(sc.slots)
        self.start = dt.date.fromisoformat(sc.start)
        # Separate streams, so that e.g. a drawn block length does not shift the article draws
        # (the sixth, for random effects, leaves the first five as they were before it existed).
        streams = np.random.default_rng(seed).spawn(6)
        r_design, r_quality, r_noise, r_audience, r_opens, r_effects = streams
        adaptive = sc.design in _ADAPTIVE
        if not adaptive:
            self._day, self._slot, self._group = _schedule(sc, r_design)
        self.days = d = sc.days if sc.design == "split" or adaptive else len(self._day)
        k = len(self.slots)
        self._split = sc.design == "split"
        groups = k if self._split else 1

        initial = sc.effect if sc.effects_sd == 0 else np.exp(sc.effects_sd * r_effects.standard_normal(k))
        self.effects = _effect_path(sc, d, initial)
        self.effects.setflags(write=False)
        self.effect = self.effects[-1].copy()
        self.best_slot = self.best_slot_at(d - 1)

        self.quality = self._draw_quality(sc, d, r_quality)
        eta = _eta(sc, d)
        common = _expit(eta + self.quality) if sc.quality in _LOGIT_FAMILIES else np.exp(eta + self.quality)
        sd = np.broadcast_to(np.asarray(sc.slot_sd, float), (k,))
        slot_noise = np.exp(sd * r_noise.standard_normal((d, k)) - sd**2 / 2)
        viral = np.where(r_noise.random(d) < sc.viral_prob, r_noise.uniform(*sc.viral_jump, size=d), 1.0)
        slot_factor = self.effects * slot_noise
        inter = _interaction(sc, d)
        if inter is not None:
            slot_factor = slot_factor * inter
        self.rates = np.minimum(1.0, slot_factor * (viral * common)[:, None])

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

        self.allocation_probs: np.ndarray | None = None
        if adaptive:  # the design follows the outcomes, so it is drawn after them
            if sc.design == "thompson":
                y = push_logit(self._opened[:, :, 0], self._delivered[:, :1])
                slot, probs = _thompson(y, sc.propensity_draws, r_design)
            else:
                current = self.slots.index(sc.current) if sc.current else self._initial_best()
                slot, probs = _operate(d, current, k, sc.epsilon, r_design)
            self._day, self._slot, self._group = np.arange(d), slot, np.zeros(d, dtype=int)
            self.allocation_probs = np.array(probs)
            self.allocation_probs.setflags(write=False)

    def _initial_best(self) -> int:
        best = self.best_slot_at(0)
        return 0 if best is None else self.slots.index(best)

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

    def _check_day(self, day: int) -> int:
        if not 0 <= day < self.days:
            raise IndexError(f"day {day} outside 0..{self.days - 1}")
        return int(day)

    def _rates_at(self, day: int) -> np.ndarray:
        return _regime_rates(self.scenario, self.days, self.effects[self._check_day(day)])

    def truth_at(self, day: int) -> pd.DataFrame:
        """``slot, rate, best`` of the regime in force on ``day`` (module docstring, Truth)."""
        rate = self._rates_at(day)
        best = _best(self.slots, rate)
        return pd.DataFrame({"slot": self.slots, "rate": rate, "best": [s == best for s in self.slots]})

    def best_slot_at(self, day: int) -> str | None:
        """The truly best slot of the regime in force on ``day``, None under a tie."""
        return _best(self.slots, self._rates_at(day))

    @property
    def truth(self) -> pd.DataFrame:
        """``slot, rate, best``: each slot's true expected push open rate in the final regime."""
        return self.truth_at(self.days - 1)

    def truth_by_weekday(self) -> pd.DataFrame:
        """``slot, weekday, day_name, rate, best``: the final regime's truth on each weekday.

        One row per slot x weekday (slot-major; ``weekday`` 0 is Monday); ``rate`` averages over
        the study's days with that weekday, and ``best`` marks each weekday's unique best slot.
        """
        sc, d, k = self.scenario, self.days, len(self.slots)
        viral, mean_day = _calendar(sc, d)
        wd = _weekdays(sc, d)
        per_day = np.bincount(wd, weights=mean_day, minlength=7) / np.maximum(np.bincount(wd, minlength=7), 1)
        inter = np.ones((7, k)) if sc.slot_weekday is None else np.asarray(sc.slot_weekday, float)
        rate = self.effect * inter * viral * per_day[:, None]  # (7, k)
        best = [_best(range(k), row) for row in rate]
        return pd.DataFrame(
            {
                "slot": np.repeat(self.slots, 7),
                "weekday": np.tile(np.arange(7), k),
                "day_name": np.tile(DAY_NAMES, k),
                "rate": rate.T.ravel(),
                "best": [best[w] == s for s in range(k) for w in range(7)],
            }
        )

    @property
    def expected_rates(self) -> np.ndarray:
        """``(days, n_slots)``: each day's expected push rate (effects, weekday, calendar)."""
        viral, mean_day = _calendar(self.scenario, self.days)
        rate = self.effects * viral * mean_day[:, None]
        inter = _interaction(self.scenario, self.days)
        return rate if inter is None else rate * inter

    def _index(self, day: int, slot: str, group: int | None) -> tuple[int, int, int]:
        if not 0 <= day < self.days:
            raise IndexError(f"day {day} outside 0..{self.days - 1}")
        if self._split != (group is not None):
            raise ValueError("split designs need a group, rotation designs none")
        if group is not None and not 0 <= group < len(self.slots):
            raise IndexError(f"group {group} outside 0..{len(self.slots) - 1}")
        return int(day), self.slots.index(slot), 0 if group is None else int(group)

    def push(self, day: int, slot: str, group: int | None = None) -> dict[str, Any]:
        """The push of ``day`` at ``slot`` (to ``group`` in split designs); same row every call.

        Any slot on any day ``0 .. days - 1``, whatever the design (no ``propensity``: the
        caller chose).
        """
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
        """The study's push table following the scenario's own schedule.

        Adaptive designs add ``propensity``: the probability with which that day's slot was
        chosen, given the pushes before it.
        """
        frame = self._frame(self._day, self._slot, self._group)
        if self.allocation_probs is not None:
            frame["propensity"] = self.allocation_probs[self._day, self._slot]
        return frame

    def potential_outcomes(self) -> pd.DataFrame:
        """Every push the world could produce: all days x slots (x groups), as ``run()`` rows
        (without ``propensity``)."""
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

_WEEKDAY2 = tuple(2 * w for w in WEEKDAY)  # a weekday effect strong enough to matter
_RARE = (0.4, 0.3, 0.15, 0.1, 0.05)
_SPECS.update(
    {
        "null_rare_noisy": dict(
            note="Randomised 100 d, allocation 40/30/15/10/5%; log-normal sd 0.3; the two rarest "
            "slots' total log-scale sd x1.5 and x2 (0.45, 0.6).",
            days=100,
            allocation=_RARE,
            slot_sd=_total_to_extra((0.3, 0.3, 0.3, 0.45, 0.6), 0.3),
        ),
        "null_rare_mild": dict(
            note="Randomised 100 d, allocation 40/30/15/10/5%; log-normal sd 0.3; the two rarest "
            "slots' total log-scale sd x1.25 and x1.5 (0.375, 0.45).",
            days=100,
            allocation=_RARE,
            slot_sd=_total_to_extra((0.3, 0.3, 0.3, 0.375, 0.45), 0.3),
        ),
        "null_randomized_viral": dict(
            note="Randomised 70 d; i.i.d. log-normal sd 0.25; 5% of days go viral (x U(2, 4)).",
            quality_sd=0.25,
            viral_prob=0.05,
        ),
        "null_fixed_order_weekday": dict(
            note="Blocked 10 d x 2 in the same slot order both cycles; weekday effect x2 (each "
            "stretch its own weekday mix); i.i.d. log-normal sd 0.3.",
            design="blocked",
            days_per_slot=10,
            rounds=2,
            order="fixed",
            weekday=_WEEKDAY2,
        ),
        "power_blocked_30_iid": dict(
            note="Blocked 7 d x 2; 22:30 +30%; i.i.d. log-normal sd 0.3 (rho 0).",
            effects=_one_better("22:30", 0.30),
            **_BLOCKED,
        ),
        "null_thompson_log": dict(
            note="Thompson-sampled 120 d (propensities logged); i.i.d. log-normal sd 0.3.",
            design="thompson",
            days=120,
        ),
        "power_thompson_20": dict(
            note="Thompson-sampled 120 d (propensities logged); 22:30 +20%; i.i.d. log-normal sd 0.3.",
            design="thompson",
            days=120,
            effects=_one_better("22:30", 0.20),
        ),
        "random_effects_randomized": dict(
            note="Randomised 70 d; each world draws its slot effects, log-normal sd 0.1; i.i.d. "
            "log-normal quality sd 0.3.",
            effects_sd=0.1,
        ),
        "random_effects_blocked": dict(
            note="Blocked 7 d x 2; each world draws its slot effects, log-normal sd 0.1; "
            "log-normal AR(1) rho 0.5.",
            effects_sd=0.1,
            rho=0.5,
            **_BLOCKED,
        ),
        "stable_operate_365": dict(
            note="Operating 365 d at 12:00 (epsilon 0.2 elsewhere, propensities logged); 12:00 "
            "+20% throughout (no change: false alarms); base rate 0.055.",
            design="operate",
            days=365,
            current="12:00",
            effects=_one_better("12:00", 0.20),
            base_rate=0.055,
        ),
        "shift_operate_30": dict(
            note="Operating 365 d at 12:00 (epsilon 0.2); 12:00 +20% until day 239; from day 240 "
            "21:00 is 1.56 = 30% above 12:00's 1.2; base rate 0.055.",
            design="operate",
            days=365,
            current="12:00",
            effects=_one_better("12:00", 0.20),
            effects_after=tuple({"12:00": 1.2, "21:00": 1.2 * 1.3}.get(s, 1.0) for s in SLOTS),
            change_day=240,
            base_rate=0.055,
        ),
        "drop_operate_30": dict(
            note="Operating 365 d at 12:00 (epsilon 0.2); 12:00 +20% until day 239; from day 240 "
            "12:00 falls 30% to 0.84, below the others (18:00 1.05 becomes the best); base rate 0.06.",
            design="operate",
            days=365,
            current="12:00",
            effects=_one_better("12:00", 0.20),
            effects_after=tuple({"12:00": 0.84, "18:00": 1.05}.get(s, 1.0) for s in SLOTS),
            change_day=240,
            base_rate=0.06,
        ),
        "rise_operate_30": dict(
            note="Operating 365 d at 12:00 (epsilon 0.2); 12:00 +20% until day 239; from day 240 "
            "12:00 rises 30% to 1.56; base rate 0.055.",
            design="operate",
            days=365,
            current="12:00",
            effects=_one_better("12:00", 0.20),
            effects_after=tuple(1.56 if s == "12:00" else 1.0 for s in SLOTS),
            change_day=240,
            base_rate=0.055,
        ),
        "drift_randomized_120": dict(
            note="Randomised 120 d; 12:00 +20% on days 0-59, 21:00 +20% from day 60 (step); i.i.d. "
            "log-normal sd 0.3.",
            days=120,
            effects=_one_better("12:00", 0.20),
            effects_after=_one_better("21:00", 0.20),
            change_day=60,
        ),
        "null_follow": dict(
            note="Randomised 120 d, all slots equal; for schedules chosen by the caller "
            "(World.push(day, slot)); i.i.d. log-normal sd 0.3.",
            days=120,
        ),
        "follow_20": dict(
            note="Randomised 120 d; 18:00 +20%; for schedules chosen by the caller; i.i.d. "
            "log-normal sd 0.3.",
            days=120,
            effects=_one_better("18:00", 0.20),
        ),
        "null_weekday_same": dict(
            note="Randomised 140 d; weekday effect x2, no slot x weekday interaction; i.i.d. "
            "log-normal sd 0.3.",
            days=140,
            weekday=_WEEKDAY2,
        ),
        "weekday_same_25": dict(
            note="Randomised 140 d; weekday effect x2; 12:00 +25% on every day (no interaction).",
            days=140,
            weekday=_WEEKDAY2,
            effects=_one_better("12:00", 0.25),
        ),
        "weekday_differs": dict(
            note="Randomised 140 d; weekday effect x2; 12:00 x1.25 Mon-Fri, 21:00 x1.25 Sat-Sun.",
            days=140,
            weekday=_WEEKDAY2,
            slot_weekday=tuple(_one_better("12:00" if w < 5 else "21:00", 0.25) for w in range(7)),
        ),
    }
)

SCENARIOS: dict[str, Scenario] = {name: Scenario(name=name, **spec) for name, spec in _SPECS.items()}
