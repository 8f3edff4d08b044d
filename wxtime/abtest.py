"""A/B analysis of push slots: the test that fits the design, on the unit that was randomised.

Is 12:00 really better than 21:00? Every test here runs on the
:class:`wxtime.models.SlotModel`, i.e. on the **unit that was randomised**:

==========  ==============================  =========================================
design      unit                            recommended test
==========  ==============================  =========================================
randomized  the push                        one-way test of push logits by slot
blocked     the stretch of days on a slot   the same, on stretch means
split       the day (groups within it)      slot effects within days (days absorbed)
==========  ==============================  =========================================

The omnibus test ("do the slots differ at all?") is a permutation test over the
units (rotations): of Welch's heteroscedastic F with each slot's own variance when
every slot has at least five units, else of the ANOVA F; its p-value is the larger of
the permutation p and the F reference p, so a small permutation budget never makes it
liberal. Split designs use a Wald F on the slot effects within days; logged adaptive
allocation uses the parametric F on the weighted model. Pairwise comparisons of the
leader with each other slot are t tests (pooled df, or Welch-Satterthwaite df on
moderated variances, :func:`wxtime.models.moderated_variances`).

Assumptions, stated
-------------------
* The slot of each unit was assigned without regard to its content: at random
  (randomised rotation, random stretch order, random groups), or in an order
  that is unrelated to how content drifts. A fixed-order rotation that
  coincides with a trend is *not* protected; the health checks report trends.
* Units are independent given their slots. Within a stretch, days may be
  arbitrarily correlated (drifting topics); between stretches, correlation
  should be weak (stretches of a week or more).
* Unit means are roughly normal on the logit scale (viral pushes are softened
  by the logit and by averaging over a stretch); the A/A calibration in
  ``benchmarks/calibration.py`` shows the error rates on worlds that break this.
* A slot tried in a single stretch is confounded with its time: such a study
  never declares a winner, and with one stretch per slot no test is possible.

The decision (:func:`decision_rule`) is :func:`wxtime.rule.apply_rule`: ``"winner"``
only when every slot was tried in at least two units, the residual has at least three
degrees of freedom, and the leader (the Bayes choice of :mod:`wxtime.posterior`) beats
every other slot in its own t test at ``alpha`` (an intersection-union test: no
multiplicity adjustment is needed for the claim "the leader beats all", Berger 1982).
The omnibus test is reported, not used as a gate.

Cross-checks (never used for the decision): the F test on its reference
distribution (rotations), the Cochran-Mantel-Haenszel test and the Breslow-Day test of
slot x day heterogeneity (split designs), and on request the reader-level
z-test, which treats readers of one push as independent (invalid for a
rotation; shown only to make that point).

References
----------
* Welch, B. L. (1951). *Biometrika* 38, 330-336.
* Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling.
  *Technometrics* 24(4), 295-300.
* Holm, S. (1979). A simple sequentially rejective multiple test procedure.
  *Scandinavian Journal of Statistics* 6, 65-70 (the cross-checks).
* Benjamini, Y. & Hochberg, Y. (1995). *JRSS B* 57, 289-300.
* Brown, M. B. & Forsythe, A. B. (1974). Robust tests for the equality of
  variances. *JASA* 69, 364-367.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from . import _stats
from ._display import frame_html
from .counts import Counts, counts, detect_design, slot_order
from .errors import InputError
from .models import SlotModel, fit_slot_model
from .posterior import SlotPosterior, slot_posterior
from .rule import MIN_UNITS_PER_SLOT

__all__ = [
    "ABResult",
    "aa_study",
    "adjust_pvalues",
    "change_check",
    "compare_slots",
    "decision_rule",
    "detect_design",
    "health_checks",
    "omnibus_test",
    "pairwise_tests",
    "permutation_test",
    "sequential_monitor",
    "weekend_check",
]

#: The permutation cross-check draws at most this many unit labels (see :func:`permutation_test`).
PERMUTATION_DRAWS = 20_000_000


def adjust_pvalues(p_values, method: str = "holm") -> np.ndarray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values.

    Same results as ``statsmodels.stats.multitest.multipletests`` (checked in
    the tests), without its per-call overhead.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method in ("bh", "fdr_bh"):
        adjusted = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:
        raise ValueError("method must be 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


# -- tests on the slot model ---------------------------------------------------------
def _pooled_f(theta, cov, scale, df):
    """Wald F of all slots equal, with the pooled variance: ANOVA F for a one-way model."""
    K = len(theta)
    L = np.eye(K)[1:] - np.eye(K)[0]
    d = L @ theta
    middle = L @ cov @ L.T
    statistic = float(d @ np.linalg.solve(middle, d) / ((K - 1) * scale))
    return statistic, float(K - 1), float(df)


def _welch_f(theta, slot_var, slot_df):
    """Welch's (1951) heteroscedastic F with given variances of the slot means and their df."""
    K = len(theta)
    w = 1 / slot_var
    centre = np.sum(w * theta) / w.sum()
    between = np.sum(w * (theta - centre) ** 2) / (K - 1)
    lam = np.sum((1 - w / w.sum()) ** 2 / slot_df)
    statistic = between / (1 + 2 * (K - 2) * lam / (K**2 - 1))
    return float(statistic), float(K - 1), float((K**2 - 1) / (3 * lam))


def _parametric_omnibus(model: SlotModel) -> dict:
    """The omnibus statistic on its F reference distribution: the Wald F with day effects
    absorbed (split tests), the F on the stabilised estimates (adaptive allocation), else the
    rotation's statistic (:func:`_permutation_statistic`: Welch's F or the pooled F)."""
    from .models import adaptive_weights

    if model.design == "split" or adaptive_weights(model.counts) is not None:
        statistic, df1, df2 = _pooled_f(model.theta, model.cov, model.scale, model.df)
        name = "wald_f" if model.design == "split" else "anova_f"
    else:
        statistic_of = _permutation_statistic(model, with_df=True)
        value, df2 = statistic_of(model.counts.unit_slot[None, :])
        statistic, df1, df2 = float(value[0]), float(model.counts.n_slots - 1), float(df2[0])
        name = "welch_f" if _studentised(model) else "anova_f"
    return {
        "name": name,
        "statistic": statistic,
        "df1": df1,
        "df2": df2,
        "p_value": float(_stats.f_sf(statistic, df1, df2)),
        "n_permutations": 0,
    }


