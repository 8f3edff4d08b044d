"""Calibration of wxtime's decision on worlds written separately from wxtime's simulator.

Every study is drawn by ``benchmarks/scenarios.py`` (written blind to ``wxtime.simulate``:
other noise families, AR(1) article quality, trends, viral pushes, audience growth,
heteroscedastic and unequally allocated slots, split designs with slot x day interaction)
and analysed exactly as a user's file would be: ``wxtime.decision.decide``.

    .venv/bin/python benchmarks/calibration.py --studies 300            # the decision, every scenario
    .venv/bin/python benchmarks/calibration.py --part plan --studies 300  # the planner's promise
    .venv/bin/python benchmarks/calibration.py --part stop --studies 300  # both stopping rules
    .venv/bin/python benchmarks/calibration.py --part change --studies 300  # the change check
    .venv/bin/python benchmarks/calibration.py --part follow --studies 100  # the next step, followed
    .venv/bin/python benchmarks/calibration.py --part weekend --studies 300  # weekend-specific slots

Per scenario it reports: how often the omnibus test rejects and the decision says
"winner" (nulls: the error rates); how often the winner is the true best slot and how
often the best slot is named (power); coverage of the shrunk intervals; among studies
with P(best) >= 0.95 how often the named slot is right; and the mean expected loss
against the mean realised loss (true best rate minus the named slot's true rate).

``--markdown`` prints the tables the README and ``benchmarks/README.md`` quote.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def _scenarios():
    spec = importlib.util.spec_from_file_location("scenarios", HERE / "scenarios.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scenarios"] = module
    spec.loader.exec_module(module)
    return module


# -- the decision ----------------------------------------------------------------------
def _decision_study(args) -> dict:
    name, seed, draws = args
    import wxtime
    from wxtime.decision import decide

    sc = _scenarios()
    world = sc.World(name, seed)
    pushes = wxtime.validate(world.run())
    truth = world.truth.set_index("slot")["rate"]
    # The decision and every number it reports, without the cross-checks, health checks and
    # schedule a report adds (diagnostics=False changes none of them; tests check).
    d = decide(pushes, "open", seed=seed, bayes_draws=draws, plan=False, diagnostics=False)
    table = d.slots.set_index("slot")
    true_best = world.best_slot
    named = d.best_slot
    covered = (table["shrunk_low"] <= truth) & (truth <= table["shrunk_high"])
    raw_covered = (table["ci_low"] <= truth) & (truth <= table["ci_high"])
    return {
        "scenario": name,
        "seed": seed,
        "design": d.design,
        "null": true_best is None,
        "omnibus_reject": bool(d.omnibus.get("p_value", np.nan) < 0.05),
        "winner": d.decision == "winner",
        "decision": d.decision,
        "named": named,
        "named_correct": (true_best is None) or named == true_best,
        "p_best": d.p_best,
        "expected_loss": d.expected_loss,
        "realised_loss": float(truth.max() - truth[named]),
        "coverage": float(covered.mean()) if d.available else np.nan,
        "raw_coverage": float(raw_covered.mean()) if d.available else np.nan,
    }


def decision_part(names, studies, workers, draws) -> pd.DataFrame:
    jobs = [(name, 10_000 + i, draws) for name in names for i in range(studies)]
    with ProcessPoolExecutor(workers) as pool:
        rows = list(pool.map(_decision_study, jobs, chunksize=16))
    return pd.DataFrame(rows)


def summarise_decisions(runs: pd.DataFrame) -> pd.DataFrame:
    def one(group: pd.DataFrame) -> pd.Series:
        confident = group[group["p_best"] >= 0.95]
        power = not group["null"].iloc[0]
        return pd.Series(
            {
                "studies": len(group),
                "omnibus_rejects": group["omnibus_reject"].mean(),
                "winner": group["winner"].mean(),
                "correct_winner": (group["winner"] & group["named_correct"]).mean() if power else np.nan,
                "wrong_winner": (group["winner"] & ~group["named_correct"]).mean() if power else np.nan,
                "best_named": group["named_correct"].mean() if power else np.nan,
                "shrunk_coverage": group["coverage"].mean(),
                "raw_coverage": group["raw_coverage"].mean(),
                "pbest95_share": (group["p_best"] >= 0.95).mean(),
                "pbest95_right": confident["named_correct"].mean() if power and len(confident) else np.nan,
                "expected_loss_pp": 100 * group["expected_loss"].mean(),
                "realised_loss_pp": 100 * group["realised_loss"].mean(),
                "loss_ratio": group["expected_loss"].mean() / group["realised_loss"].mean()
                if power and group["realised_loss"].mean() > 0
                else np.nan,
                "pbest_worst_decile": _worst_decile(group) if power else np.nan,
            }
        )

    return runs.groupby("scenario", sort=False)[list(runs.columns)].apply(one)


def _worst_decile(group: pd.DataFrame, min_studies: int = 20) -> float:
    """Largest |mean P(best) - share named right| over the deciles of P(best) holding at
    least ``min_studies`` studies (the reliability the issue asks to be within 0.08)."""
    bins = np.clip((group["p_best"] * 10).astype(int), 0, 9)
    worst = 0.0
    for _, cell in group.groupby(bins):
        if len(cell) >= min_studies:
            worst = max(worst, abs(cell["p_best"].mean() - cell["named_correct"].mean()))
    return worst


# -- the planner ------------------------------------------------------------------------
PLAN_CASES = {
    # scenario: (design knob, pilot size, lift)
    "power_randomized_20": ("days", 3000, 0.20),
    "power_blocked_20": ("rounds", 60, 0.20),
    "power_randomized_30": ("days", 3000, 0.30),
}


def _plan_study(args) -> dict:
    import dataclasses

    import wxtime
    from wxtime.decision import decide

    name, seed, knob, units = args
    sc = _scenarios()
    base = sc.SCENARIOS[name]
    size = units * len(base.slots) if knob == "days" else units
    world = sc.World(dataclasses.replace(base, **{knob: size}), seed)
    d = decide(wxtime.validate(world.run()), seed=seed, bayes_draws=1000, n_permutations=0, plan=False)
    return {
        "scenario": name,
        "seed": seed,
        "winner": d.decision == "winner",
        "correct": d.best_slot == world.best_slot,
    }


def plan_part(studies, workers) -> pd.DataFrame:
    """The planner's promise (80% power) against the decision's realised power at the planned length.

    The plan is made from a large pilot of the same world (so the variance it rests on is
    known well); then ``studies`` studies of the planned length are drawn and decided.
    """
    import dataclasses

    import wxtime
    from wxtime.models import fit_slot_model
    from wxtime.planning import plan_study

    sc = _scenarios()
    rows = []
    for name, (knob, pilot_size, lift) in PLAN_CASES.items():
        base = sc.SCENARIOS[name]
        pilot = sc.World(dataclasses.replace(base, **{knob: pilot_size}), 1).run()
        plan = plan_study(fit_slot_model(wxtime.validate(pilot)), lift=lift, n_sim=8000, seed=1)
        jobs = [(name, 50_000 + i, knob, plan.units_needed) for i in range(studies)]
        with ProcessPoolExecutor(workers) as pool:
            runs = pd.DataFrame(list(pool.map(_plan_study, jobs, chunksize=8)))
        rows.append(
            {
                "scenario": name,
                "lift": lift,
                "units_per_slot": plan.units_needed,
                "days": plan.days_needed,
                "promised_power": plan.power,
                "planned_power_at_length": float(
                    plan.summary.set_index("units_per_slot").loc[plan.units_needed, "power"]
                ),
                "realised_correct_winner": float((runs["winner"] & runs["correct"]).mean()),
                "realised_wrong_winner": float((runs["winner"] & ~runs["correct"]).mean()),
                "studies": len(runs),
            }
        )
    return pd.DataFrame(rows).set_index("scenario")


# -- the stopping rule -----------------------------------------------------------------
def _advisor_study(args) -> dict:
    """Follow the advisor every day (Thompson sampling) on a world; did it ever say stop, and where?"""
    import warnings

    import wxtime
    from wxtime.bandits import recommend

    name, seed, days = args
    sc = _scenarios()
    world = sc.World(name, seed)
    rows, stop_day, stop_slot = [], 0, None
    first_round = list(np.random.default_rng(seed).permutation(world.slots))
    days = min(days, world.days)
    for day in range(days):
        if day < len(first_round):  # one push at each slot first, in a random order
            slot, chance = first_round[day], 1 / len(first_round)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                advice = recommend(
                    wxtime.validate(pd.DataFrame(rows)),
                    seed=seed * 1000 + day,
                    n_draws=200,
                    horizon_days=days,
                )
            if advice.stop:
                stop_day, stop_slot = day, advice.leader
                break
            slot, chance = advice.next_slot, float(advice.next_step.tomorrow["probability"])
        # The schedule's logged chance of tomorrow's slot, as wxtime's CSV gives it.
        rows.append({**world.push(day, slot), "propensity": chance})
    wrong = stop_day > 0 and (world.best_slot is None or stop_slot != world.best_slot)
    return {"scenario": name, "seed": seed, "stopped": stop_day > 0, "wrong": wrong, "stop_day": stop_day}


STOP_SIMULATIONS = {
    # label: (rates, content_sigma, audience, days, policies)
    "24 binomial slots, campus truth (12:00 7.8% vs 22:00 7.3%)": ("campus24", 0.0, 10_000, 120),
    "5 equal slots, article noise sd 0.3": ("equal5", 0.3, 5_000, 120),
    "3 slots within 15%, article noise sd 0.3": ("close3", 0.3, 5_000, 120),
}


def stop_part(studies, workers) -> pd.DataFrame:
    import wxtime
    from wxtime.bandits import Rotation, Thompson, TopTwoThompson, simulate

    rates = {
        "campus24": wxtime.campus_jobs().truth(range(24))["open_rate"].to_numpy(),
        "equal5": np.full(5, 0.065),
        "close3": np.array([0.060, 0.065, 0.069]),
    }
    rows = []
    for label, (key, sigma, audience, days) in STOP_SIMULATIONS.items():
        for policy in (Thompson(), TopTwoThompson(), Rotation()):
            sim = simulate(
                policy,
                rates[key],
                days=days,
                audience_size=audience,
                replications=max(studies, 1000),
                content_sigma=sigma,
                seed=7,
            ).to_dict()
            rows.append(
                {
                    "rule": "simulator",
                    "world": label,
                    "policy": policy.name,
                    "stopped": sim["stopped"],
                    "wrong_stops": sim["stop_error_rate"],
                    "wrong_among_stopped": sim["stop_error_among_stopped"],
                    "median_stop_day": sim["days_to_stop_median"],
                    "replications": sim["replications"],
                }
            )
    for name in ("null_randomized_iid", "null_blocked_ar05", "power_randomized_30"):
        jobs = [(name, 70_000 + i, 120) for i in range(studies)]
        with ProcessPoolExecutor(workers) as pool:
            runs = pd.DataFrame(list(pool.map(_advisor_study, jobs, chunksize=4)))
        stopped = runs[runs["stopped"]]
        rows.append(
            {
                "rule": "advisor, followed daily",
                "world": name,
                "policy": "next step",
                "stopped": runs["stopped"].mean(),
                "wrong_stops": runs["wrong"].mean(),
                "wrong_among_stopped": stopped["wrong"].mean() if len(stopped) else np.nan,
                "median_stop_day": float(stopped["stop_day"].median()) if len(stopped) else np.nan,
                "replications": len(runs),
            }
        )
    return pd.DataFrame(rows)


# -- following the next step (issue 19) ---------------------------------------------------
FOLLOW_WORLDS = ("follow_20", "null_follow", "drift_randomized_120")


def _follow_study(args) -> dict:
    """120 days of an account that runs wxtime each week and follows the next step's seven
    days (one push at each slot first, in a random order), with each day's logged chance."""
    import warnings

    import wxtime
    from wxtime.decision import decide

    name, seed = args
    sc = _scenarios()
    world = sc.World(name, seed)
    rng = np.random.default_rng(seed)
    first = list(rng.permutation(world.slots))
    rows = [{**world.push(d, slot), "propensity": 1 / len(first)} for d, slot in enumerate(first)]
    start = pd.Timestamp(world.start)
    step = None
    day = len(rows)
    while day < world.days:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decision = decide(
                wxtime.validate(pd.DataFrame(rows)),
                seed=seed * 1000 + day,
                n_permutations=0,
                plan=False,
                bayes_draws=2000,
                start=(start + pd.Timedelta(days=day)).strftime("%Y-%m-%d"),
                schedule_days=7,
            )
        step = decision.next_step
        for row in step.schedule.itertuples():
            if day >= world.days:
                break
            rows.append({**world.push(day, row.slot), "propensity": float(row.probability)})
            day += 1
    final = decide(
        wxtime.validate(pd.DataFrame(rows)), seed=seed, n_permutations=0, plan=False, bayes_draws=2000
    )
    rates = world.expected_rates  # (days, slots): the expected rate of each day's push
    index = {s: i for i, s in enumerate(world.slots)}
    pushed = np.array([index[r["slot"]] for r in rows])
    days = np.arange(len(rows))
    best_each_day = rates.max(axis=1)
    regret = float(np.sum(best_each_day - rates[days, pushed]))
    rotation = float(np.sum(best_each_day - rates.mean(axis=1)))
    never = float(np.sum(best_each_day - rates[:, index[first[0]]]))
    truth = world.truth.set_index("slot")["rate"]
    chosen = final.next_step.choice
    # IPS on the logged chances (days after the first round): each slot's mean rate.
    later = days >= len(first)
    p = np.array([r["propensity"] for r in rows])[later]
    y = np.array([r["opened"] / r["delivered"] for r in rows])[later]
    ips_hits = []
    for i in index.values():
        terms = np.where(pushed[later] == i, y / p, 0.0)
        est, se = terms.mean(), terms.std(ddof=1) / np.sqrt(len(terms))
        target = rates[later, i].mean()
        ips_hits.append(abs(est - target) <= 2 * se)
    return {
        "world": name,
        "seed": seed,
        "best": world.best_slot,
        "choice": chosen,
        "choice_is_best": world.best_slot is not None and chosen == world.best_slot,
        "final_kind": final.next_step.kind,
        "realised_loss": float(truth.max() - truth[chosen]),
        "max_loss": float(final.next_step.max_loss),
        "regret": regret,
        "regret_rotation": rotation,
        "regret_never": never,
        "ips_within_2se": float(np.mean(ips_hits)),
    }


