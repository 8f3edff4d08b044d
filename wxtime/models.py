"""The slot model: slot effects on the logit scale, estimated on the unit that was randomised.

This is the model behind every test, posterior and plan in wxtime
(:mod:`wxtime.abtest`, :mod:`wxtime.posterior`, :mod:`wxtime.planning`).

The model
---------
Each push ``i`` gives an empirical logit ``y_i = log((s_i + 1/2) / (n_i - s_i + 1/2))``
of its rate (``s`` successes of ``n`` trials), with binomial variance
``v_i = 1/(s_i + 1/2) + 1/(n_i - s_i + 1/2)``. Article quality moves a push's
rate multiplicatively, so on this scale it is *additive* noise whose variance
does **not** shrink as the audience grows (unlike the 1/n variance of a
binomial or quasi-binomial model, which lets the largest pushes dominate):

``y_i = theta_slot + b_unit + a_i + binomial noise``

* ``theta_slot``: the slot effects (what we want);
* ``a_i``: the article's own effect, variance ``sigma_a^2``;
* ``b_unit``: a shared effect of the randomised *unit* (a stretch of days in a
  blocked rotation, variance ``sigma_b^2``), which is how drifting, autocorrelated
  article quality and trends show up: days of one stretch resemble each other.

Units are summarised by the mean logit of their pushes and weighted by the
inverse of their variance ``sigma_b^2 + (sigma_a^2 + mean v)/m`` (``m`` pushes),
with both components estimated by the method of moments. The slot estimates
are weighted means of their units, and their variance is estimated from the
spread of *units* around their slot means, with ``units - slots`` degrees of
freedom: the stretch, not the day, carries the evidence. A split-audience
design (groups at different slots on the same day) is fitted with day effects
absorbed (within-day weighted centring, no dummy per day) and a slot x day
interaction variance estimated by Paule-Mandel.

Variances that match the data: with no controls, three or more slots and every
slot's own variance on at least :data:`MIN_OWN_DF` df, each slot's variance is
*moderated* towards the common one by empirical Bayes (:func:`moderated_variances`,
Smyth 2004: a scaled inverse-chi-square prior on the slot variances whose df ``d0``
is estimated from the spread of the log-variances; each slot then rests on
``own df + d0``). Slots are compared on the logit of their *mean* rate (a noisier
slot's mean push sits above its median one; Cox's method for log-normal means) with
Welch-type contrasts. When ``d0`` is infinite (the variances differ no more than
sampling noise), with two slots, with thin slots, in split designs and with
controls: one pooled variance. In the calibration worlds
(``benchmarks/calibration.py``, including slots that differ in noise and in
allocation) a winner was named in at most 2.5% of studies where all slots were
equal (``benchmarks/README.md``).

Weekdays: in a blocked rotation a stretch covers whole weeks, so weekday effects
are estimated within stretches (:func:`weekday_within_units`) and subtracted from
every push, at the cost of six df. Adaptive allocation: when the pushes carry the
propensities a bandit logged and these vary within a slot, units are weighted by
``1/sqrt(propensity)`` (:func:`adaptive_weights`; stabilised inverse-propensity
weights; Hadad et al. 2021), which keeps the slot means unbiased under allocation
that followed earlier results.

References
----------
* Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
  differential expression in microarray experiments. *Statistical Applications
  in Genetics and Molecular Biology* 3(1), art. 3 (the spread of log-variances).
* Zhou, X.-H., Gao, S. & Hui, S. L. (1997). Methods for comparing the means of two
  independent log-normal samples. *Biometrics* 53, 1129-1135 (Cox's method).
* Paule, R. C. & Mandel, J. (1982). Consensus values and weighting factors.
  *J. Res. Natl. Bur. Stand.* 87(5), 377-385 (between-unit variance).
* Welch, B. L. (1951). On the comparison of several mean values: an
  alternative approach. *Biometrika* 38, 330-336.
* Hadad, V., Hirshberg, D. A., Zhan, R., Wager, S. & Athey, S. (2021). Confidence
  intervals for policy evaluation in adaptive experiments. *PNAS* 118(15),
  e2014602118 (adaptively weighted estimators).
* Cox, D. R. (1970). *The Analysis of Binary Data* (the empirical logit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from .counts import Counts, counts
from .errors import InputError

__all__ = [
    "SlotModel",
    "adaptive_weights",
    "empirical_logit",
    "fit_slot_model",
    "moderated_variances",
    "weekday_within_units",
]

#: Slot-specific variances need every slot's own variance to rest on this many df.
MIN_OWN_DF = 4
_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(24)
_GH_WEIGHTS = _GH_WEIGHTS / _GH_WEIGHTS.sum()


def empirical_logit(successes, trials) -> tuple[np.ndarray, np.ndarray]:
    """Empirical logit of each rate and its binomial variance (Cox 1970).

    Examples
    --------
    >>> y, v = empirical_logit([50], [1000])
    >>> round(float(y[0]), 4), round(float(v[0]), 5)
    (-2.935, 0.02085)
    """
    s = np.asarray(successes, float)
    n = np.asarray(trials, float)
    return np.log((s + 0.5) / (n - s + 0.5)), 1 / (s + 0.5) + 1 / (n - s + 0.5)


def _trigamma_inverse(x):
    """y with trigamma(y) = x, elementwise (Smyth 2004's Newton iteration from below)."""
    x = np.asarray(x, float)
    y = 0.5 + 1 / np.clip(x, 1e-6, 1e7)
    for _ in range(30):
        tri = special.polygamma(1, y)
        y = y + tri * (1 - tri / x) / special.polygamma(2, y)
    return np.where(x > 1e7, 1 / np.sqrt(x), np.where(x < 1e-6, 1 / x, y))


def moderated_variances(variances, df, *, max_df: float = np.inf):
    """Slot variances moderated towards their common level (Smyth 2004's empirical Bayes).

    The slots' variances are taken as draws from a scaled inverse chi-square prior whose
    df ``d0`` and level ``s0^2`` are estimated from their spread on the log scale (on
    ``d`` df a variance's log has sampling variance ``trigamma(d / 2)``). Each slot's
    variance becomes ``(d0 s0^2 + d s^2) / (d0 + d)`` on ``d0 + d`` df (at most
    ``max_df``, the pooled residual's). When the spread is no more than sampling noise
    ``d0`` is infinite: one pooled variance. A slot pushed rarely and noisily keeps much
    of its own variance; with equal variances the slots share one.

    ``variances`` and ``df`` may carry leading axes (one set of slots per row, e.g.
    permutations); the moderation runs along the last axis.

    Returns ``(moderated, df, d0, s0^2)`` (``d0`` and ``s0^2`` one per row).

    Examples
    --------
    >>> mod, df, d0, s0 = moderated_variances([1.0, 1.1, 0.9, 1.05], [20, 20, 20, 20])
    >>> bool(np.isinf(d0))
    True
    >>> mod, df, d0, s0 = moderated_variances([0.09, 0.09, 0.09, 0.2, 0.36], [39, 29, 14, 9, 4])
    >>> mod.round(3).tolist(), round(float(d0), 1)
    ([0.097, 0.099, 0.106, 0.17, 0.212], 7.7)
    """
    s2 = np.maximum(np.asarray(variances, float), 1e-12)
    d = np.broadcast_to(np.asarray(df, float), s2.shape)
    half = d / 2
    e = np.log(s2) - special.digamma(half) + np.log(half)
    mean = e.mean(axis=-1, keepdims=True)
    excess = np.var(e, axis=-1, ddof=1, keepdims=True) - special.polygamma(1, half).mean(
        axis=-1, keepdims=True
    )
    shared = ~(excess > 0)
    d0 = np.where(shared, np.inf, 2 * _trigamma_inverse(np.where(shared, 1.0, excess)))
    finite = np.where(shared, 1.0, d0)
    s0 = np.where(shared, np.exp(mean), np.exp(mean + special.digamma(finite / 2) - np.log(finite / 2)))
    moderated = np.where(shared, s0, (finite * s0 + d * s2) / (finite + d))
    out_df = np.where(shared, float(max_df), np.minimum(d + finite, max_df))
    if s2.ndim == 1:
        return moderated, out_df, float(d0[0]), float(s0[0])
    return moderated, out_df, d0[..., 0], s0[..., 0]


@dataclass
class SlotModel:
    """Slot effects (logit scale) estimated on the randomised units of a study.

    Build it with :func:`fit_slot_model`. The numbers every test and posterior
    use are ``theta`` (slot estimates), ``cov`` (their unscaled covariance),
    ``scale``/``df`` (pooled residual variance and its degrees of freedom) and
    ``slot_var``/``slot_df`` (each estimate's variance and df under the chosen
    variance model).

    Attributes
    ----------
    counts : Counts
    theta : ndarray (K,)
        Slot effects on the logit scale. For rotations, the weighted mean logit of
        the slot's units; for split designs, sum-to-zero effects within days.
    cov : ndarray (K, K)
        Unscaled covariance of ``theta`` (diagonal for rotations).
    scale, df : float
        Pooled residual variance of the units (on the weights' scale) and its df.
    slot_var, slot_df : ndarray (K,)
        Variance of each ``theta`` and its df.
    variance_model : {"pooled", "slot"}
        One pooled variance, or each slot its own moderated variance
        (:func:`moderated_variances`).
    variance_prior_df : float
        The moderation's prior df ``d0`` (inf: the slots share one variance).
    components : dict
        Variance components on the logit scale: ``article`` (push to push),
        ``unit`` (stretch to stretch, blocked rotations), ``interaction``
        (slot x day, split designs), ``binomial`` (mean binomial variance).
    units : DataFrame
        One row per randomised unit: ``unit, slot, pushes, value, weight,
        residual, first, last`` (rotations only).
    deviations : ndarray
        Each push's logit minus its slot's estimate: the observed spread of
        content (and day) effects, over which rates are standardised.
    identified_level : bool
        False for split designs, where only differences between slots are
        estimated (the level is the days').
    controls : tuple
    push_var : ndarray (K,)
        Push-to-push variance of each slot's logits (slot-specific variances only).
    level_var, level_df : float
        Split designs: variance (and df) of the study's overall level, the mean of
        the day effects. Differences between slots do not depend on it; the slots'
        rates do (the days' articles are a sample of the account's articles).
    """

    counts: Counts
    theta: np.ndarray
    cov: np.ndarray
    scale: float
    df: float
    slot_var: np.ndarray
    slot_df: np.ndarray
    variance_model: str
    variance_prior_df: float
    components: dict
    units: pd.DataFrame
    deviations: np.ndarray
    identified_level: bool
    controls: tuple = ()
    push_var: np.ndarray | None = None
    level_var: float = 0.0
    level_df: float = np.inf
    weekday_effect: np.ndarray | None = None

    @property
    def slots(self) -> list:
        return self.counts.slots

    @property
    def design(self) -> str:
        return self.counts.design

    def rate(self, theta, slot: int | None = None, spread=None) -> np.ndarray:
        """Mean rates for slot effects ``theta``: the average rate of a push sent at the slot.

        With one pooled variance the rate is ``mean(expit(theta + d))`` over the
        study's observed content deviations ``d`` (every slot standardised over the
        same articles, days and weekdays). With slot-specific variances each slot's
        pushes spread by their own sd: ``E[expit(theta_k + sd_k * z)]``, z standard
        normal, so a noisier slot has a higher mean rate than its median push.

        Parameters
        ----------
        theta : array
            Shape ``(..., K)`` (one value per slot), or any shape when ``slot`` is given.
        slot : int, optional
            The slot all of ``theta`` belongs to.
        spread : array, optional
            Push-level variances (logit scale) to use instead of the model's, shaped
            like ``theta`` (for posterior draws of the variances).
        """
        theta = np.asarray(theta, float)
        if self.variance_model == "pooled" and spread is None:
            return self._pooled_rate(theta)
        if spread is None:
            spread = self.push_var if slot is None else self.push_var[slot]
        sd = np.sqrt(np.broadcast_to(np.asarray(spread, float), theta.shape))
        out = np.zeros_like(theta)
        for node, weight in zip(_GH_NODES, _GH_WEIGHTS):
            out += weight * special.expit(theta + sd * node)
        return out

    def _pooled_rate(self, theta: np.ndarray) -> np.ndarray:
        q = self._content_quantiles()
        flat = theta.reshape(-1)
        if len(flat) > 2048:  # a smooth, increasing function: exact on a fine grid, then interpolated
            grid = np.linspace(flat.min(), flat.max(), 1024)
            values = special.expit(grid[:, None] + q[None, :]).mean(axis=1)
            return np.interp(flat, grid, values).reshape(theta.shape)
        return special.expit(flat[:, None] + q[None, :]).mean(axis=1).reshape(theta.shape)

    def _content_quantiles(self) -> np.ndarray:
        cached = getattr(self, "_quantiles", None)
        if cached is None:
            d = self.deviations
            cached = np.quantile(d, (np.arange(64) + 0.5) / 64) if len(d) > 64 else np.asarray(d, float)
            self._quantiles = cached
        return cached

    @property
    def mean_logit(self) -> np.ndarray:
        """``logit`` of each slot's mean rate: what the tests compare."""
        return special.logit(self.rate(self.theta))

    @property
    def mean_logit_var(self) -> np.ndarray:
        """Variance of :attr:`mean_logit`: the slot estimate's, plus (with slot-specific
        variances) the uncertainty of the slot's own spread (Cox's method for log-normal
        means; Zhou, Gao & Hui 1997)."""
        if self.variance_model == "pooled":
            return self.slot_var
        p = self.rate(self.theta)
        factor = (1 - 2 * p) / 2
        return self.slot_var + factor**2 * 2 * self.push_var**2 / self.slot_df

    def rule_inputs(self):
        """What the decision rule (:func:`wxtime.rule.apply_rule`) takes from this model:
        ``(estimate, variance, df, pooled, cov)``: each slot's estimate on the logit scale
        (its mean rate's logit with slot-specific variances), the estimate's variance, the df
        behind it, whether the variance is pooled, and the full covariance when the slot
        estimates are correlated (split tests), else None."""
        if self.variance_model == "pooled":
            cov = self.scale * self.cov if self.design == "split" else None
            return self.theta, self.slot_var, self.slot_df, True, cov
        return self.mean_logit, self.mean_logit_var, self.slot_df, False, None

    def contrast(self, a: int, b: int) -> tuple[float, float, float]:
        """Difference of the slots' mean-rate logits, its standard error and degrees of freedom."""
        if self.variance_model == "pooled":
            estimate = float(self.theta[a] - self.theta[b])
            var = self.scale * (self.cov[a, a] + self.cov[b, b] - 2 * self.cov[a, b])
            return estimate, float(np.sqrt(max(var, 0.0))), float(self.df)
        location, variance = self.mean_logit, self.mean_logit_var
        va, vb = variance[a], variance[b]
        var = va + vb
        df = var**2 / (va**2 / self.slot_df[a] + vb**2 / self.slot_df[b]) if var > 0 else self.df
        return float(location[a] - location[b]), float(np.sqrt(var)), float(df)

    @property
    def summary(self) -> pd.DataFrame:
        """``slot, pushes, units, theta, se, df, rate``."""
        return pd.DataFrame(
            {
                "slot": self.slots,
                "pushes": self.counts.pushes_per_slot,
                "units": self.counts.units_per_slot,
                "theta": self.theta,
                "se": np.sqrt(self.slot_var),
                "df": self.slot_df,
                "rate": self.rate(self.theta),
            }
        )


# -- rotations -----------------------------------------------------------------------
def _unit_table(c: Counts, y: np.ndarray, v: np.ndarray):
    """Per unit: pushes, mean logit, mean binomial variance, slot, within-unit sum of squares."""
    J = c.n_units
    m = np.bincount(c.unit, minlength=J).astype(float)
    value = np.bincount(c.unit, y, minlength=J) / m
    vbar = np.bincount(c.unit, v, minlength=J) / m
    within = np.bincount(c.unit, (y - value[c.unit]) ** 2, minlength=J)
    return m, value, vbar, within, c.unit_slot


def _controls_matrix(c: Counts, controls, m: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Unit-level control columns (centred): trend (days) and weekday composition."""
    columns, names = [], []
    J = c.n_units
    for control in controls:
        if control == "trend":
            days = c.days_since_start()
            if days is None:
                raise InputError("control 'trend' needs send times (sent_at)")
            columns.append(np.bincount(c.unit, days, minlength=J) / m / 30.0)
            names.append("trend_per_30_days")
        elif control == "weekday":
            weekday = c.weekday()
            if weekday is None:
                raise InputError("control 'weekday' needs send times (sent_at) or a weekday column")
            for day in range(1, 7):
                share = np.bincount(c.unit, (weekday == day).astype(float), minlength=J) / m
                if np.ptp(share) > 0:
                    columns.append(share)
                    names.append(f"weekday_{day}")
        else:
            if control not in c.frame.columns:
                raise InputError(f"control {control!r} is not a column of the data")
            values = pd.to_numeric(c.frame[control], errors="coerce").to_numpy(float)
            if not np.isfinite(values).all():
                raise InputError(f"control {control!r} must be numeric and complete")
            columns.append(np.bincount(c.unit, values, minlength=J) / m)
            names.append(control)
    if not columns:
        return np.zeros((J, 0)), []
    X = np.column_stack(columns)
    return X - X.mean(axis=0), names


def adaptive_weights(c: Counts) -> np.ndarray | None:
    """Per push, ``1 / sqrt(propensity)`` when the slots were drawn with logged probabilities
    that changed over the study (a bandit, wxtime's operating schedule); None otherwise (no
    propensities, or fixed ones: every push of a slot had the same chance).

    Examples
    --------
    >>> import pandas as pd
    >>> from wxtime.io import validate
    >>> table = validate(pd.DataFrame({"sent_at": pd.date_range("2024-07-01 12:00", periods=4).astype(str),
    ...     "slot": ["12:00", "21:00", "12:00", "21:00"], "delivered": 1000, "opened": [70, 60, 72, 58],
    ...     "propensity": [0.5, 0.5, 0.8, 0.2]}))
    >>> adaptive_weights(counts(table)).round(3).tolist()
    [1.414, 1.414, 1.118, 2.236]
    """
    if c.unit_kind != "push" or "propensity" not in c.frame.columns:
        return None
    p = c.frame["propensity"].to_numpy(float)
    low = np.full(c.n_slots, np.inf)
    np.minimum.at(low, c.code, p)
    high = np.zeros(c.n_slots)
    np.maximum.at(high, c.code, p)
    if np.all(high - low < 1e-9):
        return None
    return 1 / np.sqrt(p)


def weekday_within_units(c: Counts, y: np.ndarray) -> np.ndarray | None:
    """Weekday effects on the push logits, estimated *within* units (stretches): each stretch's
    own level is absorbed, so the effects cost no unit-level degree of freedom and are not
    confounded with the slots. Centred over the study's pushes (the level is kept). None when
    they cannot be estimated (no dates, units of one push, or too few pushes within units).

    Returns an array of 7 effects (Monday first) on the logit scale.
    """
    weekday = c.weekday()
    if weekday is None or c.unit_kind != "stretch":
        return None
    J = c.n_units
    m = np.bincount(c.unit, minlength=J).astype(float)
    within_df = int(np.sum(m - 1))
    present = np.unique(weekday)
    if within_df < len(present) + 6 or len(present) < 2:
        return None
    X = (weekday[:, None] == present[None, :]).astype(float)
    # Demean within units (the fixed-effects regression, without a dummy per unit).
    X -= (np.stack([np.bincount(c.unit, X[:, j], minlength=J) for j in range(X.shape[1])], 1) / m[:, None])[
        c.unit
    ]
    yd = y - (np.bincount(c.unit, y, minlength=J) / m)[c.unit]
    coef, *_ = np.linalg.lstsq(X, yd, rcond=None)
    effect = np.zeros(7)
    effect[present] = coef
    effect[present] -= np.mean(effect[weekday])  # centred over the pushes: the level is kept
    return effect


def _fit_rotation(c: Counts, controls) -> SlotModel:
    y, v = empirical_logit(c.successes, c.trials)
    K, J = c.n_slots, c.n_units
    weekday_effect = weekday_within_units(c, y) if not controls else None
    if weekday_effect is not None:
        y = y - weekday_effect[c.weekday()]
    m, value, vbar, within, slot = _unit_table(c, y, v)
    units_per_slot = np.bincount(slot, minlength=K).astype(float)
    # Article (push-to-push) variance: within units if units hold several pushes, else
    # around the slot means (then it also holds whatever unit-level variance there is).
    if c.unit_kind == "stretch" and (m > 1).any():
        df_within = float(np.sum(m - 1)) - (6.0 if weekday_effect is not None else 0.0)
        binomial_within = float(np.sum(v) - np.sum(np.bincount(c.unit, v, minlength=J) / m))
        sigma_a = max((within.sum() - binomial_within) / df_within, 0.0)
    else:
        slot_mean = np.bincount(slot, value, minlength=K) / np.maximum(units_per_slot, 1)
        spread = float(np.sum((value - slot_mean[slot]) ** 2))
        df_spread = J - K
        binomial = float(np.sum(vbar * (1 - 1 / units_per_slot[slot])))
        sigma_a = max((spread - binomial) / df_spread, 0.0) if df_spread > 0 else 0.0
    sigma_b = 0.0
    if c.unit_kind == "stretch" and J > K:
        slot_mean = np.bincount(slot, value, minlength=K) / units_per_slot
        spread = float(np.sum((value - slot_mean[slot]) ** 2))
        expected = float(np.sum((sigma_a + vbar) / m * (1 - 1 / units_per_slot[slot])))
        sigma_b = max((spread - expected) / float(np.sum(1 - 1 / units_per_slot[slot])), 0.0)
    unit_var = sigma_b + (sigma_a + vbar) / m
    weight = 1 / np.maximum(unit_var, 1e-12)
    weight = weight / weight.mean()
    X, names = _controls_matrix(c, controls, m)
    if X.shape[1]:
        design = np.column_stack([np.eye(K)[slot], X])
        root = np.sqrt(weight)
        coef, *_ = np.linalg.lstsq(design * root[:, None], value * root, rcond=None)
        theta = coef[:K]
        fitted = design @ coef
        xtwx = design.T @ (design * weight[:, None])
        cov = np.linalg.pinv(xtwx)[:K, :K]
        n_params = K + X.shape[1]
    else:
        share = adaptive_weights(c)
        if share is None:
            wsum = np.bincount(slot, weight, minlength=K)
            theta = np.bincount(slot, weight * value, minlength=K) / wsum
            cov = np.diag(1 / wsum)
        else:
            # Slots drawn with changing, logged probabilities: each push also weighted by
            # 1 / sqrt(its probability), which keeps the slot means unbiased and their
            # variance stable under adaptive allocation (Hadad et al. 2021).
            a = weight * share
            asum = np.bincount(slot, a, minlength=K)
            theta = np.bincount(slot, a * value, minlength=K) / asum
            cov = np.diag(np.bincount(slot, a**2 / weight, minlength=K) / asum**2)
        fitted = theta[slot]
        n_params = K
    residual = value - fitted
    df = J - n_params
    rss = float(np.sum(weight * residual**2))
    scale = rss / df if df > 0 else np.nan
    own_df = np.bincount(slot, minlength=K) - 1.0
    own = np.divide(
        np.bincount(slot, weight * residual**2, minlength=K),
        own_df,
        out=np.full(K, np.nan),
        where=own_df > 0,
    )
    eligible = not X.shape[1] and df > 0 and K >= 3 and bool(np.all(own_df >= MIN_OWN_DF))
    prior_df = np.inf
    if eligible:
        mod, mod_df, prior_df, _ = moderated_variances(own, own_df, max_df=float(df))
    if np.isfinite(prior_df):
        variance_model = "slot"
    else:
        variance_model, mod, mod_df = "pooled", np.full(K, scale), np.full(K, float(max(df, 0)))
    slot_var = mod * np.diag(cov)
    # A push's variance is the unit variance over its weight (weights have mean 1).
    push_var = mod * np.bincount(slot, 1 / weight, minlength=K) / np.bincount(slot, minlength=K)
    first_row = np.zeros(J, dtype=np.int64)
    first_row[c.unit[::-1]] = np.arange(len(c.unit))[::-1]
    last_row = np.zeros(J, dtype=np.int64)
    last_row[c.unit] = np.arange(len(c.unit))
    units = pd.DataFrame(
        {
            "unit": np.arange(J),
            "slot": np.asarray(c.slots, dtype=object)[slot],
            "pushes": m.astype(int),
            "value": value,
            "weight": weight,
            "residual": residual,
        }
    )
    if c.sent_at is not None:
        # Positional takes on the tz-aware column (to_numpy() would make 100k Timestamp objects).
        units["first"] = c.sent_at.iloc[first_row].reset_index(drop=True)
        units["last"] = c.sent_at.iloc[last_row].reset_index(drop=True)
    return SlotModel(
        counts=c,
        theta=theta,
        cov=cov,
        scale=float(scale),
        df=float(df),
        slot_var=slot_var,
        slot_df=mod_df,
        variance_model=variance_model,
        variance_prior_df=float(prior_df),
        components={
            "article": float(sigma_a),
            "unit": float(sigma_b),
            "interaction": np.nan,
            "binomial": float(np.mean(v)),
        },
        units=units,
        deviations=y - theta[c.code],
        identified_level=True,
        controls=tuple(names),
        push_var=push_var if variance_model == "slot" else None,
        weekday_effect=weekday_effect,
    )


# -- split designs ----------------------------------------------------------------------
def _absorbed_fit(y, w, day, code, D, K):
    """Weighted least squares of y on day and slot effects, days absorbed (no dummies).

    Returns sum-to-zero slot effects, their unscaled covariance (a generalised inverse),
    day effects and residuals. Cost O(rows + days x slots^2).
    """
    cell = day * K + code
    P = np.bincount(cell, w, minlength=D * K).reshape(D, K)  # weight per day x slot
    Qy = np.bincount(cell, w * y, minlength=D * K).reshape(D, K)
    Wd = P.sum(axis=1)
    A = np.diag(P.sum(axis=0)) - (P / Wd[:, None]).T @ P
    b = Qy.sum(axis=0) - (P / Wd[:, None]).T @ Qy.sum(axis=1)
    C = np.linalg.pinv(A, hermitian=True)
    theta = C @ b
    theta -= theta.mean()
    alpha = (np.bincount(day, w * (y - theta[code]), minlength=D)) / Wd
    residual = y - alpha[day] - theta[code]
    return theta, C, alpha, residual


def _fit_split(c: Counts) -> SlotModel:
    y, v = empirical_logit(c.successes, c.trials)
    K, D = c.n_slots, c.n_units
    day = c.unit
    df = len(y) - D - (K - 1)

    def scale_at(tau2):
        w = 1 / (tau2 + v)
        *_, residual = _absorbed_fit(y, w, day, c.code, D, K)
        return float(np.sum(w * residual**2)) / df

    # Paule-Mandel: the slot x day interaction variance that makes the weighted residual
    # chi-square equal its df (0 if binomial noise already accounts for the spread).
    tau2 = 0.0
    if df > 0 and scale_at(0.0) > 1:
        upper = max(float(np.var(y)), 1e-6)
        while scale_at(upper) > 1 and upper < 1e3:
            upper *= 4
        from scipy import optimize

        tau2 = optimize.brentq(lambda t: scale_at(t) - 1, 0.0, upper, xtol=1e-10)
    w = 1 / (tau2 + v)
    w = w / w.mean()
    theta, C, alpha, residual = _absorbed_fit(y, w, day, c.code, D, K)
    scale = float(np.sum(w * residual**2)) / df if df > 0 else np.nan
    units = pd.DataFrame(
        {
            "unit": np.arange(D),
            "slot": "",
            "pushes": np.bincount(day, minlength=D),
            "value": alpha,
            "weight": np.bincount(day, w, minlength=D),
            "residual": np.sqrt(np.bincount(day, w * residual**2, minlength=D)),
        }
    )
    return SlotModel(
        counts=c,
        theta=theta,
        cov=C,
        scale=scale,
        df=float(df),
        slot_var=scale * np.diag(C),
        slot_df=np.full(K, float(max(df, 0))),
        variance_model="pooled",
        variance_prior_df=np.inf,
        components={
            "article": np.nan,
            "unit": np.nan,
            "interaction": float(tau2),
            "binomial": float(np.mean(v)),
        },
        units=units,
        deviations=y - theta[c.code],
        identified_level=False,
        level_var=float(np.var(alpha, ddof=1) / D) if D > 1 else np.inf,
        level_df=float(D - 1),
    )


def fit_slot_model(pushes, metric: str = "open", *, design: str = "auto", controls=()) -> SlotModel:
    """Fit the slot model on the randomised units of a study (see the module docstring).

    Parameters
    ----------
    pushes : DataFrame or Counts
    metric : str
    design : {"auto", "randomized", "blocked", "split"}
    controls : sequence of str
        Unit-level controls for rotations: ``"trend"`` (days since the first push),
        ``"weekday"`` (the unit's weekday mix) or numeric columns (unit means). Each
        costs a degree of freedom of the unit-level residual; with controls the
        variance is pooled.

    Returns
    -------
    SlotModel

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> model = fit_slot_model(load_noon_study())
    >>> model.design, model.df, model.variance_model
    ('blocked', 5.0, 'pooled')
    >>> model.slots[int(model.theta.argmax())]
    '12:00'
    """
    c = counts(pushes, metric, design=design)
    if c.design in ("slot-level", "single-slot"):
        raise InputError(
            "one row per slot: no push-to-push variation to fit"
            if c.design == "slot-level"
            else "only one slot in the data: nothing to compare"
        )
    if c.design == "split":
        if controls:
            raise InputError("controls are not used in a split design: days already hold the content fixed")
        return _fit_split(c)
    return _fit_rotation(c, tuple(controls))
