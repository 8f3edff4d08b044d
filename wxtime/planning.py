"""Planning a push-time test: how long it must run, and the schedule to follow.

The planner matches the decision
--------------------------------
A plan promises power for *the decision wxtime will actually take* at the end
(:func:`wxtime.rule.apply_rule`): the leader must beat every other slot in its t
test, every slot needs two units and the residual three degrees of freedom. A
textbook two-sample formula ignores that the leader must beat *every* rival and
over-promises. :func:`plan_study` therefore *simulates* that rule on the
study's own unit-level model: unit means ``N(theta_k, sigma^2 / n)`` and a
residual variance on its degrees of freedom, with the account's own
``sigma^2`` (the variance of one unit: one push in a randomised rotation, one
stretch in a blocked one, one day of a split test). The scenario is the
hardest one for a given lift: one slot better by ``lift``, every other slot
equal to the runner-up.

The planned numbers rest on the variance estimated so far; with few degrees
of freedom behind it (fewer than 20) the plan says it is rough.

Schedules: :func:`make_schedule` writes the next days of a deliberate test as a
randomised, weekday-balanced rotation (daily or in stretches) or a split by tag
groups (:func:`wxtime.nextstep.design_schedule` turns it into a next step with its
CSV and calendar).

Group-sequential boundaries for daily looks at a running test live in
:mod:`wxtime.sequential` (:func:`group_sequential_boundaries` is re-exported here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _stats
from .errors import InputError
from .sequential import Boundaries, group_sequential_boundaries

__all__ = [
    "Boundaries",
    "Plan",
    "decision_power",
    "design_options",
    "group_sequential_boundaries",
    "make_schedule",
    "plan_split",
    "plan_study",
]

ROUGH_PLAN_DF = 20  # a variance on 20 df has a 95% range spanning a factor of 3.6 (chi2)
#: Days a stretch lasts in a blocked design the planner proposes.
STRETCH_DAYS = 7


def _check_rates(baseline: float, lift: float) -> float:
    """The treated rate, after checking that both rates are proportions and differ."""
    treated = baseline * (1 + lift)
    if not 0 < baseline < 1:
        raise InputError(f"baseline must be a rate between 0 and 1, not {baseline!r}")
    if not 0 < treated < 1:
        raise InputError(f"baseline x (1 + lift) = {treated:.4g} is not a rate between 0 and 1")
    if lift == 0:
        raise InputError("lift must not be 0: no test can detect no difference")
    return treated


def _z(alpha: float, power: float, comparisons: int) -> float:
    return _stats.norm_ppf(1 - alpha / (2 * comparisons)) + _stats.norm_ppf(power)


def _residual_df(design: str, slots: int, units: int) -> int:
    return (units - 1) * (slots - 1) if design == "split" else slots * (units - 1)


def decision_power(
    units: int,
    *,
    slots: int,
    effect: float,
    variance: float,
    design: str = "randomized",
    alpha: float = 0.05,
    n_sim: int = 4000,
    seed=0,
) -> float:
    """Probability that wxtime's decision names the better slot as the winner.

    Simulates the decision rule (:func:`wxtime.rule.apply_rule`) on a balanced study
    with ``units`` units per slot: one slot better by ``effect`` on the logit scale, the
    others equal; unit means with variance ``variance``; pooled-variance t tests of the
    leader against each other slot.

    Examples
    --------
    >>> round(decision_power(20, slots=2, effect=0.3, variance=0.09), 2)
    0.86
    >>> decision_power(1, slots=5, effect=0.3, variance=0.09)
    0.0
    """
    from .rule import MIN_DF, MIN_UNITS_PER_SLOT, apply_rule

    df = _residual_df(design, slots, units)
    if units < MIN_UNITS_PER_SLOT or df < MIN_DF:
        return 0.0
    rng = np.random.default_rng(seed)
    theta = np.zeros(slots)
    theta[0] = effect
    est = theta + np.sqrt(variance / units) * rng.standard_normal((n_sim, slots))
    s2 = variance * rng.chisquare(df, n_sim) / df
    outcome = apply_rule(est, (s2 / units)[:, None], df, units, residual_df=df, level=alpha, pooled=True)
    return float(np.mean(outcome.winner & (outcome.leader == 0)))


@dataclass
class Plan:
    """How many more units a study needs for the decision to find a lift with the target power.

    Attributes
    ----------
    summary : DataFrame
        Power curve: ``units_per_slot, days, power``.
    units_needed, units_so_far, more_units : int or None
        Units per slot (pushes, stretches or days); None when out of reach.
    days_needed, more_days : int or None
        Calendar days for the whole study / from now (one push a day).
    lift, baseline, power, alpha
    design, unit_kind, stretch_days, slots
    variance, variance_df, rough
        The unit variance (logit scale) the plan rests on, its df, and whether
        that is under 20 df.
    seed, n_sim
    """

    summary: pd.DataFrame
    units_needed: int | None
    units_so_far: int
    more_units: int | None
    days_needed: int | None
    more_days: int | None
    lift: float
    baseline: float
    power: float
    alpha: float
    design: str
    unit_kind: str
    stretch_days: int
    slots: list
    variance: float
    variance_df: float
    rough: bool
    seed: int
    n_sim: int
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        keys = (
            "units_needed units_so_far more_units days_needed more_days lift baseline power alpha design "
            "unit_kind stretch_days slots variance variance_df rough seed n_sim notes"
        ).split()
        return {key: getattr(self, key) for key in keys}

    def plot(self, ax=None, lang: str = "en"):
        """Power by study length."""
        from .plots import plot_power_curve

        return plot_power_curve(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        from ._display import frame_html

        return frame_html(self.summary, caption=f"power to find a {self.lift:.0%} lift; seed {self.seed}")


def _days_for(units: int, design: str, slots: int, stretch_days: int) -> int:
    if design == "split":
        return units
    return units * slots * (stretch_days if design == "blocked" else 1)


def plan_study(
    model,
    *,
    lift: float | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    max_units: int = 400,
    n_sim: int = 4000,
    seed: int = 0,
) -> Plan:
    """Units per slot the study needs so that the decision finds ``lift`` with ``power``.

    Parameters
    ----------
    model : SlotModel
        The study so far (:func:`wxtime.models.fit_slot_model`): its design, slots,
        unit variance and current rates.
    lift : float, optional
        Relative lift of the best slot over the others to detect; default the
        posterior's current lift of the leader over the runner-up.
    power, alpha : float
    max_units : int
        Largest number of units per slot considered; beyond it the plan says the
        lift is out of reach.
    n_sim, seed : int
        Simulated studies per candidate length, and their seed (echoed).

    Returns
    -------
    Plan

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> from wxtime.models import fit_slot_model
    >>> plan = plan_study(fit_slot_model(load_noon_study()), lift=0.2, n_sim=2000)
    >>> plan.unit_kind, plan.stretch_days, plan.units_needed > plan.units_so_far
    ('stretch', 7, True)
    """
    from .posterior import slot_posterior

    c = model.counts
    K = c.n_slots
    order = np.argsort(-model.theta)
    baseline_theta = model.theta[order[1]]

    def rate(theta):  # the runner-up's mean rate at slot effect theta
        return float(model.rate(np.asarray(theta, float), slot=int(order[1])))

    baseline = rate(baseline_theta)
    if lift is None:
        lift = slot_posterior(model, n_draws=2000, seed=seed).lift["mean"]
    if not np.isfinite(lift) or lift <= 0.005:
        raise InputError(f"a plan needs a positive lift to detect (got {lift:.3g})")
    _check_rates(baseline, lift)
    effect = _stats.root_bracket(
        lambda d: rate(baseline_theta + d) / baseline - 1 - lift, 0.0, 10.0, xtol=1e-8
    )
    variance = (
        float(model.scale)
        if model.variance_model == "pooled"
        else float(np.mean(model.slot_var * c.units_per_slot))
    )
    stretch = round(float(np.median(model.units["pushes"]))) if c.design == "blocked" else 1
    have = int(c.units_per_slot.min())

    def power_at(units):
        return decision_power(
            units,
            slots=K,
            effect=effect,
            variance=variance,
            design=c.design,
            alpha=alpha,
            n_sim=n_sim,
            seed=seed,
        )

    curve, needed = [], None
    units = 2
    while units <= max_units:  # doubling, then bisection
        value = power_at(units)
        curve.append((units, value))
        if value >= power:
            low = units // 2 if units > 2 else 1
            while units - low > 1:
                middle = (low + units) // 2
                value_mid = power_at(middle)
                curve.append((middle, value_mid))
                if value_mid >= power:
                    units = middle
                else:
                    low = middle
            needed = units
            break
        units *= 2
    table = pd.DataFrame(sorted(set(curve)), columns=["units_per_slot", "power"])
    table.insert(1, "days", [_days_for(u, c.design, K, stretch) for u in table["units_per_slot"]])
    notes = ["planned for one slot better by the lift and every other slot equal (the hardest case)"]
    rough = model.df < ROUGH_PLAN_DF
    if rough:
        notes.append(f"rough: the variance behind it rests on {model.df:g} degrees of freedom")
    more = None if needed is None else max(needed - have, 0)
    return Plan(
        summary=table,
        units_needed=needed,
        units_so_far=have,
        more_units=more,
        days_needed=None if needed is None else _days_for(needed, c.design, K, stretch),
        more_days=None if more is None else _days_for(more, c.design, K, stretch),
        lift=float(lift),
        baseline=baseline,
        power=power,
        alpha=alpha,
        design=c.design,
        unit_kind=c.unit_kind,
        stretch_days=stretch,
        slots=list(c.slots),
        variance=variance,
        variance_df=float(model.df),
        rough=bool(rough),
        seed=seed,
        n_sim=n_sim,
        notes=notes,
    )


def _units_for(power_at, target: float, max_units: int) -> int | None:
    """Smallest units per slot reaching ``target`` power (doubling, then bisection), or None."""
    units, low = 2, 1
    while units <= max_units:
        if power_at(units) >= target:
            while units - low > 1:
                middle = (low + units) // 2
                if power_at(middle) >= target:
                    units = middle
                else:
                    low = middle
            return units
        low, units = units, units * 2
    return None


def design_options(
    model, *, lift: float, power: float = 0.8, alpha: float = 0.05, n_sim: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Days each way of continuing would need for the decision to find ``lift`` with ``power``.

    * ``continue``: the current design on all slots (:func:`plan_study`);
    * ``randomized``: a daily randomised rotation between the two leading slots,
      each push's variance being the account's push-to-push variance (article
      plus stretch-to-stretch plus binomial, on the logit scale);
    * ``blocked``: stretches of :data:`STRETCH_DAYS` days between the two leaders, in a
      random order (the stretch is the unit: its variance is the stretch-to-stretch one plus
      the pushes' own over the stretch);
    * ``split``: a split test between the two leaders (the same article to two
      random tag groups, one per slot, every day): only binomial noise of half
      the audience remains (assuming the slot effect is the same for every
      article; the report says so).

    Returns ``design, slots, units_per_slot, days, note`` (days None when out of reach).
    """
    c = model.counts
    order = np.argsort(-model.theta)
    leaders = [c.slots[order[0]], c.slots[order[1]]]
    effect = float(np.log1p(lift))
    comp = model.components
    push_var = float(np.nansum([comp.get("article", 0.0), comp.get("unit", 0.0)])) + comp["binomial"]
    if c.design == "split" or not np.isfinite(push_var) or push_var <= comp["binomial"]:
        push_var = max(float(model.scale), comp["binomial"])
    rows = []
    try:
        plan = plan_study(model, lift=lift, power=power, alpha=alpha, n_sim=n_sim, seed=seed)
        rows.append(("continue", list(c.slots), plan.units_needed, plan.more_days, plan.design))
    except ValueError:
        pass
    # A stretch of STRETCH_DAYS pushes: its mean carries the stretch-to-stretch variance plus
    # the pushes' own over the stretch (no stretch variance is known from a daily rotation: then
    # optimistic, and said in the note).
    article = float(np.nan_to_num(comp.get("article", np.nan), nan=max(push_var - comp["binomial"], 0.0)))
    stretch_var = float(np.nan_to_num(comp.get("unit", 0.0))) + (article + comp["binomial"]) / STRETCH_DAYS
    options = (
        [("randomized", push_var), ("blocked", stretch_var), ("split", comp["binomial"] * 2)]
        if c.design != "split"
        else []
    )
    for design, variance in options:

        def power_at(units, design=design, variance=variance):
            return decision_power(
                units,
                slots=2,
                effect=effect,
                variance=variance,
                design=design,
                alpha=alpha,
                n_sim=n_sim,
                seed=seed,
            )

        units = _units_for(power_at, power, 512)
        days = None if units is None else _days_for(units, design, 2, STRETCH_DAYS)
        rows.append((design, leaders, units, days, design))
    table = pd.DataFrame(rows, columns=["design", "slots", "units_per_slot", "days", "note"])
    table["note"] = table["design"].map(
        {
            "continue": "the current design, every slot",
            "randomized": "a daily randomised rotation between the two leaders",
            "blocked": f"stretches of {STRETCH_DAYS} days between the two leaders, in random order",
            "split": "a split test between the two leaders (same article, two random tag groups)",
        }
    )
    return table


