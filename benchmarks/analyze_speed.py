"""Whole-process speed of the command line, each figure beside its reference in one run.

Every command runs as its own process (so imports count, as they do for a user), timed
by wall clock with its peak memory from ``os.wait4`` (forked from a lean launcher, since
Linux keeps a process's peak memory across exec). Each pair runs ``--repeats`` times,
alternating which side goes first; the script prints the median and the range.

1. Start-up: ``wxtime --help`` against ``python -c "import argparse"``; ``wxtime validate``
   on a 3-row file against ``python -c "import pandas"``.
2. ``wxtime analyze --json`` on 100,000 pushes over 48 half-hour slots (randomised, 2.5%
   send-time jitter, content noise) against the hand analysis it replaces: pandas
   ``read_csv`` and a statsmodels binomial GLM with one dummy per slot on every push.
3. ``wxtime report`` (the HTML page and its JSON) against ``wxtime analyze --json`` on the
   shipped replica study (70 pushes): the page may cost at most 3x the analysis.
4. ``wxtime analyze --json`` on a split test of 2,000 days (two tag groups a day) against
   a statsmodels binomial GLM with one dummy per day (how day effects were fitted before;
   run once, it takes about a minute).
5. ``wxtime analyze --json`` on a messy sheet as operators keep them (Chinese headers, send
   times as text with seconds, a title column, a push-id column), 100,000 and 1,000,000
   pushes, against what a user would otherwise do first: pandas ``read_csv`` and a
   ``groupby`` of the counts by half-hour slot. The bar: within 4x, at most 400 MB for the
   100,000-push file.

Usage: .venv/bin/python benchmarks/analyze_speed.py [--repeats 5] [--skip-split-reference]
       [--skip-million]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

BIN = Path(sys.executable).parent
WXTIME = str(BIN / "wxtime")


# A lean launcher: Linux keeps a process's peak memory across exec, so the measured command
# must be forked from a small process, not from this one (which holds pandas and the data).
LAUNCH = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
"""


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process (forked from a lean launcher)."""
    done = subprocess.run([sys.executable, "-S", "-c", LAUNCH, *command], capture_output=True, text=True)
    seconds, memory, code = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-500:]}")
    return float(seconds), float(memory)


def pair(name: str, ours: list[str], reference: list[str] | None, repeats: int, label: str) -> None:
    mine, theirs = [], []
    for i in range(repeats):
        steps = [(ours, mine)] + ([(reference, theirs)] if reference else [])
        for command, out in steps if i % 2 == 0 else steps[::-1]:
            out.append(run(command))
    print(f"\n{name}")
    for who, runs in (("wxtime", mine), (label, theirs)):
        if not runs:
            continue
        seconds = np.array([r[0] for r in runs])
        memory = np.array([r[1] for r in runs])
        print(
            f"  {who:<34} {np.median(seconds):7.3f} s (range {seconds.min():.3f}-{seconds.max():.3f}), "
            f"peak {np.median(memory):6.0f} MB"
        )
    if theirs:
        ratio = np.median([r[0] for r in mine]) / np.median([r[0] for r in theirs])
        print(f"  wxtime / {label}: {ratio:.2f} (medians)")


def rotation_file(path: Path, pushes: int = 100_000, slots: int = 48, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    days = pushes // slots + 1
    day = np.repeat(np.arange(days), slots)[:pushes]
    slot = np.concatenate([rng.permutation(slots) for _ in range(days)])[:pushes]
    minutes = slot * (1440 // slots) + rng.integers(-60, 60, pushes) / 60
    sent = pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minutes, unit="min")
    delivered = rng.integers(5000, 20000, pushes)
    rate = 0.06 * np.exp(0.1 * np.sin(slot / slots * 2 * np.pi) + 0.3 * rng.standard_normal(pushes))
    opened = rng.binomial(delivered, np.clip(rate, 0, 1))
    pd.DataFrame(
        {
            "push_id": [f"P{i:06d}" for i in range(pushes)],
            "sent_at": sent.strftime("%Y-%m-%d %H:%M:%S"),
            "delivered": delivered,
            "opened": opened,
            "read": rng.binomial(opened, 0.6),
        }
    ).to_csv(path, index=False)


def split_file(path: Path, days: int = 2000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    day = np.repeat(np.arange(days), 2)
    noon_first = np.repeat(rng.integers(0, 2, days), 2)
    slot = np.where(np.arange(2 * days) % 2 == noon_first, "12:00", "21:00")
    sent = (
        pd.Timestamp("2020-01-01")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(np.where(slot == "12:00", 12, 21), unit="h")
    )
    delivered = rng.integers(3000, 6000, 2 * days)
    quality = np.repeat(0.3 * rng.standard_normal(days), 2)
    rate = 0.06 * np.exp(quality + np.where(slot == "12:00", 0.05, 0) + 0.05 * rng.standard_normal(2 * days))
    pd.DataFrame(
        {
            "push_id": [f"D{d:05d}" for d in day],
            "group": np.tile(["A", "B"], days),
            "sent_at": sent.strftime("%Y-%m-%d %H:%M"),
            "delivered": delivered,
            "opened": rng.binomial(delivered, rate),
        }
    ).to_csv(path, index=False)


def messy_file(path: Path, pushes: int = 100_000, slots: int = 48, seed: int = 0) -> None:
    """A sheet as operators keep them: Chinese headers, text send times, titles, push ids."""
    rng = np.random.default_rng(seed)
    days = pushes // slots + 1
    day = np.repeat(np.arange(days), slots)[:pushes]
    slot = np.concatenate([rng.permutation(slots) for _ in range(days)])[:pushes]
    minutes = slot * (1440 // slots) + rng.integers(-60, 60, pushes) / 60
    sent = pd.Timestamp("2020-01-01") + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minutes, unit="min")
    delivered = rng.integers(5000, 20000, pushes)
    rate = 0.06 * np.exp(0.1 * np.sin(slot / slots * 2 * np.pi) + 0.3 * rng.standard_normal(pushes))
    opened = rng.binomial(delivered, np.clip(rate, 0, 1))
    words = np.array(["面试", "秋招", "简历", "笔试", "实习", "内推", "薪资", "offer", "群面", "复盘"])
    titles = (
        pd.Series(words[rng.integers(0, 10, pushes)])
        + "｜"
        + pd.Series(words[rng.integers(0, 10, pushes)])
        + "第"
        + pd.Series(np.arange(pushes)).astype(str)
        + "期"
    )
    pd.DataFrame(
        {
            "推送编号": [f"P{i:07d}" for i in range(pushes)],
            "内容标题": titles,
            "发送时间": sent.strftime("%Y-%m-%d %H:%M:%S"),
            "送达人数": delivered,
            "公众号消息阅读次数": opened,
            "阅读完成人数": rng.binomial(opened, 0.6),
        }
    ).to_csv(path, index=False)


PANDAS_GROUPBY = """
import sys, pandas as pd
f = pd.read_csv(sys.argv[1])
slot = pd.to_datetime(f["发送时间"], format="ISO8601").dt.floor("30min").dt.time
print(f.groupby(slot)[["送达人数", "公众号消息阅读次数"]].sum().shape)
"""


GLM_SLOTS = """
import sys, numpy as np, pandas as pd, statsmodels.api as sm
f = pd.read_csv(sys.argv[1], parse_dates=["sent_at"])
slot = (f["sent_at"].dt.hour * 60 + f["sent_at"].dt.minute + 15) // 30 % 48
X = pd.get_dummies(slot, prefix="slot", dtype=float)
y = np.column_stack([f["opened"], f["delivered"] - f["opened"]])
print(sm.GLM(y, X, family=sm.families.Binomial()).fit(scale="X2").params.idxmax())
"""

GLM_DAYS = """
import sys, numpy as np, pandas as pd, statsmodels.api as sm
f = pd.read_csv(sys.argv[1], parse_dates=["sent_at"])
X = pd.get_dummies(f["sent_at"].dt.date.astype(str), prefix="day", dtype=float)
X["noon"] = (f["sent_at"].dt.hour == 12).astype(float)
y = np.column_stack([f["opened"], f["delivered"] - f["opened"]])
print(sm.GLM(y, X, family=sm.families.Binomial()).fit(scale="X2").params["noon"])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs per pair (default 5)")
    parser.add_argument(
        "--skip-split-reference", action="store_true", help="skip the one-minute day-dummy GLM"
    )
    parser.add_argument("--skip-million", action="store_true", help="skip the 1,000,000-push messy sheet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tiny = tmp / "tiny.csv"
        tiny.write_text("slot,delivered,opened\n12:00,1000,80\n21:00,1000,60\n12:00,1000,75\n")
        rotation, split = tmp / "rotation_100k.csv", tmp / "split_2000_days.csv"
        rotation_file(rotation)
        split_file(split)
        messy, million = tmp / "messy_100k.csv", tmp / "messy_1m.csv"
        messy_file(messy)
        if not args.skip_million:
            messy_file(million, pushes=1_000_000)
        py = sys.executable
        run([WXTIME, "--help"])  # warm the file cache
        pair(
            "wxtime --help",
            [WXTIME, "--help"],
            [py, "-c", "import argparse"],
            args.repeats,
            "import argparse",
        )
        pair(
            "wxtime validate (3 rows)",
            [WXTIME, "validate", str(tiny)],
            [py, "-c", "import pandas"],
            args.repeats,
            "import pandas",
        )
        replica = str(Path(__file__).resolve().parents[1] / "data" / "noon_study.csv")
        pair(
            "report vs analyze: the replica study (70 pushes)",
            [WXTIME, "report", replica, "-o", str(tmp / "replica.html")],
            [WXTIME, "analyze", replica, "--json"],
            args.repeats,
            "wxtime analyze --json",
        )
        pair(
            "analyze: 100,000 pushes x 48 slots",
            [WXTIME, "analyze", str(rotation), "--json"],
            [py, "-c", GLM_SLOTS, str(rotation)],
            args.repeats,
            "pandas + statsmodels GLM",
        )
        pair(
            "analyze: a messy sheet, 100,000 pushes (Chinese headers, text times, titles)",
            [WXTIME, "analyze", str(messy), "--json"],
            [py, "-c", PANDAS_GROUPBY, str(messy)],
            args.repeats,
            "pandas read_csv + groupby",
        )
        if not args.skip_million:
            pair(
                "analyze: a messy sheet, 1,000,000 pushes",
                [WXTIME, "analyze", str(million), "--json"],
                [py, "-c", PANDAS_GROUPBY, str(million)],
                max(3, args.repeats // 2),
                "pandas read_csv + groupby",
            )
        pair(
            "analyze: split test, 2,000 days",
            [WXTIME, "analyze", str(split), "--json"],
            None if args.skip_split_reference else [py, "-c", GLM_DAYS, str(split)],
            args.repeats if args.skip_split_reference else 1,
            "statsmodels GLM, day dummies",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
