"""The study report: notebooks executed end to end, one self-contained HTML page, and a JSON summary."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import wxtime
from wxtime.cli import main
from wxtime.datasets import write_study
from wxtime.report import NOTEBOOKS, ReportError, build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def replica_report(tmp_path_factory):
    """What `make study` writes (same command, default data)."""
    out = tmp_path_factory.mktemp("study") / "reports" / "noon_study.html"
    assert main(["study", "--output", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def night_owl_report(tmp_path_factory):
    """A different truth (night owls: best 22:30), a hostile title, Chinese labels, code shown."""
    folder = tmp_path_factory.mktemp("owl")
    study = wxtime.simulate_rotation(wxtime.night_owl(), seed=20240603)
    study.pushes.loc[3, "title"] = "<script>alert(1)</script>"
    write_study(study, folder, name="owl")
    out = folder / "owl_report.html"
    build_report(folder / "owl.csv", output=out, lang="zh", show_code=True, quiet=True)
    return out


def test_study_names_noon_from_the_analysis(replica_report):
    summary = json.loads(replica_report.with_suffix(".json").read_text())
    assert summary["best_slot"] == "12:00"
    assert summary["design"] == "blocked" and summary["decision"] in {"winner", "inconclusive"}
    assert len(summary["data_sha256"]) == 64 and summary["seed"] == 0
    assert {s["slot"] for s in summary["slots"]} == {"07:30", "12:00", "18:00", "21:00", "22:30"}


def test_html_is_self_contained_with_plots_verdict_and_stamp(replica_report):
    import html

    text = replica_report.read_text()
    summary = json.loads(replica_report.with_suffix(".json").read_text())
    assert text.count("data:image/png;base64,") >= 8  # every notebook's plots, embedded
    assert html.escape(summary["verdict"]) in text
    assert f"wxtime {wxtime.__version__}" in text and summary["data_sha256"] in text
    assert "<script" not in text  # nothing to run, nothing fetched: opens offline
    assert "http://" not in text.replace("http://www.w3.org", "") and "https://cdn" not in text
    for name in NOTEBOOKS:
        assert f"id='{name}'" in text
    assert "Injected by wxtime report" not in text  # parameters cells are not shown


def test_a_different_truth_gives_a_different_answer(night_owl_report):
    summary = json.loads(night_owl_report.with_suffix(".json").read_text())
    assert summary["best_slot"] == "22:30"


def test_strings_from_the_data_are_escaped(night_owl_report):
    text = night_owl_report.read_text()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_chinese_report_has_chinese_headings_and_table_headers(night_owl_report):
    text = night_owl_report.read_text()
    assert "推送时间研究" in text and "漏斗与指标定义" in text and "推送时段" in text
    assert "lang='zh-CN'" in text
    assert "load_study_data" in text  # --code shows the notebooks' code


def test_a_failing_notebook_is_named_and_leaves_no_report(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for notebook in Path(wxtime.report._notebook_dir()).glob("*.ipynb"):
        shutil.copy(notebook, folder)
    broken = nbformat.read(folder / "03_ab_test.ipynb", as_version=4)
    broken.cells.insert(4, nbformat.v4.new_code_cell("raise RuntimeError('boom')"))
    nbformat.write(broken, folder / "03_ab_test.ipynb")
    monkeypatch.setenv("WXTIME_NOTEBOOKS", str(folder))
    out = tmp_path / "r.html"
    with pytest.raises(ReportError, match=r"03_ab_test\.ipynb, cell 6 .*RuntimeError: boom"):
        build_report(output=out, quiet=True)
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert not list(tmp_path.glob(".r.html.*"))  # no temporary leftovers either


def test_bad_data_fails_before_any_kernel_starts(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sent_at,delivered,opened\n2024-07-01 12:00,100,500\n")
    assert main(["report", str(bad), "-o", str(tmp_path / "r.html"), "--quiet"]) == 2
    assert "row 1 (line 2), column 'opened'" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("sent_at,delivered,opened\n2024-07-01 12:00,100,10\n2024-07-02 12:00,100,12\n", "one slot only"),
        (
            "sent_at,delivered,opened\n2024-07-01 12:00,100,10\n2024-07-03 21:00,100,9\n",
            "2 pushes in 2 slots",
        ),
        ("slot,delivered,opened\n12:00,1000,80\n21:00,1000,60\n", "one row per slot"),
    ],
    ids=["one-slot", "one-push-per-slot", "slot-level"],
)
def test_data_a_study_cannot_use_is_refused_naming_the_file(tmp_path, capsys, rows, message):
    """These used to fail inside a notebook (KeyError: 'p_holm') or with a message naming
    neither the file nor the problem ('a push-level interval needs more pushes than slots')."""
    path = tmp_path / "small.csv"
    path.write_text(rows)
    assert main(["report", str(path), "-o", str(tmp_path / "r.html"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "small.csv" in err and message in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian package 'chromium'; .ci/run installs it as root)",
)
def test_report_renders_in_headless_chromium(replica_report, tmp_path):
    import matplotlib.image as mpimg
    import numpy as np

    shot = tmp_path / "shot.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    url = replica_report.resolve().as_uri()
    run = subprocess.run(
        [CHROMIUM, *flags, "--window-size=1200,2000", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert shot.exists() and shot.stat().st_size > 50_000
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "error" in line.lower() or "uncaught" in line.lower()], console
    pixels = mpimg.imread(shot)[..., :3].reshape(-1, 3)
    assert len(np.unique((pixels * 255).astype(int), axis=0)) > 200  # plots drawn, not a blank page
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    ).stdout
    assert dom.count("<img") >= 8 and "data:image/png;base64" in dom
