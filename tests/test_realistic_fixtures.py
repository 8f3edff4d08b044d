"""The realistic WeChat fixtures, read as a user would and checked against their recorded truth.

The fixtures in ``tests/fixtures/realistic`` were written by a separate author from the
documented formats only (``reference/wechat-data.md``), never from wxtime's loaders; their
generator (``make_fixtures.py``) records the truth in ``MANIFEST.json``: the number of pushes
and articles, the scheduled slot of every row, the dates, and the slot that is truly best.
Nothing here is tuned to what the loaders produce: every expected value comes from the manifest.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from wxtime.decision import decide
from wxtime.io import read

ROOT = Path(__file__).parent / "fixtures" / "realistic"
MANIFEST = {f["id"]: f for f in json.loads((ROOT / "MANIFEST.json").read_text(encoding="utf-8"))["fixtures"]}
PAYLOADS = ROOT / "A_calendar_day_late_slot" / "payloads"

CASES = [
    ("A", PAYLOADS, {"send_times": PAYLOADS / "send_log.csv"}),
    ("B", ROOT / "B_notified_content_export.csv", {}),
    ("B", ROOT / "B_notified_content_export.xlsx", {}),
    ("C", ROOT / "C_handkept_date_time.csv", {}),
    ("C", ROOT / "C_handkept_date_time.xlsx", {}),
    ("C", ROOT / "C_handkept_date_time_gbk.csv", {}),
    ("D", ROOT / "D_send_hour_1_24.csv", {}),
    ("E", ROOT / "E_human_written_times.csv", {}),
    ("E", ROOT / "E_human_written_times.xlsx", {}),
    ("F", ROOT / "F_push_log_jittered.csv", {}),
    ("G", ROOT / "G_split_by_tag.csv", {}),
    ("G", ROOT / "G_split_by_tag.xlsx", {}),
]
IDS = [f"{fid}-{path.name}" for fid, path, _ in CASES]


@pytest.fixture(scope="module")
def loaded():
    out = {}
    for (_fid, path, options), name in zip(CASES, IDS):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing may leak to the user's terminal
            pushes = read(path, **options)
            out[name] = (pushes, decide(pushes, seed=0))
    return out


@pytest.mark.parametrize(("fid", "path", "options"), CASES, ids=IDS)
def test_pushes_slots_and_dates_match_the_manifest(fid, path, options, loaded):
    truth = MANIFEST[fid]
    pushes, _ = loaded[f"{fid}-{path.name}"]
    assert len(pushes) == truth["pushes"]  # pushes, not articles
    assert sorted(pushes.frame["slot"].unique()) == sorted(
        truth["slots"]
    )  # 07:30 stays 07:30, 22:00 != 22:30
    summary = pushes.load
    assert summary.get("articles_grouped", 0) == truth["articles"] - truth["pushes"]
    if truth.get("first_date"):
        days = pushes.frame["sent_at"].dt.strftime("%Y-%m-%d")
        assert (days.min(), days.max()) == (truth["first_date"], truth["last_date"])  # dates kept


@pytest.mark.parametrize(("fid", "path", "options"), CASES, ids=IDS)
def test_the_leader_is_the_true_best_slot(fid, path, options, loaded):
    """The slot wxtime puts first (winner or not yet) is the one the generator made best."""
    _, decision = loaded[f"{fid}-{path.name}"]
    assert decision.best_slot == MANIFEST[fid]["true_best_slot"]
    assert decision.decision in ("winner", "inconclusive")


@pytest.mark.parametrize("fid", ["E", "F"])
def test_every_row_gets_its_scheduled_slot(fid):
    """Human-written times (7点, 晚上9点半, 7:30 PM) and jittered sends (11:59:10) map row by row."""
    truth = MANIFEST[fid]
    path = ROOT / (truth["files"][0])
    pushes = read(path).frame.sort_values("sent_at")
    expected = [r["slot"] for r in truth["row_slots"]] if fid == "E" else truth["row_slots"]
    raw = pd.read_csv(path, encoding="utf-8-sig")
    order = pd.to_datetime(raw["日期"] if fid == "E" else raw["sent_at"]).argsort(kind="stable")
    assert pushes["slot"].tolist() == [expected[i] for i in order]


def test_hour_24_is_midnight_and_said_so():
    pushes = read(ROOT / "D_send_hour_1_24.csv")
    assert "00:00" in set(pushes.frame["slot"]) and "20:00" not in set(pushes.frame["slot"])
    assert any("1-24" in note for note in pushes.load["notes"])


def test_calendar_day_one_favours_early_slots_and_48_hours_does_not():
    """The bias the fair age removes: at a day-1 cut-off the late slot trails, at 48 h it leads."""
    early = read(PAYLOADS, send_times=PAYLOADS / "send_log.csv", age_hours=1)
    fair = read(PAYLOADS, send_times=PAYLOADS / "send_log.csv")
    rate = lambda p: p.frame.groupby("slot")["opened"].sum() / p.frame.groupby("slot")["delivered"].sum()  # noqa: E731
    assert rate(early).idxmax() != "22:30"
    assert rate(fair).idxmax() == "22:30" == MANIFEST["A"]["true_best_slot"]
    assert fair.load["age_hours"] == 48
