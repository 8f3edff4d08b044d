"""The audience simulator: reproducible, faithful to its truth, and steerable."""

import numpy as np
import pandas as pd
import pytest

from wxtime.simulate import (
    Audience,
    blocked_schedule,
    campus_jobs,
    night_owl,
    randomized_schedule,
    simulate_rotation,
    simulate_split,
)

SEED_SLOTS = ["07:30", "12:00", "18:00", "21:00", "22:30"]


def test_same_seed_same_study_different_seed_different_study():
    a, b = simulate_rotation(seed=5), simulate_rotation(seed=5)
    pd.testing.assert_frame_equal(a.pushes, b.pushes)
    pd.testing.assert_frame_equal(a.curves, b.curves)
    assert not simulate_rotation(seed=6).pushes["opened"].equals(a.pushes["opened"])
    assert a.seed == 5


def test_documented_default_magnitudes_are_the_model():
    # The numbers quoted in wxtime.simulate's docstring and data/README.md.
    truth = campus_jobs().truth([*SEED_SLOTS, "22:00", "03:00"]).set_index("slot")["open_rate"]
    expected = {
        "12:00": 0.0776,
        "22:30": 0.0649,
        "21:00": 0.0619,
        "07:30": 0.0570,
        "18:00": 0.0453,
        "22:00": 0.0726,
        "03:00": 0.0247,
    }
    for slot, rate in expected.items():
        assert truth[slot] == pytest.approx(rate, abs=5e-5)
    lift = truth["12:00"] / truth.drop(["12:00", "22:00", "03:00"]).max() - 1
    assert 0.10 <= lift <= 0.25  # noon better by a realistic margin, not 3x


def test_noon_is_the_true_best_hour_of_the_campus_audience():
    assert campus_jobs().best_slot(range(24)) == "12:00"
    assert campus_jobs().best_slot(range(24), metric="read_rate") == "12:00"


def test_moving_the_attention_peak_moves_the_best_slot():
    audience = campus_jobs()
    lunch_later = tuple((c + 2.0 if c == 12.6 else c, w, k) for c, w, k in audience.peaks)
    assert audience.replace(peaks=lunch_later).best_slot(range(24)) == "14:00"
    assert night_owl().best_slot(SEED_SLOTS) == "22:30"
    only_morning = audience.replace(peaks=((7.4, 1.0, 12.0),))
    assert only_morning.best_slot(range(24)) in {"05:00", "06:00"}


def test_crowding_lowers_the_crowded_slot():
    calm = campus_jobs().replace(crowd_strength=0.0).truth(["18:00"])["open_rate"].iloc[0]
    crowded = campus_jobs().truth(["18:00"])["open_rate"].iloc[0]
    assert crowded < 0.75 * calm


def test_estimated_rates_converge_to_the_truth_across_seeds():
    # Mean of push open rates per slot over many studies -> the true slot rate.
    audience = campus_jobs()
    means = []
    for seed in range(40):
        pushes = simulate_rotation(audience, SEED_SLOTS, design="randomized", days=100, seed=seed).pushes
        means.append((pushes["opened"] / pushes["delivered"]).groupby(pushes["slot"]).mean())
    estimate = pd.concat(means, axis=1).mean(axis=1)
    truth = audience.truth(SEED_SLOTS).set_index("slot")["open_rate"]
    # 40 x 20 pushes per slot, push sd about 0.3 x rate: standard error about 1.1% of the rate.
    np.testing.assert_allclose(estimate.loc[truth.index], truth, rtol=0.04)


def test_pushes_vary_far_more_than_binomial_noise():
    pushes = simulate_rotation(seed=3, rounds=4).pushes
    rate = pushes["opened"] / pushes["delivered"]
    pooled = pushes.groupby("slot")["opened"].transform("sum") / pushes.groupby("slot")[
        "delivered"
    ].transform("sum")
    chi2 = ((rate - pooled) ** 2 * pushes["delivered"] / (pooled * (1 - pooled))).sum()
    assert chi2 / (len(pushes) - 5) > 5


def test_read_curves_are_cumulative_and_end_at_the_push_total():
    study = simulate_rotation(seed=4)
    curves = study.curves
    assert (curves.groupby("push_id")["opened_cum"].diff().dropna() >= 0).all()
    final = curves[curves["age_hours"] == 72].set_index("push_id")["opened_cum"]
    assert final.equals(study.pushes.set_index("push_id")["opened"].rename("opened_cum"))


def test_read_curve_model_rises_to_one_and_most_opens_come_within_a_day():
    curve = campus_jobs().read_curve(12.0, [0, 1, 24, 72])
    assert curve[0] == 0 and curve[-1] == pytest.approx(1)
    assert 0.9 < curve[2] < 1


def test_split_design_shares_content_within_a_day():
    study = simulate_split(slots=["12:00", "21:00"], days=200, seed=1)
    wide = study.pushes.assign(rate=study.pushes["opened"] / study.pushes["delivered"]).pivot(
        index="push_id", columns="group", values="rate"
    )
    assert wide.corr().iloc[0, 1] > 0.5  # same article, same quality
    # Random halves of the audience: group sizes about equal.
    sizes = study.pushes.groupby("group")["delivered"].sum()
    assert abs(sizes.iloc[0] / sizes.sum() - 0.5) < 0.01


def test_rotation_followers_grow_and_delivery_follows():
    pushes = simulate_rotation(seed=2).pushes
    assert pushes["followers"].iloc[0] == pytest.approx(3000, rel=0.05)
    assert pushes["followers"].iloc[-1] == pytest.approx(6000, rel=0.1)
    assert (pushes["delivered"] <= pushes["followers"]).all()


def test_schedules():
    assert blocked_schedule([12, 21], days_per_slot=1, rounds=2) == ["12:00", "21:00", "12:00", "21:00"]
    schedule = randomized_schedule(SEED_SLOTS, 50, np.random.default_rng(0))
    assert pd.Series(schedule).value_counts().tolist() == [10] * 5


def test_bad_design_is_refused():
    with pytest.raises(ValueError, match="design"):
        simulate_rotation(design="zigzag")


def test_audience_is_hashable_and_replace_changes_one_thing():
    audience = Audience()
    changed = audience.replace(content_sigma=0.5)
    assert hash(audience) != hash(changed)
    assert changed.peaks == audience.peaks
