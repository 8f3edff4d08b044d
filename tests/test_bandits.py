"""Bandits: policies learn, Thompson beats rotation on regret, top-two identifies faster,
the one stopping rule keeps its error rate and fires when the evidence is there, replay
estimators are unbiased and cannot be fed misaligned propensities."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import wxtime
from wxtime.bandits import POLICIES as REGISTRY
from wxtime.bandits import (
    UCB,
    EpsilonGreedy,
    ExplorationSampling,
    ExploreFocus,
    Policy,
    Rotation,
    Thompson,
    TopTwoThompson,
    make_policy,
    recommend,
    replay_evaluate,
    simulate,
    stop_check,
)
from wxtime.bandits.policies import argmax_random_ties, kl_ucb_index
from wxtime.cli import main
from wxtime.datasets import load_noon_study
from wxtime.errors import PushDataError

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


def test_stopping_rule_rarely_fires_on_equal_slots_and_fires_on_a_clear_best():
    """The issue's bars, at a smaller scale than benchmarks/calibration.py --part stop."""
    equal = simulate(Thompson(), [0.065] * 5, days=120, audience_size=5000, replications=400, seed=5)
    assert equal.stopped <= 0.03
    binomial = dict(days=120, audience_size=10_000, replications=300, content_sigma=0.0, seed=6)
    for policy in (Thompson(), TopTwoThompson()):
        sim = simulate(policy, CAMPUS24, **binomial)
        assert sim.stopped >= 0.9 and sim.stop_error_rate <= 0.05


def test_stop_check_is_the_decision_rule_on_unit_means():
    """At one look it is the intersection-union rule: every pooled t test of the leader
    (SciPy's t distribution, 33 df) rejects at 0.05, and no omnibus gate."""
    from scipy import stats

    rng = np.random.default_rng(8)
    for _ in range(30):
        y = rng.normal([-2.8, -2.75, -2.6], 0.2, size=(12, 3))
        check = stop_check(np.full(3, 12), y.sum(0), (y**2).sum(0), level=0.05)
        leader = int(np.argmax(y.mean(0)))
        pooled = y.var(axis=0, ddof=1).mean()
        p = sorted(
            2 * stats.t.sf(abs(y[:, leader].mean() - y[:, k].mean()) / np.sqrt(pooled * 2 / 12), 33)
            for k in range(3)
            if k != leader
        )
        expected = p[1] < 0.05
        assert bool(check.stop[0]) == expected and int(check.leader[0]) == leader


def test_kl_ucb_newton_steps_match_bisection_and_untried_slots_go_in_random_order():
    rng = np.random.default_rng(9)
    mean = rng.uniform(0.01, 0.3, 2000)
    n = rng.uniform(5, 5000, 2000)
    log_t = np.log(rng.uniform(10, 1e5, 2000))
    low, high = mean.copy(), np.ones_like(mean)
    for _ in range(60):  # bisection to machine precision, as the reference
        q = (low + high) / 2
        kl = mean * np.log(mean / q) + (1 - mean) * np.log((1 - mean) / (1 - q))
        over = kl > log_t / n
        high, low = np.where(over, q, high), np.where(over, low, q)
    np.testing.assert_allclose(kl_ucb_index(mean, n, log_t), low, rtol=1e-6)
    # "KL-UCB tries untried slots in index order": now at random.
    firsts = {int(argmax_random_ties(np.full((1, 5), np.inf), rng)[0]) for _ in range(200)}
    assert firsts == {0, 1, 2, 3, 4}


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


def test_policies_are_immutable_configs_behind_one_protocol():
    policy = Thompson()
    with pytest.raises(AttributeError):
        policy.prior = (2, 2)
    assert make_policy("top_two").beta == 0.5
    with pytest.raises(ValueError, match="unknown policy"):
        make_policy("oracle")
    for name in REGISTRY:
        assert isinstance(make_policy(name, hours=[0, 6, 12, 18]), Policy), name
    assert Thompson().with_dispersion(20.0).dispersion == 20.0


# -- replay of past schedules ------------------------------------------------------
def test_ips_and_snips_are_unbiased_on_randomised_logs():
    audience = wxtime.campus_jobs()
    truth = audience.truth(SEED_SLOTS).set_index("slot")["open_rate"]
    estimates = {"ips": [], "snips": [], "replay": []}
    for seed in range(200):
        log = wxtime.simulate_rotation(audience, SEED_SLOTS, design="randomized", days=70, seed=seed).pushes
        table = replay_evaluate(log, "12:00").summary.set_index("estimator")["value"]
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
        values.append(replay_evaluate(log, Thompson(), seed=seed).summary["value"].iloc[0])
        uniform.append((log["opened"] / log["delivered"]).mean())
    assert np.mean(values) > np.mean(uniform)


