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
]


def _runs(slots: pd.Series) -> list[tuple[str, int]]:
    """(slot, length) of each stretch of consecutive days at one slot."""
    change = slots.ne(slots.shift()).cumsum()
    return [(g.iloc[0], len(g)) for _, g in slots.groupby(change, sort=False)]


def test_named_scenarios_and_truth():
    assert set(REQUIRED) <= set(sc.SCENARIOS)
    bests = set()
    for name, scenario in sc.SCENARIOS.items():
        truth = sc.World(name, 0).truth
        assert list(truth.columns) == ["slot", "rate", "best"]
        assert truth.rate.between(0.05, 0.09).all(), name
        if name.startswith("null_"):
            assert sc.World(name, 0).best_slot is None
            assert truth.rate.nunique() == 1 and not truth.best.any(), name
        else:
            best = truth.loc[truth.best, "slot"].tolist()
            assert best == [sc.World(name, 0).best_slot] == [truth.slot[truth.rate.idxmax()]]
            bests.add(best[0])
            # Truth rates are in exactly the ratio of the stated effects.
            np.testing.assert_allclose(truth.rate / truth.rate.min(), scenario.effect, rtol=1e-12)
    assert len(bests) >= 3  # a test cannot pass by always naming 12:00


@pytest.mark.parametrize("name", sorted(sc.SCENARIOS))
def test_push_tables_are_valid(name):
    for seed in range(3):
        world = sc.World(name, seed)
        df = world.run()
        split = name.startswith(("null_split", "power_split"))
        cols = ["push_id", "sent_at", "slot", "delivered", "opened"] + (["group"] if split else [])
        assert list(df.columns) == cols
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