def follow_part(studies, workers) -> pd.DataFrame:
    jobs = [(name, 95_000 + i) for name in FOLLOW_WORLDS for i in range(studies)]
    with ProcessPoolExecutor(workers) as pool:
        runs = pd.DataFrame(list(pool.map(_follow_study, jobs, chunksize=2)))
    return runs


def summarise_follow(runs: pd.DataFrame) -> pd.DataFrame:
    def one(g):
        return pd.Series(
            {
                "studies": len(g),
                "choice is the true best at day 120": g["choice_is_best"].mean()
                if g["best"].notna().any()
                else np.nan,
                "regret / uniform rotation": g["regret"].mean() / g["regret_rotation"].mean()
                if g["regret_rotation"].mean() > 0
                else np.nan,
                "regret / never changing": g["regret"].mean() / g["regret_never"].mean()
                if g["regret_never"].mean() > 0
                else np.nan,
                "realised loss below the stated risk": (g["realised_loss"] <= g["max_loss"]).mean(),
                "IPS within 2 SE": g["ips_within_2se"].mean(),
            }
        )

    return runs.groupby("world", sort=False)[list(runs.columns)].apply(one)


# -- the change check -------------------------------------------------------------------
#: world: (days of history read, what a fire means)
CHANGE_WORLDS = {
    "stable_operate_365": (365, "false alarm"),
    "shift_operate_30": (240 + 56, "detected within 8 weeks"),
    "drop_operate_30": (240 + 56, "detected within 8 weeks"),
    "rise_operate_30": (240 + 56, "detected within 8 weeks"),
}