def test_replay_refuses_logs_whose_propensities_cannot_be_known():
    with pytest.raises(ValueError, match="no overlap"):
        replay_evaluate(load_noon_study(), "21:00")
    with pytest.raises(ValueError, match="never appear"):
        replay_evaluate(wxtime.simulate_rotation(design="randomized", seed=1).pushes, "03:00")


def _adaptive_log(seed=0, days=120):
    """A log collected by Thompson sampling (allocation drifting to the best), with propensities."""
    truth = dict(zip(SEED_SLOTS, CAMPUS5))
    rng = np.random.default_rng(seed)
    rows, successes, trials = [], np.zeros(5), np.zeros(5)
    for day in range(days):
        draws = rng.beta(1 + successes[None] / 30, 1 + (trials - successes)[None] / 30, size=(2000, 5))
        shares = np.bincount(draws.argmax(axis=1), minlength=5) / 2000
        shares = np.maximum(shares, 0.01) / np.maximum(shares, 0.01).sum()
        arm = rng.choice(5, p=shares)
        opened = rng.binomial(4000, truth[SEED_SLOTS[arm]] * np.exp(0.3 * rng.standard_normal() - 0.045))
        successes[arm] += opened
        trials[arm] += 4000
        rows.append(
            {
                "push_id": f"L{day:03d}",
                "sent_at": pd.Timestamp("2024-07-01")
                + pd.Timedelta(days=day, hours=int(SEED_SLOTS[arm][:2])),
                "slot": SEED_SLOTS[arm],
                "delivered": 4000,
                "opened": opened,
                "propensity": shares[arm],
            }
        )
    return wxtime.validate(pd.DataFrame(rows)).frame


def test_an_adaptive_log_without_propensities_is_refused_and_with_them_is_weighted_by_push():
    log = _adaptive_log()
    with pytest.raises(ValueError, match="shares changed over the log"):
        replay_evaluate(log, "12:00")
    by_column = replay_evaluate(log, "12:00", propensities="propensity")
    # Shuffled rows: the weights travel with their pushes, the estimate does not move.
    shuffled = log.sample(frac=1, random_state=3).reset_index(drop=True)
    again = replay_evaluate(shuffled, "12:00", propensities="propensity")
    assert again.summary["value"].tolist() == pytest.approx(by_column.summary["value"].tolist())
    mapping = dict(zip(log["push_id"], log["propensity"]))
    assert replay_evaluate(log, "12:00", propensities=mapping).summary["value"].tolist() == pytest.approx(
        by_column.summary["value"].tolist()
    )
    with pytest.raises(TypeError, match="not a positional array"):
        replay_evaluate(log, "12:00", propensities=log["propensity"].to_numpy())


@pytest.mark.parametrize("bad", [0.0, float("nan"), 1.5, -0.1])
def test_propensities_outside_zero_one_are_refused_naming_the_row(bad):
    log = _adaptive_log(days=40)
    log.loc[7, "propensity"] = bad
    with pytest.raises(PushDataError, match=r"row 8, field 'propensity'|row 8, column 'propensity'"):
        replay_evaluate(log, "12:00", propensities="propensity")
    mapping = dict(zip(log["push_id"][:-1], log["propensity"][:-1]))  # one push missing
    with pytest.raises(PushDataError, match="no propensity for push"):
        replay_evaluate(log, "12:00", propensities=mapping)


# -- the advisor -------------------------------------------------------------------
def test_advisor_on_the_replica_says_continue_with_noon_leading():
    advice = recommend(load_noon_study(), seed=1)
    leader = advice.summary.sort_values("p_best").iloc[-1]
    assert leader["slot"] == "12:00" and advice.leader == "12:00" and not advice.stop
    assert advice.message.startswith("Push at 12:00") and advice.next_step.kind == "choose"
    assert "Not settled" in advice.next_step.explain() or advice.next_step.explore_share >= 0.1
    # The shares are rounded to 6 decimals.
    assert advice.summary["share_tomorrow"].sum() == pytest.approx(1, abs=1e-5)
    # The one posterior: the advisor's P(best) is the decision's.
    from wxtime.decision import decide

    decision = decide(load_noon_study(), seed=1, plan=False, n_permutations=0)
    assert advice.summary.set_index("slot")["p_best"].to_dict() == pytest.approx(
        decision.slots.set_index("slot")["p_best"].to_dict(), abs=0.02
    )


def test_advisor_stops_when_the_evidence_is_in():
    pushes = wxtime.simulate_split(slots=["12:00", "18:00"], days=40, seed=2).pushes
    advice = recommend(pushes, seed=2)
    assert advice.stop and advice.message.startswith("Settled: 12:00 is the best slot")
    assert advice.next_step.kind == "push" and advice.next_slot == "12:00"


