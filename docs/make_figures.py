"""Regenerate the README's figures: .venv/bin/python docs/make_figures.py

Plots of the replica study and the bandit comparison, and screenshots of the decision
page's first screen on a phone, in English and Chinese (needs Chromium; skipped without).
"""

import os
import shutil
import subprocess
import tempfile
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


PHONE = (390, 844)


def screenshots():
    """The report's first screen at phone size, English beside Chinese (docs/report_first_screen.png)."""
    from wxtime.report import build_report

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is not installed: screenshots skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frames = []
        for lang in ("en", "zh"):
            build_report(None, output=tmp / f"report_{lang}.html", lang=lang, seed=0)
            frames.append(
                f'<iframe src="report_{lang}.html" width="{PHONE[0]}" height="{PHONE[1]}" '
                'style="border:1px solid #bbb;border-radius:14px;margin:8px"></iframe>'
            )
        page = tmp / "phones.html"
        page.write_text(
            "<!doctype html><html><body style='margin:0;background:#f3f3f3;display:flex'>"
            + "".join(frames)
            + "</body></html>",
            encoding="utf-8",
        )
        width, height = 2 * (PHONE[0] + 18), PHONE[1] + 20
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--allow-file-access-from-files",
                f"--user-data-dir={tmp / 'profile'}",
                f"--window-size={width},{height}",
                f"--screenshot={OUT / 'report_first_screen.png'}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, "HOME": str(tmp)},
        )
    print(f"wrote {OUT / 'report_first_screen.png'}")


if __name__ == "__main__":
    main()
    screenshots()
