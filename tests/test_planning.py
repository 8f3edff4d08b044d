"""Planning: sample sizes against the normal-theory formula, boundaries against tables and simulation."""

import numpy as np
import pytest
from scipy import stats

from wxtime.planning import group_sequential_boundaries, plan_rotation, plan_split, rotation_power


def test_rotation_plan_is_the_two_sample_formula_with_push_variance():
    plan = plan_rotation(0.05, 0.2, delivered=5000, tau=0.01).set_index("analysis")
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    variance = 0.06 * 0.94 / 5000 + 0.01**2
    assert plan.loc["push_level", "days_per_slot"] == int(np.ceil(2 * z**2 * variance / 0.01**2))
    assert plan.loc["reader_level", "days_per_slot"] < plan.loc["push_level", "days_per_slot"] / 5


def test_power_is_consistent_with_the_plan():
    days = (
        plan_rotation(0.05, 0.2, delivered=5000, tau=0.01)
        .set_index("analysis")
        .loc["push_level", "days_per_slot"]
    )
    assert rotation_power(days, 0.05, 0.2, delivered=5000, tau=0.01) == pytest.approx(0.8, abs=0.02)
    assert rotation_power(days * 2, 0.05, 0.2, delivered=5000, tau=0.01) > 0.95


def test_split_plan_grows_with_smaller_effects_and_refuses_impossible_ones():
    assert (
        plan_split(0.05, 0.1, days=7)["followers_per_group"]
        > plan_split(0.05, 0.2, days=7)["followers_per_group"]
    )
    assert plan_split(0.05, 0.05, days=7, interaction_sd=0.01)["followers_per_group"] is None


def test_pocock_boundaries_match_published_values():
    # Lan-DeMets Pocock-type spending, 5 equally spaced looks, two-sided alpha = 0.05:
    # 2.4380, 2.4268, 2.4101, 2.3966, 2.3859 (Jennison & Turnbull 2000, Table 7.6 style
    # output; reproduced with R gsDesign/ldbounds). Tolerance covers the default grid.
    z = group_sequential_boundaries([1, 2, 3, 4, 5], spending="pocock", grid_points=16001).z
    np.testing.assert_allclose(z, [2.4380, 2.4268, 2.4101, 2.3966, 2.3859], atol=2e-4)


def test_first_boundary_is_the_exact_spent_quantile():
    b = group_sequential_boundaries([1, 2, 3], alpha=0.05)
    spent = 2 - 2 * stats.norm.cdf(stats.norm.ppf(0.975) / np.sqrt(1 / 3))
    assert b.z[0] == pytest.approx(stats.norm.isf(spent / 2), abs=1e-6)
    assert b.summary["alpha_spent"].iloc[-1] == pytest.approx(0.05)


def test_boundaries_keep_the_level_under_daily_looks_by_monte_carlo():
    looks = 30
    boundaries = np.array(group_sequential_boundaries(np.arange(1, looks + 1)).z)
    rng = np.random.default_rng(0)
    score = rng.standard_normal((200_000, looks)).cumsum(axis=1)
    z = score / np.sqrt(np.arange(1, looks + 1))
    crossed = (np.abs(z) >= boundaries).any(axis=1).mean()
    assert crossed == pytest.approx(0.05, abs=0.0025)  # MC standard error 0.0005
    assert (np.abs(z) >= 1.96).any(axis=1).mean() > 0.25  # naive peeking


def test_bad_information_is_refused():
    with pytest.raises(ValueError):
        group_sequential_boundaries([2, 1])
    with pytest.raises(ValueError):
        group_sequential_boundaries([1, 2], spending="haybittle")


@pytest.mark.parametrize(
    ("baseline", "lift", "message"),
    [
        (0.07, 0.0, "lift must not be 0"),
        (1.2, 0.1, "baseline must be a rate"),
        (0.0, 0.1, "baseline must be"),
        (0.9, 0.2, "is not a rate"),
    ],
)
def test_plans_refuse_impossible_rates(baseline, lift, message):
    """plan_rotation(0.07, 0) raised OverflowError; a baseline of 1.2 gave a plan; plan_split
    with a baseline of 0 blamed 'slot x content interaction'."""
    with pytest.raises(ValueError, match=message):
        plan_rotation(baseline, lift, delivered=4000, tau=0.01)
    with pytest.raises(ValueError, match=message):
        plan_split(baseline, lift, days=14)