def test_advisor_followed_daily_on_an_a_a_world_rarely_stops(worlds):
    """Small twin of benchmarks/calibration.py --part stop (advisor followed daily; 0 of 100
    A/A worlds stopped there). Six worlds: each day is a full `bandit recommend` (about 90 ms)."""
    stops = 0
    for seed in range(6):
        world = worlds.World("null_randomized_iid", 800 + seed)
        rows = [world.push(day, slot) for day, slot in enumerate(world.slots)]
        for day in range(len(rows), world.days):
            advice = recommend(
                wxtime.validate(pd.DataFrame(rows)), seed=day, n_draws=200, horizon_days=world.days
            )
            if advice.stop:
                stops += 1
                break
            rows.append(world.push(day, advice.next_slot))
    assert stops == 0


def test_bandit_cli_json(capsys):
    from wxtime.datasets import data_dir

    assert main(["bandit", "recommend", str(data_dir() / "noon_study.csv"), "--json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    assert advice["stop"] is False and advice["next_step"]["choice"] == "12:00"
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
        recommend(load_noon_study().frame.iloc[:0])


def test_read_through_advice_labels_its_counts_by_what_they_are():
    """recommend(metric="read_through") labelled opens as 'delivered'."""
    advice = recommend(load_noon_study(), metric="read_through")
    assert {"opened", "read"} <= set(advice.summary.columns) and "delivered" not in advice.summary.columns


# -- the Open Bandit Dataset (obp 0.4.1's sample; see tests/fixtures/obd/extract.py) -----------
OBD = Path(__file__).parent / "fixtures" / "obd"


def test_bernoulli_ts_evaluated_from_the_uniform_random_log_matches_independent_ipw_and_snipw():
    """ZOZOTOWN's uniform-random log (propensity 1/80 per position) evaluates the Bernoulli-TS
    policy that logged the other half of the sample. The target is TS's average action
    distribution at the position (its empirical item frequencies); IPW and SNIPW are computed
    here from their definitions (Horvitz & Thompson 1952; Swaminathan & Joachims 2015), apart
    from wxtime, which must agree to rounding. Items become 80 'slots' labelled 00:00..01:19,
    and the propensities travel in a column."""
    random_log = pd.read_csv(OBD / "random_all.csv.gz")
    bts_log = pd.read_csv(OBD / "bts_all.csv.gz")
    for position in (1, 2, 3):
        log = random_log[random_log["position"] == position].reset_index(drop=True)
        target = bts_log.loc[bts_log["position"] == position, "item_id"].value_counts(normalize=True)
        weight = log["item_id"].map(target).fillna(0.0) / log["propensity_score"]
        ipw = float((log["click"] * weight).mean())
        snipw = float((log["click"] * weight).sum() / weight.sum())
        label = lambda item: f"{item // 60:02d}:{item % 60:02d}"  # noqa: E731
        pushes = wxtime.validate(
            pd.DataFrame(
                {
                    # Each logged impression is its own 'push' (two can share a second and an item).
                    "push_id": [f"e{i}" for i in range(len(log))],
                    "sent_at": log["timestamp"],
                    "slot": log["item_id"].map(label),
                    "delivered": 1,
                    "opened": log["click"],
                    "propensity": log["propensity_score"],
                }
            )
        )
        assert set(target.index) <= set(log["item_id"])  # every item TS showed, the random log showed too
        table = replay_evaluate(
            pushes, {label(i): p for i, p in target.items()}, propensities="propensity"
        ).summary.set_index("estimator")
        assert table.loc["ips", "value"] == pytest.approx(ipw, rel=1e-9)
        assert table.loc["snips", "value"] == pytest.approx(snipw, rel=1e-9)
        # Both estimate TS's on-policy click rate at this position within sampling error.
        on_policy = bts_log.loc[bts_log["position"] == position, "click"].mean()
        assert abs(table.loc["snips", "value"] - on_policy) < 3 * table.loc["snips", "se"] + 0.002


def test_a_slot_seen_in_one_stretch_is_never_left_behind_by_the_stopping_rule():
    """Units that are stretches: a slot tried in one stretch is confounded with its time, so
    the rule waits (min_units 2, as the decision's); randomised pushes may leave it (min_units 1)."""
    from wxtime.rule import MIN_UNITS_PER_SLOT

    rng = np.random.default_rng(4)
    y = [rng.normal(-2.5, 0.1, 12), rng.normal(-2.9, 0.1, 12), np.array([-4.0])]
    args = (
        np.array([len(v) for v in y], float),
        np.array([v.sum() for v in y]),
        np.array([(v**2).sum() for v in y]),
    )
    assert stop_check(*args, min_units=1).stop[0]
    assert not stop_check(*args, min_units=MIN_UNITS_PER_SLOT).stop[0]
