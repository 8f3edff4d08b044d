"""The analyst's study: every notebook runs end to end (once) and exports to HTML, on the same
reading and the same decision as the command line."""

import html
import json
from pathlib import Path

from wxtime.cli import main
from wxtime.notebooks import NOTEBOOKS, parameters

PAYLOADS = Path(__file__).parent / "fixtures" / "realistic" / "A_calendar_day_late_slot" / "payloads"


def test_every_notebook_runs_on_a_payload_folder_and_decides_as_the_cli(tmp_path, capsys):
    """Datacube payloads with a send log: the files a user has, read by the notebooks through the
    same reader as `wxtime analyze`, and the decision page of notebook 05 says what the CLI says."""
    argv = [str(PAYLOADS), "--send-times", str(PAYLOADS / "send_log.csv"), "--seed", "3"]
    assert main(["notebooks", *argv, "--html", str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    for name in NOTEBOOKS:
        page = (tmp_path / f"{name}.html").read_text()
        # A failing cell stops the run (NotebookError); no output holds an error either.
        assert "Traceback" not in page and 'data-mime-type="application/vnd.jupyter.stderr"' not in page
    assert main(["analyze", *argv, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    page = (tmp_path / "05_decision.html").read_text()
    assert cli["best_slot"] == "22:30" and html.escape(cli["headline"]) in page
    assert html.escape(cli["finding"]) in page


def test_parameters_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WXTIME_STUDY_FILES", '["export.xlsx", "hourly.xlsx"]')
    monkeypatch.setenv("WXTIME_STUDY_READ", '{"slots": ["20:30"]}')
    monkeypatch.setenv("WXTIME_STUDY_SEED", "7")
    p = parameters()
    assert (p.data, p.metric, p.seed, p.lang) == (("export.xlsx", "hourly.xlsx"), "open", 7, "en")
    assert p.read_options == {"slots": ["20:30"]}


def test_without_files_the_study_is_the_shipped_replica(monkeypatch):
    for name in ("WXTIME_STUDY_FILES", "WXTIME_STUDY_READ"):
        monkeypatch.delenv(name, raising=False)
    table = parameters().read()
    assert len(table) == 70 and table.curves is not None
