"""Bandits: policies learn, Thompson beats rotation on regret, top-two identifies faster,
the stopping rule keeps its error rate, replay estimators are unbiased."""

import json

import numpy as np
import pytest

import wxtime
from wxtime.bandits import (
    UCB,
    EpsilonGreedy,
    ExplorationSampling,
    ExploreFocus,
    Rotation,
    Thompson,
    TopTwoThompson,
    make_policy,
    recommend,
    replay_evaluate,
    simulate,
)
from wxtime.cli import main
from wxtime.datasets import load_noon_study

SEED_SLOTS = ["07:30", "12:00", "18:00", "21:00", "22:30"]
CAMPUS5 = wxtime.campus_jobs().truth(SEED_SLOTS)["open_rate"].to_numpy()
CAMPUS24 = wxtime.campus_jobs().truth(range(24))["open_rate"].to_numpy()

POLICIES = [
    Thompson(),
    TopTwoThompson(),
    ExplorationSampling(),
    UCB(variant="kl"),
    UCB(variant="ucb1"),
    EpsilonGreedy(),
    Rotation(),
    Rotation(days_per_slot=7),
    ExploreFocus(hours=(0, 6, 12, 18)),
]


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: f"{p.name}")
@pytest.mark.parametrize("design", ["rotation", "split"])
def test_every_policy_finds_a_clear_best_slot(policy, design):
    rates = [0.04, 0.05, 0.08, 0.045]
    sim = simulate(policy, rates, days=60, audience_size=5000, replications=300, design=design, seed=1)
    pcs = sim.summary["p_correct"].to_numpy()
    assert pcs[-1] >= 0.9
    assert pcs[-10:].mean() > pcs[:5].mean()


def test_thompson_loses_fewer_reads_than_a_rotation():
    kwargs = dict(days=120, audience_size=5000, replications=500, seed=2)
    thompson = simulate(Thompson(), CAMPUS5, **kwargs).summary.iloc[-1]
    rotation = simulate(Rotation(), CAMPUS5, **kwargs).summary.iloc[-1]
    assert thompson["regret"] + 3 * thompson["regret_se"] < rotation["regret"]


def test_top_two_thompson_identifies_the_best_of_24_slots_sooner():
    kwargs = dict(
        days=100, audience_size=10_000, replications=200, design="split", stop_threshold=None, seed=3
    )
    thompson = simulate(Thompson(), CAMPUS24, **kwargs)
    top_two = simulate(TopTwoThompson(), CAMPUS24, **kwargs)
    assert top_two.days_to_pcs(0.95) is not None
    assert thompson.days_to_pcs(0.95) is None or top_two.days_to_pcs(0.95) < thompson.days_to_pcs(0.95)
    # The price of identification: more reads lost on the way.
    assert top_two.summary["regret"].iloc[-1] > thompson.summary["regret"].iloc[-1]


@pytest.mark.parametrize(
    "policy", [Thompson(), TopTwoThompson(), Rotation(), Rotation(days_per_slot=7)], ids=lambda p: p.name
)
@pytest.mark.parametrize("rates", [CAMPUS5, CAMPUS24], ids=["5 slots", "24 slots"])
def test_stopping_rule_keeps_its_error_rate_on_the_campus_audience(policy, rates):
    sim = simulate(policy, rates, days=150, audience_size=5000, replications=400, seed=4)
    assert sim.stop_error_rate <= 0.05


def test_anytime_stopping_rule_is_valid_even_on_close_slots():
    sim = simulate(Rotation(), [0.06, 0.065, 0.07], days=120, replications=2000, seed=5, stop_rule="anytime")
    assert sim.stop_error_rate <= 0.05


def test_reader_level_thompson_is_overconfident_under_content_noise():
    kwargs = dict(days=100, audience_size=5000, replications=400, seed=6)
    reader = simulate(make_policy("thompson_reader"), CAMPUS5, **kwargs)
    aware = simulate(Thompson(), CAMPUS5, **kwargs)
    assert reader.summary["p_correct"].iloc[-1] < aware.summary["p_correct"].iloc[-1]


def test_delayed_feedback_slows_learning():
    kwargs = dict(days=40, audience_size=5000, replications=400, seed=7, content_sigma=0.0)
    fast = simulate(Thompson(), [0.05, 0.06, 0.065], delay_days=1, **kwargs).summary["p_correct"]
    slow = simulate(Thompson(), [0.05, 0.06, 0.065], delay_days=5, **kwargs).summary["p_correct"]
    assert fast.iloc[:20].mean() > slow.iloc[:20].mean()


