"""Reports: the study's results as one self-contained HTML file and one JSON file.

The report presents; it computes nothing a function in :mod:`wxtime.rates`
(and the analysis modules) does not already return. Every string that comes
from the data (slot names, titles, column names) is HTML-escaped. Files are
written atomically: a failure leaves no partial report.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._io import atomic_write, file_sha256

__all__ = ["figure_to_img", "html_table", "run_study", "study_results"]


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


def figure_to_img(fig, alt: str = "") -> str:
    """Embed a matplotlib figure as a base64 PNG ``<img>`` (no external file, works offline)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/>'


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


def render_html(pushes: pd.DataFrame, results: dict, meta: dict, lang: str = "en") -> str:
    """The study report as an HTML string (self-contained: inline CSS, embedded PNGs)."""
    import matplotlib

    matplotlib.use("Agg")
    from .plots import plot_funnel, plot_p_best, plot_rates

    rates = results["rates"]
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{esc(meta['title'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(meta['title'])}</h1>",
        f"<p class='verdict'>{esc(meta['verdict'])}</p>",
        "<p class='meta'>"
        + esc(
            f"wxtime {meta['wxtime_version']} · data {meta['data']} (sha256 {meta['data_sha256'][:16]}…) · "
            f"seed {meta['seed']} · generated {meta['generated_at']}"
        )
        + "</p>",
        "<h2>Rates by send slot</h2>",
        f"<p>{esc(rates.note)}. Shrunk rates are empirical-Bayes estimates on overdispersion-"
        "adjusted counts; P(best) and expected loss come from their posteriors.</p>",
        figure_to_img(plot_rates(rates, lang=lang).figure, alt="rates by slot"),
        html_table(rates.summary.drop(columns=["slot_hour"])),
        figure_to_img(plot_p_best(rates, lang=lang).figure, alt="P(best) by slot"),
        "<h2>Funnel by slot</h2>",
        figure_to_img(plot_funnel(results["funnel"], lang=lang).figure, alt="funnel by slot"),
        html_table(results["funnel"]),
    ]
    if "ab" in results:
        ab = results["ab"]
        parts += [
            "<h2>Is the best slot really better? (A/B analysis)</h2>",
            f"<p>Design detected: <b>{esc(ab.design)}</b>. {esc(ab.verdict)}</p>",
            figure_to_img(ab.plot(lang=lang).figure, alt="differences from the best slot"),
            html_table(ab.summary),
            "<p>Every test run (recommended ones first; the reader-level z-test is shown to make the point "
            "that it is invalid for a rotation):</p>",
            html_table(ab.tests),
            "<p>Health checks:</p>",
            html_table(ab.health),
        ]
    if "model" in results:
        model = results["model"]
        parts += [
            "<h2>Adjusted rates (rate model)</h2>",
            f"<p>Quasi-binomial GLM with slot, controls: {esc(', '.join(model.controls) or 'none')}; "
            f"dispersion {model.dispersion_:.1f}. Rates standardised over the observed pushes.</p>",
            html_table(model.adjusted_rates_),
        ]
    parts += [
        "<h2>KPI scorecard</h2>",
        "<p>The account beside the 2013 yardstick and 2019 typical levels.</p>",
        html_table(results["scorecard"]),
        "</body></html>",
    ]
    return "\n".join(parts)


def run_study(
    file: str | Path | None = None,
    *,
    output: str | Path = "reports/noon_study.html",
    metric: str = "open",
    lang: str = "en",
    seed: int = 0,
) -> dict:
    """Run the study on a push file (default: the shipped replica) and write HTML + JSON.

    Returns a dict with the written paths (``html``, ``json``) and the
    ``verdict`` sentence.
    """
    from .datasets import data_dir
    from .schema import read_pushes

    path = Path(file) if file else data_dir() / "noon_study.csv"
    pushes = read_pushes(path)
    results = study_results(pushes, metric=metric, seed=seed)
    rates = results["rates"]
    decision, verdict = _verdict(results)
    best_slot = results["ab"].best_slot if "ab" in results else rates.best_slot
    best = rates.summary.set_index("slot").loc[best_slot]
    meta = {
        "title": "wxtime push-time study",
        "verdict": verdict,
        "wxtime_version": __version__,
        "data": path.name,
        "data_sha256": file_sha256(path),
        "seed": seed,
        "generated_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    html_text = render_html(pushes, results, meta, lang=lang)
    summary = {
        "best_slot": best_slot,
        "metric": metric,
        "decision": decision,
        "p_best": float(best["p_best"]),
        "expected_loss": float(best["expected_loss"]),
        "verdict": verdict,
        "slots": rates.to_dict()["slots"],
        "design": results["ab"].design if "ab" in results else "slot-level",
        "tests": results["ab"].to_dict()["tests"] if "ab" in results else [],
        "data": str(path),
        "data_sha256": meta["data_sha256"],
        "seed": seed,
        "wxtime_version": __version__,
    }
    html_path = Path(output)
    json_path = html_path.with_suffix(".json")
    with atomic_write(html_path, "w", encoding="utf-8") as fh:
        fh.write(html_text)
    with atomic_write(json_path, "w", encoding="utf-8") as fh:
        json.dump(summary, fh, ensure_ascii=False, indent=2, default=_json_default)
    return {"html": html_path, "json": json_path, "verdict": verdict, "summary": summary}


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
