"""Open and read rates by send slot: the funnel, estimates with honest intervals, and a rate model.

Funnel definitions (:data:`wxtime.counts.METRICS`, the one home of the metric's columns)::

    open rate    = opened / delivered        (metric "open")
    read rate    = read / delivered          (metric "read")
    read-through = read / opened             (metric "read_through")
    click rate   = clicked / delivered       (metric "click")
    share rate   = shared / delivered        (metric "share")

Why intervals must be push-level (or stretch-level)
---------------------------------------------------
Everyone who receives a push receives the same article at the same moment, so
readers of one push are not independent draws: article-to-article variation is
far larger than binomial noise (Pearson chi-square / df of 10-50 on real
accounts), and in a rotation held in stretches the days of a stretch resemble
each other too. :func:`estimate_rates` therefore takes its intervals, shrunk
rates, P(best) and expected loss from the slot model fitted on the randomised
units (:mod:`wxtime.models`) and its posterior (:mod:`wxtime.posterior`): the
same numbers the decision shows. The reader-level binomial intervals
(``interval="wilson" | "jeffreys" | "beta"``) are kept for a single push or
for one row per slot, and the quasi-binomial one (``"quasi"``: the binomial
variance inflated by the Pearson dispersion, treating pushes as independent)
for comparison.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from . import _stats
from ._display import frame_html
from .counts import METRICS, counts, metric_columns, slot_order
from .errors import InputError
from .io.table import as_frame

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
    "rates_by_weekday",
    "read_curves",
    "reader_level_shrinkage",
    "young_pushes",
]

_BINOMIAL_METHODS = {"wilson": "wilson", "jeffreys": "jeffreys", "beta": "beta", "clopper-pearson": "beta"}


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


def _pooled_intervals(y, n, codes, n_slots, interval, level):
    """Per-slot pooled rate and a pooled-rate interval; returns (rate, low, high, note)."""
    ys = np.bincount(codes, y, minlength=n_slots)
    ns = np.bincount(codes, n, minlength=n_slots)
    rate = ys / ns
    alpha = 1 - level
    if interval in _BINOMIAL_METHODS:
        from statsmodels.stats.proportion import proportion_confint  # 2 s of imports: only here

        low, high = proportion_confint(ys, ns, alpha=alpha, method=_BINOMIAL_METHODS[interval])
        return rate, np.asarray(low), np.asarray(high), f"binomial ({interval}), readers as independent"
    if interval == "quasi":
        phi, df = dispersion(y, n, codes)
        if not np.isfinite(phi):
            raise ValueError("a push-level interval needs more pushes than slots; use interval='wilson'")
        phi = max(phi, 1.0)
        with np.errstate(divide="ignore"):  # a slot with no successes: an unbounded logit interval
            se = np.sqrt(phi / (ns * rate * (1 - rate)))
        low, high = _logit_interval(rate, se, _stats.t_ppf(1 - alpha / 2, df))
        return rate, low, high, f"quasi-binomial, dispersion {phi:.1f} on {df} df, pushes as independent"
    raise ValueError(f"interval must be model, quasi, wilson, jeffreys or beta, not {interval!r}")


def funnel_table(pushes: pd.DataFrame) -> pd.DataFrame:
    """Per-slot funnel: counts and pooled rates (open rate, read rate, read-through).

    Pooled rates are totals divided by totals, what an operator computes by hand.
    Intervals for a slot's rate come from :func:`estimate_rates` (the push or
    stretch being the unit), not from here.

    Returns
    -------
    DataFrame
        One row per slot (by time of day): ``slot, pushes, delivered, opened``
        (and whichever of ``read, clicked, shared`` the data have), then
        ``open_rate``, ``read_rate`` and ``read_through`` where the counts exist.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> table = funnel_table(load_noon_study())
    >>> list(table.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['slot', 'pushes', 'delivered', 'opened', 'read', 'clicked', 'shared',
     'open_rate', 'read_rate', 'read_through']
    """
    pushes = as_frame(pushes)
    order = slot_order(pushes)
    codes = pd.Categorical(pushes["slot"], categories=order).codes
    out = pd.DataFrame({"slot": order, "pushes": np.bincount(codes, minlength=len(order))})
    for column in ("delivered", "opened", "read", "clicked", "shared"):
        if column in pushes.columns:
            out[column] = np.bincount(codes, pushes[column].to_numpy(float), minlength=len(order)).astype(
                np.int64
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (successes, trials) in (
            ("open_rate", ("opened", "delivered")),
            ("read_rate", ("read", "delivered")),
            ("read_through", ("read", "opened")),
        ):
            if successes in out.columns and trials in out.columns:
                out[name] = out[successes] / out[trials].where(out[trials] > 0)
    return out


def _weekday(pushes: pd.DataFrame, what: str) -> pd.Series:
    """Weekday of each push (0 = Monday): from ``sent_at``, else a ``weekday`` column."""
    pushes = as_frame(pushes)
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
    pushes = as_frame(pushes)
    successes, trials = metric_columns(pushes, metric)
    weekday = _weekday(pushes, "a weekday table")
    table = (
        pushes.assign(weekday=weekday.to_numpy())
        .groupby(["weekday", "slot"])
        .agg(pushes=(trials, "size"), successes=(successes, "sum"), trials=(trials, "sum"))
        .reset_index()
    )
    table["rate"] = table["successes"] / table["trials"]
    return table[["weekday", "slot", "pushes", "rate"]]


def reader_level_shrinkage(successes, trials) -> np.ndarray:
    """Rates shrunk towards each other by a Beta prior fitted by marginal likelihood (beta-binomial).

    Reader-level, so for one row per slot only, where push-to-push variation is
    unknown: it ranks a slot with 69 sends and a lucky 16% below a slot with
    8,000 sends at 13%, but it gives no probability (readers are not
    independent, so any would be overconfident).

    Examples
    --------
    >>> reader_level_shrinkage([1040, 11], [8000, 69]).round(3).tolist()
    [0.13, 0.131]
    """
    from scipy import optimize

    y = np.asarray(successes, float)
    n = np.asarray(trials, float)

    def negloglik(params):
        mu, kappa = special.expit(params[0]), np.exp(params[1])
        a, b = mu * kappa, (1 - mu) * kappa
        return -np.sum(special.betaln(y + a, n - y + b) - special.betaln(a, b))

    pooled = y.sum() / n.sum()
    fit = optimize.minimize(
        negloglik,
        x0=[special.logit(pooled), np.log(100.0)],
        method="L-BFGS-B",
        bounds=[(-15, 15), (np.log(0.5), np.log(1e7))],
    )
    mu, kappa = special.expit(fit.x[0]), np.exp(fit.x[1])
    return (y + mu * kappa) / (n + kappa)


# -- rates by slot ---------------------------------------------------------------------
@dataclass
class SlotRates:
    """Each slot's rate with its interval, shrunk estimate, P(best) and expected loss.

    Attributes
    ----------
    summary : DataFrame
        ``slot, slot_hour, pushes, units, trials, successes, rate, ci_low,
        ci_high, rate_shrunk, shrunk_low, shrunk_high, p_best, expected_loss``
        (``trials`` and ``successes`` are the metric's columns, :data:`wxtime.counts.METRICS`:
        deliveries and opens for ``open``, opens and reads for ``read_through``; loss in rate
        units, multiply by 100 for percentage points). The
        posterior columns are NaN when no push-level variation exists (one row
        per slot, or one unit per slot).
    metric, interval, level, seed : as passed
    dispersion : float
        Pearson chi-square/df of pushes around their slot's rate (1 = binomial).
    note : str
        Which interval was used, in words.
    posterior : SlotPosterior or None
    """

    summary: pd.DataFrame
    metric: str
    interval: str
    level: float
    seed: int
    dispersion: float
    note: str
    posterior: object = None

    @property
    def best_slot(self) -> str:
        """The Bayes choice (smallest expected loss); without a posterior (one row per slot), the
        highest reader-level shrunk rate (descriptive)."""
        if self.summary["expected_loss"].notna().any():
            return str(self.summary.loc[self.summary["expected_loss"].idxmin(), "slot"])
        return str(self.summary.loc[self.summary["rate_shrunk"].idxmax(), "slot"])

    def plot(self, ax=None, lang: str = "en"):
        """Rates with intervals and shrunk rates by slot."""
        from .plots import plot_rates

        return plot_rates(self, ax=ax, lang=lang)

    def to_dict(self) -> dict:
        """JSON-ready: ``best_slot, metric, interval, dispersion, seed, slots[...]``."""
        from ._display import json_ready

        return json_ready(
            {
                "best_slot": self.best_slot,
                "metric": self.metric,
                "interval": self.note,
                "dispersion": self.dispersion,
                "seed": self.seed,
                "slots": self.summary.drop(columns=["slot_hour"]).to_dict(orient="records"),
            }
        )

    def _repr_html_(self) -> str:
        return frame_html(
            self.summary.drop(columns=["slot_hour"]),
            caption=f"{METRICS[self.metric][2]} by slot; interval: {self.note}; seed {self.seed}",
        )


def estimate_rates(
    pushes,
    metric: str = "open",
    *,
    interval: str = "model",
    level: float = 0.95,
    n_draws: int = 10_000,
    seed: int = 0,
) -> SlotRates:
    """Estimate each slot's rate, shrink thin slots, and say which slot is best.

    Parameters
    ----------
    pushes : DataFrame or Counts
        A push table (:func:`wxtime.io.read`).
    metric : {"open", "read", "read_through", "click", "share"}
    interval : {"model", "quasi", "wilson", "jeffreys", "beta"}
        ``"model"`` (default): the slot's mean rate with a t interval from the slot
        model on the randomised units (:mod:`wxtime.models`). The others centre on
        the pooled rate: ``"quasi"`` treats pushes as independent, the binomial ones
        readers as independent (right only for a single push). On one row per
        slot, ``"model"`` falls back to ``"wilson"`` and says so in ``note``.
    level : float
        Confidence level.
    n_draws, seed : int
        Posterior draws and their seed (echoed).

    Notes
    -----
    ``rate_shrunk``, ``shrunk_low/high``, ``p_best`` and ``expected_loss`` are those
    of :func:`wxtime.posterior.slot_posterior`, whatever ``interval`` is: the same
    numbers as the decision (:func:`wxtime.decision.decide`) with the same seed.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> rates = estimate_rates(load_noon_study(), "open")
    >>> rates.best_slot
    '12:00'
    >>> rates.summary[["slot", "pushes", "units", "rate", "ci_low", "ci_high"]].round(4)
        slot  pushes  units    rate  ci_low  ci_high
    0  07:30      14      2  0.0547  0.0422   0.0705
    1  12:00      14      2  0.0727  0.0564   0.0931
    2  18:00      14      2  0.0435  0.0334   0.0563
    3  21:00      14      2  0.0675  0.0523   0.0866
    4  22:30      14      2  0.0631  0.0489   0.0811
    """
    from .models import fit_slot_model
    from .posterior import slot_posterior

    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    c = counts(pushes, metric)
    phi, _ = dispersion(c.successes, c.trials, c.code) if c.n_rows > c.n_slots else (np.nan, 0)
    totals = c.totals.rename(columns={c.trials_column: "trials", c.successes_column: "successes"})
    totals.insert(1, "slot_hour", c.slot_hours)
    posterior, note = None, ""
    nan = np.full(c.n_slots, np.nan)
    if c.design not in ("slot-level", "single-slot"):
        model = fit_slot_model(c, metric)
        posterior = slot_posterior(model, level=level, n_draws=n_draws, seed=seed)
        table = posterior.summary.drop(columns=["slot", "pushes", "units"])
        note = (
            f"slot model on {c.unit_kind}es (t on {model.df:g} df, {model.variance_model} variance)"
            if c.unit_kind != "day"
            else f"slot model within days (t on {model.df:g} df)"
        )
    else:
        table = pd.DataFrame(
            {k: nan for k in ("rate", "ci_low", "ci_high", "rate_shrunk", "shrunk_low", "shrunk_high")}
            | {"p_best": nan, "expected_loss": nan}
        )
        table["rate_shrunk"] = reader_level_shrinkage(
            np.bincount(c.code, c.successes, minlength=c.n_slots),
            np.bincount(c.code, c.trials, minlength=c.n_slots),
        )
    summary = pd.concat([totals.drop(columns=["pooled_rate"]), table.reset_index(drop=True)], axis=1)
    used = interval
    if used == "model" and posterior is None:
        used = "wilson"
    if used != "model":
        rate, low, high, note = _pooled_intervals(c.successes, c.trials, c.code, c.n_slots, used, level)
        summary["rate"], summary["ci_low"], summary["ci_high"] = rate, low, high
        if interval == "model":
            note += " (one row per slot or one slot: no push-level interval is possible)"
    return SlotRates(
        summary=summary,
        metric=metric,
        interval=used,
        level=level,
        seed=seed,
        dispersion=float(phi),
        note=note,
        posterior=posterior,
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
        pushes = as_frame(pushes)
        successes, trials = metric_columns(pushes, self.metric)
        pushes = pushes[pushes[trials] > 0].reset_index(drop=True)
        self.slots_ = slot_order(pushes)
        self.slot_hours_ = pushes.groupby("slot")["slot_hour"].first().to_dict()
        self.levels_: dict[str, list] = {}
        self.start_ = pushes["sent_at"].min() if "sent_at" in pushes.columns else None
        X = self._design(pushes, pushes["slot"])
        self.X_ = X
        self._adjusted_cache = None
        n = pushes[trials].to_numpy(float)
        y = pushes[successes].to_numpy(float) / n
        import statsmodels.api as sm  # 2 s of imports: only for the GLM
        from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

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
        # The scale is estimated (quasi-binomial), so the quantile is t on the residual df.
        df = float(self.result_.df_resid)
        z = (
            _stats.t_ppf(0.5 + level / 2, df)
            if self.scale == "X2" and df > 0
            else _stats.norm_ppf(0.5 + level / 2)
        )
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
        pushes = as_frame(pushes)
        X = self._design(pushes.reset_index(drop=True), pushes["slot"].reset_index(drop=True))
        return special.expit(X.to_numpy() @ self.result_.params.to_numpy())

    def plot(self, ax=None, lang="en"):
        """Adjusted rates by slot with intervals."""
        from .plots import plot_adjusted_rates

        return plot_adjusted_rates(self, ax=ax, lang=lang)

    def _repr_html_(self) -> str:
        controls = ", ".join(self.controls) or "none"
        return frame_html(
            self.adjusted_rates_,
            caption=f"RateModel ({self.metric}, {self.slot_effect} slot effect, controls: {controls}; "
            f"dispersion {self.dispersion_:.1f})",
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
    pushes = as_frame(pushes)
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


def counts_at_age(curves: pd.DataFrame, pushes, age_hours: float = 24):
    """The push table with ``opened`` replaced by opens within ``age_hours`` of the push.

    Comparing pushes at the same age keeps recent pushes from looking bad only because
    their late opens have not arrived yet. Pushes whose curve does not reach that age are
    left out: for a :class:`~wxtime.io.table.PushTable` the result's load summary counts
    them (``skipped``) and records ``age_hours``; a DataFrame in gives a DataFrame out.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study, load_noon_curves
    >>> at_day = counts_at_age(load_noon_curves(), load_noon_study(), 24)
    >>> len(at_day), at_day.load["age_hours"], at_day.load["skipped"]
    (70, 24, {})
    """
    from .io.table import PushTable, as_frame

    frame = as_frame(pushes)
    keys = ["push_id", "group"] if "group" in curves.columns and "group" in frame.columns else ["push_id"]
    at_age = curves[curves["age_hours"] <= age_hours]
    reached = at_age.groupby(keys)["age_hours"].max()
    value = at_age.groupby(keys)["opened_cum"].max()
    ok = reached[reached >= age_hours].index
    result = frame.set_index(keys).loc[lambda f: f.index.isin(ok)].copy()
    result["opened"] = value.reindex(result.index).astype(np.int64)
    if "read" in result.columns:
        result = result.drop(columns=["read"])  # read counts are final-age counts: not comparable
    result = result.reset_index()
    if not isinstance(pushes, PushTable):
        return result
    load = dict(pushes.load)
    young = int(len(frame) - len(result))
    load["skipped"] = {**load.get("skipped", {}), **({"too_young": young} if young else {})}
    load["age_hours"] = age_hours
    table = pushes.with_frame(result)
    table.load = load
    return table


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
    pushes = as_frame(pushes)
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
        ("share_of_readers", "shared / read", None, 0.0322),
    ],
    columns=["kpi", "definition", "yardstick_2013", "typical_2019"],
)


def kpi_scorecard(pushes: pd.DataFrame) -> pd.DataFrame:
    """The account's funnel beside the 2013 yardstick and modern typical levels.

    ``typical_2019`` is the 2019 headline-article open rate (3.07%, 微小宝
    Oct 2019) and share rate (3.22% of readers, 微小宝 Aug 2019: shares per
    reader, ``share_of_readers``, not the share metric's shared / delivered); the 2013
    yardstick (90% delivery, 80% open, 50% read, 30% link clicks) comes from
    a 2013-era operations article and is far above anything seen today.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> card = kpi_scorecard(load_noon_study())
    >>> float(card.set_index("kpi").loc["open", "yardstick_2013"])
    0.8
    """
    pushes = as_frame(pushes)
    total = pushes.sum(numeric_only=True)
    account = {}
    if "followers" in pushes.columns:
        account["delivery"] = total["delivered"] / total["followers"]
    account["open"] = total["opened"] / total["delivered"]
    if "read" in pushes.columns:
        account["read"] = total["read"] / total["delivered"]
        account["read_through"] = total["read"] / total["opened"]
        if "shared" in pushes.columns:
            account["share_of_readers"] = total["shared"] / total["read"]
    if "clicked" in pushes.columns:
        account["click"] = total["clicked"] / total["delivered"]
    card = KPI_YARDSTICK.copy()
    card["account"] = card["kpi"].map(account)
    return card
