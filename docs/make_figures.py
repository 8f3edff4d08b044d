"""Regenerate the README's figures: .venv/bin/python docs/make_figures.py"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import wxtime
from wxtime import bandits, plots
from wxtime.datasets import load_noon_study, load_noon_truth

OUT = Path(__file__).parent


def main():
    rates = wxtime.rates.estimate_rates(load_noon_study())
    fig, ax = plt.subplots(figsize=(6, 3.4))
    plots.plot_rates(rates, ax=ax, truth=load_noon_truth())
    fig.savefig(OUT / "rates_by_slot.png", dpi=90, bbox_inches="tight")

    truth = wxtime.campus_jobs().truth(["07:30", "12:00", "18:00", "21:00", "22:30"])
    sims = [
        bandits.simulate(policy, truth["open_rate"], days=150, audience_size=4500, replications=1000, seed=1)
        for policy in (
            bandits.Rotation(days_per_slot=7, name="weekly rotation"),
            bandits.Thompson(),
            bandits.TopTwoThompson(),
        )
    ]
    fig, ax = plt.subplots(figsize=(6, 3.4))
    plots.plot_bandit_curves(sims, ax=ax)
    fig.savefig(OUT / "pcs_by_day.png", dpi=90, bbox_inches="tight")


if __name__ == "__main__":
    main()