def _change_study(args) -> dict:
    import wxtime
    from wxtime.abtest import change_check
    from wxtime.models import fit_slot_model

    name, seed = args
    sc = _scenarios()
    world = sc.World(name, seed)
    days, _ = CHANGE_WORLDS[name]
    table = world.run()
    sent = pd.to_datetime(table["sent_at"])
    first = sent.min().normalize()
    kept = table[(sent - first).dt.days < days]
    out = change_check(fit_slot_model(wxtime.validate(kept)))
    return {
        "world": name,
        "seed": seed,
        "ran": out is not None,
        "fired": bool(out and out["changed"]),
        "slot": out["slot"] if out else None,
    }


def change_part(studies, workers) -> pd.DataFrame:
    """How often the change check fires: stable operating years (false alarms) and a 30% shift
    of another slot above the current one, read 8 weeks after it."""
    jobs = [(name, 90_000 + i) for name in CHANGE_WORLDS for i in range(studies)]
    with ProcessPoolExecutor(workers) as pool:
        runs = pd.DataFrame(list(pool.map(_change_study, jobs, chunksize=8)))
    table = runs.groupby("world", sort=False).agg(
        studies=("seed", "size"), ran=("ran", "mean"), fired=("fired", "mean")
    )
    table["reads"] = [CHANGE_WORLDS[w][1] for w in table.index]
    return table


