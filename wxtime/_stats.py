"""The few distribution functions and classical tests the decision path needs, on ``scipy.special``.

``import scipy.stats`` costs about 1.3 s (it builds the docstrings of a hundred
distributions), more than a whole analysis of 100,000 pushes; ``scipy.special`` costs 0.3 s.
Each function here is the textbook formula on special functions, and
``tests/test_stats_helpers.py`` checks every one against ``scipy.stats`` itself.

Examples
--------
>>> round(float(t_ppf(0.975, 10)), 4), round(float(f_sf(4.0, 2, 20)), 4)
(2.2281, 0.0346)
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = [
    "beta_ppf",
    "chi2_contingency",
    "chi2_ppf",
    "chi2_sf",
    "chisquare",
    "f_sf",
    "levene_median",
    "linregress_slope",
    "norm_cdf",
    "norm_pdf",
    "norm_ppf",
    "norm_sf",
    "root_bracket",
    "t_cdf",
    "t_ppf",
]


def root_bracket(f, lo: float, hi: float, xtol: float = 1e-9) -> float:
    """The root of ``f`` in ``[lo, hi]`` (``f(lo)`` and ``f(hi)`` of opposite signs) by the
    Illinois variant of false position, which keeps the root bracketed and converges
    superlinearly: what ``scipy.optimize.brentq`` returns to within ``xtol``, without
    importing ``scipy.optimize`` (0.35 s) for a one-dimensional root.

    Examples
    --------
    >>> round(root_bracket(lambda x: x**2 - 2, 0.0, 2.0), 8)
    1.41421356
    """
    a, b = float(lo), float(hi)
    fa, fb = f(a), f(b)
    if fa == 0:
        return a
    if fb == 0:
        return b
    side, previous = 0, np.inf
    for _ in range(200):
        c = (a * fb - b * fa) / (fb - fa)
        fc = f(c)
        if fc == 0 or abs(c - previous) < xtol or abs(b - a) < xtol:
            return float(c)
        previous = c
        if (fc > 0) == (fb > 0):
            b, fb = c, fc
            if side == -1:
                fa /= 2
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb /= 2
            side = 1
    return float(c)


def norm_cdf(x):
    return special.ndtr(x)


def norm_sf(x):
    return special.ndtr(-np.asarray(x, float))


def norm_ppf(q):
    return special.ndtri(q)


def norm_pdf(x, scale=1.0):
    x = np.asarray(x, float) / scale
    return np.exp(-0.5 * x**2) / (np.sqrt(2 * np.pi) * scale)


def t_cdf(x, df):
    return special.stdtr(df, x)


def t_ppf(q, df):
    """Quantile of Student's t (``df`` may be fractional, as Welch's are)."""
    return special.stdtrit(df, q)


def f_sf(x, df1, df2):
    """Upper tail of the F distribution."""
    return special.fdtrc(df1, df2, x)


def chi2_ppf(q, df):
    return special.chdtri(df, 1 - np.asarray(q, float))


def chi2_sf(x, df):
    return special.chdtrc(df, x)


def beta_ppf(q, a, b):
    return special.betaincinv(a, b, q)


def chisquare(observed, expected) -> tuple[float, float]:
    """Pearson's goodness-of-fit statistic and its p-value (``len - 1`` df)."""
    observed = np.asarray(observed, float)
    expected = np.asarray(expected, float)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    return statistic, float(chi2_sf(statistic, len(observed) - 1))


def chi2_contingency(table) -> tuple[float, float]:
    """Pearson's test of independence in a two-way table (no continuity correction, as
    ``scipy.stats.chi2_contingency`` for tables larger than 2 x 2)."""
    table = np.asarray(table, float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    df = (table.shape[0] - 1) * (table.shape[1] - 1)
    return statistic, float(chi2_sf(statistic, df))


def linregress_slope(x, y) -> tuple[float, float]:
    """Least-squares slope of ``y`` on ``x`` and the two-sided p-value of 'slope = 0'."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    n = len(x)
    xc, yc = x - x.mean(), y - y.mean()
    sxx = float(np.sum(xc**2))
    slope = float(np.sum(xc * yc) / sxx)
    residual = yc - slope * xc
    se = np.sqrt(np.sum(residual**2) / (n - 2) / sxx)
    if se == 0:
        return slope, 0.0 if slope != 0 else 1.0
    return slope, float(2 * t_cdf(-abs(slope / se), n - 2))


def levene_median(*groups) -> tuple[float, float]:
    """Brown-Forsythe test of equal variances: one-way ANOVA on absolute deviations from each
    group's median (``scipy.stats.levene(..., center="median")``)."""
    deviations = [np.abs(np.asarray(g, float) - np.median(g)) for g in groups]
    k = len(deviations)
    n = np.array([len(d) for d in deviations], float)
    means = np.array([d.mean() for d in deviations])
    grand = np.concatenate(deviations).mean()
    between = np.sum(n * (means - grand) ** 2) / (k - 1)
    within = sum(np.sum((d - m) ** 2) for d, m in zip(deviations, means)) / (n.sum() - k)
    if within == 0:
        return np.nan, np.nan
    statistic = float(between / within)
    return statistic, float(f_sf(statistic, k - 1, n.sum() - k))
