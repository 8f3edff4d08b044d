"""Tests of the independent scenario generator in benchmarks/scenarios.py (not of wxtime)."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "scenarios.py"
_SPEC = importlib.util.spec_from_file_location("scenarios", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
sc = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("scenarios", sc)  # dataclasses look the module up while building Scenario
_SPEC.loader.exec_module(sc)

REQUIRED = [
    "null_randomized_iid",
    "null_blocked_ar05",
    "null_blocked_ar08",
    "null_random_blocks_weekday_ar06",
    "null_one_stretch_ar06",
    "null_one_stretch_trend",
    "null_blocked_growth10",
    "null_blocked_viral",
    "null_unequal_hetero",
    "null_hetero_equal",
    "null_split_interaction",
    *(f"power_{design}_{lift}" for design in ("randomized", "blocked") for lift in (10, 20, 30)),
    "power_split_10",
    "null_rare_noisy",
    "null_rare_mild",
    "null_randomized_viral",
    "null_fixed_order_weekday",
    "null_thompson_log",
    "power_thompson_20",
    "power_blocked_30_iid",
    "random_effects_randomized",
    "random_effects_blocked",
    "stable_operate_365",
    "shift_operate_30",
    "drift_randomized_120",
    "null_follow",
    "follow_20",
    "null_weekday_same",
    "weekday_same_25",
    "weekday_differs",
]
ADAPTIVE = ("thompson", "operate")


def _runs(slots: pd.Series) -> list[tuple[str, int]]:
    """(slot, length) of each stretch of consecutive days at one slot."""
    change = slots.ne(slots.shift()).cumsum()
    return [(g.iloc[0], len(g)) for _, g in slots.groupby(change, sort=False)]


def test_named_scenarios_and_truth():
    assert set(REQUIRED) <= set(sc.SCENARIOS)
    bests = set()
    for name, scenario in sc.SCENARIOS.items():
        world = sc.World(name, 0)
        truth = world.truth
        assert list(truth.columns) == ["slot", "rate", "best"]
        assert truth.rate.between(0.05, 0.09).all(), name
        pd.testing.assert_frame_equal(truth, world.truth_at(world.days - 1))
        if name.startswith("null_"):
            assert world.best_slot is None and scenario.best_slot is None
            # Exactly equal, not merely close: a null has no best slot.
            assert truth.rate.nunique() == 1 and not truth.best.any(), name
            assert (world.effects == 1).all()
        else:
            best = truth.loc[truth.best, "slot"].tolist()
            assert best == [world.best_slot] == [truth.slot[truth.rate.idxmax()]], name
            bests.add(best[0])
            if scenario.effects_sd == 0:
                assert scenario.best_slot == world.best_slot, name
            if scenario.slot_weekday is None:
                # Truth rates are in exactly the ratio of the (final) effects.
                np.testing.assert_allclose(
                    truth.rate / truth.rate.min(), world.effect / world.effect.min(), rtol=1e-12
                )
        if scenario.effects_sd == 0 and scenario.effects_after is None:
            np.testing.assert_array_equal(world.effect, scenario.effect)
            # Without drift, truth is the study average of each day's expected rate.
            np.testing.assert_allclose(world.expected_rates.mean(axis=0), truth.rate, rtol=1e-12)
    assert len(bests) >= 3  # a test cannot pass by always naming 12:00


@pytest.mark.parametrize("name", sorted(sc.SCENARIOS))
def test_push_tables_are_valid(name):
    for seed in range(3):
        world = sc.World(name, seed)
        df = world.run()
        split = name.startswith(("null_split", "power_split"))
        adaptive = world.scenario.design in ADAPTIVE
        cols = ["push_id", "sent_at", "slot", "delivered", "opened"] + (["group"] if split else [])
        assert list(df.columns) == cols + (["propensity"] if adaptive else [])
        assert df.push_id.is_unique and len(df) == len(world.schedule)
        assert df.delivered.dtype == np.int64 and df.opened.dtype == np.int64
        assert (df.delivered > 0).all() and (df.opened >= 0).all() and (df.opened <= df.delivered).all()
        assert str(df.sent_at.dt.tz) == "Asia/Shanghai"
        scheduled = (
            pd.to_datetime(world.start.isoformat())
            + pd.to_timedelta([d for d, *_ in world.schedule], unit="D")
            + pd.to_timedelta(df.slot + ":00")
        )
        jitter = (df.sent_at.dt.tz_localize(None) - scheduled).dt.total_seconds()
        assert jitter.abs().max() <= 90 and jitter.nunique() > 1
        assert set(df.slot) <= set(world.slots)
    assert world.start.weekday() == 0  # studies start on a Monday


def test_reproducible_and_seed_dependent():
    for name in ("null_random_blocks_weekday_ar06", "null_split_interaction"):
        pd.testing.assert_frame_equal(sc.World(name, 7).run(), sc.World(name, 7).run())
        assert not sc.World(name, 7).run().opened.equals(sc.World(name, 8).run().opened)
    pushes, truth = sc.generate("power_blocked_20", 3)
    pd.testing.assert_frame_equal(pushes, sc.World("power_blocked_20", 3).run())
    pd.testing.assert_frame_equal(truth, sc.World(sc.SCENARIOS["power_blocked_20"], 3).truth)


def test_push_matches_run_and_can_query_any_slot():
    world = sc.World("null_blocked_ar05", 11)
    df = world.run().set_index("push_id")
    for day, slot in world.schedule[::9]:
        row = world.push(day, slot)
        assert row == world.push(day, slot)
        assert row == {"push_id": row["push_id"], **df.loc[row["push_id"]].to_dict()}
    off = world.push(0, "22:30")  # not on the schedule (day 0 is a 07:30 day)
    assert off["slot"] == "22:30" and off["sent_at"].hour == 22
    assert off["delivered"] == world.push(0, "07:30")["delivered"]
    with pytest.raises(ValueError):
        world.push(0, "07:30", group=0)
    split = sc.World("power_split_10", 2)
    first = split.run().iloc[3]
    assert split.push(0, first.slot, group=int(first.group))["opened"] == first.opened
    with pytest.raises(ValueError):
        split.push(0, "07:30")


@pytest.mark.parametrize("name", ["null_blocked_viral", "power_randomized_30", "null_one_stretch_trend"])
def test_truth_is_the_mean_push_rate(name):
    # Average of opened/delivered over every (day, slot) of a world, across many worlds.
    n = 300
    means = np.array(
        [
            sc.World(name, seed)
            .potential_outcomes()
            .eval("opened / delivered")
            .to_numpy()
            .reshape(-1, 5)
            .mean(axis=0)
            for seed in range(n)
        ]
    )
    se = means.std(axis=0, ddof=1) / np.sqrt(n)
    truth = sc.World(name, 0).truth.rate.to_numpy()
    assert np.all(np.abs(means.mean(axis=0) - truth) < 4 * se)


def test_randomized_run_is_unbiased_per_slot():
    n = 400
    per_slot = []
    for seed in range(n):
        df = sc.World("power_randomized_30", seed).run()
        per_slot.append((df.opened / df.delivered).groupby(df.slot).mean())
    means = pd.DataFrame(per_slot)
    truth = sc.World("power_randomized_30", 0).truth.set_index("slot").rate
    z = (means.mean() - truth) / (means.std() / np.sqrt(n))
    assert z.abs().max() < 4


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("null_blocked_ar05", {"rounds": 40}),
        ("null_blocked_ar08", {"rounds": 40}),
        ("null_one_stretch_ar06", {"days_per_slot": 140}),  # gamma, beta-gamma AR(1)
        ("null_random_blocks_weekday_ar06", {"rounds": 20, "weekday": None}),
    ],
)
def test_ar1_autocorrelation(name, changes):
    scenario = dataclasses.replace(sc.SCENARIOS[name], **changes)
    latent, observed = [], []
    for seed in range(4):
        world = sc.World(scenario, seed)
        q = world.quality - world.quality.mean()
        latent.append(q[1:] @ q[:-1] / (q @ q))
        log_rate = np.log(world.run().eval("opened / delivered").to_numpy())
        observed.append(pd.Series(log_rate).autocorr())
    assert abs(np.mean(latent) - scenario.rho) < 0.05
    if scenario.opens == "binomial":
        # Binomial noise only slightly attenuates the autocorrelation of the observed log rates.
        assert abs(np.mean(observed) - scenario.rho) < 0.1
    else:  # beta-binomial opens add more push-level noise, hence more attenuation
        assert 0.6 * scenario.rho < np.mean(observed) < scenario.rho


def test_growth_world_grows_tenfold():
    df = sc.World("null_blocked_growth10", 5).run()
    slope = np.polyfit(np.arange(len(df)), np.log(df.delivered), 1)[0]
    assert np.exp(slope * (len(df) - 1)) == pytest.approx(10, rel=0.1)
    assert df.delivered.iloc[:7].mean() < 6500 and df.delivered.iloc[-7:].mean() > 25_000


def test_split_design_shares_the_article():
    world = sc.World(dataclasses.replace(sc.SCENARIOS["null_split_interaction"], days=300), 1)
    df = world.run()
    groups_per_day = df.groupby(df.sent_at.dt.date).group.apply(sorted)
    assert len(groups_per_day) == 300 and all(g == [0, 1, 2, 3, 4] for g in groups_per_day)
    assert (df.groupby("group").slot.nunique() == 1).all()
    assert df.groupby("group").slot.first().tolist() == world.slots
    assert df.delivered.between(1500, 2600).all()  # ~2,000 followers a group
    # Same day, same article: groups' log rates move together (interaction sd 0.1 only).
    wide = np.log(df.opened / df.delivered).to_numpy().reshape(300, 5)
    assert np.corrcoef(wide.T)[np.triu_indices(5, 1)].min() > 0.5
    spread = np.log(world.rates / world.rates[:, :1])[:, 1:].std()
    assert spread == pytest.approx(0.1 * np.sqrt(2), rel=0.15)


def test_blocked_designs_keep_each_slot_for_its_stretch():
    df = sc.World("null_blocked_ar05", 0).run()
    assert _runs(df.slot) == [(s, 7) for s in sc.SLOTS] * 2
    df = sc.World("null_one_stretch_trend", 0).run()
    assert _runs(df.slot) == [(s, 14) for s in sc.SLOTS]
    for seed in range(20):
        world = sc.World("null_random_blocks_weekday_ar06", seed)
        runs = _runs(world.run().slot)
        assert len(runs) == 10 and {length for _, length in runs} <= {7, 14}
        assert pd.Series([s for s, _ in runs]).value_counts().eq(2).all()
        assert world.days == sum(length for _, length in runs)


def test_randomized_allocation_and_heteroscedastic_slots():
    counts = sc.World("null_randomized_iid", 0).run().slot.value_counts()
    assert counts.eq(14).all() and len(counts) == 5
    counts = sc.World("null_unequal_hetero", 0).run().slot.value_counts()
    assert counts[list(sc.SLOTS)].tolist() == [40, 30, 15, 10, 5]
    sds = np.log(np.concatenate([sc.World("null_hetero_equal", s).rates for s in range(20)])).std(axis=0)
    np.testing.assert_allclose(sds, [0.18, 0.27, 0.36, 0.48, 0.6], rtol=0.1)


def test_scenario_validation():
    with pytest.raises(ValueError):
        sc.Scenario(quality="student_t", rho=0.5)
    with pytest.raises(ValueError):
        sc.Scenario(effects=(1.0, 1.1))
    with pytest.raises(ValueError):
        sc.Scenario(allocation=(0.5, 0.5, 0.5, 0.0, 0.0))
    with pytest.raises(ValueError):
        sc.Scenario(effects_sd=0.1, effects=(1.0, 1.0, 1.0, 1.0, 1.2))
    with pytest.raises(ValueError):
        sc.Scenario(effects_after=(1.0, 1.0, 1.0, 1.0, 1.2))  # no change_day
    with pytest.raises(ValueError):
        sc.Scenario(slot_weekday=((1.0,) * 5,) * 6)
    with pytest.raises(ValueError):
        sc.Scenario(design="operate", current="09:00")
    with pytest.raises(ValueError):
        sc.Scenario(design="operate", epsilon=1.5)


# -- the scenarios added for rare slots, random effects, adaptive logs, drift and weekdays ----------
def _log_rate_sds(name: str, seeds: int) -> np.ndarray:
    return np.log(np.concatenate([sc.World(name, s).rates for s in range(seeds)])).std(axis=0)


def test_rare_noisy_allocation_and_noise():
    for name, totals in (
        ("null_rare_noisy", [0.3, 0.3, 0.3, 0.45, 0.6]),
        ("null_rare_mild", [0.3, 0.3, 0.3, 0.375, 0.45]),
    ):
        shares = pd.concat([sc.World(name, s).run().slot for s in range(5)]).value_counts(normalize=True)
        np.testing.assert_allclose(shares[list(sc.SLOTS)], [0.4, 0.3, 0.15, 0.1, 0.05], atol=0.01)
        # Total log-scale sd (article quality + slot noise); no weekday or trend in these worlds.
        np.testing.assert_allclose(_log_rate_sds(name, 20), totals, rtol=0.08)


def test_fixed_order_weekday_confounds_slot_with_weekday():
    world = sc.World("null_fixed_order_weekday", 0)
    df = world.run()
    assert _runs(df.slot) == [(s, 10) for s in sc.SLOTS] * 2
    slot = df.slot.map(world.slots.index).to_numpy()
    by_slot = pd.Series(world.expected_rates[np.arange(world.days), slot]).groupby(slot).mean()
    assert by_slot.max() / by_slot.min() > 1.05  # the weekday mix alone moves a slot's mean 5%+
    assert world.truth.rate.nunique() == 1  # while the slots are truly equal


def test_random_effects_are_drawn_per_world_and_reproducible():
    a, b = sc.World("random_effects_randomized", 3), sc.World("random_effects_randomized", 3)
    np.testing.assert_array_equal(a.effect, b.effect)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not np.array_equal(a.effect, sc.World("random_effects_randomized", 4).effect)
    # Effects come from a stream of their own: the same seed draws them alike in both designs.
    np.testing.assert_array_equal(a.effect, sc.World("random_effects_blocked", 3).effect)
    worlds = [sc.World("random_effects_randomized", s) for s in range(200)]
    logs = np.log([w.effect for w in worlds])
    assert abs(logs.mean()) < 0.02 and logs.std() == pytest.approx(0.1, rel=0.1)
    assert all(w.best_slot == w.slots[int(np.argmax(w.effect))] for w in worlds)
    assert len({w.best_slot for w in worlds[:30]}) == 5
    assert sc.SCENARIOS["random_effects_blocked"].best_slot is None  # drawn per world, not per scenario


def test_thompson_log_propensities():
    for name in ("null_thompson_log", "power_thompson_20"):
        world = sc.World(name, 0)
        df = world.run()
        probs = world.allocation_probs
        assert probs.shape == (120, 5) and np.allclose(probs.sum(axis=1), 1)
        assert ((df.propensity > 0) & (df.propensity <= 1)).all()
        slot = df.slot.map(world.slots.index).to_numpy()
        np.testing.assert_array_equal(df.propensity, probs[np.arange(120), slot])
        np.testing.assert_allclose(probs[0], 0.2, atol=0.05)  # no data yet: every slot alike
        row = world.push(5, "07:30")  # the caller may still query any slot
        assert "propensity" not in row and row["slot"] == "07:30"
    # The logged probabilities are those of the sampler's posterior, rebuilt from the log alone:
    # fresh draws from it agree with the logged 2,000-draw estimate within Monte Carlo error.
    world = sc.World("power_thompson_20", 1)
    df = world.run()
    y = sc.push_logit(df.opened, df.delivered)
    slot = df.slot.map(world.slots.index).to_numpy()
    rng = np.random.default_rng(5)
    for day in (1, 30, 90):
        n = np.bincount(slot[:day], minlength=5).astype(float)
        total = np.bincount(slot[:day], weights=y[:day], minlength=5)
        sumsq = np.bincount(slot[:day], weights=y[:day] ** 2, minlength=5)
        mean, sd = sc.thompson_posterior(n, total, sumsq)
        winners = np.argmax(mean + sd * rng.standard_normal((100_000, 5)), axis=1)
        fresh = np.bincount(winners, minlength=5) / 100_000
        p = world.allocation_probs[day]
        mc_sd = np.sqrt(fresh * (1 - fresh) * (1 / 2000 + 1 / 100_000)) + 1e-4
        assert np.all(np.abs(p - fresh) < 4.5 * mc_sd), (day, p, fresh)


def test_thompson_choices_follow_their_propensities():
    # Chosen-slot indicators minus the logged probabilities form a martingale: their sum over
    # the days of many worlds is ~N(0, sum p(1 - p)) for every slot.
    dev, var, best_share = np.zeros(5), np.zeros(5), []
    for seed in range(12):
        world = sc.World("power_thompson_20", 100 + seed)
        df = world.run()
        chosen = np.eye(5)[df.slot.map(world.slots.index).to_numpy()]
        dev += (chosen - world.allocation_probs).sum(axis=0)
        var += (world.allocation_probs * (1 - world.allocation_probs)).sum(axis=0)
        best_share.append((df.slot.iloc[60:] == world.best_slot).mean())
    assert np.all(np.abs(dev / np.sqrt(var)) < 4)
    assert np.mean(best_share) > 0.5  # the sampler learns the +20% slot


def test_operate_pushes_at_the_current_slot():
    slots = pd.concat([sc.World("stable_operate_365", s).run() for s in range(4)])
    assert (slots.slot == "12:00").mean() == pytest.approx(0.8, abs=0.035)
    others = slots.slot[slots.slot != "12:00"].value_counts(normalize=True)
    np.testing.assert_allclose(others[["07:30", "18:00", "21:00", "22:30"]], 0.25, atol=0.08)
    np.testing.assert_allclose(slots.propensity, np.where(slots.slot == "12:00", 0.8, 0.05))
    custom = dataclasses.replace(sc.SCENARIOS["stable_operate_365"], epsilon=0.5, current="07:30")
    df = sc.World(custom, 0).run()
    assert (df.slot == "07:30").mean() == pytest.approx(0.5, abs=0.1)
    assert set(df.propensity.round(12)) == {0.5, 0.125}


def test_drift_truth_switches_at_the_change_day():
    world = sc.World("drift_randomized_120", 0)
    assert [world.best_slot_at(d) for d in (0, 59, 60, 119)] == ["12:00", "12:00", "21:00", "21:00"]
    assert world.best_slot == "21:00"
    before, after = world.truth_at(59).set_index("slot").rate, world.truth.set_index("slot").rate
    assert before["12:00"] / before["21:00"] == pytest.approx(1.2, rel=1e-12)
    assert after["21:00"] / after["12:00"] == pytest.approx(1.2, rel=1e-12)
    assert before["07:30"] == after["07:30"]  # unchanged slots keep their exact truth
    shift = sc.World("shift_operate_30", 0)
    assert shift.best_slot_at(239) == "12:00" and shift.best_slot_at(240) == "21:00"
    rate = shift.truth.set_index("slot").rate
    assert rate["21:00"] / rate["12:00"] == pytest.approx(1.3, rel=1e-12)
    # Until the change the shifting world is its stable twin, push for push (but the send-time
    # jitter, drawn after all the opens).
    stable = sc.World("stable_operate_365", 0)
    same = ["push_id", "slot", "delivered", "opened", "propensity"]
    pd.testing.assert_frame_equal(shift.run()[same].iloc[:240], stable.run()[same].iloc[:240])
    assert stable.best_slot_at(364) == "12:00"
    with pytest.raises(IndexError):
        world.truth_at(120)
    # A ramp: the first changed day is change_day, the new regime is complete R days later.
    ramp = sc.World(dataclasses.replace(sc.SCENARIOS["drift_randomized_120"], ramp_days=10), 0)
    np.testing.assert_array_equal(ramp.effects[59], world.effects[0])
    np.testing.assert_allclose(ramp.effects[60, [1, 3]], [1.18, 1.02])
    np.testing.assert_array_equal(ramp.effects[69], world.effects[119])
    assert ramp.best_slot_at(63) == "12:00" and ramp.best_slot_at(64) is None  # a tie mid-ramp
    assert ramp.best_slot_at(65) == "21:00"


def test_drifting_and_weekday_worlds_earn_their_expected_rates():
    # The mean rate of every (day, slot) push over many worlds, per regime or per weekday.
    n = 150
    drift, week = [], []
    for seed in range(n):
        rate = sc.World("drift_randomized_120", seed).potential_outcomes().eval("opened / delivered")
        rate = rate.to_numpy().reshape(120, 5)
        drift.append(np.stack([rate[:60].mean(axis=0), rate[60:].mean(axis=0)]))
        rate = sc.World("weekday_differs", seed).potential_outcomes().eval("opened / delivered")
        rate = rate.to_numpy().reshape(140, 5)
        week.append(pd.DataFrame(rate).groupby(np.arange(140) % 7).mean().to_numpy())  # from Monday
    expected = sc.World("drift_randomized_120", 0).expected_rates
    by_weekday = sc.World("weekday_differs", 0).truth_by_weekday()
    for draws, truth in (
        (drift, np.stack([expected[:60].mean(axis=0), expected[60:].mean(axis=0)])),
        (week, by_weekday.pivot(index="weekday", columns="slot", values="rate")[list(sc.SLOTS)]),
    ):
        draws = np.array(draws)
        z = (draws.mean(axis=0) - np.asarray(truth)) / (draws.std(axis=0, ddof=1) / np.sqrt(n))
        assert np.abs(z).max() < 4.5


def test_weekday_truth_differs_only_in_weekday_differs():
    for name in sc.SCENARIOS:
        world = sc.World(name, 0)
        table = world.truth_by_weekday()
        assert list(table.columns) == ["slot", "weekday", "day_name", "rate", "best"]
        assert len(table) == 35 and table.best.sum() in (0, 7)
        wide = table.pivot(index="weekday", columns="slot", values="rate")[world.slots]
        ratios = wide.div(wide.mean(axis=1), axis=0)
        same = np.allclose(ratios, ratios.iloc[0], rtol=1e-12, atol=0)
        assert same == (name != "weekday_differs"), name
        # Weighted by the study's days on each weekday, the weekday truths give truth.
        days = np.bincount(np.arange(world.days) % 7, minlength=7)  # every study starts Monday
        np.testing.assert_allclose(days @ wide.to_numpy() / world.days, world.truth.rate, rtol=1e-12)
    best = sc.World("weekday_differs", 0).truth_by_weekday().query("best")
    assert best.slot.tolist() == ["12:00"] * 5 + ["21:00"] * 2
    assert best.day_name.tolist() == list(sc.DAY_NAMES)
    best = sc.World("weekday_same_25", 0).truth_by_weekday().query("best")
    assert best.slot.tolist() == ["12:00"] * 7
    assert not sc.World("null_weekday_same", 0).truth_by_weekday().best.any()


@pytest.mark.parametrize("name", ["null_follow", "follow_20", "drift_randomized_120"])
def test_caller_chosen_schedules(name):
    world = sc.World(name, 2)
    assert world.days == 120
    outcomes = world.potential_outcomes()
    assert len(outcomes) == 600 and outcomes.push_id.is_unique
    indexed = outcomes.set_index("push_id")
    rng = np.random.default_rng(0)
    for day in range(0, 120, 7):  # e.g. a caller's own policy, one slot a day
        row = world.push(day, world.slots[rng.integers(5)])
        assert row == {"push_id": row["push_id"], **indexed.loc[row["push_id"]].to_dict()}
    with pytest.raises(IndexError):
        world.push(120, "12:00")
    regret = world.expected_rates.max(axis=1) - world.expected_rates[:, 0]  # always 07:30
    assert (regret >= 0).all() and (regret.sum() > 0) == (name != "null_follow")