# -- weekend-specific slots -------------------------------------------------------------
#: Worlds where weekends rank the slots as weekdays do (a weekend choice is a false claim),
#: and the one where they differ (12:00 best Mon-Fri, 21:00 Sat-Sun).
WEEKEND_WORLDS = (
    "null_weekday_same",
    "weekday_same_25",
    "power_randomized_30",
    "null_randomized_viral",
    "null_rare_noisy",
    "null_thompson_log",
    "stable_operate_365",
    "weekday_differs",
)


def _weekend_study(args) -> dict:
    import wxtime
    from wxtime.decision import decide

    name, seed = args
    sc = _scenarios()
    world = sc.World(name, seed)
    d = decide(wxtime.validate(world.run()), seed=seed, bayes_draws=1000, n_permutations=0, plan=False)
    step, check = d.next_step, d.weekend
    truth = world.truth_by_weekday().pivot(index="weekday", columns="slot", values="rate")
    days, ends = truth[truth.index < 5].mean(), truth[truth.index >= 5].mean()
    claimed = step.weekend_choice is not None
    overall = step.overall or step.choice
    # What the split earns a push over a week, against pushing at the overall choice every day.
    gain = (
        (5 * (days[step.choice] - days[overall]) + 2 * (ends[step.weekend_choice] - ends[overall])) / 7
        if claimed
        else 0.0
    )
    return {
        "world": name,
        "seed": seed,
        "ran": check is not None,
        "interaction": bool(check and check["differs"]),
        "claimed": claimed,
        "claim_right": claimed and step.choice == days.idxmax() and step.weekend_choice == ends.idxmax(),
        "gain_pp": 100 * gain,
        "stated_gain_pp": 100 * step.weekend_gain if claimed else np.nan,
    }


