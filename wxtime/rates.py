"""Open and read rates by send slot: estimates with honest intervals, shrinkage and a rate model.

Funnel definitions (see :mod:`wxtime.schema`)::

    open rate    = opened / delivered        (metric "open")
    read rate    = read / delivered          (metric "read")
    read-through = read / opened             (metric "read_through")
    click rate   = clicked / delivered       (metric "click")
    share rate   = shared / delivered        (metric "share")

Why push-level intervals
------------------------
Everyone who receives a push receives the same article at the same moment, so
readers of one push are not independent draws: article-to-article variation
is far larger than binomial noise (Pearson chi-square / df of 10-50 on real
accounts). A binomial (Wilson) interval on a slot's pooled readers is then
far too narrow. wxtime's default ``interval="quasi"`` is the quasi-binomial
interval: a binomial GLM with slot as a factor whose scale is the Pearson
dispersion ``phi`` estimated from the push-level residuals, i.e. the
binomial variance inflated by ``phi``, on the logit scale with a t quantile
(``df = pushes - slots``). ``interval="robust"`` uses each slot's own
push-to-push spread (a cluster-robust ratio variance; needs several pushes
per slot). ``interval="wilson" | "jeffreys" | "beta"`` are reader-level
binomial intervals, correct only for a single push or a split design's
within-push comparison.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special, stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from .schema import format_slot

__all__ = [
    "KPI_YARDSTICK",
    "METRICS",
    "RateModel",
    "SlotRates",
    "counts_at_age",
    "dispersion",
    "estimate_rates",
    "funnel_table",
    "kpi_scorecard",
    "posterior_best",
    "rates_by_weekday",
    "read_curves",
    "young_pushes",
]

#: metric -> (successes column, trials column, label)
METRICS: dict[str, tuple[str, str, str]] = {
    "open": ("opened", "delivered", "open rate"),
    "read": ("read", "delivered", "read rate"),
    "read_through": ("read", "opened", "read-through"),
    "click": ("clicked", "delivered", "click rate"),
    "share": ("shared", "delivered", "share rate"),
}

_BINOMIAL_METHODS = {"wilson": "wilson", "jeffreys": "jeffreys", "beta": "beta", "clopper-pearson": "beta"}


def _metric_columns(pushes: pd.DataFrame, metric: str) -> tuple[str, str]:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    successes, trials, _ = METRICS[metric]
    for column in (successes, trials):
        if column not in pushes.columns:
            raise ValueError(f"metric {metric!r} needs a {column!r} column, which the data lack")
    return successes, trials


def _slot_order(pushes: pd.DataFrame) -> list[str]:
    hours = pushes.groupby("slot")["slot_hour"].first().sort_values()
    return list(hours.index)


def dispersion(successes, trials, groups) -> tuple[float, int]:
    """Pearson chi-square / df of push counts around their group's pooled rate.

    Returns ``(phi, df)``; ``phi`` is about 1 when pushes vary only binomially.
    This is the scale a quasi-binomial GLM with ``groups`` as a factor
    estimates.

    Examples
    --------
    Group a pools to 0.2; each of its pushes is 10 away with binomial variance
    100 * 0.2 * 0.8 = 16, so chi-square = 2 * 100 / 16 = 12.5 on 4 - 2 = 2 df:

    >>> phi, df = dispersion([10, 30, 20, 20], [100, 100, 100, 100], ["a", "a", "b", "b"])
    >>> round(phi, 2), df
    (6.25, 2)
    """
    y = np.asarray(successes, float)
    n = np.asarray(trials, float)
    codes, uniques = pd.factorize(pd.Series(groups))
    pooled = np.bincount(codes, y) / np.bincount(codes, n)
    p = pooled[codes]
    df = len(y) - len(uniques)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where((p > 0) & (p < 1), (y - n * p) ** 2 / (n * p * (1 - p)), 0.0)
    if df <= 0:
        return float("nan"), df
    return float(terms.sum() / df), df


def _logit_interval(rate, se_logit, quantile):
    centre = special.logit(np.clip(rate, 1e-12, 1 - 1e-12))
    return special.expit(centre - quantile * se_logit), special.expit(centre + quantile * se_logit)


def _slot_intervals(y, n, codes, n_slots, interval, level):
    """Per-slot pooled rate and interval; returns (rate, low, high, note)."""
    ys = np.bincount(codes, y, minlength=n_slots)
    ns = np.bincount(codes, n, minlength=n_slots)
    rate = ys / ns
    alpha = 1 - level
    if interval in _BINOMIAL_METHODS:
        low, high = proportion_confint(ys, ns, alpha=alpha, method=_BINOMIAL_METHODS[interval])
        return rate, np.asarray(low), np.asarray(high), f"binomial ({interval}), readers as independent"
    if interval == "quasi":
        phi, df = dispersion(y, n, codes)
        if not np.isfinite(phi):
            raise ValueError("a push-level interval needs more pushes than slots; use interval='wilson'")
        phi = max(phi, 1.0)
        with np.errstate(divide="ignore"):  # a slot with no successes: an unbounded logit interval
            se = np.sqrt(phi / (ns * rate * (1 - rate)))
        low, high = _logit_interval(rate, se, stats.t.ppf(1 - alpha / 2, df))
        return rate, low, high, f"quasi-binomial, dispersion {phi:.1f} on {df} df"
    if interval == "robust":
        pushes_per_slot = np.bincount(codes, minlength=n_slots)
        if pushes_per_slot.min() < 2:
            raise ValueError("interval='robust' needs at least 2 pushes per slot")
        resid = y - rate[codes] * n
        m = pushes_per_slot
        var_ratio = np.bincount(codes, resid**2, minlength=n_slots) / ns**2 * m / (m - 1)
        se = np.sqrt(var_ratio) / np.maximum(rate * (1 - rate), 1e-12)  # delta method to logit
        quantile = stats.t.ppf(1 - alpha / 2, m - 1)
        low, high = _logit_interval(rate, se, quantile)
        return rate, low, high, "cluster-robust by push (per-slot spread, t with pushes-1 df)"
    raise ValueError(f"interval must be quasi, robust, wilson, jeffreys or beta, not {interval!r}")


def funnel_table(pushes: pd.DataFrame, *, interval: str = "quasi", level: float = 0.95) -> pd.DataFrame:
    """Per-slot funnel: counts, open rate, read rate and read-through with intervals.

    Returns
    -------
    DataFrame
        One row per slot (by time of day): ``slot, pushes, delivered, opened``
        (``read`` if present), and for each metric available ``<metric>_rate,
        <metric>_low, <metric>_high`` (open, read, read_through).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> table = funnel_table(load_noon_study())
    >>> list(table.columns[:5])
    ['slot', 'pushes', 'delivered', 'opened', 'read']
    """
    order = _slot_order(pushes)
    codes = pd.Categorical(pushes["slot"], categories=order).codes
    out = pd.DataFrame({"slot": order, "pushes": np.bincount(codes, minlength=len(order))})
    for column in ("delivered", "opened", "read", "clicked", "shared"):
        if column in pushes.columns:
            out[column] = np.bincount(codes, pushes[column].to_numpy(float), minlength=len(order)).astype(
                np.int64
            )
    for metric in ("open", "read", "read_through"):
        successes, trials, _ = METRICS[metric]
        if successes not in pushes.columns:
            continue
        y = pushes[successes].to_numpy(float)
        n = pushes[trials].to_numpy(float)
        rate, low, high, _ = _slot_intervals(y, n, codes, len(order), interval, level)
        name = "read_through" if metric == "read_through" else f"{metric}_rate"
        out[name] = rate
        out[f"{metric}_low"] = low
        out[f"{metric}_high"] = high
    out.attrs["interval"] = interval
    return out


def _weekday(pushes: pd.DataFrame, what: str) -> pd.Series:
    """Weekday of each push (0 = Monday): from ``sent_at``, else a ``weekday`` column."""
    if "sent_at" in pushes.columns:
        return pushes["sent_at"].dt.day_of_week
    if "weekday" in pushes.columns:
        return pushes["weekday"]
    raise ValueError(f"{what} needs sent_at or a weekday column")


def rates_by_weekday(pushes: pd.DataFrame, metric: str = "open") -> pd.DataFrame:
    """Pooled rate per weekday x slot: ``weekday`` (0 = Monday), ``slot``, ``pushes``, ``rate``.

    A rotation rarely covers every cell; empty cells are absent (not zero).
    Feed it to :func:`wxtime.plots.plot_heatmap`.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> table = rates_by_weekday(load_noon_study())
    >>> len(table), int(table["pushes"].sum())
    (35, 70)
    """
    successes, trials = _metric_columns(pushes, metric)
    weekday = _weekday(pushes, "a weekday table")
    table = (
        pushes.assign(weekday=weekday.to_numpy())
        .groupby(["weekday", "slot"])
        .agg(pushes=(trials, "size"), successes=(successes, "sum"), trials=(trials, "sum"))
        .reset_index()
    )
    table["rate"] = table["successes"] / table["trials"]
    return table[["weekday", "slot", "pushes", "rate"]]


# -- shrinkage and P(best) ----------------------------------------------------------
def _fit_beta_prior(y, n):
    """Marginal-likelihood fit of a Beta(mu*kappa, (1-mu)*kappa) prior to (possibly
    fractional) binomial counts; returns (alpha, beta)."""
    y = np.asarray(y, float)
    n = np.asarray(n, float)

    def negloglik(params):
        mu = special.expit(params[0])
        kappa = np.exp(params[1])
        a, b = mu * kappa, (1 - mu) * kappa
        return -np.sum(special.betaln(y + a, n - y + b) - special.betaln(a, b))

    pooled = y.sum() / n.sum()
    rates = y / n
    # Method-of-moments start; kappa large when slots hardly differ.
    var = max(np.var(rates, ddof=1) if len(rates) > 1 else 0.0, 1e-10)
    kappa0 = np.clip(pooled * (1 - pooled) / var - 1, 1.0, 1e6)
    fit = optimize.minimize(
        negloglik,
        x0=[special.logit(pooled), np.log(kappa0)],
        method="L-BFGS-B",
        bounds=[(-15, 15), (np.log(0.5), np.log(1e7))],
    )
    mu, kappa = special.expit(fit.x[0]), np.exp(fit.x[1])
    return mu * kappa, (1 - mu) * kappa


def posterior_best(alpha, beta, *, n_draws: int = 20000, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """P(best) and expected loss (in rate units) from independent Beta posteriors (``seed``: an
    int or a NumPy Generator).

    ``expected_loss[s] = E[max_j theta_j - theta_s]``: what choosing ``s`` costs
    on average if it is not the best.

    Examples
    --------
    >>> p_best, loss = posterior_best([80, 50], [920, 950], seed=1)
    >>> bool(p_best[0] > 0.99), float(loss[0]) < 0.001
    (True, True)
    """
    rng = np.random.default_rng(seed)
    draws = rng.beta(np.asarray(alpha, float), np.asarray(beta, float), size=(n_draws, len(alpha)))
    best = draws.argmax(axis=1)
    p_best = np.bincount(best, minlength=draws.shape[1]) / n_draws
    # E[max] - E[theta_s], with the exact Beta means: the ranking by loss is then exactly the
    # ranking by posterior mean (the Bayes choice), not one perturbed by Monte Carlo noise.
    mean = np.asarray(alpha, float) / (np.asarray(alpha, float) + np.asarray(beta, float))
    loss = draws.max(axis=1).mean() - mean
    return p_best, np.maximum(loss, 0.0)


@dataclass
class SlotRates:
    """Per-slot rates: raw with intervals, shrunk, P(best) and expected loss.

    Attributes
    ----------
    summary : DataFrame
        ``slot, slot_hour, pushes, delivered, successes, rate, ci_low, ci_high,
        rate_shrunk, shrunk_low, shrunk_high, p_best, expected_loss`` (loss in
        rate units; multiply by 100 for percentage points).
    metric, interval, level, seed : as passed
    dispersion : float
        Pearson chi-square/df of pushes around their slot's rate (1 = binomial).
    prior : (float, float)
        The empirical-Bayes Beta prior across slots.
    note : str
        Which interval was used, in words.
    """

    summary: pd.DataFrame
    metric: str
    interval: str
    level: float
    seed: int
    dispersion: float
    prior: tuple[float, float]
    note: str
    extra: dict = field(default_factory=dict)

    @property
    def best_slot(self) -> str:
        """The Bayes choice: the slot with the smallest expected loss (ties: highest P(best))."""
        table = self.summary.sort_values(["expected_loss", "p_best"], ascending=[True, False])
        return str(table["slot"].iloc[0])

    def plot(self, ax=None, lang: str = "en"):
        """Raw rates with intervals and shrunk rates by slot."""
        from .plots import plot_rates

        return plot_rates(self, ax=ax, lang=lang)

    def to_dict(self) -> dict:
        """JSON-ready: ``best_slot, metric, interval, dispersion, slots[...]``."""
        slots = [
            {
                "slot": row.slot,
                "pushes": int(row.pushes),
                "delivered": int(row.delivered),
                "successes": int(row.successes),
                "rate": float(row.rate),
                "ci_low": float(row.ci_low),
                "ci_high": float(row.ci_high),
                "rate_shrunk": float(row.rate_shrunk),
                "p_best": float(row.p_best),
                "expected_loss": float(row.expected_loss),
            }
            for row in self.summary.itertuples()
        ]
        return {
            "best_slot": self.best_slot,
            "metric": self.metric,
            "interval": self.note,
            "dispersion": self.dispersion,
            "seed": self.seed,
            "slots": slots,
        }

    def _repr_html_(self) -> str:
        import html

        from .report import html_table

        head = (
            f"<p><b>{METRICS[self.metric][2]} by slot</b>: best {html.escape(self.best_slot)}; "
            f"interval: {html.escape(self.note)}; seed {self.seed}</p>"
        )
        return head + html_table(self.summary)


def estimate_rates(
    pushes: pd.DataFrame,
    metric: str = "open",
    *,
    interval: str = "quasi",
    level: float = 0.95,
    n_draws: int = 20000,
    seed: int = 0,
) -> SlotRates:
    """Estimate each slot's rate, shrink thin slots, and say which slot is best.

    Shrinkage is empirical Bayes: slot rates are drawn from a Beta prior whose
    parameters maximise the beta-binomial marginal likelihood of the slots'
    counts. Because pushes are overdispersed, each slot's counts first become
    *effective* counts (divided by the dispersion ``phi``), so a slot's
    evidence is worth its number of independent readers, not its raw readers.
    P(best) and expected loss come from ``n_draws`` draws of the posteriors
    (seeded by ``seed``).

    Parameters
    ----------
    pushes : DataFrame
        A push table (:func:`wxtime.schema.validate_pushes`).
    metric : {"open", "read", "read_through", "click", "share"}
    interval : {"quasi", "robust", "wilson", "jeffreys", "beta"}
        See the module docstring. On slot-level (aggregated) data only the
        binomial ones are possible; "quasi" then falls back to "wilson" and
        says so in ``note``.
    level : float
        Confidence level.
    n_draws, seed : int
        Monte Carlo draws for P(best); the seed is echoed in the result.

    Notes
    -----
    Empirical Bayes treats the fitted prior as known, so the shrunk intervals
    and P(best) understate uncertainty when there are few slots (the prior's
    spread is then poorly determined; with 3-5 slots it often comes out
    tight and pools strongly). The push-level ``ci_low``/``ci_high`` do not
    depend on the prior. The dispersion is pooled over slots, which assumes
    pushes vary about equally at every slot.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> rates = estimate_rates(load_noon_study(), "open")
    >>> rates.best_slot
    '12:00'
    >>> rates.summary[["slot", "pushes", "rate", "ci_low", "ci_high"]].round(4)
        slot  pushes    rate  ci_low  ci_high
    0  07:30      14  0.0537  0.0454   0.0634
    1  12:00      14  0.0717  0.0624   0.0824
    2  18:00      14  0.0433  0.0363   0.0516
    3  21:00      14  0.0682  0.0597   0.0779
    4  22:30      14  0.0629  0.0550   0.0720
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    successes, trials = _metric_columns(pushes, metric)
    order = _slot_order(pushes)
    codes = pd.Categorical(pushes["slot"], categories=order).codes
    y = pushes[successes].to_numpy(float)
    n = pushes[trials].to_numpy(float)
    if np.any(n == 0):
        keep = n > 0
        y, n, codes = y[keep], n[keep], codes[keep]
    slot_level = pushes.attrs.get("level") == "slot" or len(y) <= len(order)
    used = interval
    if slot_level and interval in ("quasi", "robust"):
        used = "wilson"
    rate, low, high, note = _slot_intervals(y, n, codes, len(order), used, level)
    if used != interval:
        note += " (the data have one row per slot, so no push-level interval is possible)"
    phi, _ = dispersion(y, n, codes) if not slot_level else (float("nan"), 0)
    phi_eff = max(phi, 1.0) if np.isfinite(phi) else 1.0
    ys = np.bincount(codes, y, minlength=len(order))
    ns = np.bincount(codes, n, minlength=len(order))
    y_eff, n_eff = ys / phi_eff, ns / phi_eff
    a0, b0 = _fit_beta_prior(y_eff, n_eff)
    a_post, b_post = a0 + y_eff, b0 + n_eff - y_eff
    p_best, loss = posterior_best(a_post, b_post, n_draws=n_draws, seed=seed)
    alpha = 1 - level
    summary = pd.DataFrame(
        {
            "slot": order,
            "slot_hour": pushes.groupby("slot")["slot_hour"].first().reindex(order).to_numpy(),
            "pushes": np.bincount(codes, minlength=len(order)),
            "delivered": ns.astype(np.int64),
            "successes": ys.astype(np.int64),
            "rate": rate,
            "ci_low": low,
            "ci_high": high,
            "rate_shrunk": a_post / (a_post + b_post),
            "shrunk_low": stats.beta.ppf(alpha / 2, a_post, b_post),
            "shrunk_high": stats.beta.ppf(1 - alpha / 2, a_post, b_post),
            "p_best": p_best,
            "expected_loss": loss,
        }
    )
    return SlotRates(
        summary=summary,
        metric=metric,
        interval=used,
        level=level,
        seed=seed,
        dispersion=float(phi),
        prior=(float(a0), float(b0)),
        note=note,
    )


