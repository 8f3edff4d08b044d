"""The decision page: one self-contained HTML file an operations team can share, plus its JSON.

:func:`build_report` reads a push file, makes the one decision
(:func:`wxtime.decision.decide`) and renders it with a template
(``wxtime/templates/report.html.j2``): first, in plain words, what to do
(push at a slot, keep testing with a concrete schedule, or not enough data
yet), each slot's chance to be best, the lift over the runner-up and what it
rests on; then the evidence, each section only where the data support it;
then an appendix for analysts. Every number on the page is formatted from the
one :class:`~wxtime.decision.Decision`, so it is the same everywhere, and the
JSON beside the page is exactly ``wxtime analyze --json`` on the same file.
Every word comes from the message catalogue (:mod:`wxtime.i18n`), in English
or Chinese. Charts are inline SVG (text drawn as paths: no font needed to view
them); the schedule downloads as CSV and .ics from the page itself. Files are
written together and atomically. The analyst's notebooks are
:mod:`wxtime.notebooks`.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from ._display import json_ready
from .i18n import metric_label, percent, pp, t
from .io.files import atomic_write_many
from .io.table import as_frame

__all__ = ["build_report", "render_report"]

TEMPLATE = "report.html.j2"


# -- formatting ------------------------------------------------------------------------
def _p(value) -> str:
    """A p-value as readers want it: ``< 0.001`` or three significant digits, a dash if missing."""
    if value is None or not np.isfinite(value):
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3g}"


def _count(value) -> str:
    return (
        "—" if value is None or (isinstance(value, float) and not np.isfinite(value)) else f"{int(value):,}"
    )


def _interval(low, high, digits=1) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "—"
    return f"{percent(low, digits)} – {percent(high, digits)}"


def _table(header: list[str], rows: list[list[str]], text_columns: tuple = ()) -> str:
    """An HTML table from already formatted cells (escaped here), no index."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for j, cell in enumerate(row):
            css = ' class="text"' if j in text_columns else ""
            cells.append(f"<td{css}>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _esc(value) -> str:
    return html.escape(str(value))


def _svg(figure) -> str:
    """A matplotlib figure as inline SVG (text as paths, so it needs no font to be seen)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(width=6.0, height=3.4):
    """A figure sized for a phone as much as a desktop: narrow, with large type."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 11, "axes.titlesize": 11, "legend.fontsize": 9})
    return plt.subplots(figsize=(width, height))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- sections ------------------------------------------------------------------------
def _slots_table(decision, lang) -> str:
    level = percent(decision.level, 0)
    header = [
        t("slot", lang),
        t("pushes", lang),
        t("pooled_rate", lang),
        f"{t('rate', lang)} ({t('interval', lang, level=level)})",
        f"{t('rate_shrunk', lang)} ({t('interval', lang, level=level)})",
        t("p_best", lang),
        t("expected_loss", lang),
    ]

    def with_interval(value, low, high):
        return f"{percent(value, 2)} ({_interval(low, high, 1)})" if np.isfinite(value) else "—"

    rows = []
    for r in decision.slots.itertuples():
        rows.append(
            [
                _esc(r.slot),
                _count(r.pushes),
                percent(r.pooled_rate, 2),
                with_interval(r.rate, r.ci_low, r.ci_high),
                with_interval(r.rate_shrunk, r.shrunk_low, r.shrunk_high),
                "—" if not np.isfinite(r.p_best) else f"{100 * r.p_best:.0f}%",
                pp(r.expected_loss, 2, lang),
            ]
        )
    return _table(header, rows)


def _funnel_table(pushes, lang) -> str:
    from .rates import funnel_table

    funnel = funnel_table(pushes)
    counts = [c for c in ("delivered", "opened", "read", "clicked", "shared") if c in funnel.columns]
    rates = [c for c in ("open_rate", "read_rate", "read_through") if c in funnel.columns]
    metric_of = {"open_rate": "open", "read_rate": "read", "read_through": "read_through"}
    header = [t("slot", lang), t("pushes", lang)] + [t(c, lang) for c in counts]
    header += [metric_label(metric_of[c], lang) for c in rates]
    rows = [
        [_esc(r["slot"]), _count(r["pushes"])]
        + [_count(r[c]) for c in counts]
        + [percent(r[c], 2) for c in rates]
        for _, r in funnel.iterrows()
    ]
    return _table(header, rows)


def _health_table(decision, lang) -> str:
    if not len(decision.health):
        return ""
    header = [t("report.col.check", lang), t("report.col.result", lang), t("report.col.meaning", lang)]
    rows = []
    for r in decision.health.itertuples():
        values = r.values if isinstance(r.values, dict) else {}
        detail = t(f"check.{r.check}.detail", lang, **values)
        meaning = t(f"check.{r.check}.{r.variant}", lang)
        status = f'<span class="check-{r.status}">{_esc(t(f"report.check.{r.status}", lang))}</span>'
        rows.append([_esc(t(f"check.{r.check}.name", lang)), status, _esc(f"{meaning} ({detail})")])
    return _table(header, rows, text_columns=(2,))


def _test_name(name: str, lang: str) -> str:
    for prefix in ("permutation_welch", "permutation_f", "wald_f", "anova_f", "welch_f", "permutation", "t"):
        if name.startswith(prefix + "_over_"):
            unit = name.split("_over_")[1]
            unit = {"pushes": "push", "stretches": "stretch", "days": "day"}.get(unit, unit)
            return t(f"test.{prefix}", lang, unit=t(f"unit_name.{unit}", lang))
    return t(f"test.{name}", lang)


def frame_of_tests(decision, lang: str = "en") -> pd.DataFrame:
    """The decision's tests as people read them, in ``lang``: test, comparison, estimate,
    interval, p and Holm-adjusted p as text (the page's table, and the CLI's)."""
    header = [
        t("report.col.test", lang),
        t("report.col.comparison", lang),
        t("report.col.estimate", lang),
        t("ci", lang),
        t("report.col.p", lang),
        t("report.col.p_holm", lang),
    ]
    rows = []
    for r in decision.tests.itertuples():
        difference = np.isfinite(r.ci_low)
        is_ratio = r.name == "cmh_odds_ratio"
        estimate = f"{r.estimate:.3g}" if is_ratio or not difference else pp(r.estimate, 2, lang)
        interval = (
            f"{r.ci_low:.3g} – {r.ci_high:.3g}"
            if is_ratio
            else (f"{pp(r.ci_low, 2, lang)} – {pp(r.ci_high, 2, lang)}" if difference else "—")
        )
        comparison = t("report.all_slots_equal", lang) if r.comparison == "all slots equal" else r.comparison
        rows.append(
            [_test_name(r.name, lang), comparison, estimate, interval, _p(r.p_value), _p(r.p_adjusted)]
        )
    return pd.DataFrame(rows, columns=header)


def health_lines(decision, lang: str = "en") -> list:
    """One sentence per health check that is not ok, in ``lang`` (what the CLI prints)."""
    lines = []
    for r in decision.health.itertuples():
        if r.status == "ok":
            continue
        values = r.values if isinstance(r.values, dict) else {}
        lines.append(
            t(
                "cli.check",
                lang,
                name=t(f"check.{r.check}.name", lang),
                status=t(f"report.check.{r.status}", lang),
                detail=t(f"check.{r.check}.detail", lang, **values),
                meaning=t(f"check.{r.check}.{r.variant}", lang),
            )
        )
    return lines


def _tests_table(decision, lang) -> str:
    if not len(decision.tests):
        return ""
    frame = frame_of_tests(decision, lang)
    rows = [[_esc(v) if i < 4 else v for i, v in enumerate(row)] for row in frame.itertuples(index=False)]
    return _table(list(frame.columns), rows, text_columns=(0,))


def _metrics_table(pushes, decision, lang, seed) -> str:
    from .counts import METRICS
    from .decision import decide

    frame = as_frame(pushes)
    available = [
        m
        for m in ("open", "read", "read_through", "click", "share")
        if set(METRICS[m][:2]) <= set(frame.columns)
    ]
    if len(available) < 2:
        return ""
    rows = []
    for metric in available:
        d = (
            decision
            if metric == decision.metric
            else decide(pushes, metric, seed=seed, plan=False, n_permutations=0, bayes_draws=4000)
        )
        rows.append(
            [
                _esc(metric_label(metric, lang)),
                _esc(d.best_slot),
                "—" if not d.available else f"{100 * d.p_best:.0f}%",
                _esc(t(f"status.{d.decision}", lang)),
            ]
        )
    header = [
        t("report.col.metric", lang),
        t("report.col.best", lang),
        t("p_best", lang),
        t("report.col.decision", lang),
    ]
    return _table(header, rows)


SCHEDULE_FIRST_DAYS = 14  # shown on the first screen; the rest fold away


def _beijing(stamp: str, lang: str) -> str:
    """A ``YYYY-MM-DD HH:MM UTC`` stamp in Beijing time, as the operator's calendar reads it.

    Examples
    --------
    >>> _beijing("2026-12-03 23:38 UTC", "zh")
    '2026-12-04 07:38（北京时间）'
    """
    try:
        when = pd.Timestamp(stamp.removesuffix(" UTC"), tz="UTC").tz_convert("Asia/Shanghai")
    except ValueError:
        return stamp
    return when.strftime("%Y-%m-%d %H:%M") + t("report.beijing_time", lang)


def _weekend_text(d, lang: str) -> str:
    """One sentence on whether weekends rank the slots differently (under the weekday map)."""
    check = d.weekend
    if check is None:
        return t("report.weekend.none", lang) if d.result is not None else ""
    step = d.next_step
    used = step is not None and step.weekend_choice is not None
    if used:
        variant = "used"
    elif not check["differs"]:
        variant = "same"
    else:  # the ranking differs, but either not at the top or not by enough to act on
        variant = "same_best" if check["weekday_best"] == check["weekend_best"] else "differs"
    return t(
        f"report.weekend.{variant}",
        lang,
        p=f"{check['p']:.2g}",
        weekday=check["weekday_best"],
        weekend=check["weekend_best"],
    )


def _schedule(decision, lang) -> tuple[str, str, str, str]:
    """The next step's schedule as HTML (the first two weeks, then the rest folded away), and
    its CSV and .ics (the same files ``wxtime plan`` writes) as data URIs."""
    step = decision.next_step
    if step is None or not len(step.schedule):
        return "", "", "", ""
    group_word = t("report.col.group", lang)
    explore = t("step.role.explore", lang)
    rows = []
    for date, day in step.schedule.groupby("date", sort=True):
        if "group" in day.columns:
            slots = " · ".join(
                f"{group_word} {_esc(g)} <b>{_esc(s)}</b>" for g, s in zip(day["group"], day["slot"])
            )
        else:
            slots = " · ".join(
                f"<b>{_esc(s)}</b>"
                + (f" <span class='explore'>{_esc(explore)}</span>" if r == "explore" else "")
                for s, r in zip(day["slot"], day["role"])
            )
        weekday = t(f"weekday.{int(day['weekday'].iloc[0])}", lang)
        rows.append([_esc(date), _esc(weekday), slots])
    header = [t("report.col.date", lang), t("weekday", lang), t("slot", lang)]
    first = _table(header, rows[:SCHEDULE_FIRST_DAYS])
    rest = ""
    if len(rows) > SCHEDULE_FIRST_DAYS:
        rest = (
            f"<details><summary>{_esc(t('report.all_days', lang, n=len(rows)))}</summary>"
            f"<div class='scroll'>{_table(header, rows)}</div></details>"
        )
    csv_href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(step.to_csv(lang).encode()).decode()
    ics_href = "data:text/calendar;charset=utf-8;base64," + base64.b64encode(step.to_ics(lang)).decode()
    return first, rest, csv_href, ics_href


def _figures(decision, pushes, curves, lang) -> dict:
    from . import plots
    from .rates import rates_by_weekday, read_curves

    pushes = as_frame(pushes)
    figures = {}
    fig, ax = _figure()
    plots.plot_decision(decision, ax=ax, lang=lang)
    figures["rates"] = _svg(fig)
    if (
        "sent_at" in pushes.columns
        and pushes["sent_at"].dt.day_of_week.nunique() >= 3
        and len(decision.slots) > 1
    ):
        fig, ax = _figure(7.0, 3.2)
        plots.plot_heatmap(rates_by_weekday(pushes, decision.metric), ax=ax, lang=lang)
        figures["weekday"] = _svg(fig)
    if curves is not None and len(curves):
        fig, ax = _figure(7.0, 3.4)
        plots.plot_read_curves(read_curves(curves, pushes), ax=ax, lang=lang)
        figures["curves"] = _svg(fig)
    return figures


# -- the page ---------------------------------------------------------------------------
def render_report(
    decision,
    pushes,
    *,
    lang: str = "en",
    curves: pd.DataFrame | None = None,
    source_name: str = "",
    data_hash: str = "",
    sample: bool = False,
) -> str:
    """The HTML page for ``decision`` (made from ``pushes``), in ``lang``."""
    import jinja2

    from .plots import cjk_font, resolve_lang

    plot_lang = resolve_lang(lang) if lang == "zh" else lang
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("wxtime", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    d = decision
    data = d.data
    rival = d.runner_up
    chance = []
    if d.available:
        for r in d.slots.sort_values("p_best", ascending=False).itertuples():
            chance.append(
                {
                    "slot": r.slot,
                    "width": f"{100 * r.p_best:.1f}",
                    "text": f"{100 * r.p_best:.0f}%" if r.p_best >= 0.005 else "<1%",
                    "best": r.slot == d.best_slot,
                }
            )
    lift_text = ""
    lift = d.lift
    if rival is not None and np.isfinite(lift["mean"]) and np.isfinite(lift["low"]):
        lift_text = t(
            "report.lift",
            lang,
            best=d.best_slot,
            rival=rival,
            lift=percent(lift["mean"], 1),
            level=percent(d.level, 0),
            low=percent(lift["low"], 1),
            high=percent(lift["high"], 1),
        )
    metric = metric_label(d.metric, lang)
    definition = t(f"metric_def.{d.metric}", lang)
    if data.get("first"):
        rests_on = t(
            "report.rests_on",
            lang,
            pushes=data["pushes"],
            days=data["days"],
            first=data["first"],
            last=data["last"],
            slots=len(data["slots"]),
            metric=metric,
            definition=definition,
        )
    else:
        rests_on = t(
            "report.rests_on_short",
            lang,
            pushes=data["pushes"],
            slots=len(data["slots"]),
            metric=metric,
            definition=definition,
        )
    skipped = ""
    if data.get("skipped"):
        skipped = t(
            "report.skipped", lang, what="; ".join(f"{n} ({reason})" for reason, n in data["skipped"].items())
        )
    step = d.next_step
    schedule, schedule_rest, csv_href, ics_href = _schedule(d, lang)
    next_text = step.explain(lang) if step is not None else ""
    weekend_text = _weekend_text(d, lang)
    model_text, design_text = "", t(f"design.{d.design}", lang)
    if d.result is not None:
        model = d.result.model
        unit = t(f"report.unit.{d.unit_kind}", lang)
        design_text = t(
            "report.design_text",
            lang,
            design=t(f"design.{d.design}", lang),
            unit=unit,
            n=model.counts.n_units,
            why=t(f"report.why.{d.unit_kind}{'_cyclic' if _cyclic(d) else ''}", lang),
        )
        model_text = t(
            "report.model_text",
            lang,
            unit=unit,
            n=model.counts.n_units,
            df=f"{model.df:g}",
            variance=t(f"report.variance.{model.variance_model}", lang),
            seed=d.seed,
            alpha=f"{d.alpha:g}",
        )
    age_note = ""
    if data.get("age_hours"):
        young = data.get("skipped", {})
        n_young = sum(n for reason, n in young.items() if "young" in reason)
        age_note = t("report.age_note", lang, age=f"{data['age_hours']:g}", young=n_young)
    stamp = t(
        "report.stamp",
        lang,
        version=__version__,
        file=source_name,
        hash=data_hash[:12] or "—",
        seed=d.seed,
        when=_beijing(d.generated_at, lang),
    )
    context = {
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "title": t("report.title", lang, source=source_name or data.get("source") or ""),
        "sample_note": t("report.sample", lang) if sample else "",
        "decision": d,
        "headline": d.headline(lang),
        "status": t(f"status.{step.kind if step is not None else d.decision}", lang),
        "verdict": d.test_sentence(lang),
        "lift_text": lift_text,
        "chance_bars": chance,
        "no_chance": t("report.no_chance", lang, why=d._why(lang)) if not d.available else "",
        "rests_on": rests_on,
        "skipped": skipped,
        "next_text": next_text,
        "weekend_text": weekend_text,
        "schedule": schedule,
        "schedule_rest": schedule_rest,
        "csv_href": csv_href,
        "ics_href": ics_href,
        "csv_name": t("step.file", lang) + ".csv",
        "ics_name": t("step.file", lang) + ".ics",
        "rates_heading": _sentence(t("report.rates", lang, metric=metric)),
        "rates_note": t(
            "report.rates_note",
            lang,
            unit=t(f"report.unit.{d.unit_kind}", lang)
            if d.unit_kind in ("push", "stretch", "day")
            else t("report.unit.push", lang),
            level=percent(d.level, 0),
        ),
        "figures": _figures(d, pushes, curves, plot_lang),
        "tables": {
            "slots": _slots_table(d, lang),
            "funnel": _funnel_table(pushes, lang),
            "health": _health_table(d, lang),
            "metrics": _metrics_table(pushes, d, lang, d.seed),
            "tests": _tests_table(d, lang),
        },
        "age_note": age_note,
        "design_text": design_text,
        "model_text": model_text,
        "no_cjk": t("report.no_cjk", lang) if lang == "zh" and cjk_font() is None else "",
        "stamp": stamp,
        "t": lambda key, **values: t(key, lang, **values),
    }
    return env.get_template(TEMPLATE).render(**context)


def _xlsx_bytes(decision, lang: str = "en") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        decision.slots.to_excel(writer, sheet_name="slots", index=False)
        if len(decision.comparisons):
            decision.comparisons.to_excel(writer, sheet_name="comparisons", index=False)
        if len(decision.tests):
            decision.tests.to_excel(writer, sheet_name="tests", index=False)
        decision.health.drop(columns=["values"], errors="ignore").to_excel(
            writer, sheet_name="checks", index=False
        )
        if decision.next_step is not None:
            decision.next_step.schedule_table(lang).to_excel(writer, sheet_name="schedule", index=False)
    return buffer.getvalue()


def _cyclic(d) -> bool:
    """A daily rotation in a fixed order (not drawn at random)."""
    return bool(d.result is not None and d.design == "randomized" and d.result.model.counts.fixed_order)


def build_report(
    files=None,
    *,
    output: str | Path = "reports/noon_study.html",
    metric: str = "open",
    lang: str = "en",
    seed: int = 0,
    xlsx: str | Path | None = None,
    read_options: dict | None = None,
    step_options: dict | None = None,
) -> dict:
    """Read the data, decide, and write the decision page (HTML), its JSON and optionally an Excel file.

    Parameters
    ----------
    files : path or list of paths, optional
        The data (:func:`wxtime.io.read`: a push table, an export, payloads, with a send
        log or hourly reads); default the shipped replica ``data/noon_study.csv``.
    output : path
        The HTML page; the JSON goes beside it (same name, ``.json``).
    metric : {"open", "read", "read_through", "click", "share"}
    lang : {"en", "zh"}
    seed : int
        Seed of everything random (echoed in both files).
    xlsx : path, optional
        Also write the decision's tables to this Excel workbook (for weekly decks).
    read_options : dict
        Passed to :func:`wxtime.io.read`: columns, send times, stated slots, ...
    step_options : dict
        Passed to :func:`wxtime.decision.decide`: ``account``, ``max_loss``, ``start``,
        ``schedule_days`` (the next step's schedule).

    Returns
    -------
    dict with ``html``, ``json``, ``xlsx`` (paths) and ``decision``.
    """
    from .datasets import load_noon_study
    from .decision import decide
    from .io import read

    if files:
        table = read(files, **(read_options or {}))
        sample = False
    else:
        table, sample = load_noon_study(), True
    decision = decide(table, metric, seed=seed, **(step_options or {}))
    files_read = table.load.get("files") or []
    data_hash = files_read[0]["sha256"] if len(files_read) == 1 else ""
    name = Path(table.source).name if len(files_read) <= 1 else table.source
    page = render_report(
        decision, table, lang=lang, curves=table.curves, source_name=name, data_hash=data_hash, sample=sample
    )
    html_path = Path(output)
    json_path = html_path.with_suffix(".json")
    files_out = {
        html_path: (page, "utf-8"),
        json_path: (
            json.dumps(json_ready(decision.to_dict()), ensure_ascii=False, indent=2, allow_nan=False),
            "utf-8",
        ),
    }
    if xlsx:
        files_out[Path(xlsx)] = _xlsx_bytes(decision, lang)
    atomic_write_many(files_out)
    return {"html": html_path, "json": json_path, "xlsx": Path(xlsx) if xlsx else None, "decision": decision}
