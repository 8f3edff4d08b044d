"""A/A calibration of wxtime's slot comparison: how often each test rejects when all slots are equal.

For each design, N null studies (every slot truly equal; realistic content noise, weekday
effects and follower growth, from wxtime.simulate.null_audience) go through
wxtime.abtest.compare_slots. Prints the rejection rate of every test at alpha = 0.05, the
rate of "winner" decisions, and a Monte Carlo standard error; writes the table to
benchmarks/results/aa_calibration.csv.

Usage: .venv/bin/python benchmarks/aa_calibration.py [--studies 1000] [--seed 0]
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wxtime.abtest import aa_study

DESIGNS = {
    # The seed account's design: 5 slots, a week each, rotation run twice (70 pushes).
    "blocked": {"slots": ("07:30", "12:00", "18:00", "21:00", "22:30"), "days_per_slot": 7, "rounds": 2},
    # The same 70 days with the slot drawn daily (balanced in runs of 5 days).
    "randomized": {"slots": ("07:30", "12:00", "18:00", "21:00", "22:30"), "days": 70},
    # Split audience: the same article to two random halves, 12:00 vs 21:00, 14 days.
    "split": {"slots": ("12:00", "21:00"), "days": 14},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--permutations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = []
    for design, kwargs in DESIGNS.items():
        start = time.perf_counter()
        runs = aa_study(
            design,
            n_studies=args.studies,
            n_permutations=args.permutations,
            seed=args.seed,
            progress=True,
            **kwargs,
        )
        seconds = time.perf_counter() - start
        for column in [c for c in runs.columns if c.startswith("p_")]:
            rate = float((runs[column] < 0.05).mean())
            rows.append(
                {
                    "design": design,
                    "test": column[2:],
                    "rejection_rate": rate,
                    "mc_se": float(np.sqrt(rate * (1 - rate) / len(runs))),
                    "studies": len(runs),
                }
            )
        winner = float((runs["decision"] == "winner").mean())
        rows.append(
            {
                "design": design,
                "test": "decision == winner",
                "rejection_rate": winner,
                "mc_se": float(np.sqrt(winner * (1 - winner) / len(runs))),
                "studies": len(runs),
            }
        )
        print(f"{design}: {len(runs)} studies in {seconds:.0f} s")
    table = pd.DataFrame(rows)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    table.to_csv(out / "aa_calibration.csv", index=False)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