# -- the rate model ---------------------------------------------------------------
def _harmonics(hours: np.ndarray, k: int) -> pd.DataFrame:
    angle = 2 * np.pi * np.asarray(hours, float) / 24
    columns = {}
    for j in range(1, k + 1):
        columns[f"sin{j}"] = np.sin(j * angle)
        columns[f"cos{j}"] = np.cos(j * angle)
    return pd.DataFrame(columns)


class RateModel:
    """Binomial GLM of a rate on slot and the confounders of a rotation, fitted on counts.

    The response is each push's proportion with ``var_weights`` = its trials,
    and the scale is Pearson chi-square/df (quasi-binomial). This is the
    formulation whose scale statsmodels gets right: with a two-column
    (successes, failures) endog, ``fit(scale="X2")`` reported a scale near
    0.008 instead of about 45 on realistic data (statsmodels 0.15.0), making
    every A/A test "significant". Fitting on one row per push (or per slot)
    gives the same coefficients as one 0/1 row per reader at a tiny fraction
    of the cost.

    Parameters
    ----------
    metric : str
        See :data:`METRICS`.
    slot_effect : {"categorical", "harmonic"}
        Slot as a factor (one coefficient per slot), or a smooth cyclic
        function of the hour of day (``harmonics`` sine/cosine pairs, so 23:00
        and 00:00 are neighbours).
    controls : sequence of str
        Any of ``"weekday"``, ``"column"``, ``"position"``, ``"trend"`` (days
        since the first push), ``"log_followers"``, or names of other columns
        (categorical if non-numeric). Missing ones raise.
    harmonics : int
    scale : {"X2", 1.0}
        ``"X2"`` (quasi-binomial, the default: Pearson chi-square/df) or 1.0
        for a plain binomial.

    Attributes (after :meth:`fit`)
    ------------------------------
    result_ : statsmodels GLMResults
    params_ : DataFrame (coef, se, z/t, p, ci)
    adjusted_rates_ : DataFrame
        Per slot: the rate standardised over the observed covariates
        (every push as if sent at that slot, averaged with trials as weights),
        with a delta-method interval.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> model = RateModel(controls=["weekday", "trend"]).fit(load_noon_study())
    >>> model.adjusted_rates_.sort_values("rate", ascending=False)["slot"].iloc[0]
    '12:00'
    """

    def __init__(self, metric="open", *, slot_effect="categorical", controls=(), harmonics=2, scale="X2"):
        if slot_effect not in ("categorical", "harmonic"):
            raise ValueError("slot_effect must be 'categorical' or 'harmonic'")
        self.metric = metric
        self.slot_effect = slot_effect
        self.controls = tuple(controls)
        self.harmonics = harmonics
        self.scale = scale

    def _design(self, pushes: pd.DataFrame, slots: pd.Series) -> pd.DataFrame:
        parts = [pd.DataFrame({"const": np.ones(len(pushes))})]
        if self.slot_effect == "categorical":
            cat = pd.Categorical(slots, categories=self.slots_)
            dummies = pd.get_dummies(cat, prefix="slot", dtype=float).iloc[:, 1:]
            parts.append(dummies.reset_index(drop=True))
        else:
            hours = [self.slot_hours_[s] for s in slots]
            parts.append(_harmonics(np.asarray(hours), self.harmonics))
        for control in self.controls:
            parts.append(self._control(pushes, control).reset_index(drop=True))
        return pd.concat(parts, axis=1)

    def _control(self, pushes: pd.DataFrame, control: str) -> pd.DataFrame:
        if control == "weekday":
            return self._categorical("weekday", _weekday(pushes, "control 'weekday'"))
        if control == "trend":
            if "sent_at" not in pushes.columns:
                raise ValueError("control 'trend' needs sent_at")
            days = (pushes["sent_at"] - self.start_).dt.total_seconds() / 86400
            return pd.DataFrame({"trend": days.to_numpy() / 30.0})  # per 30 days
        if control == "log_followers":
            return pd.DataFrame({"log_followers": np.log(pushes["followers"].to_numpy(float))})
        if control not in pushes.columns:
            raise ValueError(f"control {control!r} is not a column of the data")
        values = pushes[control]
        if pd.api.types.is_numeric_dtype(values) and values.nunique() > 12:
            return pd.DataFrame({control: values.to_numpy(float)})
        return self._categorical(control, values)

    def _categorical(self, name, values):
        values = pd.Series(values).astype(str).reset_index(drop=True)
        if name not in self.levels_:
            self.levels_[name] = sorted(values.unique())
        cat = pd.Categorical(values, categories=self.levels_[name])
        return pd.get_dummies(cat, prefix=name, dtype=float).iloc[:, 1:]

    def fit(self, pushes: pd.DataFrame) -> RateModel:
        """Fit on a push table; returns ``self``."""
        successes, trials = _metric_columns(pushes, self.metric)
        pushes = pushes[pushes[trials] > 0].reset_index(drop=True)
        self.slots_ = _slot_order(pushes)
        self.slot_hours_ = pushes.groupby("slot")["slot_hour"].first().to_dict()
        self.levels_: dict[str, list] = {}
        self.start_ = pushes["sent_at"].min() if "sent_at" in pushes.columns else None
        X = self._design(pushes, pushes["slot"])
        self.X_ = X
        self._adjusted_cache = None
        n = pushes[trials].to_numpy(float)
        y = pushes[successes].to_numpy(float) / n
        glm = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=n)
        # Not floored at 1: the F and t reference distributions already carry the
        # scale's estimation noise; flooring made split-design A/A tests reject 2.7%.
        with warnings.catch_warnings(record=True) as caught:
            # statsmodels repeats this warning on every IRLS iteration (96 lines for one fit).
            warnings.simplefilter("always", PerfectSeparationWarning)
            self.result_ = glm.fit(scale=self.scale)
        self.separation_ = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
        for w in caught:
            if not issubclass(w.category, PerfectSeparationWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        self.dispersion_ = float(self.result_.scale)
        if self.scale == "X2" and self.result_.df_resid > 0 and not self.dispersion_ > 1e-9:
            # Every push sits exactly on its fitted rate (e.g. two pushes per slot with the same
            # rate): a zero scale would give zero-width intervals and p ~ 0 from four pushes.
            raise ValueError(
                f"the {len(pushes)} pushes fit their slots exactly (Pearson chi2 = 0 on "
                f"{int(self.result_.df_resid)} df), so push-to-push variation cannot be estimated; "
                "collect more pushes per slot"
            )
        if self.separation_:
            warnings.warn(
                "statsmodels reports perfect prediction (fitted rates equal to the observed ones, "
                "or a rate of 0 or 1): coefficients and intervals may not be reliable",
                stacklevel=2,
            )
        self.pushes_ = pushes
        self.trials_ = n
        ci = self.result_.conf_int()
        self.params_ = pd.DataFrame(
            {
                "coef": self.result_.params,
                "se": self.result_.bse,
                "stat": self.result_.tvalues,
                "p_value": self.result_.pvalues,
                "ci_low": ci[0],
                "ci_high": ci[1],
            }
        )
        self.adjusted_rates_ = self._adjusted_rates()
        return self

    def adjusted_rates_with_gradient(self) -> tuple[np.ndarray, np.ndarray]:
        """Standardised rate of every slot and its gradient with respect to the coefficients.

        ``cov = G @ result_.cov_params() @ G.T`` is the delta-method covariance
        of the adjusted rates, which pairwise comparisons need.
        """
        if getattr(self, "_adjusted_cache", None) is not None:
            return self._adjusted_cache
        params = self.result_.params.to_numpy()
        weights = self.trials_ / self.trials_.sum()
        base = self.X_.copy()
        slot_columns = [i for i, c in enumerate(self.X_.columns) if c.startswith(("slot_", "sin", "cos"))]
        rates, gradients = [], []
        for slot in self.slots_:
            X = base.to_numpy(copy=True)
            # Every push as if sent at this slot: only the slot columns change.
            if self.slot_effect == "categorical":
                X[:, slot_columns] = 0.0
                name = f"slot_{slot}"
                if name in self.X_.columns:
                    X[:, self.X_.columns.get_loc(name)] = 1.0
            else:
                X[:, slot_columns] = _harmonics(
                    np.full(len(X), self.slot_hours_[slot]), self.harmonics
                ).to_numpy()
            mu = special.expit(X @ params)
            rates.append(float(weights @ mu))
            gradients.append((weights * mu * (1 - mu)) @ X)
        self._adjusted_cache = (np.asarray(rates), np.vstack(gradients))
        return self._adjusted_cache

    def _adjusted_rates(self, level: float = 0.95) -> pd.DataFrame:
        rates, gradient = self.adjusted_rates_with_gradient()
        cov = gradient @ self.result_.cov_params().to_numpy() @ gradient.T
        se = np.sqrt(np.diag(cov))
        z = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame(
            {
                "slot": self.slots_,
                "rate": rates,
                "se": se,
                "ci_low": rates - z * se,
                "ci_high": rates + z * se,
            }
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Adjusted per-slot rates (the table most users want)."""
        return self.adjusted_rates_

    def predict(self, pushes: pd.DataFrame) -> np.ndarray:
        """Predicted rate for each row of a push table (slots must be among the fitted ones)."""
        X = self._design(pushes.reset_index(drop=True), pushes["slot"].reset_index(drop=True))
        return special.expit(X.to_numpy() @ self.result_.params.to_numpy())

    def plot(self, ax=None, lang="en"):
        """Adjusted rates by slot with intervals."""
        from .plots import plot_adjusted_rates

        return plot_adjusted_rates(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        import html

        from .report import html_table

        controls = html.escape(", ".join(self.controls) or "none")
        return (
            f"<p><b>RateModel</b> ({html.escape(self.metric)}, {self.slot_effect} slot effect, controls: "
            f"{controls}; dispersion {self.dispersion_:.1f})</p>" + html_table(self.adjusted_rates_)
        )


# -- read curves after the push ------------------------------------------------------
def read_curves(curves: pd.DataFrame, pushes: pd.DataFrame) -> pd.DataFrame:
    """How opens accumulate after a push, per slot.

    Parameters
    ----------
    curves : DataFrame
        ``push_id, age_hours, opened_cum`` (cumulative opens at each age; from
        hourly exports or :attr:`wxtime.simulate.Study.curves`), optionally ``group``.
    pushes : DataFrame
        The push table, for each push's slot.

    Returns
    -------
    DataFrame
        ``slot, age_hours, share`` (mean over pushes of the share of the
        push's final count reached by that age), ``pushes``.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study, load_noon_curves
    >>> table = read_curves(load_noon_curves(), load_noon_study())
    >>> float(table.query("slot == '12:00' and age_hours == 24")["share"].iloc[0]) > 0.9
    True
    """
    keys = ["push_id", "group"] if "group" in curves.columns and "group" in pushes.columns else ["push_id"]
    data = curves.merge(pushes[[*keys, "slot"]], on=keys, how="inner")
    final = data.groupby(keys)["opened_cum"].transform("max")
    data = data.assign(share=np.where(final > 0, data["opened_cum"] / final.where(final > 0, 1), np.nan))
    table = (
        data.groupby(["slot", "age_hours"])
        .agg(share=("share", "mean"), pushes=("share", "size"))
        .reset_index()
    )
    return table


def counts_at_age(curves: pd.DataFrame, pushes: pd.DataFrame, age_hours: float = 24) -> pd.DataFrame:
    """The push table with ``opened`` replaced by opens within ``age_hours`` of the push.

    Comparing pushes at the same age keeps recent pushes from looking bad only
    because their late opens have not arrived yet. Pushes whose curve does not
    reach that age are dropped, and the number dropped is stored in
    ``attrs["too_young"]``.
    """
    keys = ["push_id", "group"] if "group" in curves.columns and "group" in pushes.columns else ["push_id"]
    at_age = curves[curves["age_hours"] <= age_hours]
    reached = at_age.groupby(keys)["age_hours"].max()
    value = at_age.groupby(keys)["opened_cum"].max()
    ok = reached[reached >= age_hours].index
    result = pushes.set_index(keys).loc[lambda f: f.index.isin(ok)].copy()
    result["opened"] = value.reindex(result.index).astype(np.int64)
    if "read" in result.columns:
        result = result.drop(columns=["read"])  # read counts are final-age counts: not comparable
    result = result.reset_index()
    result.attrs = dict(pushes.attrs)
    result.attrs["too_young"] = int(len(pushes) - len(result))
    result.attrs["age_hours"] = age_hours
    return result


def young_pushes(pushes: pd.DataFrame, as_of, min_age_hours: float = 24) -> pd.DataFrame:
    """Pushes sent less than ``min_age_hours`` before ``as_of``: their counts are still growing.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> pushes = load_noon_study()
    >>> young = young_pushes(pushes, as_of="2024-08-12 08:00")
    >>> young["push_id"].tolist()
    ['D070']
    """
    as_of = pd.Timestamp(as_of)
    if as_of.tzinfo is None:
        as_of = as_of.tz_localize(pushes["sent_at"].dt.tz)
    age = (as_of - pushes["sent_at"]).dt.total_seconds() / 3600
    return pushes.assign(age_hours=age)[age < min_age_hours]


# -- KPI scorecard -------------------------------------------------------------------
#: The 2013-era yardstick quoted in WeChat operations articles, and modern levels
#: (微小宝 monthly reports 2019: 1.1-1.2% average, 3% for the headline article).
KPI_YARDSTICK = pd.DataFrame(
    [
        ("delivery", "delivered / followers", 0.90, None),
        ("open", "opened / delivered", 0.80, 0.03),
        ("read", "read / delivered", 0.50, None),
        ("read_through", "read / opened", None, None),
        ("click", "clicked / delivered", 0.30, None),
        ("share", "shared / read", None, 0.0322),
    ],
    columns=["kpi", "definition", "yardstick_2013", "typical_2019"],
)


def kpi_scorecard(pushes: pd.DataFrame) -> pd.DataFrame:
    """The account's funnel beside the 2013 yardstick and modern typical levels.

    ``typical_2019`` is the 2019 headline-article open rate (3.07%, 微小宝
    Oct 2019) and share rate (3.22% of readers, 微小宝 Aug 2019); the 2013
    yardstick (90% delivery, 80% open, 50% read, 30% link clicks) comes from
    a 2013-era operations article and is far above anything seen today.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> card = kpi_scorecard(load_noon_study())
    >>> float(card.set_index("kpi").loc["open", "yardstick_2013"])
    0.8
    """
    total = pushes.sum(numeric_only=True)
    account = {}
    if "followers" in pushes.columns:
        account["delivery"] = total["delivered"] / total["followers"]
    account["open"] = total["opened"] / total["delivered"]
    if "read" in pushes.columns:
        account["read"] = total["read"] / total["delivered"]
        account["read_through"] = total["read"] / total["opened"]
        if "shared" in pushes.columns:
            account["share"] = total["shared"] / total["read"]
    if "clicked" in pushes.columns:
        account["click"] = total["clicked"] / total["delivered"]
    card = KPI_YARDSTICK.copy()
    card["account"] = card["kpi"].map(account)
    return card


def slot_label(hour: float) -> str:  # re-exported convenience for plots
    return format_slot(hour)
