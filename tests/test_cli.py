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


@pytest.mark.parametrize("lang", ["en"])
def test_study_writes_html_and_json(tmp_path, lang):
    target = tmp_path / "reports" / "noon_study.html"
    assert main(["study", "-o", str(target), "--lang", lang]) == 0
    summary = json.loads(target.with_suffix(".json").read_text())
    assert summary["best_slot"] == "12:00"
    assert len(summary["data_sha256"]) == 64
    text = target.read_text()
    assert "data:image/png;base64," in text and html.escape(summary["verdict"]) in text
