"""The distribution functions and tests of wxtime._stats agree with scipy.stats (the reference)."""

import numpy as np
import pytest
from scipy import stats

from wxtime import _stats


def test_quantiles_and_tails_equal_scipy_stats():
    q = np.array([0.001, 0.025, 0.5, 0.9, 0.999])
    for df in (1, 2.5, 7, 40):
        np.testing.assert_allclose(_stats.t_ppf(q, df), stats.t.ppf(q, df), rtol=1e-10)
        np.testing.assert_allclose(_stats.t_cdf(q * 4 - 2, df), stats.t.cdf(q * 4 - 2, df), rtol=1e-10)
        np.testing.assert_allclose(_stats.chi2_ppf(q, df), stats.chi2.ppf(q, df), rtol=1e-9)
        np.testing.assert_allclose(_stats.chi2_sf(q * 20, df), stats.chi2.sf(q * 20, df), rtol=1e-9)
        np.testing.assert_allclose(_stats.f_sf(q * 5, 3, df), stats.f.sf(q * 5, 3, df), rtol=1e-9)
    np.testing.assert_allclose(_stats.norm_ppf(q), stats.norm.ppf(q), rtol=1e-12)
    np.testing.assert_allclose(_stats.norm_sf(q * 3), stats.norm.sf(q * 3), rtol=1e-12)
    np.testing.assert_allclose(_stats.norm_pdf(q, scale=2), stats.norm.pdf(q, scale=2), rtol=1e-12)
    np.testing.assert_allclose(_stats.beta_ppf(q, 3, 17), stats.beta.ppf(q, 3, 17), rtol=1e-9)


def test_classical_tests_equal_scipy_stats():
    rng = np.random.default_rng(0)
    groups = [rng.normal(0, s, n) for s, n in ((1, 12), (1.5, 9), (3, 15))]
    assert _stats.levene_median(*groups) == pytest.approx(stats.levene(*groups, center="median"), rel=1e-10)
    x, y = np.arange(30.0), rng.normal(size=30) + 0.05 * np.arange(30)
    reference = stats.linregress(x, y)
    assert _stats.linregress_slope(x, y) == pytest.approx((reference.slope, reference.pvalue), rel=1e-10)
    observed, expected = np.array([48.0, 35, 17]), np.array([40.0, 40, 20])
    assert _stats.chisquare(observed, expected) == pytest.approx(
        stats.chisquare(observed, expected), rel=1e-12
    )
    table = np.array([[10, 12, 8, 9], [3, 15, 11, 7], [6, 6, 14, 9]])
    chi2, p, _, _ = stats.chi2_contingency(table)
    assert _stats.chi2_contingency(table) == pytest.approx((chi2, p), rel=1e-12)


def test_root_bracket_is_brentq():
    """The planner and the group-sequential boundaries find their roots by false position (Illinois), not
    scipy.optimize (0.35 s to import); the root is brentq's to within the tolerance."""
    from scipy import optimize

    from wxtime._stats import root_bracket

    for f, lo, hi in (
        (lambda x: x**3 - 2 * x - 5, 0.0, 4.0),
        (lambda z: 2 * stats.norm.sf(z) - 0.003, 0.0, 8.0),
        (lambda d: np.expm1(d) - 0.3, 0.0, 10.0),
    ):
        assert abs(root_bracket(f, lo, hi, 1e-10) - optimize.brentq(f, lo, hi, xtol=1e-12)) < 1e-9