def omnibus_test(
    model: SlotModel,
    *,
    n_permutations: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    max_draws: int | None = PERMUTATION_DRAWS,
) -> dict:
    """Test that every slot has the same mean rate, on the model's units.

    Rotations: a permutation test over the randomised units (pushes, or whole stretches)
    of the model's own statistic, the ANOVA F with one pooled variance or, with
    slot-specific (moderated) variances, Welch's heteroscedastic F of the slots' mean
    rates. Permuting a studentised statistic keeps the test exact when slots do not
    matter at all and valid for equal means with unequal noise and allocation (Chung &
    Romano 2013); the F reference distributions alone are not robust to both heavy
    tails and unequal noise. Split tests (slots within days) use the Wald F with day
    effects absorbed; data whose slots were drawn with changing logged probabilities
    (a bandit) use the F test on the stabilised estimates (permuting would ignore the
    allocation); ``n_permutations=0``, or a study over the permutation budget, uses the
    F reference distribution. When permuted, the p-value is the larger of the permutation
    p-value and the F reference's: in the calibration worlds each alone exceeded its level
    somewhere (the F reference with viral days, the permutation with small, unequally noisy
    slots), and a test that needs both to reject has at most the smaller error of the two.

    Returns ``{"name", "statistic", "df1", "df2", "p_value", "n_permutations"}``; NaN
    when the model has no residual df.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> from wxtime.models import fit_slot_model
    >>> test = omnibus_test(fit_slot_model(load_noon_study()), n_permutations=500)
    >>> test["name"], test["df1"], test["df2"]
    ('permutation_f', 4.0, 5.0)
    """
    from .models import adaptive_weights

    nan = {"statistic": np.nan, "df1": np.nan, "df2": np.nan, "p_value": np.nan, "n_permutations": 0}
    if not model.df > 0 or not model.scale > 0:
        return {"name": "anova_f", **nan}
    parametric = _parametric_omnibus(model)
    if model.design == "split" or not n_permutations or adaptive_weights(model.counts) is not None:
        return parametric
    perm = permutation_test(model, n_permutations=n_permutations, seed=seed, alpha=alpha, max_draws=max_draws)
    if perm is None:
        return parametric
    # The larger of the two p-values: the permutation distribution guards against heavy tails
    # (viral days), the F reference against small, unequally noisy slots; the test rejects only
    # when both do, so its error rate is at most the smaller of theirs.
    return {
        "name": "permutation_welch" if _studentised(model) else "permutation_f",
        "statistic": perm["statistic"],
        "df1": parametric["df1"],
        "df2": parametric["df2"],
        "p_value": max(perm["p_value"], parametric["p_value"]),
        "p_permutation": perm["p_value"],
        "p_reference": parametric["p_value"],
        "n_permutations": perm["n_permutations"],
    }


def pairwise_tests(model: SlotModel, reference: str, *, level: float = 0.95) -> pd.DataFrame:
    """Each slot against ``reference``: differences, lifts, t tests, Holm and BH.

    The test is on the logit scale (``estimate_logit``, ``se_logit``, ``df``); the
    difference and lift are on the rate scale, their intervals the images of the
    logit interval (so an interval excludes 0 exactly when the test rejects).

    Returns
    -------
    DataFrame
        ``slot, reference, rival_units, reference_units, rate, reference_rate,
        difference, diff_low, diff_high, lift, lift_low, lift_high,
        estimate_logit, se_logit, df, p_value, p_holm, p_bh``.
    """
    from .rule import pairwise_t

    slots = model.slots
    if reference not in slots:
        raise InputError(f"reference slot {reference!r} is not in the data (slots: {', '.join(slots)})")
    r = slots.index(reference)
    units = model.counts.units_per_slot
    location = model.mean_logit
    ref_rate = float(special.expit(location[r]))
    others = [s for s in range(len(slots)) if s != r]
    estimate_, variance, slot_df, pooled, cov = model.rule_inputs()
    difference, se, df, p = (
        x[0, others]
        for x in pairwise_t(
            estimate_, variance, slot_df, r, pooled_df=[model.df] if pooled else None, cov=cov
        )
    )
    estimate = -difference  # rival minus reference
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(df > 0, special.stdtrit(np.maximum(df, 1e-9), 0.5 + level / 2), np.nan)
        rate, low, high = (
            special.expit(location[r] + x) for x in (estimate, estimate - q * se, estimate + q * se)
        )
    table = pd.DataFrame(
        {
            "slot": [slots[s] for s in others],
            "reference": reference,
            "rival_units": units[others].astype(int),
            "reference_units": int(units[r]),
            "rate": rate,
            "reference_rate": ref_rate,
            "difference": rate - ref_rate,
            "diff_low": low - ref_rate,
            "diff_high": high - ref_rate,
            "lift": rate / ref_rate - 1,
            "lift_low": low / ref_rate - 1,
            "lift_high": high / ref_rate - 1,
            "estimate_logit": estimate,
            "se_logit": se,
            "df": df,
            "p_value": p,
        }
    )
    ok = np.isfinite(p)
    table["p_holm"] = np.nan
    table["p_bh"] = np.nan
    if ok.any():
        table.loc[ok, "p_holm"] = adjust_pvalues(p[ok], "holm")
        table.loc[ok, "p_bh"] = adjust_pvalues(p[ok], "bh")
    return table


def _decided(exceed: int, done: int, alpha: float) -> bool:
    """Whether more permutations could still move p across ``alpha`` (or 0.2): a 99.9%
    Clopper-Pearson interval for the permutation p-value that excludes both."""
    low = _stats.beta_ppf(0.0005, exceed, done - exceed + 1) if exceed else 0.0
    high = _stats.beta_ppf(0.9995, exceed + 1, done - exceed) if exceed < done else 1.0
    return bool(high < alpha or low > max(alpha, 0.2))


def _studentised(model: SlotModel) -> bool:
    """Whether the omnibus statistic is Welch's (every slot's own variance, on at least
    :data:`wxtime.models.MIN_OWN_DF` df) rather than the pooled F."""
    from .models import MIN_OWN_DF

    c = model.counts
    return model.design != "split" and c.n_slots >= 2 and bool((c.units_per_slot - 1 >= MIN_OWN_DF).all())


