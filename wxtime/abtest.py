"""A/B analysis of push slots: the right test for the design, corrected for many slots.

Designs and their tests
-----------------------
**Rotation** (``"blocked"``: each slot kept for a stretch of days, as the seed
account did; ``"randomized"``: the slot drawn day by day). The whole
audience gets each push, so the *push* is the unit: its article and moment
are shared by all its readers.

* recommended: quasi-binomial GLM of push rates (proportions with
  ``var_weights`` = delivered, scale = Pearson chi-square/df) with slot as a
  factor and weekday (plus optional column/trend) controls; omnibus Wald F
  test of all slot effects; pairwise differences of standardised rates
  (delta method, t with the residual df).
  *Assumes* pushes are independent given slot and controls, and variance
  proportional to the binomial variance (one dispersion for all slots).
* cross-check: a permutation (randomisation) test of the one-way F statistic
  of push rates, permuting how slots were assigned: single days for a
  randomised rotation, whole stretches for a blocked one. *Assumes* the
  assignment was (or can be treated as) random: a blocked rotation in a
  fixed order is confounded with time, and the test then only answers "is
  this more than stretch-to-stretch noise".
* cross-check: Welch t-tests of push-level rates.
* ``naive``: the reader-level two-proportion z-test, shown only when asked
  and labelled; on a rotation it treats a 70-push study as a 300,000-reader
  experiment and "finds" winners in most A/A studies.

**Split audience** (``"split"``: followers randomised into groups; each day
the same article goes to every group at that group's slot). Readers are
exchangeable within a push, so slots are compared within day blocks:

* recommended: quasi-binomial GLM with push (day) fixed effects.
* cross-check: Cochran-Mantel-Haenszel test, each slot against the
  reference slot, stratified by day (statsmodels ``StratifiedTable``).

Every comparison is the reference slot (by default the one with the highest
adjusted rate) against each other slot; p-values are adjusted by Holm
(family-wise) and Benjamini-Hochberg (false discovery rate). The decision is
``"winner"`` only when the omnibus test rejects and the reference beats
every other slot after Holm adjustment; the A/A simulations in
``tests/test_abtest.py`` and ``benchmarks/aa_calibration.py`` show the
rate at which this fires when all slots are equal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from .planning import plan_rotation, plan_split, push_variance
from .rates import METRICS, RateModel, _metric_columns, _slot_order

__all__ = [
    "ABResult",
    "aa_study",
    "adjust_pvalues",
    "compare_slots",
    "detect_design",
    "health_checks",
    "model_posterior",
    "permutation_test",
    "sequential_monitor",
]


def adjust_pvalues(p_values, method: str = "holm") -> np.ndarray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate) adjusted p-values.

    Same results as ``statsmodels.stats.multitest.multipletests`` (checked in
    the tests), without its per-call garbage collection, which dominated the
    cost of A/A simulations.

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


def detect_design(pushes: pd.DataFrame) -> str:
    """Which design produced a push table.

    ``"split"`` when pushes appear in several groups at different slots;
    ``"slot-level"`` for one row per slot; otherwise a rotation, ``"blocked"``
    when slots run in stretches (mean run of consecutive pushes at the same
    slot of 2 or more), else ``"randomized"``.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> detect_design(load_noon_study())
    'blocked'
    """
    if pushes.attrs.get("level") == "slot":
        return "slot-level"
    if "group" in pushes.columns and pushes["push_id"].duplicated().any():
        return "split"
    ordered = pushes.sort_values("sent_at") if "sent_at" in pushes.columns else pushes
    slots = ordered["slot"].to_numpy()
    runs = 1 + int(np.sum(slots[1:] != slots[:-1]))
    return "blocked" if len(slots) / runs >= 2 else "randomized"


def _runs(slots: np.ndarray) -> np.ndarray:
    """Index of the stretch (run of consecutive equal slots) each push belongs to."""
    return np.concatenate([[0], np.cumsum(slots[1:] != slots[:-1])])


def _oneway_f(rates: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """One-way ANOVA F of push rates for each row of ``labels`` (vectorised over permutations)."""
    labels = np.atleast_2d(labels)
    count = np.stack([np.bincount(row, minlength=n_groups) for row in labels])
    total = np.stack([np.bincount(row, rates, minlength=n_groups) for row in labels])
    means = total / np.maximum(count, 1)
    grand = rates.mean()
    between = (count * (means - grand) ** 2).sum(axis=1) / (n_groups - 1)
    within_ss = (rates**2).sum() - (count * means**2).sum(axis=1)
    within = within_ss / (len(rates) - n_groups)
    return between / within


def permutation_test(
    pushes: pd.DataFrame,
    metric: str = "open",
    *,
    design: str = "auto",
    n_permutations: int = 2000,
    seed: int = 0,
) -> dict:
    """Randomisation test that slot does not matter, permuting how slots were assigned.

    Randomised rotation: slot labels are permuted over single pushes.
    Blocked rotation: labels are permuted over whole stretches (every push
    of a stretch keeps its stretch's label), because that is the unit that
    was assigned. The statistic is the one-way F of push rates.

    Returns ``{"statistic", "p_value", "n_permutations", "unit", "seed"}``;
    ``p = (1 + #{F* >= F}) / (1 + n_permutations)``.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> result = permutation_test(load_noon_study(), n_permutations=500, seed=1)
    >>> result["unit"], result["n_permutations"]
    ('stretch', 500)
    """
    successes, trials = _metric_columns(pushes, metric)
    design = detect_design(pushes) if design == "auto" else design
    ordered = pushes.sort_values("sent_at") if "sent_at" in pushes.columns else pushes
    order = _slot_order(ordered)
    codes = pd.Categorical(ordered["slot"], categories=order).codes
    rates = (ordered[successes] / ordered[trials]).to_numpy(float)
    rng = np.random.default_rng(seed)
    observed = _oneway_f(rates, codes, len(order))[0]
    if design == "blocked":
        run = _runs(codes)
        run_label = codes[np.r_[0, np.flatnonzero(np.diff(run)) + 1]]
        shuffled = np.stack([rng.permutation(run_label) for _ in range(n_permutations)])
        labels = shuffled[:, run]
        unit = "stretch"
    else:
        labels = np.stack([rng.permutation(codes) for _ in range(n_permutations)])
        unit = "push"
    null = _oneway_f(rates, labels, len(order))
    p_value = (1 + np.sum(null >= observed - 1e-12)) / (1 + n_permutations)
    return {
        "statistic": float(observed),
        "p_value": float(p_value),
        "n_permutations": n_permutations,
        "unit": unit,
        "seed": seed,
    }


def _wald_f(model: RateModel) -> tuple[float, float, int, int]:
    names = [n for n in model.result_.params.index if n.startswith(("slot_", "sin", "cos"))]
    beta = model.result_.params[names].to_numpy()
    cov = model.result_.cov_params().loc[names, names].to_numpy()
    q = len(names)
    statistic = float(beta @ np.linalg.solve(cov, beta) / q)
    df2 = int(model.result_.df_resid)
    return statistic, float(stats.f.sf(statistic, q, df2)), q, df2


def health_checks(
    pushes: pd.DataFrame,
    *,
    design: str | None = None,
    intended_weights: dict | None = None,
    as_of=None,
    min_age_hours: float = 24,
    min_pushes: int = 3,
) -> pd.DataFrame:
    """Checks to read before trusting a comparison.

    Returns a DataFrame ``check, status, detail`` with ``status`` in
    ``ok / warn / fail``:

    * ``sample_ratio`` (split designs): chi-square of delivered per group
      against ``intended_weights`` (equal by default); fails at p < 0.001.
    * ``weekday_balance`` (rotations): chi-square test of slot x weekday; a
      rotation whose slots saw different weekdays is confounded by weekday.
    * ``young_pushes``: pushes younger than ``min_age_hours`` at ``as_of``.
    * ``thin_slots``: slots with fewer than ``min_pushes`` pushes.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> health_checks(load_noon_study())["status"].tolist()
    ['ok', 'ok']
    """
    design = design or detect_design(pushes)
    rows = []
    if design == "split":
        groups = pushes.groupby("group")["delivered"].sum()
        weights = (
            np.array([intended_weights[g] for g in groups.index], float)
            if intended_weights
            else np.ones(len(groups))
        )
        expected = groups.sum() * weights / weights.sum()
        chi2, p = stats.chisquare(groups.to_numpy(float), expected)
        status = "fail" if p < 0.001 else "ok"
        shares = ", ".join(f"{g} {v / groups.sum():.1%}" for g, v in groups.items())
        rows.append(("sample_ratio", status, f"delivered shares {shares}; chi2 {chi2:.1f}, p = {p:.3g}"))
    elif "sent_at" in pushes.columns:
        table = pd.crosstab(pushes["slot"], pushes["sent_at"].dt.day_of_week)
        if table.shape[0] > 1 and table.shape[1] > 1:
            chi2, p, _, _ = stats.chi2_contingency(table)
            missing = int((table == 0).sum().sum())
            status = "warn" if p < 0.05 or missing else "ok"
            rows.append(
                (
                    "weekday_balance",
                    status,
                    f"slot x weekday chi2 {chi2:.1f}, p = {p:.3g}; {missing} empty slot-weekday cells"
                    + ("; control for weekday" if status == "warn" else ""),
                )
            )
    if as_of is not None and "sent_at" in pushes.columns:
        from .rates import young_pushes

        young = young_pushes(pushes, as_of, min_age_hours)
        rows.append(
            (
                "young_pushes",
                "warn" if len(young) else "ok",
                f"{len(young)} push(es) younger than {min_age_hours:g} h at {as_of}: "
                "their counts are still growing"
                + (f" ({', '.join(young['push_id'].astype(str))})" if len(young) else ""),
            )
        )
    counts = pushes.groupby("slot").size()
    thin = counts[counts < min_pushes]
    rows.append(
        (
            "thin_slots",
            "warn" if len(thin) else "ok",
            f"slots with fewer than {min_pushes} pushes: {', '.join(thin.index) or 'none'}",
        )
    )
    return pd.DataFrame(rows, columns=["check", "status", "detail"])


@dataclass
class ABResult:
    """The comparison of push slots, with its tests, checks, plan and verdict.

    Attributes
    ----------
    summary : DataFrame
        One row per slot compared with the reference: ``slot, reference,
        rival_pushes, reference_pushes, rate, reference_rate, difference,
        diff_low, diff_high, lift, lift_low, lift_high, p_value, p_holm, p_bh``.
    tests : DataFrame
        Every test run: ``name, comparison, estimate, ci_low, ci_high,
        p_value, p_adjusted, recommended``.
    decision : {"winner", "inconclusive"}
    best_slot, reference, design, metric, alpha, seed
    health : DataFrame (see :func:`health_checks`)
    bayes : DataFrame
        ``slot, rate, p_best, expected_loss`` from the model's posterior
        (:func:`model_posterior`).
    plan : dict (days or followers still needed, when inconclusive)
    verdict : str
    """

    summary: pd.DataFrame
    tests: pd.DataFrame
    decision: str
    best_slot: str
    reference: str
    design: str
    metric: str
    alpha: float
    seed: int
    health: pd.DataFrame
    bayes: pd.DataFrame
    plan: dict
    verdict: str
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready: ``decision, design, best_slot, metric, verdict, tests[...]``."""
        tests = [
            {
                "name": row.name,
                "comparison": row.comparison,
                "estimate": _float(row.estimate),
                "ci_low": _float(row.ci_low),
                "ci_high": _float(row.ci_high),
                "p_value": _float(row.p_value),
                "p_adjusted": _float(row.p_adjusted),
            }
            for row in self.tests.itertuples(index=False)
        ]
        return {
            "decision": self.decision,
            "design": self.design,
            "best_slot": self.best_slot,
            "metric": self.metric,
            "alpha": self.alpha,
            "verdict": self.verdict,
            "tests": tests,
            "health": self.health.to_dict(orient="records"),
            "plan": self.plan,
            "seed": self.seed,
        }

    def plot(self, ax=None, lang: str = "en"):
        """Differences from the reference slot with their intervals (a forest plot)."""
        from .plots import plot_differences

        return plot_differences(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        import html

        from .report import html_table

        return (
            f"<p><b>{html.escape(self.verdict)}</b></p><p>design: {html.escape(self.design)}; "
            f"metric: {html.escape(METRICS[self.metric][2])}; alpha {self.alpha}; seed {self.seed}</p>"
            + html_table(self.summary)
            + html_table(self.tests)
            + html_table(self.health)
        )


def model_posterior(
    model: RateModel, *, n_draws: int = 20000, seed: int = 0, shrink: bool = True
) -> pd.DataFrame:
    """P(best) and expected loss from a fitted rate model's adjusted rates.

    The adjusted rates are approximately normal with the delta-method
    covariance (a flat-prior posterior, by the Bernstein-von Mises argument);
    because the quasi-binomial scale is estimated, draws come from the
    multivariate t with the model's residual df. With ``shrink`` (default),
    each slot's rate is first shrunk towards the mean of the slots by
    normal-normal empirical Bayes (DerSimonian-Laird between-slot variance): a slot
    seen once has a huge variance and is pulled to the centre instead of
    dominating every slot's expected loss with its extreme draws. Because the
    model carries the design (day fixed effects in a split test, the
    dispersion of a rotation), so does this posterior.

    Returns ``slot, rate, rate_shrunk, p_best, expected_loss`` (NaN when the model
    has one residual df: the t posterior then has no mean).
    """
    rates, gradient = model.adjusted_rates_with_gradient()
    cov = gradient @ model.result_.cov_params().to_numpy() @ gradient.T
    centre, shrunk = rates, rates
    if shrink and len(rates) > 2:
        variance = np.diag(cov)
        precision = 1 / variance
        centre_value = float(np.sum(rates * precision) / np.sum(precision))
        # DerSimonian-Laird between-slot variance (random-effects meta-analysis): weighted by
        # precision, so a few one-push slots with huge variances do not hide the spread of
        # the well-measured ones (a plain moment estimate pooled the Facebook hours to one).
        q = float(np.sum(precision * (rates - centre_value) ** 2))
        denominator = float(np.sum(precision) - np.sum(precision**2) / np.sum(precision))
        between = max((q - (len(rates) - 1)) / denominator, 1e-12)
        keep = between / (between + variance)  # 1 - the shrinkage factor
        shrunk = centre_value + keep * (rates - centre_value)
        scale = np.sqrt(keep)
        cov = cov * np.outer(scale, scale)
        centre = shrunk
    rng = np.random.default_rng(seed)
    # Multivariate t with the residual df (the scale is estimated): with few pushes a normal
    # posterior would be far too sure of itself.
    normal = rng.multivariate_normal(np.zeros(len(rates)), cov, size=n_draws, method="eigh")
    df = max(float(model.result_.df_resid), 1.0)
    draws = centre + normal * np.sqrt(df / rng.chisquare(df, size=(n_draws, 1)))
    best = draws.argmax(axis=1)
    # Expected loss E[max_j theta_j] - E[theta_s], with the exact posterior means: choosing the
    # smallest loss is then exactly choosing the largest shrunk rate (the Bayes choice). With one
    # residual df the t posterior has no mean (a Cauchy), so the loss is undefined: NaN, not a
    # Monte Carlo number that would pick a slot at random (found with a 3-push file).
    if df > 1:
        loss = np.maximum(draws.max(axis=1).mean() - centre, 0.0)
    else:
        loss = np.full(len(rates), np.nan)
    return pd.DataFrame(
        {
            "slot": model.slots_,
            "rate": rates,
            "rate_shrunk": shrunk,
            "p_best": np.bincount(best, minlength=len(rates)) / n_draws,
            "expected_loss": loss,
        }
    )


def _float(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _pairwise_from_model(model: RateModel, reference: str, level: float) -> pd.DataFrame:
    rates, gradient = model.adjusted_rates_with_gradient()
    cov = gradient @ model.result_.cov_params().to_numpy() @ gradient.T
    slots = model.slots_
    r = slots.index(reference)
    df = model.result_.df_resid
    quantile = stats.t.ppf(0.5 + level / 2, df)
    rows = []
    for s, slot in enumerate(slots):
        if s == r:
            continue
        diff = rates[s] - rates[r]
        se = np.sqrt(cov[s, s] + cov[r, r] - 2 * cov[s, r])
        p = 2 * stats.t.sf(abs(diff) / se, df)
        log_var = (
            cov[s, s] / rates[s] ** 2 + cov[r, r] / rates[r] ** 2 - 2 * cov[s, r] / (rates[s] * rates[r])
        )
        with np.errstate(over="ignore", divide="ignore"):  # a rate of ~0: an unbounded lift interval
            log_ratio = np.log(rates[s] / rates[r])
            half = quantile * np.sqrt(log_var)
            lift_low, lift_high = np.exp(log_ratio - half) - 1, np.exp(log_ratio + half) - 1
        rows.append(
            {
                "slot": slot,
                "reference": reference,
                "rate": rates[s],
                "reference_rate": rates[r],
                "difference": diff,
                "diff_low": diff - quantile * se,
                "diff_high": diff + quantile * se,
                "lift": rates[s] / rates[r] - 1,
                "lift_low": lift_low,
                "lift_high": lift_high,
                "p_value": p,
            }
        )
    table = pd.DataFrame(rows)
    if len(table):
        table["p_holm"] = adjust_pvalues(table["p_value"], "holm")
        table["p_bh"] = adjust_pvalues(table["p_value"], "bh")
    return table


def _welch_rows(pushes, successes, trials, reference, level):
    rate = pushes[successes] / pushes[trials]
    rows = []
    ref = rate[pushes["slot"] == reference].to_numpy()
    for slot in _slot_order(pushes):
        if slot == reference:
            continue
        other = rate[pushes["slot"] == slot].to_numpy()
        if len(other) < 2 or len(ref) < 2:
            continue
        test = stats.ttest_ind(other, ref, equal_var=False)
        ci = test.confidence_interval(confidence_level=level)
        rows.append(
            (
                "welch_push_rates",
                f"{slot} vs {reference}",
                other.mean() - ref.mean(),
                ci.low,
                ci.high,
                test.pvalue,
            )
        )
    return rows


def _naive_rows(pushes, successes, trials, reference, level):
    grouped = pushes.groupby("slot")[[successes, trials]].sum()
    y_r, n_r = grouped.loc[reference]
    rows = []
    z_q = stats.norm.ppf(0.5 + level / 2)
    for slot in _slot_order(pushes):
        if slot == reference:
            continue
        y, n = grouped.loc[slot]
        p1, p0 = y / n, y_r / n_r
        pooled = (y + y_r) / (n + n_r)
        z = (p1 - p0) / np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n_r))
        se = np.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n_r)
        rows.append(
            (
                "naive_reader_z",
                f"{slot} vs {reference}",
                p1 - p0,
                p1 - p0 - z_q * se,
                p1 - p0 + z_q * se,
                2 * stats.norm.sf(abs(z)),
            )
        )
    return rows


def _cmh_rows(pushes, successes, trials, reference):
    rows = []
    for slot in _slot_order(pushes):
        if slot == reference:
            continue
        both = pushes[pushes["slot"].isin([slot, reference])]
        wide = both.pivot_table(
            index="push_id", columns="slot", values=[successes, trials], aggfunc="sum"
        ).dropna()
        if len(wide) == 0:
            continue
        tables = np.stack(
            [
                np.array(
                    [
                        [wide[(successes, slot)], wide[(trials, slot)] - wide[(successes, slot)]],
                        [
                            wide[(successes, reference)],
                            wide[(trials, reference)] - wide[(successes, reference)],
                        ],
                    ]
                ).transpose(2, 0, 1)
            ]
        )[0].transpose(1, 2, 0)
        strat = StratifiedTable(tables.astype(float))
        test = strat.test_null_odds(correction=False)
        low, high = strat.oddsratio_pooled_confint()
        rows.append(
            ("cmh_odds_ratio", f"{slot} vs {reference}", strat.oddsratio_pooled, low, high, test.pvalue)
        )
    return rows


def compare_slots(
    pushes: pd.DataFrame,
    metric: str = "open",
    *,
    design: str = "auto",
    reference: str | None = None,
    controls="auto",
    alpha: float = 0.05,
    n_permutations: int = 2000,
    naive: bool = False,
    as_of=None,
    bayes_draws: int = 20000,
    target_lift: float = 0.15,
    seed: int = 0,
) -> ABResult:
    """Compare push slots with the test that fits the design, and decide.

    Parameters
    ----------
    pushes : DataFrame
        A push table.
    metric : str
        ``open``, ``read``, ``read_through``, ``click`` or ``share``.
    design : {"auto", "blocked", "randomized", "split"}
    reference : str, optional
        Slot every other slot is compared with; default: the best slot, the
        one with the smallest expected loss under the model's posterior (a
        thin slot with a lucky high rate does not qualify).
    controls : "auto" or sequence of str
        Rotation controls for the GLM; ``"auto"`` uses weekday when send
        times are known and there are enough pushes, nothing otherwise.
    alpha : float
        Level of every test; intervals are ``1 - alpha``.
    n_permutations : int
        Permutations for the randomisation test (rotations); 0 to skip.
    naive : bool
        Add the reader-level z-test (labelled; never used for the decision).
    as_of : time, optional
        For the young-pushes check.
    bayes_draws, seed : int
        P(best) draws and the seed of everything random (echoed).
    target_lift : float
        When inconclusive, the plan also says how many days per slot would
        detect this relative lift of the leader over its closest rival.

    Returns
    -------
    ABResult

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> result = compare_slots(load_noon_study(), n_permutations=200)
    >>> result.design, result.best_slot, result.decision
    ('blocked', '12:00', 'inconclusive')
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}")
    successes, trials = _metric_columns(pushes, metric)
    design = detect_design(pushes) if design == "auto" else design
    level = 1 - alpha
    notes = []
    pushes = pushes[pushes[trials] > 0].reset_index(drop=True)
    if design == "slot-level":
        raise ValueError(
            "the data have one row per slot: no push-level comparison is possible. "
            "Use the per-push export (one row per push) to compare slots."
        )
    if design == "split":
        model_controls = ["push_id"]
    elif controls == "auto":
        enough = len(pushes) >= pushes["slot"].nunique() + 6 + 10
        model_controls = ["weekday"] if "sent_at" in pushes.columns and enough else []
    else:
        model_controls = list(controls)
    model = RateModel(metric, controls=model_controls).fit(pushes)
    adjusted = model.adjusted_rates_.set_index("slot")["rate"]
    # The best slot is the Bayes choice (smallest expected loss under the model's posterior,
    # i.e. the largest shrunk rate), not the highest point estimate: a slot seen once with a
    # lucky article has a high rate, is shrunk hard and has a large expected loss.
    bayes = model_posterior(model, n_draws=bayes_draws, seed=seed)
    best = str(bayes.loc[bayes["rate_shrunk"].idxmax(), "slot"])
    reference = reference or best
    if reference not in adjusted.index:
        raise ValueError(
            f"reference slot {reference!r} is not in the data (slots: {', '.join(adjusted.index)})"
        )
    pairwise = _pairwise_from_model(model, reference, level)
    if len(pairwise):
        counts = pushes["slot"].value_counts()
        pairwise.insert(2, "rival_pushes", pairwise["slot"].map(counts).astype(int))
        pairwise.insert(3, "reference_pushes", int(counts[reference]))
    f_stat, f_p, _q, _df2 = _wald_f(model)
    recommended = "glm_day_fixed_effects" if design == "split" else "quasi_binomial_glm"
    rows = [(f"{recommended}_omnibus", "all slots equal", f_stat, np.nan, np.nan, f_p, np.nan, True)]
    for row in pairwise.itertuples():
        rows.append(
            (
                recommended,
                f"{row.slot} vs {row.reference}",
                row.difference,
                row.diff_low,
                row.diff_high,
                row.p_value,
                row.p_holm,
                True,
            )
        )
    if design == "split":
        cmh = _cmh_rows(pushes, successes, trials, reference)
        adjusted_p = adjust_pvalues([r[5] for r in cmh], "holm") if cmh else []
        rows += [(*r, p, False) for r, p in zip(cmh, adjusted_p)]
    else:
        if n_permutations:
            perm = permutation_test(pushes, metric, design=design, n_permutations=n_permutations, seed=seed)
            rows.append(
                (
                    f"permutation_over_{perm['unit']}es"
                    if perm["unit"] == "stretch"
                    else "permutation_over_pushes",
                    "all slots equal",
                    perm["statistic"],
                    np.nan,
                    np.nan,
                    perm["p_value"],
                    np.nan,
                    False,
                )
            )
        welch = _welch_rows(pushes, successes, trials, reference, level)
        adjusted_p = adjust_pvalues([r[5] for r in welch], "holm") if welch else []
        rows += [(*r, p, False) for r, p in zip(welch, adjusted_p)]
    if naive:
        naive_rows = _naive_rows(pushes, successes, trials, reference, level)
        adjusted_p = adjust_pvalues([r[5] for r in naive_rows], "holm") if naive_rows else []
        rows += [(*r, p, False) for r, p in zip(naive_rows, adjusted_p)]
        if design != "split":
            notes.append("naive_reader_z treats readers of one push as independent: invalid for a rotation")
    tests = pd.DataFrame(
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
    winner = bool(reference == best and f_p < alpha and len(pairwise) and (pairwise["p_holm"] < alpha).all())
    decision = "winner" if winner else "inconclusive"
    health = health_checks(pushes, design=design, as_of=as_of)
    plan = (
        _plan_more(pushes, metric, design, pairwise, alpha, target_lift)
        if not winner and len(pairwise)
        else {}
    )
    verdict = _verdict(decision, pairwise, metric, plan, bayes, design, omnibus_p=f_p, alpha=alpha)
    return ABResult(
        summary=pairwise,
        tests=tests,
        decision=decision,
        best_slot=best,
        reference=reference,
        design=design,
        metric=metric,
        alpha=alpha,
        seed=seed,
        health=health,
        bayes=bayes,
        plan=plan,
        verdict=verdict,
        notes=notes,
    )


def _plan_more(pushes, metric, design, pairwise, alpha, target_lift) -> dict:
    """How much more data would separate the reference from its closest rival (80% power):
    at the observed gap, and at ``target_lift``."""
    closest = pairwise.loc[pairwise["p_holm"].idxmax()]
    baseline, target = closest["rate"], closest["reference_rate"]
    successes, _ = _metric_columns(pushes, metric)
    observed = pushes.groupby("slot")[successes].sum()
    # A slot with no successes at all has a fitted rate of ~1e-10, not 0: a lift on it
    # would "need" trillions of days. Nothing to plan from.
    if min(observed.get(closest["slot"], 0), observed.get(closest["reference"], 0)) == 0:
        return {
            "closest_rival": closest["slot"],
            "note": "no successes for this metric in one of the two slots: nothing to plan from",
        }
    observed_lift = target / baseline - 1
    plan: dict = {
        "closest_rival": closest["slot"],
        "observed_lift": float(observed_lift),
        "target_lift": target_lift,
    }
    if design == "split":
        days = int(pushes["push_id"].nunique())
        per_group = pushes["delivered"].mean()
        z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(0.8)
        for name, lift in (("observed", observed_lift), ("target", target_lift)):
            if lift <= 1e-3:
                continue
            p = baseline * (1 + lift / 2)
            gap = baseline * lift
            needed = int(np.ceil(z**2 * 2 * p * (1 - p) / per_group / gap**2))
            plan[f"days_needed_{name}"] = needed
        if "days_needed_observed" in plan:
            plan["more_days"] = max(plan["days_needed_observed"] - days, 0)
        plan["followers_per_group_for_target"] = plan_split(baseline, target_lift, days=days, alpha=alpha)[
            "followers_per_group"
        ]
        return plan
    history = push_variance(pushes, metric)
    have = int(pushes["slot"].value_counts()[[closest["slot"], closest["reference"]]].min())
    for name, lift in (("observed", observed_lift), ("target", target_lift)):
        if lift <= 1e-3:  # no gap to speak of: no finite plan
            continue
        table = plan_rotation(baseline, lift, delivered=history["delivered"], tau=history["tau"], alpha=alpha)
        table = table.set_index("analysis")["days_per_slot"]
        plan[f"days_per_slot_{name}"] = int(table["push_level"])
        plan[f"reader_level_formula_days_{name}"] = int(table["reader_level"])
    if "days_per_slot_observed" in plan:
        plan["more_days_per_slot"] = max(plan["days_per_slot_observed"] - have, 0)
    plan["pushes_per_slot_so_far"] = have
    plan["variance_df"] = history["df"]
    return plan


ROUGH_PLAN_DF = 20  # a variance estimate on 20 df has a 95% range spanning a factor of 3.6 (chi2)


def _verdict(decision, pairwise, metric, plan, bayes, design, *, omnibus_p=np.nan, alpha=0.05) -> str:
    label = METRICS[metric][2]
    bayes_row = bayes.set_index("slot")
    if not len(pairwise):
        return "only one slot: nothing to compare"
    closest = pairwise.loc[pairwise["p_holm"].idxmax()]
    ref = closest["reference"]
    gap = -100 * closest["difference"]
    low, high = -100 * closest["diff_high"], -100 * closest["diff_low"]
    loss = bayes_row.loc[ref, "expected_loss"]
    loss_text = f"{100 * loss:.2f} pp" if np.isfinite(loss) else "undefined with one residual df"
    text = (
        f"{ref} vs {closest['slot']} (closest rival): {gap:+.2f} pp {label} "
        f"(95% CI {low:+.2f} to {high:+.2f}), Holm-adjusted p = {closest['p_holm']:.3g}; "
        f"P(best) for {ref} {bayes_row.loc[ref, 'p_best']:.2f}, expected loss {loss_text}. "
    )
    if gap < 0 and "rival_pushes" in closest:
        rival, mine = int(closest["rival_pushes"]), int(closest["reference_pushes"])
        reason = (
            f"rests on {rival} push(es) against {mine}"
            if rival < mine
            else "is less certain and is shrunk further towards the other slots"
        )
        text += f"{closest['slot']}'s higher raw rate {reason}, so it is not the better bet. "
    if decision == "winner":
        return text + f"Decision: push at {ref}."
    more = plan.get("more_days_per_slot", plan.get("more_days"))
    unit = "days per slot" if design != "split" else "days"
    extra = ""
    if more is not None:
        extra = f"; about {more} more {unit} needed for 80% power at this gap"
        key = "days_per_slot_target" if design != "split" else "days_needed_target"
        if key in plan:
            extra += f" ({plan[key]} {unit} in all would detect a {plan['target_lift']:.0%} lift)"
        if plan.get("variance_df", ROUGH_PLAN_DF) < ROUGH_PLAN_DF:
            extra += (
                f"; a rough plan: the push-to-push variance behind it rests on "
                f"{plan['variance_df']} degrees of freedom"
            )
    why = ""
    if (pairwise["p_holm"] < alpha).all() and not omnibus_p < alpha:
        # The pairwise tests alone would say "winner"; the decision also needs the omnibus test.
        why = f" (the omnibus test across all slots gives p = {omnibus_p:.3g}, not below {alpha:g})"
    return text + f"No slot is distinguishable yet{why} ({ref} leads){extra}."


# -- sequential monitoring -----------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _boundaries(information: tuple, alpha: float, spending: str) -> tuple:
    from .planning import group_sequential_boundaries

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
    (:func:`wxtime.planning.group_sequential_boundaries`), so the overall
    error rate stays at ``alpha`` however often one looks.

    * split design: the statistic is the mean of the daily differences
      between the two groups (paired by push) over its standard error; the
      information fraction is days so far / ``planned`` days.
    * rotation: Welch's statistic for the difference in mean push rates;
      the information fraction is the harmonic mean of pushes per slot over
      ``planned`` pushes per slot.

    In both, the t statistic is turned into a z score through its t
    distribution (Welch-Satterthwaite df for a rotation), so small early
    looks are not over-trusted.

    Returns one row per look: ``day, n_a, n_b, z, boundary, reject``.
    """
    successes, trials = _metric_columns(pushes, metric)
    missing = [s for s in slots if s not in set(pushes["slot"])]
    if missing:
        raise ValueError(
            f"slot(s) {', '.join(missing)} not in the data (slots: {', '.join(_slot_order(pushes))})"
        )
    design = detect_design(pushes) if design == "auto" else design
    data = pushes[pushes["slot"].isin(slots)].sort_values("sent_at")
    days = data["sent_at"].dt.floor("D").to_numpy()
    rate = (data[successes] / data[trials]).to_numpy()
    is_a = (data["slot"] == slots[0]).to_numpy()
    looks = []
    if design == "split":
        wide = data.assign(rate=rate, day=days).pivot_table(index="day", columns="slot", values="rate")
        wide = wide.dropna()
        diff = (wide[slots[0]] - wide[slots[1]]).to_numpy()
        for k in range(min_pushes, len(diff) + 1):
            d = diff[:k]
            t = d.mean() / (d.std(ddof=1) / np.sqrt(k))
            z = stats.norm.ppf(stats.t.cdf(t, k - 1))
            looks.append((wide.index[k - 1], k, k, z, k / planned))
    else:
        for day in np.unique(days):
            upto = days <= day
            a, b = rate[upto & is_a], rate[upto & ~is_a]
            if len(a) < min_pushes or len(b) < min_pushes:
                continue
            va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
            t = (a.mean() - b.mean()) / np.sqrt(va + vb)
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            z = stats.norm.ppf(stats.t.cdf(t, df))
            info = 2 / (1 / len(a) + 1 / len(b))
            looks.append((pd.Timestamp(day), len(a), len(b), z, info / planned))
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
    n_permutations: int = 200,
    open_rate: float = 0.065,
    seed: int = 0,
    progress: bool = False,
) -> pd.DataFrame:
    """Run ``compare_slots`` on studies where every slot is truly equal.

    One row per study: the p-value of each test (``p_<name>``; pairwise
    tests by their smallest Holm-adjusted p-value), whether the omnibus
    test rejected, and the ``decision``. The rejection rate of a calibrated
    test is ``alpha``. Studies use :func:`wxtime.simulate.null_audience`
    (realistic content noise, weekday effects, follower growth).

    Examples
    --------
    >>> runs = aa_study("blocked", n_studies=3, n_permutations=50, seed=1)
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
            pushes, alpha=alpha, n_permutations=n_permutations, naive=True, bayes_draws=500, seed=study_seed
        )
        row = {"study": i, "seed": study_seed, "decision": result.decision}
        for name, group in result.tests.groupby("name", sort=False):
            p = group["p_adjusted"].min() if group["p_adjusted"].notna().any() else group["p_value"].min()
            row[f"p_{name}"] = float(p)
        rows.append(row)
    return pd.DataFrame(rows)
