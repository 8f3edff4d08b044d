"""The command line: help, clear errors with exit status 2, and the study job."""

import html
import json
import subprocess
import sys

import pytest

from wxtime.cli import main


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "wxtime", *args], capture_output=True, text=True, **kwargs)


def test_help_via_python_m():
    result = run("--help")
    assert result.returncode == 0
    assert "validate" in result.stdout and "study" in result.stdout


def _parsers(parser, name="wxtime"):
    import argparse

    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, child in action.choices.items():
                yield from _parsers(child, f"{name} {command}")


def test_every_option_has_help_and_shows_its_default(capsys):
    import argparse

    from wxtime import __version__
    from wxtime.cli import build_parser

    missing = [
        f"{name} {action.option_strings or action.dest}"
        for name, parser in _parsers(build_parser())
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._SubParsersAction)
    ]
    assert missing == []
    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 0.05)" in text and "(default: 2000)" in text and "(default: 0)" in text
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"wxtime {__version__}"


def test_bad_file_exits_2_with_file_row_column_and_no_traceback(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("sent_at,delivered,opened\n2024-07-01 12:00,100,5\n2024-07-02 12:00,100,oops\n")
    result = run("validate", str(path))
    assert result.returncode == 2
    assert (
        "bad.csv" in result.stderr
        and "row 2 (line 3)" in result.stderr
        and "column 'opened'" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_columns_option(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    path = tmp_path / "ok.csv"
    path.write_text("hour,sent,opened\n12,100,5\n")
    assert main(["validate", str(path), "--columns", "delivered"]) == 2
    assert "NAME=HEADER" in capsys.readouterr().err


def test_validate_with_column_mapping_json(tmp_path, capsys):
    path = tmp_path / "agg.csv"
    path.write_text("hour,sent,opened,clicked\n9,500,20,3\n12,800,50,9\n")
    assert main(["validate", str(path), "--columns", "slot=hour,delivered=sent", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["level"] == "slot" and info["slots"] == ["09:00", "12:00"]


def test_simulate_writes_a_study_with_its_truth(tmp_path, capsys):
    assert (
        main(["simulate", "--audience", "night_owl", "--seed", "7", "-o", str(tmp_path), "--name", "owl"])
        == 0
    )
    out = capsys.readouterr().out
    assert "true best slot for open rate: 22:30" in out
    assert (tmp_path / "owl.csv").exists() and (tmp_path / "owl_truth.csv").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_study_writes_html_and_json(tmp_path, lang, capsys):
    target = tmp_path / "reports" / "noon_study.html"
    assert main(["study", "-o", str(target), "--lang", lang]) == 0
    summary = json.loads(target.with_suffix(".json").read_text())
    assert summary["best_slot"] == "12:00"
    assert len(summary["data"]["sha256"]) == 64
    text = target.read_text()
    assert "<svg" in text and ('lang="zh-CN"' in text) == (lang == "zh")
    if lang == "en":
        # The JSON's finding and next step (English) are the page's.
        assert html.escape(summary["finding"]) in text
        assert html.escape(summary["next_step"]["explain"]) in text
    out = capsys.readouterr().out
    assert ("推送" in out) == (lang == "zh")  # the terminal summary speaks the report's language


def test_analyze_json_on_the_replica_picks_noon_from_the_data(capsys):
    from wxtime.datasets import data_dir

    assert main(["analyze", str(data_dir() / "noon_study.csv"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["best_slot"] == "12:00" and result["metric"] == "open"
    assert result["design"] == "blocked" and result["decision"] == "inconclusive"
    assert result["reason"] == "pairwise" and result["unit"] == "stretch"
    slot = result["slots"][0]
    for key in (
        "slot",
        "pushes",
        "units",
        "delivered",
        "opened",
        "pooled_rate",
        "rate",
        "ci_low",
        "ci_high",
        "rate_shrunk",
        "p_best",
        "expected_loss",
    ):
        assert key in slot
    best = next(s for s in result["slots"] if s["slot"] == "12:00")
    assert best["p_best"] == result["p_best"]  # one P(best)
    data = result["data"]
    assert data["pushes"] == 70 and data["first"] == "2024-06-03" and data["last"] == "2024-08-11"
    assert data["slots"] == ["07:30", "12:00", "18:00", "21:00", "22:30"] and data["skipped"] == {}
    assert {"name", "comparison", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted"} <= set(
        result["tests"][0]
    )


def test_analyze_on_a_file_aggregated_per_slot(tmp_path, capsys):
    path = tmp_path / "agg.csv"
    path.write_text("hour,sent,opened,clicked\n9,5000,300,60\n12,5200,390,80\n21,4800,310,70\n")
    args = [
        "analyze",
        str(path),
        "--columns",
        "slot=hour,delivered=sent,read=clicked",
        "--metric",
        "read",
        "--json",
    ]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["design"] == "slot-level" and result["decision"] == "not_enough_data"
    assert result["reason"] == "slot_level" and result["p_best"] is None
    assert "one row per slot" in result["verdict"]


def test_analyze_text_output_names_the_design_and_the_pick(capsys):
    from wxtime.datasets import data_dir

    assert main(["analyze", str(data_dir() / "noon_study.csv"), "--naive"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Push at 12:00") and "\nNot settled yet: 12:00 leads" in out
    assert "design: rotation in stretches of days (compared: stretches)" in out and "naive_reader_z" in out
    assert "nan" not in out.lower().replace("naive", "")


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--days", "-3"],
        ["simulate", "--rounds", "two"],
        ["analyze", "data/noon_study.csv", "--alpha", "5"],
        ["bandit", "simulate", "--content-sigma", "nan"],
        ["bandit", "recommend", "data/noon_study.csv", "--alpha", "1"],
        ["plan", "--slots", "12:00,21:00", "--days", "0"],
        ["aggregate", "log.parquet", "--age-hours", "0"],
    ],
)
def test_impossible_numbers_are_refused_before_any_work(argv, capsys):
    """A negative study length used to run (and write files) as if nothing were wrong."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "error: argument --" in capsys.readouterr().err


def test_every_command_gives_the_same_next_step(tmp_path, capsys):
    """Issue 19: tomorrow and the first 14 days agree across analyze --json, report's JSON,
    plan's CSV and bandit recommend --json (same file, start and seed); plan refuses a past
    start."""
    import pandas as pd

    from wxtime.datasets import data_dir

    path = str(data_dir() / "noon_study.csv")
    step_args = ["--start", "2030-01-07", "--seed", "4"]

    def run(*args):
        assert main([*args, *step_args]) == 0
        return capsys.readouterr().out

    analyze = json.loads(run("analyze", path, "--json"))["next_step"]
    run("report", path, "-o", str(tmp_path / "r.html"))
    report = json.loads((tmp_path / "r.json").read_text())["next_step"]
    run("plan", path, "-o", str(tmp_path / "plan.csv"))
    plan = pd.read_csv(tmp_path / "plan.csv")
    bandit = json.loads(run("bandit", "recommend", path, "--json"))
    days = [row["slot"] for row in analyze["schedule"][:14]]
    assert analyze["schedule"][0]["date"] == "2030-01-07"
    assert [row["slot"] for row in report["schedule"][:14]] == days
    assert plan["slot"].head(14).tolist() == days and plan["date"].iloc[0] == "2030-01-07"
    assert [row["slot"] for row in bandit["next_step"]["schedule"][:14]] == days
    assert bandit["next_slot"] == days[0] and analyze["choice"] == report["choice"] == "12:00"
    assert main(["plan", path, "--start", "2020-01-01"]) == 2
    assert "past" in capsys.readouterr().err


def test_a_fixed_daily_cycle_is_called_what_it_is(tmp_path, capsys):
    slots = ["08:00", "12:00", "21:00"]
    rows = [
        f"2024-09-{day + 1:02d} {slots[day % 3]},1000,{50 + (day % 3) * 5 + day % 2}" for day in range(24)
    ]
    path = tmp_path / "cycle.csv"
    path.write_text("sent_at,delivered,opened\n" + "\n".join(rows) + "\n")
    assert main(["analyze", str(path)]) == 0
    text = capsys.readouterr().out
    assert "fixed cycle, not drawn at random" in text and "check fixed_order: warn" in text


def test_the_papercuts_of_issue_19_stay_fixed(tmp_path, capsys):
    """report -o into a folder, a .pdf refused in words, "did you mean", each command's own
    description, and a switch's help without a misleading default."""
    from wxtime.datasets import data_dir

    path = str(data_dir() / "noon_study.csv")
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["report", path, "-o", f"{folder}/"]) == 0
    assert (folder / "noon_study.html").exists() and (folder / "noon_study.json").exists()
    capsys.readouterr()
    assert main(["report", path, "-o", str(tmp_path / "r.pdf")]) == 2
    assert "print it to PDF" in capsys.readouterr().err and not (tmp_path / "r.pdf").exists()
    with pytest.raises(SystemExit) as stop:
        main(["analyze", path, "--metirc", "open"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "wxtime analyze: error" in err and "did you mean --metric?" in err
    for command in ("validate", "analyze", "plan"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert text.split("\n\n")[1].strip(), command  # a description under the usage
    with pytest.raises(SystemExit):
        main(["notebooks", "--help"])
    assert "(default: True)" not in capsys.readouterr().out


def test_help_speaks_chinese_with_lang_zh(capsys):
    """Issue 19's leftover: `--help` (argparse's own words included) and argparse's errors are
    Chinese with --lang zh, and every help text wxtime.cli writes has its Chinese entry."""
    import argparse
    import re

    from wxtime.cli import build_parser
    from wxtime.i18n import _cli_catalogue

    catalogue, missing = _cli_catalogue("zh"), []

    def walk(parser):
        for action in parser._actions:
            if action.help and action.help != argparse.SUPPRESS and action.help not in catalogue:
                if not action.help.startswith("show this help"):
                    missing.append(action.help)
            if isinstance(action, argparse._SubParsersAction):
                missing.extend(c.help for c in action._choices_actions if c.help not in catalogue)
                for child in action.choices.values():
                    walk(child)

    walk(build_parser())
    assert not missing, missing[:5]
    for argv in (
        ["--help", "--lang", "zh"],
        ["report", "--help", "--lang=zh"],
        ["bandit", "recommend", "-h", "--lang", "zh"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("用法：") and "选项" in text, text[:200]
        # Left out: options, choices, metavars, code, file names and example values (slot=hour).
        prose = re.sub(r"--?[\w-]+|\{[^}]*\}|\[[^\]]*\]|`[^`]*`|\b[A-Z_]{2,}\b|\S+\.\w+|\S*=\S+", "", text)
        assert not re.search(r"\b(?:push|slot|choice|weekday|probability|default|show|help)\b", prose), prose[
            :400
        ]
    with pytest.raises(SystemExit) as stop:
        main(["report", "--lang", "zh", "--metrc", "read"])
    said = capsys.readouterr().err
    assert stop.value.code == 2 and "错误：无法识别的参数：--metrc（是不是想用 --metric？）" in said, said