# -- schedules -------------------------------------------------------------------------
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def make_schedule(
    slots,
    days: int,
    *,
    design: str = "randomized",
    start=None,
    stretch_days: int = 7,
    groups=None,
    seed: int = 0,
) -> pd.DataFrame:
    """The next ``days`` days of a study as a table an operator can follow.

    * ``"randomized"``: one slot a day, drawn so that each slot gets each weekday
      equally often (for every weekday, its dates cycle through a fresh random
      order of the slots).
    * ``"blocked"``: stretches of ``stretch_days`` days, the slots in a fresh
      random order each round, never the same slot twice in a row.
    * ``"split"``: every day, each follower group (tag) at its own slot
      (``groups``: names, default A, B, ...).

    Returns ``date, weekday, slot`` (and ``group`` for a split), one row per push.

    Examples
    --------
    >>> plan = make_schedule(["12:00", "21:00"], 14, start="2024-09-02", seed=1)
    >>> plan.groupby("slot").size().tolist()
    [7, 7]
    >>> int(plan.groupby(["slot", "weekday"]).size().max())
    1
    """
    slots = [str(s) for s in slots]
    if len(slots) < 2:
        raise InputError("a schedule compares at least two slots")
    if days < 1:
        raise InputError(f"days must be at least 1, not {days}")
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start) if start is not None else pd.Timestamp(dt.date.today() + dt.timedelta(days=1))
    dates = pd.date_range(first.normalize(), periods=days, freq="D")
    if design == "split":
        names = list(groups) if groups else [chr(ord("A") + i) for i in range(len(slots))]
        if len(names) != len(slots):
            raise InputError(f"{len(names)} groups for {len(slots)} slots: give one group per slot")
        rows = [(d, g, s) for d in dates for g, s in zip(names, slots)]
        table = pd.DataFrame(rows, columns=["date", "group", "slot"])
    elif design == "blocked":
        order: list[str] = []
        while len(order) * stretch_days < days:
            round_ = list(rng.permutation(slots))
            if order and round_[0] == order[-1]:
                round_ = round_[1:] + round_[:1]
            order += round_
        table = pd.DataFrame({"date": dates, "slot": [order[i // stretch_days] for i in range(days)]})
    elif design == "randomized":
        assigned = np.empty(days, dtype=object)
        for weekday in range(7):
            idx = np.flatnonzero(dates.day_of_week == weekday)
            cycle: list[str] = []
            while len(cycle) < len(idx):
                cycle += list(rng.permutation(slots))
            assigned[idx] = cycle[: len(idx)]
        table = pd.DataFrame({"date": dates, "slot": assigned})
    else:
        raise InputError(f"design must be randomized, blocked or split, not {design!r}")
    table.insert(1, "weekday", [WEEKDAYS[d] for d in pd.DatetimeIndex(table["date"]).day_of_week])
    table["date"] = pd.DatetimeIndex(table["date"]).strftime("%Y-%m-%d")
    return table


def plan_split(
    baseline: float,
    lift: float,
    *,
    days: int,
    interaction_sd: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    comparisons: int = 1,
) -> dict:
    """Followers per group for a split-audience test lasting ``days`` days.

    Within a day both groups read the same article, so the day's content
    cancels; what is left per day is binomial noise ``2 p (1-p) / m`` for
    ``m`` deliveries per group plus ``2 * interaction_sd^2`` if the slot
    effect varies with the article.

    Examples
    --------
    >>> plan = plan_split(0.065, 0.20, days=7)
    >>> plan["followers_per_group"]
    881
    """
    treated = _check_rates(baseline, lift)
    difference = treated - baseline
    z = _z(alpha, power, comparisons)
    budget = days * difference**2 / z**2 - 2 * interaction_sd**2
    if budget <= 0:
        return {
            "followers_per_group": None,
            "days": days,
            "note": "not reachable: slot x content interaction too large",
        }
    p_bar = (baseline + treated) / 2
    followers = int(np.ceil(2 * p_bar * (1 - p_bar) / budget))
    return {"followers_per_group": followers, "days": days, "difference": float(difference)}