def _permutation_statistic(model: SlotModel, *, with_df: bool = False):
    """The omnibus statistic as a function of unit labels ``(P, J) -> (P,)`` (with
    ``with_df``, also its F reference df2).

    With enough units in every slot: Welch's F of the slots' mean rates, each slot with its
    own variance (not moderated: a permutation test of a fully studentised statistic is
    valid for equal means under unequal noise, Chung & Romano 2013, and exact when the
    slots do not matter at all, heavy tails included). Otherwise the pooled F.
    """
    value = model.units["value"].to_numpy()
    weight = model.units["weight"].to_numpy()
    K = model.counts.n_slots
    J = len(value)

    # A permutation keeps every slot's number of units: only weighted sums move.
    n = np.bincount(model.counts.unit_slot, minlength=K).astype(float)[None, :]
    columns = {"w": weight, "wy": weight * value, "wyy": weight * value**2, "inverse": 1 / weight}

    def sums(labels, *names):
        P = labels.shape[0]
        offset = (np.arange(P)[:, None] * K + labels).ravel()
        return tuple(
            np.bincount(offset, np.tile(columns[name], P), minlength=P * K).reshape(P, K) for name in names
        )

    def pooled_f(labels):
        wsum, wy = sums(labels, "w", "wy")
        means = wy / np.where(wsum > 0, wsum, 1)
        grand = np.sum(weight * value) / weight.sum()
        between = np.sum(wsum * (means - grand) ** 2, axis=1) / (K - 1)
        within = (np.sum(weight * value**2) - np.sum(wsum * means**2, axis=1)) / max(J - K, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistic = between / within
        return (statistic, np.full(len(statistic), float(J - K))) if with_df else statistic

    if not _studentised(model):
        return pooled_f

    nodes, node_weights = np.polynomial.hermite_e.hermegauss(24)
    node_weights = node_weights / node_weights.sum()

    def welch_f(labels):
        wsum, wy, wyy, inverse = sums(labels, "w", "wy", "wyy", "inverse")
        theta = wy / wsum
        own_df = n - 1
        own = np.maximum(wyy - wsum * theta**2, 1e-12) / own_df
        push_var = own * inverse / n
        sd = np.sqrt(push_var)
        # Each slot's mean rate (Cox: a noisier slot's mean push sits above its median one).
        rate = np.einsum("pkg,g->pk", special.expit(theta[..., None] + sd[..., None] * nodes), node_weights)
        location = special.logit(rate)
        variance = own / wsum + ((1 - 2 * rate) / 2) ** 2 * 2 * push_var**2 / own_df
        w = 1 / variance
        centre = np.sum(w * location, axis=1, keepdims=True) / w.sum(axis=1, keepdims=True)
        between = np.sum(w * (location - centre) ** 2, axis=1) / (K - 1)
        lam = np.sum((1 - w / w.sum(axis=1, keepdims=True)) ** 2 / own_df, axis=1)
        statistic = between / (1 + 2 * (K - 2) * lam / (K**2 - 1))
        return (statistic, (K**2 - 1) / (3 * lam)) if with_df else statistic

    return welch_f


def permutation_test(
    pushes,
    metric: str = "open",
    *,
    design: str = "auto",
    n_permutations: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    max_draws: int | None = PERMUTATION_DRAWS,
) -> dict | None:
    """Randomisation test that slot does not matter, permuting slots over the randomised units.

    Randomised rotation: slot labels are permuted over pushes; blocked rotation:
    over whole stretches (the unit that was assigned). The statistic is the model's:
    the pooled F of the weighted unit means, or, when the slots keep their own
    (moderated) variances, Welch's F of their mean rates, recomputed with the
    moderation for every permutation. Permutations run in
    chunks (at most ~2 million labels at a time, so memory stays bounded) and stop
    early, after at least 100, once a 99.9% Clopper-Pearson interval for the
    p-value lies wholly below ``alpha`` or wholly above 0.2: more permutations
    could not change the decision, only the digits.

    A permutation shuffles every unit, so its cost grows with the study: at most
    ``max_draws`` unit labels are drawn in all (20 million by default, about a second).
    A study so large that 100 permutations would exceed that (over 200,000 units) is
    not permuted (None is returned): at that size the permutation distribution of F
    is its F reference distribution to within Monte Carlo error (the units are
    exchangeable under the null and the central limit theorem holds for their slot
    means), so the check could not disagree with the test it checks.

    Returns ``{"statistic", "p_value", "n_permutations", "unit", "seed"}`` with
    ``p = (1 + #{F* >= F}) / (1 + permutations run)``. With a single unit per slot every
    permutation gives the same F and ``p`` is 1: such a design cannot be tested.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> result = permutation_test(load_noon_study(), n_permutations=500, seed=1)
    >>> result["unit"], result["n_permutations"] <= 500
    ('stretch', True)
    """
    model = pushes if isinstance(pushes, SlotModel) else fit_slot_model(pushes, metric, design=design)
    if model.design == "split":
        raise ValueError("a split design is tested within days (CMH); permutations are for rotations")
    if max_draws is not None:
        affordable = max_draws // max(len(model.units), 1)
        if affordable < 100:
            return None
        n_permutations = min(n_permutations, affordable)
    slot = model.counts.unit_slot
    f_statistic = _permutation_statistic(model)

    observed = float(f_statistic(slot[None, :])[0])
    rng = np.random.default_rng(seed)
    J = len(slot)
    # Chunks of at most ~2 million labels (16 MB an array), whatever the number of units.
    chunk = int(max(1, min(500, 2_000_000 // max(J, 1))))
    exceed, done = 0, 0
    while done < n_permutations:
        size = min(chunk, n_permutations - done)
        labels = rng.permuted(np.broadcast_to(slot, (size, J)), axis=1)  # O(J) shuffles, no sort
        exceed += int(np.sum(f_statistic(labels) >= observed - 1e-12))
        done += size
        if done >= 100 and _decided(exceed, done, alpha):
            break
    return {
        "statistic": observed,
        "p_value": float((1 + exceed) / (1 + done)),
        "n_permutations": done,
        "unit": model.counts.unit_kind,
        "seed": seed,
    }


def decision_rule(model: SlotModel, best: str, alpha: float):
    """The decision rule (:func:`wxtime.rule.apply_rule`) on a fitted model: ``(decision, reason)``.

    ``decision`` is ``"winner"``, ``"inconclusive"`` (keep learning) or
    ``"not_enough_data"``; ``reason`` a short code: ``winner``, ``no_residual_df``,
    ``single_unit_slots``, ``few_df``, ``best_not_ahead``, ``pairwise``.
    """
    from .rule import apply_rule

    estimate, variance, df, pooled, cov = model.rule_inputs()
    result = apply_rule(
        estimate,
        variance,
        df,
        model.counts.units_per_slot,
        residual_df=model.df,
        leader=model.slots.index(best),
        level=alpha,
        pooled=pooled,
        cov=cov,
    )
    return str(result.decision[0]), str(result.reason[0])


# -- health checks -----------------------------------------------------------------------
def _check(rows, check, status, variant, **values):
    """One health check: its code, status, the variant of its meaning, and the values behind it.

    ``detail`` and ``meaning`` are the catalogue's English (:mod:`wxtime.i18n`); the report
    renders the same keys in either language from ``variant`` and ``values``.
    """
    from .i18n import t

    rows.append(
        {
            "check": check,
            "status": status,
            "detail": t(f"check.{check}.detail", "en", **values),
            "meaning": t(f"check.{check}.{variant}", "en"),
            "variant": variant,
            "values": values,
        }
    )


def _fmt(value, digits=2) -> str:
    return f"{value:.{digits}g}" if abs(value) < 1e-3 else f"{value:.{digits}f}"


def _time_checks(rows, model: SlotModel) -> None:
    c = model.counts
    days = c.days_since_start()
    if days is None or c.n_rows < 8 or c.design == "split":
        return
    deviation = model.deviations
    r1 = float(np.corrcoef(deviation[:-1], deviation[1:])[0, 1]) if np.std(deviation) > 0 else 0.0
    high = r1 * np.sqrt(c.n_rows) > 2.58
    order = "cyclic" if c.design == "randomized" and c.fixed_order else c.design
    variant = f"{order}_{'high' if high else 'ok'}"
    _check(rows, "autocorrelation", "warn" if high else "ok", variant, r=f"{r1:.2f}")
    if order == "cyclic":
        _check(rows, "fixed_order", "warn", "warn", slots=", ".join(c.slots))
    slope, p = _stats.linregress_slope(days, deviation)
    drift = p < 0.01
    variant = "none" if not drift else ("fixed" if c.fixed_order else "random")
    _check(
        rows, "trend", "warn" if drift else "ok", variant, monthly=f"{np.expm1(30 * slope):+.1%}", p=_fmt(p)
    )


#: The change check's recent window (days) and its family-wise level.
CHANGE_WINDOW_DAYS = 56
CHANGE_LEVEL = 0.05


def change_check(model: SlotModel, *, window_days: int = CHANGE_WINDOW_DAYS, level: float = CHANGE_LEVEL):
    """Has any slot moved against the others in the last ``window_days`` days, in a way that
    could change the choice?

    For each slot with at least three pushes both in the window and before it, the change
    of its mean push logit, minus the inverse-variance weighted change of all such slots (an
    audience-wide rise or fall changes no choice), over its standard error from the pooled
    within-slot-and-period variance; t tests on that variance's df, Bonferroni over the
    slots at family-wise ``level``. When one slot had most of the window's pushes (the
    account's current slot), the tests look only where a change could alter the choice: a
    fall of that slot, a rise of the others (one-sided; a rise of the current slot or a fall
    of one it already beats changes nothing). Otherwise every test is two-sided.
    Push-level designs only (stretches are too few in a window), and only with at least
    ``window_days`` days of history before the window.

    Returns None when it cannot run, else a dict ``changed, slot, change, p, since, current``
    (``change`` relative, e.g. -0.25 = 25% lower against the others; ``p`` Bonferroni-adjusted;
    ``current`` the slot with most of the window's pushes, or None).

    Examples
    --------
    >>> import pandas as pd
    >>> from wxtime.io import validate
    >>> rng = np.random.default_rng(0)
    >>> days = pd.date_range("2024-01-01", periods=200)
    >>> slot = rng.choice(["07:30", "12:00", "21:00"], 200)
    >>> rate = np.where((slot == "21:00") & (days >= "2024-06-01"), 0.05, 0.07)
    >>> table = validate(pd.DataFrame({"sent_at": days.strftime("%Y-%m-%d ") + slot,
    ...     "delivered": 5000, "opened": rng.binomial(5000, rate)}))
    >>> out = change_check(fit_slot_model(table))
    >>> out["changed"], out["slot"], out["since"]
    (True, '21:00', '2024-05-24')
    """
    from .models import empirical_logit

    c = model.counts
    days = c.days_since_start()
    if days is None or c.unit_kind != "push" or c.n_slots < 2:
        return None
    days = np.asarray(days, float)
    last = float(days.max())
    recent = days > last - window_days
    if float(days.min()) > last - 2 * window_days:
        return None
    y, _ = empirical_logit(c.successes, c.trials)
    cell = c.code * 2 + recent.astype(int)
    n = np.bincount(cell, minlength=2 * c.n_slots).reshape(c.n_slots, 2)
    total = np.bincount(cell, y, minlength=2 * c.n_slots).reshape(c.n_slots, 2)
    mean = total / np.maximum(n, 1)
    within = float(np.sum((y - mean.ravel()[cell]) ** 2))
    # Tested: 3+ pushes before and in the window. Reference (the audience-wide change): every
    # slot with 3+ before and any in the window, so that rarely pushed slots still count.
    ok = (n >= 3).all(axis=1)
    ref = (n[:, 0] >= 3) & (n[:, 1] >= 1)
    if ok.sum() < 1 or ref.sum() < 2:
        return None
    used = n > 0
    df = float(c.n_rows - used.sum())
    if df < 3:
        return None
    s2 = within / df
    d = mean[:, 1] - mean[:, 0]
    var = s2 * (1 / np.maximum(n[:, 1], 1) + 1 / np.maximum(n[:, 0], 1))
    w = np.where(ref, 1 / var, 0.0)
    common = float(np.sum(w * d) / np.sum(w))
    relative = (d - common)[ok]
    se = np.sqrt(np.maximum(var[ok] - 1 / np.sum(w), 1e-12))
    tstat = relative / se
    slots = [s for s, keep in zip(c.slots, ok) if keep]
    share = n[:, 1] / n[:, 1].sum()
    top = int(np.argmax(share))
    if share[top] > 0.5 and ok[top]:
        current = int(np.flatnonzero(ok).tolist().index(top))
        direction = np.ones(len(slots))
        direction[current] = -1.0
        one_sided = _stats.t_cdf(-direction * tstat, df)
    else:
        current, one_sided = None, 2 * _stats.t_cdf(-np.abs(tstat), df)
    p = np.minimum(one_sided * int(ok.sum()), 1.0)
    worst = int(np.argmin(p))
    since = (c.sent_at.min().normalize() + pd.Timedelta(days=last - window_days + 1)).strftime("%Y-%m-%d")
    return {
        "changed": bool(p[worst] < level),
        "slot": slots[worst],
        "change": float(np.expm1(relative[worst])),
        "p": float(p[worst]),
        "since": since,
        "current": slots[current] if current is not None else None,
    }


#: The weekend check's level and the pushes each slot needs on weekdays and on weekends.
WEEKEND_LEVEL = 0.05
WEEKEND_MIN_PUSHES = 3


def weekend_check(model: SlotModel, *, level: float = WEEKEND_LEVEL) -> dict | None:
    """Do the slots rank differently on weekends? A slot x weekend interaction test, with the
    weekend effects partially pooled towards each slot's overall effect.

    Push-level designs only (a stretch covers both kinds of day), on the slots with at least
    ``WEEKEND_MIN_PUSHES`` pushes on weekdays and on weekends. Two least-squares fits of the
    push logits (:func:`wxtime.models.empirical_logit`), each with a level per day of the
    week: slots + days (additive) and slots x weekend + days (full). The test is the Wald
    test of the ``k - 1`` interaction contrasts in the full fit with the HC3
    heteroscedasticity-consistent covariance (slots differ in noise; MacKinnon and White
    1985, Long and Ervin 2000), referred to F(``k - 1``, ``n - rank``). Logged chances are
    not used as weights here: inverse-probability weights are not precisions, and with them
    the test rejected far too often on Thompson-sampled logs. Each slot's weekend and
    weekday logits are the additive fit plus a fraction ``B = max(0, 1 - 1/F)`` of the full
    fit's departure from it: the moment estimate of the shrinkage towards a common slot
    effect under a normal prior on the interactions (Morris 1983), so that a weak
    interaction is mostly pooled away.

    Returns None when it cannot run, else a dict ``differs`` (``p < level``), ``p``, ``F``,
    ``df``, ``shrinkage`` (``B``), ``weekend_best`` and ``weekday_best`` (slots with the
    highest pooled logit on each kind of day), ``weekday_rate`` and ``weekend_rate`` (each
    slot's raw rate on that kind of day, by slot) and ``weekday_lift`` and ``weekend_lift``
    (each slot's pooled logit minus that kind of day's best, by slot; 0 for the best).
    Whether the schedule acts on it (the gain against the risk accepted) is the next step's
    call (:func:`wxtime.nextstep.day_choices`).

    References
    ----------
    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and applications.
    *JASA* 78(381), 47-55. Efron, B. and Morris, C. (1975). Data analysis using Stein's
    estimator and its generalizations. *JASA* 70(350), 311-319. MacKinnon, J. G. and White,
    H. (1985). Some heteroskedasticity-consistent covariance matrix estimators with improved
    finite sample properties. *J. Econometrics* 29(3), 305-325. Long, J. S. and Ervin, L. H.
    (2000). Using heteroscedasticity consistent standard errors in the linear regression
    model. *The American Statistician* 54(3), 217-224.

    Examples
    --------
    >>> import pandas as pd
    >>> from wxtime.io import validate
    >>> rng = np.random.default_rng(1)
    >>> days = pd.date_range("2024-01-01", periods=140)
    >>> slot = rng.choice(["12:00", "21:00"], 140)
    >>> weekend = days.day_of_week >= 5
    >>> rate = np.where((slot == "12:00") != weekend, 0.08, 0.06)
    >>> table = validate(pd.DataFrame({"sent_at": days.strftime("%Y-%m-%d ") + slot,
    ...     "delivered": 5000, "opened": rng.binomial(5000, rate)}))
    >>> out = weekend_check(fit_slot_model(table))
    >>> out["differs"], out["weekday_best"], out["weekend_best"]
    (True, '12:00', '21:00')
    """
    from .models import empirical_logit

    c = model.counts
    # Send dates only: a file's own weekday column may count from Sunday or from 1.
    if c.sent_at is None or c.unit_kind != "push" or c.n_slots < 2:
        return None
    weekday = c.sent_at.dt.day_of_week.to_numpy()
    weekend = weekday >= 5
    n = np.bincount(c.code * 2 + weekend, minlength=2 * c.n_slots).reshape(c.n_slots, 2)
    ok = (n >= WEEKEND_MIN_PUSHES).all(axis=1)
    if ok.sum() < 2:
        return None
    rows = ok[c.code]
    y, _ = empirical_logit(c.successes[rows], c.trials[rows])
    used = np.flatnonzero(ok)
    code = np.searchsorted(used, c.code[rows])
    k = len(used)
    end, day = weekend[rows], weekday[rows]
    # Every push's row of the design is one of 7k patterns (slot x day of the week): the fits
    # and the HC3 covariance are sums over those patterns (bincounts), never an n x p matrix.
    group = code * 7 + day
    n_g = np.bincount(group, minlength=7 * k).astype(float)
    g_slot, g_day = np.divmod(np.arange(7 * k), 7)
    g_end = (g_day >= 5).astype(float)
    days_seen = np.unique(day)
    # One level per day of the week beyond Monday (or the first day seen) and Saturday (or the
    # first weekend day seen): the weekend column carries the weekend-weekday contrast.
    firsts = {days_seen[days_seen < 5].min(initial=9), days_seen[days_seen >= 5].min(initial=9)}
    levels = [d for d in days_seen if d not in firsts]
    slot_cols = (g_slot[:, None] == np.arange(k)).astype(float)
    day_cols = (g_day[:, None] == np.array(levels, int)[None, :]).astype(float)
    additive = np.column_stack([slot_cols, g_end, day_cols])
    full = np.column_stack([slot_cols, slot_cols * g_end[:, None], day_cols])
    sum_y = np.bincount(group, y, minlength=7 * k)

    def fit(X):
        xtx = X.T @ (n_g[:, None] * X)
        if np.linalg.matrix_rank(xtx) < X.shape[1]:
            return None, None
        return np.linalg.solve(xtx, X.T @ sum_y), np.linalg.inv(xtx)

    a_coef, _ = fit(additive)
    f_coef, bread = fit(full)
    df1, df2 = k - 1, len(y) - full.shape[1]
    if f_coef is None or a_coef is None or df2 < 3:
        return None
    # HC3 (heteroscedasticity-consistent) Wald test of the k - 1 interaction contrasts
    # (each slot's weekend-weekday step minus the first slot's).
    leverage = np.minimum(np.sum((full @ bread) * full, axis=1), 0.999)
    e = (y - (full @ f_coef)[group]) / (1 - leverage[group])
    meat = full.T @ (np.bincount(group, e**2, minlength=7 * k)[:, None] * full)
    cov = bread @ meat @ bread
    R = np.zeros((df1, full.shape[1]))
    R[:, k] = -1.0
    R[np.arange(df1), k + 1 + np.arange(df1)] = 1.0
    step = R @ f_coef
    try:  # a slot whose pushes fit exactly leaves the robust covariance singular
        F = float(step @ np.linalg.solve(R @ cov @ R.T, step)) / df1
    except np.linalg.LinAlgError:
        return None
    if not np.isfinite(F):
        return None
    p = float(_stats.f_sf(F, df1, df2))
    B = max(0.0, 1.0 - 1.0 / F) if F > 0 else 0.0
    # Logits at the reference weekday and weekend days (the day levels cancel in comparisons).
    add_wd, add_we = a_coef[:k], a_coef[:k] + a_coef[k]
    full_wd, full_we = f_coef[:k], f_coef[:k] + f_coef[k : 2 * k]
    pooled_wd = add_wd + B * (full_wd - add_wd)
    pooled_we = add_we + B * (full_we - add_we)
    slots = [c.slots[i] for i in used]
    best_we, best_wd = int(np.argmax(pooled_we)), int(np.argmax(pooled_wd))
    cell = code * 2 + end
    succ = np.bincount(cell, c.successes[rows], minlength=2 * k).reshape(k, 2)
    rate = succ / np.bincount(cell, c.trials[rows], minlength=2 * k).reshape(k, 2)
    return {
        "differs": bool(p < level),
        "p": p,
        "F": float(F),
        "df": (int(df1), int(df2)),
        "shrinkage": float(B),
        "weekend_best": slots[best_we],
        "weekday_best": slots[best_wd],
        "weekday_rate": dict(zip(slots, rate[:, 0].tolist())),
        "weekend_rate": dict(zip(slots, rate[:, 1].tolist())),
        "weekday_lift": {s: float(v - pooled_wd[best_wd]) for s, v in zip(slots, pooled_wd)},
        "weekend_lift": {s: float(v - pooled_we[best_we]) for s, v in zip(slots, pooled_we)},
    }


def _change_rows(rows, model: SlotModel) -> None:
    out = change_check(model)
    if out is None:
        return
    _check(
        rows,
        "change",
        "warn" if out["changed"] else "ok",
        "warn" if out["changed"] else "ok",
        slot=out["slot"],
        change=f"{out['change']:+.0%}",
        since=out["since"],
        p=_fmt(out["p"]),
    )


def _variance_check(rows, model: SlotModel) -> None:
    c = model.counts
    if c.design == "split":
        return
    slot = c.unit_slot
    residual = model.units["residual"].to_numpy()
    groups = [residual[slot == k] for k in range(c.n_slots)]
    if min(len(g) for g in groups) < 3:
        return
    with warnings.catch_warnings():  # identical residuals within every slot: no test, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        _, p = _stats.levene_median(*groups)
    if not np.isfinite(p):
        return
    sds = [float(np.std(g, ddof=1)) for g in groups]
    unequal = p < 0.05
    variant = f"{'unequal' if unequal else 'equal'}_{model.variance_model}"
    _check(
        rows,
        "unequal_noise",
        "warn" if unequal else "ok",
        variant,
        p=_fmt(p),
        low=f"{min(sds):.2f}",
        high=f"{max(sds):.2f}",
    )


def _split_checks(rows, model: SlotModel, intended_weights) -> None:
    frame = model.counts.frame
    groups = frame.groupby("group")[model.counts.trials_column].sum()
    weights = (
        np.array([intended_weights[g] for g in groups.index], float)
        if intended_weights
        else np.ones(len(groups))
    )
    expected = groups.sum() * weights / weights.sum()
    chi2, p = _stats.chisquare(groups.to_numpy(float), expected)
    shares = ", ".join(f"{g} {v / groups.sum():.1%}" for g, v in groups.items())
    status = "fail" if p < 0.001 else "ok"
    _check(rows, "sample_ratio", status, status, shares=shares, chi2=f"{chi2:.1f}", p=_fmt(p))
    sd = float(np.sqrt(model.components["interaction"]))
    high = sd > 0.05
    _check(rows, "slot_by_day", "warn" if high else "ok", "high" if high else "low", sd=f"{sd:.3f}")


def health_checks(
    pushes,
    metric: str = "open",
    *,
    design: str = "auto",
    intended_weights: dict | None = None,
    as_of=None,
    min_age_hours: float = 24,
    min_pushes: int = 3,
) -> pd.DataFrame:
    """Checks to read before trusting a comparison, each with what it means for the decision.

    Returns a DataFrame ``check, status, detail, meaning, variant, values``
    (``status``: ok / warn / fail; ``detail`` and ``meaning`` in English, ``variant``
    and ``values`` for rendering them in another language, :mod:`wxtime.i18n`):

    * ``single_unit_slots`` (blocked): slots tried in one stretch only (confounded with time).
    * ``autocorrelation``: lag-1 correlation of push residuals in time order.
    * ``trend``: drift of the residuals over the study.
    * ``unequal_noise``: Brown-Forsythe test of equal unit variances across slots.
    * ``weekday_balance`` (rotations): slot x weekday chi-square (``adjusted`` when weekday
      effects were removed within stretches).
    * ``allocation`` (push-level designs): the slots' shares in the first and second half of
      the study (chi-square; a bandit or schedule that followed results, without logged
      probabilities), or ``weighted`` when logged probabilities were used.
    * ``sample_ratio`` and ``slot_by_day`` (split designs).
    * ``change`` (push-level designs, 16+ weeks of history): a slot that moved against the
      others in the last 8 weeks (:func:`change_check`); the next step explores more.
    * ``young_pushes``: pushes younger than ``min_age_hours`` at ``as_of``.
    * ``thin_slots``: slots with fewer than ``min_pushes`` pushes.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> health_checks(load_noon_study())["check"].tolist()
    ['autocorrelation', 'trend', 'weekday_balance', 'thin_slots']
    """
    model = pushes if isinstance(pushes, SlotModel) else fit_slot_model(pushes, metric, design=design)
    c = model.counts
    rows: list[dict] = []
    if c.design == "blocked":
        single = [s for s, n in zip(c.slots, c.units_per_slot) if n < MIN_UNITS_PER_SLOT]
        if single:
            status = "fail" if len(single) == c.n_slots else "warn"
            _check(rows, "single_unit_slots", status, "confounded", slots=", ".join(single))
    _time_checks(rows, model)
    _variance_check(rows, model)
    if c.design == "split":
        _split_checks(rows, model, intended_weights)
    elif c.sent_at is not None:
        table = pd.crosstab(c.frame["slot"], c.sent_at.dt.day_of_week)
        if table.shape[0] > 1 and table.shape[1] > 1:
            chi2, p = _stats.chi2_contingency(table)
            missing = int((table == 0).sum().sum())
            # An empty slot-weekday cell is expected when a slot has fewer than 7 pushes; it is a
            # sign of imbalance only beyond chance (p < 0.05) or for a slot that had the pushes.
            starved = bool(((table == 0).any(axis=1) & (table.sum(axis=1) >= 7)).any())
            # Weekends against weekdays, the contrast that matters most: a slot pushed only at
            # weekends (3+ pushes) or only on weekdays (10+; 3.5% by chance) while others saw both.
            weekend = (c.sent_at.dt.day_of_week >= 5).to_numpy()
            ends = pd.Series(weekend).groupby(c.frame["slot"].to_numpy()).agg(["sum", "size"])
            mixed = weekend.any() and not weekend.all()
            one_sided = mixed and bool(
                ((ends["sum"] == ends["size"]) & (ends["size"] >= 3)).any()
                or ((ends["sum"] == 0) & (ends["size"] >= 10)).any()
            )
            warn = bool(p < 0.05 or starved or one_sided)
            adjusted = model.weekday_effect is not None
            _check(
                rows,
                "weekday_balance",
                "warn" if warn and not adjusted else "ok",
                "adjusted" if adjusted else "warn" if warn else ("ok" if not missing else "sparse"),
                chi2=f"{chi2:.1f}",
                p=_fmt(p),
                missing=missing,
            )
    _allocation_check(rows, model)
    _change_rows(rows, model)
    if as_of is not None and c.sent_at is not None:
        as_of = pd.Timestamp(as_of)
        if as_of.tzinfo is None:
            as_of = as_of.tz_localize(c.sent_at.dt.tz)
        age = (as_of - c.sent_at).dt.total_seconds() / 3600
        young = c.frame.loc[age.to_numpy() < min_age_hours, "push_id"].astype(str)
        status = "warn" if len(young) else "ok"
        _check(
            rows,
            "young_pushes",
            status,
            status,
            n=len(young),
            hours=f"{min_age_hours:g}",
            as_of=as_of.strftime("%Y-%m-%d %H:%M"),
            ids=f" ({', '.join(young)})" if len(young) else "",
        )
    thin = [s for s, n in zip(c.slots, c.pushes_per_slot) if n < min_pushes]
    status = "warn" if thin else "ok"
    _check(rows, "thin_slots", status, status, n=min_pushes, slots=", ".join(thin) or "—")
    return pd.DataFrame(rows, columns=["check", "status", "detail", "meaning", "variant", "values"])


def _allocation_check(rows, model) -> None:
    """Push-level designs: were the slots' chances the same all along? Logged changing
    probabilities are weighted (:func:`wxtime.models.adaptive_weights`); shares that moved
    between the halves of the study without logged probabilities are flagged."""
    c = model.counts
    if c.unit_kind != "push" or c.n_slots < 2 or c.n_rows < 8:
        return
    weighted = False
    if "propensity" in c.frame.columns:
        from .models import adaptive_weights

        weighted = adaptive_weights(c) is not None
        if not weighted:
            return  # fixed logged probabilities: the shares are what they were meant to be
    if c.sent_at is None:
        order = np.arange(c.n_rows)
    else:
        when = c.sent_at.dt.tz_convert(None) if c.sent_at.dt.tz is not None else c.sent_at
        order = np.argsort(when.to_numpy(), kind="stable")
    half = np.zeros(c.n_rows, dtype=int)
    half[order[c.n_rows // 2 :]] = 1
    table = np.zeros((c.n_slots, 2))
    np.add.at(table, (c.code, half), 1)
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] < 2:
        return
    _, p = _stats.chi2_contingency(table)
    moved = bool(p < 0.01)
    share = table / table.sum(axis=0, keepdims=True)
    biggest = int(np.argmax(np.abs(share[:, 1] - share[:, 0])))
    slot = [s for s, n in zip(c.slots, np.bincount(c.code, minlength=c.n_slots)) if n > 0][biggest]
    _check(
        rows,
        "allocation",
        "warn" if moved and not weighted else "ok",
        "weighted" if weighted else "moved" if moved else "ok",
        slot=slot,
        first=f"{share[biggest, 0]:.0%}",
        second=f"{share[biggest, 1]:.0%}",
        p=_fmt(p),
    )


# -- cross-checks ------------------------------------------------------------------------
def _naive_rows(c: Counts, reference, level):
    y = np.bincount(c.code, c.successes, minlength=c.n_slots)
    n = np.bincount(c.code, c.trials, minlength=c.n_slots)
    r = c.slots.index(reference)
    z_q = _stats.norm_ppf(0.5 + level / 2)
    rows = []
    for s, slot in enumerate(c.slots):
        if s == r:
            continue
        p1, p0 = y[s] / n[s], y[r] / n[r]
        pooled = (y[s] + y[r]) / (n[s] + n[r])
        z = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / n[s] + 1 / n[r]))
        se = np.sqrt(p1 * (1 - p1) / n[s] + p0 * (1 - p0) / n[r])
        rows.append(
            (
                "naive_reader_z",
                f"{slot} vs {reference}",
                p1 - p0,
                p1 - p0 - z_q * se,
                p1 - p0 + z_q * se,
                2 * _stats.norm_sf(abs(z)),
            )
        )
    return rows


def _strata(c: Counts, slot: str, reference: str) -> np.ndarray | None:
    """2 x 2 x days tables (successes, failures) of ``slot`` vs ``reference`` on shared days."""
    frame = c.frame.assign(_s=c.successes, _n=c.trials)
    both = frame[frame["slot"].isin([slot, reference])]
    wide = both.pivot_table(index="push_id", columns="slot", values=["_s", "_n"], aggfunc="sum").dropna()
    if len(wide) == 0:
        return None
    s1, n1 = wide[("_s", slot)].to_numpy(), wide[("_n", slot)].to_numpy()
    s0, n0 = wide[("_s", reference)].to_numpy(), wide[("_n", reference)].to_numpy()
    return np.array([[s1, n1 - s1], [s0, n0 - s0]], dtype=float)


def _cmh_rows(c: Counts, reference):
    from statsmodels.stats.contingency_tables import StratifiedTable

    rows = []
    for slot in c.slots:
        if slot == reference:
            continue
        tables = _strata(c, slot, reference)
        if tables is None:
            continue
        strat = StratifiedTable(tables)
        with np.errstate(divide="ignore", invalid="ignore"):  # empty cells make Breslow-Day undefined (NaN)
            test = strat.test_null_odds(correction=False)
        low, high = strat.oddsratio_pooled_confint()
        rows.append(
            ("cmh_odds_ratio", f"{slot} vs {reference}", strat.oddsratio_pooled, low, high, test.pvalue)
        )
        if len(tables[0, 0]) > 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                bd = strat.test_equal_odds()
            rows.append(
                (
                    "breslow_day_heterogeneity",
                    f"{slot} vs {reference}",
                    bd.statistic,
                    np.nan,
                    np.nan,
                    bd.pvalue,
                )
            )
    return rows


# -- the comparison ----------------------------------------------------------------------
@dataclass
class ABResult:
    """The comparison of push slots: tests, health checks and the decision rule's outcome.

    Attributes
    ----------
    summary : DataFrame
        Every other slot against the reference (:func:`pairwise_tests`).
    tests : DataFrame
        Every test run: ``name, comparison, estimate, ci_low, ci_high, p_value,
        p_adjusted, recommended`` (the recommended ones first).
    omnibus : dict
        :func:`omnibus_test`.
    decision, reason : str
        :func:`decision_rule`.
    best_slot, reference : str
    model : SlotModel
    posterior : SlotPosterior
    health : DataFrame
    design, metric, alpha, seed
    """

    summary: pd.DataFrame
    tests: pd.DataFrame
    omnibus: dict
    decision: str
    reason: str
    best_slot: str
    reference: str
    model: SlotModel
    posterior: SlotPosterior
    health: pd.DataFrame
    design: str
    metric: str
    alpha: float
    seed: int
    notes: list = field(default_factory=list)

    @property
    def level(self) -> float:
        return 1 - self.alpha

    @property
    def closest_rival(self) -> str | None:
        """The slot whose comparison with the reference is least clear (largest Holm p)."""
        if not len(self.summary) or self.summary["p_holm"].isna().all():
            return self.posterior.runner_up
        return str(self.summary.loc[self.summary["p_holm"].idxmax(), "slot"])

    def to_dict(self) -> dict:
        """JSON-ready: ``decision, reason, design, best_slot, metric, alpha, tests[...], health[...]``."""
        from ._display import json_ready

        return json_ready(
            {
                "decision": self.decision,
                "reason": self.reason,
                "design": self.design,
                "best_slot": self.best_slot,
                "metric": self.metric,
                "alpha": self.alpha,
                "tests": self.tests.to_dict(orient="records"),
                "health": self.health.to_dict(orient="records"),
                "seed": self.seed,
            }
        )

    def plot(self, ax=None, lang: str = "en"):
        """Differences from the reference slot with their intervals (a forest plot)."""
        from .plots import plot_differences

        return plot_differences(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        return (
            f"<p><b>{self.decision}</b> ({self.reason}); design {self.design}, unit "
            f"{self.model.counts.unit_kind}; best {self.best_slot}; alpha {self.alpha}; seed {self.seed}</p>"
            + frame_html(self.summary)
            + frame_html(self.tests)
            + frame_html(self.health)
        )


def compare_slots(
    pushes,
    metric: str = "open",
    *,
    design: str = "auto",
    reference: str | None = None,
    controls=(),
    alpha: float = 0.05,
    n_permutations: int = 2000,
    naive: bool = False,
    as_of=None,
    bayes_draws: int = 10_000,
    seed: int = 0,
    diagnostics: bool = True,
) -> ABResult:
    """Compare push slots on the randomised units, and apply the decision rule.

    Parameters
    ----------
    pushes : DataFrame or Counts
    metric : {"open", "read", "read_through", "click", "share"}
    design : {"auto", "randomized", "blocked", "split"}
    reference : str, optional
        Slot every other slot is compared with; default the best slot (the Bayes
        choice of :func:`wxtime.posterior.slot_posterior`: a thin slot with a
        lucky high rate does not qualify).
    controls : sequence of str
        Unit-level controls for rotations (see :func:`wxtime.models.fit_slot_model`).
    alpha : float
        Level of every test; intervals are ``1 - alpha``.
    n_permutations : int
        For the permutation cross-check (rotations); 0 to skip.
    naive : bool
        Add the reader-level z-test (labelled; never used for the decision).
    as_of : time, optional
        For the young-pushes check.
    bayes_draws, seed : int
        Posterior draws and the seed of everything random (echoed).
    diagnostics : bool
        False skips the cross-checks (permutation, CMH, naive) and the health checks:
        ``tests`` then holds the recommended tests only and ``health`` is empty. The
        decision and every number behind it are unchanged (for simulation studies).

    Returns
    -------
    ABResult

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> result = compare_slots(load_noon_study(), n_permutations=200)
    >>> result.design, result.best_slot, result.decision, result.reason
    ('blocked', '12:00', 'inconclusive', 'pairwise')
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}")
    c = counts(pushes, metric, design=design)
    if c.design == "slot-level":
        raise InputError(
            "the data have one row per slot: no push-level comparison is possible. "
            "Use the per-push export (one row per push) to compare slots."
        )
    if c.design == "single-slot":
        raise InputError(f"only one slot in the data ({c.slots[0]}): nothing to compare")
    model = fit_slot_model(c, metric, controls=controls)
    posterior = slot_posterior(model, level=1 - alpha, n_draws=bayes_draws, seed=seed)
    best = posterior.best_slot
    reference = reference or best
    pairwise = pairwise_tests(model, reference, level=1 - alpha)
    omnibus = omnibus_test(model, n_permutations=n_permutations, seed=seed, alpha=alpha)
    if reference == best:
        decision, reason = decision_rule(model, best, alpha)
    else:
        decision, reason = "inconclusive", "reference_not_best"
    if diagnostics:
        tests = _tests_table(c, model, omnibus, pairwise, reference, alpha, n_permutations, naive, seed)
        health = health_checks(model, as_of=as_of)
    else:
        tests = _tests_table(c, model, omnibus, pairwise, reference, alpha, 0, False, seed, cross=False)
        health = pd.DataFrame(columns=["check", "status", "detail", "meaning", "variant", "values"])
    return ABResult(
        summary=pairwise,
        tests=tests,
        omnibus=omnibus,
        decision=decision,
        reason=reason,
        best_slot=best,
        reference=reference,
        model=model,
        posterior=posterior,
        health=health,
        design=c.design,
        metric=metric,
        alpha=alpha,
        seed=seed,
        notes=list(posterior.notes) + _skipped_permutation(c, model, n_permutations if diagnostics else 0),
    )


def _skipped_permutation(c, model, n_permutations) -> list[str]:
    if not n_permutations or c.design == "split" or not model.df > 0:
        return []
    if PERMUTATION_DRAWS // max(len(model.units), 1) >= 100:
        return []
    return [
        f"the omnibus test is read on the F distribution, not permuted: {len(model.units):,} units are "
        "beyond the permutation budget, and at this size the permutation distribution of F is its F "
        "reference distribution"
    ]


def _tests_table(c, model, omnibus, pairwise, reference, alpha, n_permutations, naive, seed, cross=True):
    unit = {"push": "pushes", "stretch": "stretches", "day": "days"}[c.unit_kind]
    recommended = f"{omnibus['name']}_over_{unit}"
    rows = [
        (
            recommended,
            "all slots equal",
            omnibus["statistic"],
            np.nan,
            np.nan,
            omnibus["p_value"],
            np.nan,
            True,
        )
    ]
    rows += zip(
        [f"t_over_{unit}"] * len(pairwise),
        pairwise["slot"] + " vs " + pairwise["reference"],
        pairwise["difference"],
        pairwise["diff_low"],
        pairwise["diff_high"],
        pairwise["p_value"],
        pairwise["p_value"],  # each compared with alpha as it is (an intersection-union test)
        [True] * len(pairwise),
    )
    extra = []
    if cross and c.design == "split":
        extra = _cmh_rows(c, reference)
    elif cross and omnibus["n_permutations"] and model.df > 0:
        reference_f = _parametric_omnibus(model)  # the F reference distribution, as a cross-check
        extra = [
            (
                f"{reference_f['name']}_over_{unit}",
                "all slots equal",
                reference_f["statistic"],
                np.nan,
                np.nan,
                reference_f["p_value"],
            )
        ]
    if naive:
        extra += _naive_rows(c, reference, 1 - alpha)
    for name in dict.fromkeys(r[0] for r in extra):
        group = [r for r in extra if r[0] == name]
        adjusted = adjust_pvalues([r[5] for r in group], "holm") if len(group) > 1 else [np.nan] * len(group)
        rows += [(*r, p, False) for r, p in zip(group, adjusted)]
    return pd.DataFrame(
        rows,
        columns=[
            "name",
            "comparison",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "p_adjusted",
            "recommended",
        ],
    )


# -- sequential monitoring -----------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _boundaries(information: tuple, alpha: float, spending: str) -> tuple:
    from .sequential import group_sequential_boundaries

    return group_sequential_boundaries(information, alpha=alpha, spending=spending).z


def sequential_monitor(
    pushes: pd.DataFrame,
    slots: tuple[str, str],
    *,
    metric: str = "open",
    planned: int,
    alpha: float = 0.05,
    spending: str = "obrien_fleming",
    min_pushes: int = 3,
    design: str = "auto",
) -> pd.DataFrame:
    """Daily looks at a two-slot comparison with group-sequential boundaries.

    Operators look at a running test every day; testing at 1.96 each time
    inflates the false-positive rate (to about 25% over 30 looks). Here each
    look is tested against a Lan-DeMets alpha-spending boundary
    (:func:`wxtime.sequential.group_sequential_boundaries`), so the overall
    error rate stays at ``alpha`` however often one looks.

    * split design: the statistic is the mean of the daily differences of the
      two groups' logits (paired by day) over its standard error; the
      information fraction is days so far / ``planned`` days.
    * rotation: Welch's statistic for the difference in mean push logits (for
      a blocked rotation, of stretch means: the stretch is the unit); the
      information fraction is the harmonic mean of units per slot over
      ``planned`` units per slot.

    In both, the t statistic is turned into a z score through its t
    distribution, so small early looks are not over-trusted.

    Returns one row per look: ``day, n_a, n_b, z, boundary, reject``.
    """
    from .models import empirical_logit

    c = counts(pushes, metric, design=design)
    missing = [s for s in slots if s not in c.slots]
    if missing:
        raise InputError(f"slot(s) {', '.join(missing)} not in the data (slots: {', '.join(c.slots)})")
    if c.sent_at is None:
        raise InputError("sequential monitoring needs send times (sent_at)")
    y, _ = empirical_logit(c.successes, c.trials)
    days = c.sent_at.dt.floor("D").to_numpy()
    a, b = c.slots.index(slots[0]), c.slots.index(slots[1])
    looks = []
    if c.design == "split":
        frame = pd.DataFrame({"day": days, "code": c.code, "y": y})
        wide = frame[frame["code"].isin([a, b])].pivot_table(index="day", columns="code", values="y").dropna()
        diff = (wide[a] - wide[b]).to_numpy()
        for k in range(min_pushes, len(diff) + 1):
            d = diff[:k]
            t = d.mean() / (d.std(ddof=1) / np.sqrt(k))
            looks.append((wide.index[k - 1], k, k, _stats.norm_ppf(_stats.t_cdf(t, k - 1)), k / planned))
    else:
        unit = c.unit
        for day in np.unique(days):
            upto = days <= day
            units = np.unique(unit[upto])
            m = np.bincount(unit[upto], minlength=c.n_units)[units]
            means = np.bincount(unit[upto], y[upto], minlength=c.n_units)[units] / m
            slot_of = c.unit_slot[units]
            xa, xb = means[slot_of == a], means[slot_of == b]
            if len(xa) < min_pushes or len(xb) < min_pushes:
                continue
            va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
            if va + vb <= 0:
                continue
            t = (xa.mean() - xb.mean()) / np.sqrt(va + vb)
            df = (va + vb) ** 2 / (va**2 / (len(xa) - 1) + vb**2 / (len(xb) - 1))
            info = 2 / (1 / len(xa) + 1 / len(xb))
            looks.append(
                (pd.Timestamp(day), len(xa), len(xb), _stats.norm_ppf(_stats.t_cdf(t, df)), info / planned)
            )
    table = pd.DataFrame(looks, columns=["day", "n_a", "n_b", "z", "information"])
    if table.empty:
        return table.assign(boundary=[], reject=[]).drop(columns=["information"])
    info = table["information"].to_numpy()
    keep = np.r_[True, np.diff(info) > 0] & (info <= 1 + 1e-9)
    table = table[keep].reset_index(drop=True)
    info = np.round(info[keep], 9)
    full = tuple(info) if info[-1] >= 1 - 1e-9 else (*info, 1.0)
    table["boundary"] = _boundaries(full, alpha, spending)[: len(table)]
    table["reject"] = np.abs(table["z"]) >= table["boundary"]
    return table.drop(columns=["information"])


def aa_study(
    design: str = "blocked",
    *,
    n_studies: int = 200,
    slots=("07:30", "12:00", "18:00", "21:00", "22:30"),
    days_per_slot: int = 7,
    rounds: int = 2,
    days: int = 70,
    alpha: float = 0.05,
    n_permutations: int = 0,
    open_rate: float = 0.065,
    seed: int = 0,
    progress: bool = False,
) -> pd.DataFrame:
    """Run :func:`compare_slots` on studies from wxtime's own simulator where every slot is equal.

    A quick self-check; the calibration that counts uses a world written
    separately from wxtime's simulator (``benchmarks/calibration.py``).

    One row per study: ``study, seed, decision, p_<test>`` (pairwise tests by
    their smallest Holm-adjusted p-value).

    Examples
    --------
    >>> runs = aa_study("blocked", n_studies=3, seed=1)
    >>> list(runs.columns[:3])
    ['study', 'seed', 'decision']
    """
    from .simulate import null_audience, simulate_rotation, simulate_split

    audience = null_audience(open_rate)
    iterator = range(n_studies)
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(iterator, desc=f"A/A {design}", unit="study")
    rows = []
    for i in iterator:
        study_seed = seed * 1_000_003 + i
        if design == "split":
            pushes = simulate_split(audience, slots, days=days, seed=study_seed).pushes
        else:
            pushes = simulate_rotation(
                audience,
                slots,
                design=design,
                days_per_slot=days_per_slot,
                rounds=rounds,
                days=days,
                seed=study_seed,
            ).pushes
        result = compare_slots(
            pushes, alpha=alpha, n_permutations=n_permutations, naive=True, bayes_draws=1000, seed=study_seed
        )
        row = {"study": i, "seed": study_seed, "decision": result.decision}
        for name, group in result.tests.groupby("name", sort=False):
            p = group["p_adjusted"].min() if group["p_adjusted"].notna().any() else group["p_value"].min()
            row[f"p_{name}"] = float(p)
        rows.append(row)
    return pd.DataFrame(rows)


__all__ += ["slot_order"]  # re-exported for callers that ordered slots through this module
