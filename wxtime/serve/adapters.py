"""The web app's only contact with the analysis: thin adapters over public wxtime functions.

Everything the pages show comes from the functions the command line uses
(:func:`wxtime.io.read`, :func:`wxtime.decision.decide`,
:func:`wxtime.report.render_report`, :class:`wxtime.nextstep.NextStep`); the few
places where the web app needs them shaped differently are here, each in one
function, so that when the analysis changes one line changes:

* :func:`decide_for`: the decision, for the account type the operator chose;
* :func:`schedule_downloads`: the next step's schedule as CSV and .ics, exactly as
  ``wxtime plan -o ... --ics ...`` writes them (:class:`wxtime.nextstep.NextStep`);
* :func:`header_mapping`: which header of each file became which column (the reader's own
  :func:`~wxtime.io.headers.map_headers`, re-run on the headers, since the load summary
  does not record the mapping);
* :func:`with_user_names`: the table as if read from the operator's file names (uploads are
  stored under names the server chose).

Nothing here imports the web framework.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ACCOUNT_TYPES",
    "REQUIRED",
    "Download",
    "available_metrics",
    "decide_for",
    "decision_json",
    "header_mapping",
    "missing_columns",
    "report_page",
    "schedule_downloads",
    "user_words",
    "what_was_read",
    "with_user_names",
]

#: What an account can run (DOMAIN: a subscription account pushes once a day, a service
#: account four times a month), in the order the form offers them.
ACCOUNT_TYPES = ("subscription", "service")

#: The columns the reader cannot do without, and the columns that can stand for each in the
#: mapping form: a send time is a date-time, or a date and a slot, or a slot alone.
REQUIRED = {
    "delivered": ("delivered",),
    "opened": ("opened",),
    "sent_at": ("sent_at", "send_date", "slot"),
}


@dataclass(frozen=True)
class Download:
    """A file the result page offers: its name, its bytes and its media type."""

    filename: str
    body: bytes
    media_type: str


def decide_for(table, metric: str, *, account: str = "subscription", seed: int = 0):
    """The decision for ``table``, exactly as ``wxtime report`` makes it, for the operator's
    ``account`` type (``"subscription"`` or ``"service"``).

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> decide_for(load_noon_study(), "open", account="service").best_slot
    '12:00'
    """
    from ..decision import decide
    from ..errors import InputError

    if account not in ACCOUNT_TYPES:
        raise InputError(f"account must be one of {', '.join(ACCOUNT_TYPES)}, not {account!r}")
    return decide(table, metric, seed=seed, account=account)


def schedule_downloads(decision, lang: str = "en") -> dict[str, Download]:
    """The next step's schedule as ``{"csv": Download, "ics": Download}`` (empty when none), in
    ``lang``: what ``wxtime plan -o ... --ics ...`` writes for the same decision.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> files = schedule_downloads(decide_for(load_noon_study(), "open"))
    >>> sorted(files), files["ics"].body.startswith(b"BEGIN:VCALENDAR")
    (['csv', 'ics'], True)
    """
    step = decision.next_step
    if step is None or not len(step.schedule):
        return {}
    from ..i18n import t

    stem = t("step.file", lang)  # the page's own download names, in its language
    return {
        "csv": Download(f"{stem}.csv", step.to_csv(lang).encode("utf-8"), "text/csv; charset=utf-8"),
        "ics": Download(f"{stem}.ics", step.to_ics(lang), "text/calendar; charset=utf-8"),
    }


def decision_json(decision) -> bytes:
    """The decision as ``wxtime report`` writes its JSON beside the page."""
    from .._display import json_ready

    text = json.dumps(json_ready(decision.to_dict()), ensure_ascii=False, indent=2, allow_nan=False)
    return text.encode("utf-8")


def report_page(decision, table, *, lang: str, sample: bool) -> str:
    """The decision page, rendered as :func:`wxtime.report.build_report` renders it."""
    from ..report import render_report

    files_read = table.load.get("files") or []
    data_hash = files_read[0]["sha256"] if len(files_read) == 1 else ""
    name = Path(table.source).name if len(files_read) <= 1 else table.source
    return render_report(
        decision, table, lang=lang, curves=table.curves, source_name=name, data_hash=data_hash, sample=sample
    )


def available_metrics(table) -> list[str]:
    """The metrics of :data:`wxtime.counts.METRICS` whose columns the table has.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> available_metrics(load_noon_study())
    ['open', 'read', 'read_through', 'click', 'share']
    """
    from ..counts import METRICS

    columns = set(table.frame.columns)
    return [m for m, (successes, trials, _) in METRICS.items() if {successes, trials} <= columns]


# -- names ----------------------------------------------------------------------------
def user_words(text: str, names: dict[str, str]) -> str:
    """``text`` with every stored path (and stored file name) replaced by the name the
    operator's file had, so messages read as the command line's do on the operator's file.

    Examples
    --------
    >>> user_words("/tmp/x/f1-ab12.csv: row 2, column 'opened': is not a number",
    ...            {"/tmp/x/f1-ab12.csv": "六月.csv"})
    "六月.csv: row 2, column 'opened': is not a number"
    >>> stored = {"/tmp/x/f1-ab12.csv": "a.csv", "/tmp/x/f2-cd34.csv": "b.csv"}
    >>> user_words("f1-ab12.csv + f2-cd34.csv", stored)
    'a.csv + b.csv'
    """
    for stored, shown in sorted(names.items(), key=lambda item: -len(item[0])):
        text = text.replace(stored, shown)
    for stored, shown in names.items():
        text = text.replace(Path(stored).name, shown)
    return text


def _scrub(value, names: dict[str, str]):
    if isinstance(value, str):
        return user_words(value, names)
    if isinstance(value, dict):
        return {_scrub(k, names): _scrub(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v, names) for v in value)
    return value


def with_user_names(table, names: dict[str, str]):
    """The push table with its source and load summary naming the operator's files, not the
    server's stored copies (the decision, its JSON and the page all read them from here)."""
    return dataclasses.replace(
        table, source=user_words(table.source, names), load=_scrub(dict(table.load), names)
    )


