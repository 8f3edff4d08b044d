"""The analyst's study: every notebook runs end to end (once) and exports to HTML."""

from wxtime.cli import main
from wxtime.notebooks import NOTEBOOKS, parameters


def test_every_notebook_runs_on_the_shipped_study_and_exports(tmp_path, capsys):
    assert main(["notebooks", "--html", str(tmp_path), "--quiet"]) == 0
    for name in NOTEBOOKS:
        page = (tmp_path / f"{name}.html").read_text()
        # A failing cell stops the run (NotebookError); no output holds an error either.
        assert (
            "Traceback" not in page
            and "jp-RenderedText" in page
            and 'data-mime-type="application/vnd.jupyter.stderr"' not in page
        )
    decision = (tmp_path / "05_decision.html").read_text()
    assert "Keep testing: 12:00 leads 21:00" in decision


def test_parameters_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WXTIME_STUDY_FILES", '["export.xlsx", "hourly.xlsx"]')
    monkeypatch.setenv("WXTIME_STUDY_READ", '{"slots": ["20:30"]}')
    monkeypatch.setenv("WXTIME_STUDY_SEED", "7")
    p = parameters()
    assert (p.data, p.metric, p.seed, p.lang) == (("export.xlsx", "hourly.xlsx"), "open", 7, "en")
    assert p.read_options == {"slots": ["20:30"]}