def weekend_part(studies, workers) -> pd.DataFrame:
    """How often the next step gives weekends their own slot: false claims where weekends rank
    as weekdays do, and how often (and how well) where they differ."""
    jobs = [(name, 97_000 + i) for name in WEEKEND_WORLDS for i in range(studies)]
    with ProcessPoolExecutor(workers) as pool:
        runs = pd.DataFrame(list(pool.map(_weekend_study, jobs, chunksize=8)))
    table = runs.groupby("world", sort=False).agg(
        studies=("seed", "size"),
        ran=("ran", "mean"),
        interaction_test=("interaction", "mean"),
        weekend_slot_claimed=("claimed", "mean"),
        claim_right=("claim_right", "mean"),
        realised_gain_pp=("gain_pp", "mean"),
        stated_gain_pp=("stated_gain_pp", "mean"),
    )
    claimed = runs[runs["claimed"]].groupby("world", sort=False)["gain_pp"].mean()
    table["realised_gain_when_claimed_pp"] = claimed.reindex(table.index)
    return table


def _markdown(table: pd.DataFrame) -> str:
    """A pipe table (no tabulate dependency): numbers to 3 decimals, NaN as a dash."""
    frame = table.reset_index() if table.index.name or table.index.names[0] else table

    def cell(value) -> str:
        if isinstance(value, float):
            return "—" if np.isnan(value) else f"{value:.3f}"
        return str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def trust_table(runs: pd.DataFrame) -> str:
    """The README's "how far to trust it" table, from the per-study CSV of the decision part."""
    notes = {name: scenario.note for name, scenario in _scenarios().SCENARIOS.items()}
    table = summarise_decisions(runs)
    lines = [
        '| world (5 slots, 500 studies each) | all slots equal: says "winner" | '
        "one slot better: names it the winner | names it first | wrong winner | "
        "shrunk 95% intervals cover |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in table.iterrows():
        power = not np.isnan(row["best_named"])
        cells = [
            "—" if power else f"{row['winner']:.1%}",
            f"{row['correct_winner']:.1%}" if power else "—",
            f"{row['best_named']:.0%}" if power else "—",
            f"{row['wrong_winner']:.1%}" if power else "—",
            "—" if np.isnan(row["shrunk_coverage"]) else f"{row['shrunk_coverage']:.0%}",
        ]
        lines.append(f"| {notes.get(name, name)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--part", choices=["decision", "plan", "stop", "change", "follow", "weekend"], default="decision"
    )
    parser.add_argument("--studies", type=int, default=300, help="studies per scenario (default 300)")
    parser.add_argument("--scenarios", default="", help="comma-separated names (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes (default: CPUs)")
    parser.add_argument("--draws", type=int, default=4000, help="posterior draws per study (default 4000)")
    parser.add_argument("--out", default="benchmarks/results", help="folder for the per-study CSV")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--summarise", action="store_true", help="summarise the saved per-study CSV of --part again, no runs"
    )
    parser.add_argument(
        "--trust-table", action="store_true", help="print the README's table from the saved decision CSV"
    )
    args = parser.parse_args(argv)
    if args.trust_table:
        print(trust_table(pd.read_csv(Path(args.out) / "calibration_decision.csv")))
        return 0
    if args.summarise:
        runs = pd.read_csv(Path(args.out) / f"calibration_{args.part}.csv")
        table = (
            summarise_decisions(runs)
            if args.part == "decision"
            else summarise_follow(runs)
            if args.part == "follow"
            else runs
        )
        print(_markdown(table) if args.markdown else table.round(3).to_string())
        return 0
    sc = _scenarios()
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()] or list(sc.SCENARIOS)
    start = time.perf_counter()
    if args.part == "decision":
        runs = decision_part(names, args.studies, args.workers, args.draws)
        table = summarise_decisions(runs)
    elif args.part == "plan":
        table = plan_part(args.studies, args.workers)
        runs = table.reset_index()
    elif args.part == "change":
        table = change_part(args.studies, args.workers)
        runs = table.reset_index()
    elif args.part == "weekend":
        table = weekend_part(args.studies, args.workers)
        runs = table.reset_index()
    elif args.part == "follow":
        runs = follow_part(args.studies, args.workers)
        table = summarise_follow(runs)
    else:
        table = stop_part(args.studies, args.workers)
        runs = table
    seconds = time.perf_counter() - start
    Path(args.out).mkdir(parents=True, exist_ok=True)
    runs.to_csv(Path(args.out) / f"calibration_{args.part}.csv", index=False)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    print(_markdown(table) if args.markdown else table.round(3).to_string())
    n = (
        len(runs)
        if args.part in ("decision", "follow")
        else int(table["studies" if args.part in ("plan", "change", "weekend") else "replications"].sum())
    )
    print(f"\n{n} studies in {seconds:.0f} s ({n / seconds:.1f} studies/s, {args.workers} workers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
