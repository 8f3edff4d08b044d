"""wxtime.explore: the callbacks behind the Jupyter widget, and the widget's wiring."""

from pathlib import Path

import matplotlib
import pytest

import wxtime
from wxtime.datasets import load_noon_study
from wxtime.decision import decide
from wxtime.interactive import Explorer
from wxtime.io import read

matplotlib.use("Agg")
PAYLOADS = Path(__file__).parent / "fixtures" / "realistic" / "A_calendar_day_late_slot" / "payloads"


@pytest.fixture(scope="module")
def noon():
    return load_noon_study()


def test_update_is_the_decision_on_the_selection(noon):
    explorer = Explorer(noon, seed=3)
    result = explorer.update(metric="read", slots=["12:00", "21:00", "22:30"], ax=False)
    subset = noon.frame[noon.frame["slot"].isin(["12:00", "21:00", "22:30"])]
    reference = decide(subset, "read", plan=False, n_permutations=0, bayes_draws=4000, seed=3)
    assert result.pushes == len(subset)
    assert result.decision.best_slot == reference.best_slot
    assert result.decision.p_best == pytest.approx(reference.p_best)
    assert result.settings["seed"] == 3 and explorer.last is result


def test_dates_and_controls_narrow_the_study(noon):
    explorer = Explorer(noon)
    days = explorer.dates
    result = explorer.update(start=days[0], end=days[34], ax=False)
    assert result.pushes == (noon.frame["sent_at"].dt.date <= days[34]).sum()
    assert result.decision.data["last"] == days[34].isoformat()
    trend = explorer.update(controls=["trend"], ax=False)
    assert trend.settings["controls"] == ["trend"] and trend.decision is not None


def test_selections_without_a_decision_say_why(noon):
    explorer = Explorer(noon, lang="zh")
    assert explorer.update(slots=["12:00"], ax=False).message == "请至少选择两个时段。"
    explorer = Explorer(noon)
    unknown = explorer.update(slots=["12:00", "03:00"], ax=False)
    assert unknown.decision is None and "03:00" in unknown.message
    # The replica carries its read curves; the bare table of pushes does not.
    assert Explorer(noon).update(age_hours=24, ax=False).decision is not None
    explorer = Explorer(noon.frame)
    no_curves = explorer.update(age_hours=24, ax=False)
    assert no_curves.decision is None and "read curves" in no_curves.message
    nothing = explorer.update(start="2030-01-01", ax=False)
    assert nothing.decision is None and nothing.pushes == 0


def test_age_recounts_pushes_from_their_read_curves():
    pushes = read(PAYLOADS, send_times=PAYLOADS / "send_log.csv")
    explorer = Explorer(pushes)
    assert explorer.curves is not None
    # Hourly reads are account-wide, so a curve ends at the next push: ages of a few hours only.
    early, late = explorer.select(age_hours=3).frame, explorer.select(age_hours=8).frame
    assert set(late["push_id"]) <= set(early["push_id"]) and len(late) >= 20
    both = early.set_index("push_id")["opened"].reindex(late["push_id"])
    assert (both.to_numpy() <= late["opened"].to_numpy()).all() and both.sum() < late["opened"].sum()
    result = explorer.update(age_hours=8, ax=False)
    assert result.pushes == len(late) and result.decision is not None


def test_update_draws_on_the_given_axes(noon):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    result = Explorer(noon).update(ax=ax)
    assert result.ax is ax and ax.has_data()
    plt.close(fig)


def test_the_widget_calls_back_on_every_control(noon):
    pytest.importorskip("ipywidgets")
    box = wxtime.explore(noon)
    explorer = box.explorer
    assert explorer.last.decision is not None  # drawn once on creation
    metric, controls = box.children[0].children
    slots = box.children[1]
    metric.value = "read"
    assert explorer.last.settings["metric"] == "read"
    slots.value = ("12:00", "21:00")
    assert explorer.last.settings["slots"] == ["12:00", "21:00"] and explorer.last.pushes == 28
    controls.value = ("weekday",)
    assert explorer.last.settings["controls"] == ["weekday"]
    slots.value = ("12:00",)
    assert explorer.last.decision is None and "two slots" in box.children[-2].value