def test_simulation_is_reproducible_and_echoes_its_seed():
    a = simulate(Thompson(), CAMPUS5, days=20, replications=50, seed=11)
    b = simulate(Thompson(), CAMPUS5, days=20, replications=50, seed=11)
    assert a.seed == 11 and a.summary.equals(b.summary)
    assert a.to_dict()["seed"] == 11


def test_monte_carlo_standard_errors_are_reported():
    sim = simulate(Thompson(), CAMPUS5, days=30, replications=400, seed=1)
    row = sim.summary.iloc[-1]
    assert row["p_correct_se"] == pytest.approx(np.sqrt(row["p_correct"] * (1 - row["p_correct"]) / 400))
    assert row["regret_se"] > 0


def test_policies_are_immutable_configs():
    policy = Thompson()
    with pytest.raises(AttributeError):
        policy.prior = (2, 2)
    assert make_policy("top_two").beta == 0.5
    with pytest.raises(ValueError, match="unknown policy"):
        make_policy("oracle")


# -- replay of past schedules ------------------------------------------------------
def test_ips_and_snips_are_unbiased_on_randomised_logs():
    audience = wxtime.campus_jobs()
    truth = audience.truth(SEED_SLOTS).set_index("slot")["open_rate"]
    estimates = {"ips": [], "snips": [], "replay": []}
    for seed in range(200):
        log = wxtime.simulate_rotation(audience, SEED_SLOTS, design="randomized", days=70, seed=seed).pushes
        table = replay_evaluate(log, "12:00").set_index("estimator")["value"]
        for name in estimates:
            estimates[name].append(table[name])
    for name, values in estimates.items():
        values = np.asarray(values)
        se = values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean() - truth["12:00"]) < 3 * se + 0.0005, name


def test_replay_of_an_adaptive_policy_beats_the_logging_average():
    audience = wxtime.campus_jobs()
    values, uniform = [], []
    for seed in range(40):
        log = wxtime.simulate_rotation(audience, SEED_SLOTS, design="randomized", days=300, seed=seed).pushes
        values.append(replay_evaluate(log, Thompson(), seed=seed)["value"].iloc[0])
        uniform.append((log["opened"] / log["delivered"]).mean())
    assert np.mean(values) > np.mean(uniform)


def test_replay_refuses_a_blocked_rotation_loudly():
    with pytest.warns(UserWarning, match="no overlap"):
        table = replay_evaluate(load_noon_study(), "21:00")
    assert table["value"].isna().all()
    with pytest.raises(ValueError, match="never appear"):
        replay_evaluate(wxtime.simulate_rotation(design="randomized", seed=1).pushes, "03:00")


# -- the advisor -------------------------------------------------------------------
def test_advisor_on_the_replica_says_continue_with_noon_leading():
    advice = recommend(load_noon_study(), seed=1)
    leader = advice.summary.sort_values("p_best").iloc[-1]
    assert leader["slot"] == "12:00" and not advice.stop
    assert advice.message.startswith("continue: 12:00 leads")
    assert advice.summary["share_tomorrow"].sum() == pytest.approx(1)


def test_advisor_stops_when_the_evidence_is_in():
    pushes = wxtime.simulate_split(slots=["12:00", "18:00"], days=40, seed=2).pushes
    advice = recommend(pushes, threshold=0.95, seed=2)
    assert advice.stop and advice.message.startswith("stop: 12:00 is best with P = ")


def test_bandit_cli_json(capsys):
    from wxtime.datasets import data_dir

    assert main(["bandit", "recommend", str(data_dir() / "noon_study.csv"), "--json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    assert advice["policy"] == "thompson" and advice["stop"] is False
    args = [
        "bandit",
        "simulate",
        "--rates",
        "0.05,0.06,0.08",
        "--days",
        "30",
        "--replications",
        "100",
        "--json",
    ]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    for key in (
        "policy",
        "replications",
        "days",
        "p_correct",
        "mean_regret",
        "mean_regret_se",
        "days_to_stop_median",
        "seconds",
    ):
        assert key in result


def test_impossible_simulations_and_an_empty_history_are_refused():
    policy = make_policy("thompson", hours=[12, 21])
    with pytest.raises(ValueError, match="rates between 0 and 1"):
        simulate(policy, [1.5, 0.1], days=10, replications=5)
    with pytest.raises(ValueError, match="at least 1"):
        simulate(policy, [0.1, 0.1], days=0, replications=5)
    with pytest.raises(ValueError, match="no pushes yet"):
        recommend(load_noon_study().iloc[:0], policy)
