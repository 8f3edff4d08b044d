"""Reports: the study as one self-contained HTML file (the executed notebooks) and one JSON file.

:func:`build_report` executes the notebooks in ``notebooks/`` on the given
data in fresh kernels, exports them with nbconvert's script-free ``basic``
template (no scripts; images embedded as base64), and writes one page
that opens offline, stamped with the wxtime version, the data file's hash,
the seed and the date. :func:`study_results` computes the JSON summary from
the package directly. The report presents; it computes nothing the analysis
modules do not already return. Strings from the data (titles, column names)
are escaped. Files are written atomically: a failure leaves no partial
report and names the notebook and cell that failed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pandas as pd

from . import __version__
from ._io import atomic_write, file_sha256, json_ready

__all__ = ["ReportError", "build_report", "html_table", "study_results"]

NOTEBOOKS = ("01_the_question", "02_rates_by_hour", "03_ab_test", "04_bandits", "05_decision")


class ReportError(RuntimeError):
    """A notebook failed while building a report (names the notebook and the cell)."""


def html_table(frame: pd.DataFrame, float_digits: int = 4, max_rows: int = 60) -> str:
    """An escaped HTML table (pandas' ``to_html`` with ``escape=True``).

    Examples
    --------
    >>> print(html_table(pd.DataFrame({"title": ["<script>x</script>"]})))  # doctest: +ELLIPSIS
    <table ...&lt;script&gt;x&lt;/script&gt;...
    """
    return frame.head(max_rows).to_html(
        index=False,
        escape=True,
        border=0,
        classes="wx",
        float_format=lambda v: f"{v:.{float_digits}f}",
        na_rep="",
    )


def study_results(pushes: pd.DataFrame, metric: str = "open", seed: int = 0) -> dict:
    """Everything the study report shows, as DataFrames and small objects."""
    from .abtest import compare_slots, detect_design
    from .rates import RateModel, estimate_rates, funnel_table, kpi_scorecard

    rates = estimate_rates(pushes, metric, seed=seed)
    results = {
        "rates": rates,
        "funnel": funnel_table(pushes),
        "scorecard": kpi_scorecard(pushes),
    }
    if detect_design(pushes) != "slot-level" and pushes["slot"].nunique() > 1:
        results["ab"] = compare_slots(pushes, metric, naive=True, seed=seed)
    controls = [c for c in ("weekday", "trend") if "sent_at" in pushes.columns]
    if pushes.attrs.get("level") != "slot" and len(pushes) > pushes["slot"].nunique() + len(controls) + 8:
        results["model"] = RateModel(metric, controls=controls).fit(pushes)
    return results


def _verdict(results: dict) -> tuple[str, str]:
    """The decision and the sentence at the top of the report."""
    rates = results["rates"]
    if "ab" in results:
        ab = results["ab"]
        return ab.decision, f"Best slot for {METRICS_LABEL[rates.metric]}: {ab.best_slot}. {ab.verdict}"
    table = rates.summary.set_index("slot")
    best = rates.best_slot
    return "inconclusive", (
        f"Best slot for {METRICS_LABEL[rates.metric]}: {best} (P(best) {table.loc[best, 'p_best']:.2f}); "
        "the data have one row per slot, so no push-level test is possible."
    )


METRICS_LABEL = {
    "open": "open rate",
    "read": "read rate",
    "read_through": "read-through",
    "click": "click rate",
    "share": "share rate",
}

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,"Noto Sans CJK SC",sans-serif;max-width:960px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table.wx{border-collapse:collapse;font-size:.85em;margin:.6em 0}
table.wx th,table.wx td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:right}
table.wx th{background:#f6f6f6}.verdict{font-size:1.1em;background:#f3f8ff;border-left:4px solid #3b7dd8;
padding:.6em 1em}.meta{color:#666;font-size:.8em}img{max-width:100%}
"""


# -- the notebook report ------------------------------------------------------------
ZH_HEADINGS = {
    "1. The question: when should the account push?": "1. 问题：公众号应该几点推送？",
    "The funnel and its definitions": "漏斗与指标定义",
    "Where the account stands: the KPI scorecard": "账号现状：KPI 对照表",
    "The pushes over time": "各次推送",
    "2. Rates by send slot": "2. 各推送时段的比率",
    "The funnel by slot": "各时段漏斗",
    "Raw and shrunk rates, P(best) and expected loss": "原始与收缩估计、最优概率与期望损失",
    "Adjusted rates: controlling for weekday and trend": "调整后比率：控制星期与趋势",
    "Slot by weekday": "时段 × 星期",
    "How opens arrive after a push": "推送后打开数如何累积",
    "A real data set: Facebook posts by hour": "真实数据：按小时的 Facebook 帖子",
    "3. Is the best slot really better? The A/B analysis": "3. 最优时段真的更好吗？A/B 分析",
    "Every test run": "全部检验",
    "How long would a conclusive test take?": "需要多长时间才能得出结论？",
    "Looking every day without fooling yourself": "每天查看而不自欺：序贯监测",
    "4. Bandits: choosing the slot adaptively": "4. 多臂老虎机：自适应选择时段",
    "The advisor: what to push tomorrow": "建议：明天几点推送",
    "Replaying past schedules": "回放历史排期",
    "5. The decision": "5. 决策",
    "Sensitivity: which metric, which model": "敏感性：不同指标与模型",
    "What to run next": "下一步",
}
ZH_COLUMNS = {
    "slot": "推送时段",
    "pushes": "推送次数",
    "delivered": "送达人数",
    "opened": "打开人数",
    "read": "读完人数",
    "clicked": "点击人数",
    "shared": "分享人数",
    "rate": "比率",
    "ci_low": "区间下限",
    "ci_high": "区间上限",
    "rate_shrunk": "收缩估计",
    "shrunk_low": "收缩下限",
    "shrunk_high": "收缩上限",
    "p_best": "最优概率",
    "expected_loss": "期望损失",
    "open_rate": "打开率",
    "read_rate": "阅读率",
    "read_through": "读完率",
    "difference": "差值",
    "p_value": "p 值",
    "p_holm": "Holm 校正 p",
    "p_bh": "BH 校正 p",
    "lift": "提升",
    "reference": "参照时段",
    "title": "标题",
    "column": "栏目",
    "sent_at": "发送时间",
    "push_id": "推送编号",
    "kpi": "指标",
    "definition": "定义",
    "account": "本账号",
    "policy": "策略",
    "check": "检查",
    "status": "状态",
    "detail": "详情",
    "name": "检验",
    "comparison": "比较",
    "estimate": "估计值",
    "p_adjusted": "校正 p",
    "followers": "粉丝数",
    "weekday": "星期",
}


def _inject(notebook, values: dict):
    import nbformat

    lines = [f"{key} = {value!r}" for key, value in values.items()]
    cell = nbformat.v4.new_code_cell("%matplotlib inline\n# Injected by wxtime report\n" + "\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    index = next((i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])), -1)
    notebook.cells.insert(index + 1, cell)
    return notebook


def _translate_headings(notebook) -> None:
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.split("\n")
        for i, line in enumerate(lines):
            stripped = line.lstrip("#").strip()
            if line.startswith("#") and stripped in ZH_HEADINGS:
                lines[i] = line[: len(line) - len(line.lstrip("#"))] + " " + ZH_HEADINGS[stripped]
        cell.source = "\n".join(lines)


def _translate_table_headers(body: str) -> str:
    import re

    def swap(match):
        text = match.group(2)
        return match.group(1) + ZH_COLUMNS.get(text, text) + match.group(3)

    return re.sub(r"(<th[^>]*>)([^<]*)(</th>)", swap, body)


def _notebook_dir() -> Path:
    import os

    env = os.environ.get("WXTIME_NOTEBOOKS")
    candidates = [Path(env)] if env else []
    candidates += [Path(__file__).parent / "_notebooks", Path(__file__).resolve().parents[1] / "notebooks"]
    for candidate in candidates:
        if (candidate / f"{NOTEBOOKS[0]}.ipynb").exists():
            return candidate
    raise FileNotFoundError(
        "wxtime's notebooks were not found; set WXTIME_NOTEBOOKS to the notebooks/ folder"
    )


def execute_notebook(name: str, parameters: dict, *, progress=None, timeout: int = 900):
    """Execute one study notebook with ``parameters`` in a fresh kernel; returns the executed notebook.

    Raises :class:`ReportError` naming the notebook and the cell on failure.
    """
    import shutil
    import subprocess

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = _notebook_dir() / f"{name}.ipynb"
    notebook = _inject(nbformat.read(path, as_version=4), parameters)
    import tempfile

    # Kernels run in a scratch folder: whatever they write never lands in the repository.
    workdir = tempfile.mkdtemp(prefix="wxtime-report-")
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": workdir}}
    )
    # The kernel process's own stderr carries only its start-up log lines (cell output and
    # errors arrive as Jupyter messages), so it is discarded to keep the terminal readable.
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL):
            for index, cell in enumerate(notebook.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    raise ReportError(
                        f"notebook {name}.ipynb, cell {index + 1} (after parameter injection) failed: "
                        f"{exc.ename}: {exc.evalue}"
                    ) from None
                if progress is not None:
                    progress.update(1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return notebook


def build_report(
    file: str | Path | None = None,
    *,
    output: str | Path = "reports/noon_study.html",
    metric: str = "open",
    lang: str = "en",
    seed: int = 0,
    show_code: bool = False,
    quiet: bool = False,
) -> dict:
    """Run the whole study on a push file and write the HTML report and the JSON summary.

    Parameters
    ----------
    file : path, optional
        The push file (default: the shipped replica ``data/noon_study.csv``).
    output : path
        The HTML file; the JSON goes beside it (same name, ``.json``).
    metric : {"open", "read", "read_through"}
    lang : {"en", "zh"}
        Chinese headings, table headers and (when a CJK font is installed)
        plot labels; the prose stays English.
    seed : int
        Seed of everything random in the study (echoed in both files).
    show_code : bool
        Include the notebooks' code cells (hidden by default for readers).
    quiet : bool
        No progress bar.

    Returns
    -------
    dict with ``html``, ``json``, ``verdict`` and ``summary`` (the JSON content).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from tqdm.auto import tqdm

    from .datasets import data_dir
    from .plots import cjk_font
    from .schema import read_pushes

    path = Path(file) if file else data_dir() / "noon_study.csv"
    pushes = read_pushes(path)  # fail fast, with the validator's message, before any kernel starts
    _check_enough(pushes, path)
    summary = _summary(pushes, path, metric, seed)
    parameters = {"DATA": str(path.resolve()), "METRIC": metric, "SEED": seed, "LANG": lang}
    notebooks = [_notebook_dir() / f"{name}.ipynb" for name in NOTEBOOKS]
    total = sum(len(nbformat.read(p, as_version=4).cells) + 1 for p in notebooks)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    sections = []
    with tqdm(total=total, desc="report", unit="cell", disable=quiet) as progress:
        for name in NOTEBOOKS:
            executed = execute_notebook(name, parameters, progress=progress)
            for cell in executed.cells:
                if cell.cell_type == "code":
                    # Library warnings on stderr are noise for a reader; errors already stopped us.
                    cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
                    if "injected-parameters" in cell.metadata.get(
                        "tags", []
                    ) or "parameters" in cell.metadata.get("tags", []):
                        cell.outputs = []
                        cell.metadata.setdefault("transient", {})["remove_source"] = True
            executed.cells = [
                c
                for c in executed.cells
                if not ({"parameters", "injected-parameters"} & set(c.metadata.get("tags", [])))
            ]
            if lang == "zh":
                _translate_headings(executed)
            body, _ = exporter.from_notebook_node(executed)
            if lang == "zh":
                body = _translate_table_headers(body)
            sections.append(f"<section id='{name}'>{body}</section>")
    note = ""
    if lang == "zh" and cjk_font() is None:
        note = (
            "<p class='meta'>No CJK font is installed on the machine that built this report, so plot "
            "labels are in English (install e.g. Debian's fonts-noto-cjk).</p>"
        )
    esc = html.escape
    stamp = (
        f"wxtime {__version__} · data {path.name} (sha256 {summary['data_sha256']}) · seed {seed} · "
        f"metric {metric} · generated {summary['generated_at']}"
    )
    page = "\n".join(
        [
            f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
            f"<title>{esc('wxtime push-time study: ' + path.name)}</title>",
            f"<style>{_CSS}{_NOTEBOOK_CSS}</style>",
            "</head><body>",
            f"<h1>{'推送时间研究' if lang == 'zh' else 'Push-time study'}: {esc(path.name)}</h1>",
            f"<p class='verdict'>{esc(summary['verdict'])}</p>",
            f"<p class='meta'>{esc(stamp)}</p>",
            note,
            *sections,
            "</body></html>",
        ]
    )
    html_path = Path(output)
    json_path = html_path.with_suffix(".json")
    with atomic_write(html_path, "w", encoding="utf-8") as fh:
        fh.write(page)
    with atomic_write(json_path, "w", encoding="utf-8") as fh:
        json.dump(json_ready(summary), fh, ensure_ascii=False, indent=2, allow_nan=False)
    return {"html": html_path, "json": json_path, "verdict": summary["verdict"], "summary": summary}


_NOTEBOOK_CSS = """
.jp-Cell{margin:.4em 0}
.jp-OutputArea-output pre{background:#f8f8f8;padding:.5em;overflow-x:auto;font-size:.8em}
.jp-RenderedHTMLCommon table,.dataframe{border-collapse:collapse;font-size:.8em;margin:.5em 0}
.dataframe th,.dataframe td{padding:.2em .5em;border-bottom:1px solid #eee;text-align:right}
.dataframe thead th{background:#f6f6f6}.jp-InputArea pre{background:#f4f6fb;padding:.5em;font-size:.8em}
section{border-top:2px solid #3b7dd8;margin-top:2em}
"""


def _check_enough(pushes: pd.DataFrame, path: Path) -> None:
    """A study compares slots from push-to-push variation: refuse, naming the file, data that cannot."""
    from .schema import Problem, PushDataError

    slots = sorted(pushes["slot"].unique())
    if pushes.attrs.get("level") == "slot":
        problem = (
            "has one row per slot, not per push: the study needs push-to-push variation "
            "(`wxtime analyze` gives a descriptive comparison of slot totals)"
        )
    elif len(slots) < 2:
        problem = f"has pushes in one slot only ({slots[0]}): a study compares send slots"
    elif len(pushes) <= len(slots):
        problem = (
            f"has {len(pushes)} pushes in {len(slots)} slots: push-to-push variation needs "
            "more pushes than slots (at least two in some slot)"
        )
    else:
        return
    raise PushDataError(str(path), [Problem(None, "slot", problem)], line_offset=None)


def _summary(pushes: pd.DataFrame, path: Path, metric: str, seed: int) -> dict:
    results = study_results(pushes, metric=metric, seed=seed)
    rates = results["rates"]
    decision, verdict = _verdict(results)
    best_slot = results["ab"].best_slot if "ab" in results else rates.best_slot
    if "ab" in results:
        posterior = results["ab"].bayes.set_index("slot").loc[best_slot]
    else:
        posterior = rates.summary.set_index("slot").loc[best_slot]
    return {
        "best_slot": best_slot,
        "metric": metric,
        "decision": decision,
        "p_best": float(posterior["p_best"]),
        "expected_loss": float(posterior["expected_loss"]),
        "verdict": verdict,
        "design": results["ab"].design if "ab" in results else "slot-level",
        "slots": rates.to_dict()["slots"],
        "tests": results["ab"].to_dict()["tests"] if "ab" in results else [],
        "data": str(path),
        "data_sha256": file_sha256(path),
        "seed": seed,
        "wxtime_version": __version__,
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
