"""The next step (issue 19): a schedule the account can run, the same in every command, in the
operator's language."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import wxtime
from wxtime.cli import main
from wxtime.decision import decide
from wxtime.errors import InputError
from wxtime.nextstep import (
    EXPLORE_FLOOR,
    EXPLORE_MAX,
    candidate_slots,
    design_schedule,
    exploration_share,
    operating_schedule,
)

P_BEST = {"12:00": 0.6, "21:00": 0.3, "07:30": 0.1}
LOSS = {"12:00": 0.001, "21:00": 0.004, "07:30": 0.012}


def _step(**kw):
    options = dict(
        choice="12:00",
        p_best=P_BEST,
        expected_loss=LOSS,
        leader_rate=0.07,
        deliveries=5000,
        start="2030-01-07",
        seed=3,
    )
    return operating_schedule(list(P_BEST), **{**options, **kw})


def test_exploration_grows_with_the_choice_s_risk_between_the_floor_and_the_cap():
    # Hand computation: 0.1 + 0.4 * loss / max_loss, capped at the max.
    assert exploration_share(0.0, 0.004) == EXPLORE_FLOOR
    assert exploration_share(0.001, 0.004) == pytest.approx(0.1 + 0.4 * 0.25)
    assert exploration_share(0.02, 0.004) == EXPLORE_MAX == exploration_share(np.nan, 0.004)


def test_the_daily_draws_follow_the_stated_probabilities_and_the_seed():
    step = _step(days=2000)
    assert sum(step.probabilities.values()) == pytest.approx(1)
    assert step.probabilities["12:00"] == pytest.approx(1 - step.explore_share)
    # Exploration days go by chance to be best, with a floor of 0.02 per slot (hand computation).
    weight = np.array([0.3, 0.1]) + 0.02
    expected = weight / weight.sum() * step.explore_share
    assert [step.probabilities["21:00"], step.probabilities["07:30"]] == pytest.approx(
        expected.tolist(), abs=1e-6
    )
    # The drawn days match the probabilities (SciPy's chi-square goodness of fit).
    observed = step.schedule["slot"].value_counts().reindex(list(step.probabilities)).to_numpy()
    p = np.array(list(step.probabilities.values()))
    assert stats.chisquare(observed, p * observed.sum()).pvalue > 0.001
    # Each row carries the chance of the slot drawn that day, for later weighting.
    drawn_chance = step.schedule["slot"].map(step.probabilities)
    assert np.allclose(step.schedule["probability"], drawn_chance, atol=1e-6)
    again = _step(days=2000)
    assert again.schedule.equals(step.schedule) and not _step(days=2000, seed=4).schedule.equals(
        step.schedule
    )


def test_a_service_account_pushes_four_times_in_28_days_and_a_subscription_account_daily():
    daily, weekly = _step(), _step(account_kind="service")
    assert len(daily.schedule) == 28 and daily.schedule["date"].is_unique
    assert len(weekly.schedule) == 4
    gaps = pd.to_datetime(weekly.schedule["date"]).diff().dropna().dt.days
    assert (gaps == 7).all()


def test_a_split_test_is_refused_for_a_subscription_account_and_offered_to_a_service_account():
    with pytest.raises(InputError, match="once a day"):
        design_schedule(["12:00", "21:00"], 28, design="split", start="2030-01-07")
    split = design_schedule(
        ["12:00", "21:00"], 28, design="split", account_kind="service", start="2030-01-07"
    )
    per_day = split.schedule.groupby("date")["slot"].nunique()
    assert len(per_day) == 4 and (per_day == 2).all()  # four push days a month, two groups each
    rotation = design_schedule(["12:00", "21:00", "07:30"], 21, start="2030-01-07", seed=2)
    assert rotation.schedule["slot"].value_counts().tolist() == [7, 7, 7]


def test_an_account_that_always_pushed_at_one_time_gets_candidates_and_no_warning():
    """Issue 19: every push at 20:30 gave 'rotate for 0 days', an empty schedule and a
    RuntimeWarning."""
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-05-01", periods=40)
    frame = pd.DataFrame(
        {
            "sent_at": days.strftime("%Y-%m-%d 20:30"),
            "delivered": 4000,
            "opened": rng.binomial(4000, 0.05, 40),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decision = decide(wxtime.validate(frame), start="2030-01-07")
    step = decision.next_step
    assert step.kind == "start" and step.choice == "20:30" and len(step.candidates) >= 3
    minutes = sorted(int(s[:2]) * 60 + int(s[3:]) for s in [*step.candidates, "20:30"])
    gaps = np.diff([*minutes, minutes[0] + 24 * 60])
    assert gaps.min() >= 90  # distinct moments of the day
    assert len(step.schedule) == 28 and set(step.schedule["slot"]) - {"20:30"}
    assert step.probabilities["20:30"] == pytest.approx(1 - EXPLORE_MAX)
    assert "20:30" in step.headline() and step.first_look_days > 0
    # From the account's own reading curve when hourly reads are given: the busiest hours.
    hourly = pd.DataFrame({"date": "2024-05-02", "hour": range(24), "user_source": 2, "reads": [5] * 24})
    hourly.loc[[8, 13, 22], "reads"] = [50, 80, 60]
    chosen, source = candidate_slots("20:30", hourly)
    assert source == "reading_curve" and set(chosen) == {"08:00", "13:00", "22:00"}


def test_the_calendar_has_one_event_a_push_day_with_a_reminder_the_evening_before():
    icalendar = pytest.importorskip("icalendar")
    step = _step()
    for lang in ("en", "zh"):
        calendar = icalendar.Calendar.from_ical(step.to_ics(lang))
        events = calendar.walk("VEVENT")
        assert len(events) == len(step.schedule)
        first = events[0]
        assert first.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == (
            f"{step.schedule['date'].iloc[0]} {step.schedule['slot'].iloc[0]}"
        )
        assert str(first.decoded("dtstart").tzinfo) == "Asia/Shanghai"
        alarm = first.walk("VALARM")[0]
        assert alarm.decoded("trigger") < pd.Timedelta(0)  # before the push
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", str(first.get("summary")))


ENGLISH_WORDS = re.compile(r"\b(?:push|slot|choice|explor\w*|weekday|date|day|probability|test)\b", re.I)


def test_with_lang_zh_what_an_operator_reads_or_downloads_is_chinese(tmp_path, capsys):
    """Issue 19: the page, the CSV, the calendar and the CLI speak Chinese with --lang zh."""
    from wxtime.datasets import data_dir

    path = str(data_dir() / "noon_study.csv")
    out = tmp_path / "plan.csv"
    assert main(["plan", path, "-o", str(out), "--lang", "zh", "--start", "2030-01-07"]) == 0
    printed = capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens a BOM'd UTF-8 CSV as UTF-8
    text = raw.decode("utf-8-sig")
    assert not ENGLISH_WORDS.search(text), text[:200]
    assert not ENGLISH_WORDS.search(re.sub(r"wrote|wxtime|\S+\.csv|/\S+", "", printed)), printed[:300]
    ics = tmp_path / "plan.ics"
    assert main(["plan", path, "-o", str(ics), "--lang", "zh", "--start", "2030-01-07"]) == 0
    capsys.readouterr()
    summaries = re.findall(r"SUMMARY:(.*)", ics.read_text(encoding="utf-8"))
    assert summaries and all(not ENGLISH_WORDS.search(s) for s in summaries)
    assert main(["analyze", path, "--lang", "zh", "--start", "2030-01-07"]) == 0
    said = capsys.readouterr().out  # the tests and the checks too, not only the summary
    assert "检验" in said and not ENGLISH_WORDS.search(re.sub(r"wxtime", "", said)), said[-600:]
    assert main(["bandit", "recommend", path, "--lang", "zh", "--start", "2030-01-07"]) == 0
    said = capsys.readouterr()
    assert re.search(r"[\u4e00-\u9fff]", said.out) and not said.err
    assert not ENGLISH_WORDS.search(re.sub(r"wxtime", "", said.out)), said.out[:300]


def test_the_json_next_step_is_what_the_page_says(capsys):
    from wxtime.datasets import data_dir

    assert main(["analyze", str(data_dir() / "noon_study.csv"), "--json", "--start", "2030-01-07"]) == 0
    payload = json.loads(capsys.readouterr().out)
    step = payload["next_step"]
    assert payload["headline"] == step["headline"] and step["schedule"][0]["date"] == "2030-01-07"
    assert {"choice", "explore_share", "probabilities", "cost_per_push_opens", "account"} <= set(step)
    assert sum(step["probabilities"].values()) == pytest.approx(1, abs=1e-5)


def test_serve_s_start_up_lines_and_download_names_follow_lang():
    """Issue 19's leftovers: what `wxtime serve --lang zh` prints on starting, and the names of
    the schedule files the page and the web app offer, are Chinese."""
    from wxtime.datasets import load_noon_study
    from wxtime.serve.adapters import decide_for, schedule_downloads
    from wxtime.serve.run import startup_lines

    lines = startup_lines(
        ["http://192.168.1.5:8000/?token=abc", "http://127.0.0.1:8000/?token=abc"], True, "zh"
    )
    words = re.sub(r"wxtime serve|https?://\S+|Ctrl\+C|HTTP", "", "\n".join(lines))
    assert len(lines) == 4 and not ENGLISH_WORDS.search(words), words
    files = schedule_downloads(decide_for(load_noon_study(), "open"), "zh")
    assert [f.filename for f in files.values()] == ["wxtime-推送排期.csv", "wxtime-推送排期.ics"]