# -- what was read ---------------------------------------------------------------------
def header_mapping(paths, columns: dict | None = None) -> list[dict]:
    """Per push file: ``{"file", "header", "column"}`` for every header, ``column`` None
    for a header wxtime keeps but does not use.

    The reader's own header matching (:func:`~wxtime.io.headers.map_headers`, with the
    已通知内容 export's additions) on each push table's headers; files that are not push
    tables (payloads, hourly reads, send logs) have fixed fields and are left out.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = path.write_text("日期,时段,送达人数,Opens now\\n2024-06-03,12:00,100,7\\n")
    >>> [(m["header"], m["column"]) for m in header_mapping([path], {"opened": "Opens now"})]
    [('日期', 'send_date'), ('时段', 'slot'), ('送达人数', 'delivered'), ('Opens now', 'opened')]
    """
    from ..errors import PushDataError
    from ..io.exports import classify, notified_columns
    from ..io.files import load_json, read_table, sniff
    from ..io.headers import map_headers
    from ..io.payloads import is_payload

    rows = []
    for path in map(Path, paths):
        try:
            if sniff(path) == "json" and (is_payload(data := load_json(path)) or not isinstance(data, list)):
                continue
            table = read_table(path)
            what = classify(table)
            if what not in ("pushes", "notified"):
                continue
            headers, mapping = [str(h) for h in table.frame.columns], dict(columns or {})
            if what == "notified":
                extra, mapping, _ = notified_columns(table, mapping)
                headers += [str(h) for h in extra.columns if h not in ("push_key", "position")]
            matched, _ = map_headers(headers, mapping, table.source)
        except PushDataError:
            continue  # the reader read it, so this is a header it settled another way
        rows += [{"file": str(path), "header": h, "column": matched.get(h)} for h in headers]
    return rows


def missing_columns(error) -> list[str]:
    """The required columns a :class:`~wxtime.errors.PushDataError` says the file lacks
    (``delivered``, ``opened``, ``sent_at``), in that order; empty for any other problem."""
    named = {p.column for p in error.problems if p.kind == "missing_column" and p.column in REQUIRED}
    return [c for c in REQUIRED if c in named]


def what_was_read(table, mapping: list[dict]) -> dict:
    """What reading found, for the page: the keys ``wxtime validate --json`` prints, plus the
    header mapping and each file's kind."""
    load = table.load
    return {
        "source": table.source,
        "pushes": load.get("pushes", len(table.frame)),
        "level": table.level,
        "first": (load.get("first") or "")[:16].replace("T", " ") or None,
        "last": (load.get("last") or "")[:16].replace("T", " ") or None,
        "slot_pushes": load.get("slot_pushes", {}),
        "time_sources": load.get("time_sources", {}),
        "skipped": load.get("skipped", {}),
        "notes": load.get("notes", []),
        "articles_grouped": load.get("articles_grouped", 0),
        "positions": load.get("positions", "headline"),
        "age_hours": load.get("age_hours"),
        "files": [{"file": Path(f["file"]).name, "kind": f["kind"]} for f in load.get("files", [])],
        "mapping": mapping,
        "metrics": available_metrics(table),
        "preview": preview(table),
    }


PREVIEW_COLUMNS = ("sent_at", "slot", "delivered", "opened", "read", "group", "title")


def preview(table, rows: int = 5) -> dict:
    """The first pushes as read, as text: ``{"columns": [...], "rows": [[...], ...]}``.

    Examples
    --------
    >>> from wxtime.datasets import load_noon_study
    >>> first = preview(load_noon_study(), rows=1)
    >>> first["columns"]
    ['sent_at', 'slot', 'delivered', 'opened', 'read', 'title']
    >>> first["rows"]
    [['2024-06-03 07:32', '07:30', '2869', '117', '71', '简历 · 第1期']]
    """
    frame = table.frame
    columns = [c for c in PREVIEW_COLUMNS if c in frame.columns]
    head = frame[columns].head(rows)
    shown = []
    for record in head.itertuples(index=False):
        cells = []
        for column, value in zip(columns, record):
            if column == "sent_at" and hasattr(value, "strftime"):
                cells.append(value.strftime("%Y-%m-%d %H:%M"))
            elif value is None or value != value:
                cells.append("—")
            else:
                cells.append(
                    str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
                )
        shown.append(cells)
    return {"columns": columns, "rows": shown}
