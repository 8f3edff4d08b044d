"""The one reader: whatever files the operator has, in, one push table out.

:func:`read` takes one or several paths (files or folders) and sorts each by what it
holds, not by its name:

================================  =================================================
what                              used as
================================  =================================================
a push table (CSV, Excel, ...)    pushes (:mod:`wxtime.io.validation`)
已通知内容 export (.xlsx, .xls)    pushes: articles folded into their push
datacube push payloads            pushes, each at the same age (:mod:`wxtime.io.payloads`)
getuserreadhour payloads          hourly reads: read curves, and send times
流量分析 hourly export             hourly reads, as above
a send log (times, no counts)     send times (:mod:`wxtime.io.sendtimes`)
================================  =================================================

The CLI, the report, the notebooks and the web page all read through it, with the same
options and the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, PushDataError
from .files import Table, check_encoding, file_sha256, load_json, read_table, sniff
from .payloads import DEFAULT_AGE_HOURS, articles_from_payloads, curves_from_hourly, hourly_from_payloads
from .sendtimes import SendTimes, infer_push_hours, parse_stated_slots, read_send_log
from .table import PushTable, load_summary
from .times import DEFAULT_TZ, check_tz
from .validation import Rows, finish, parse_rows, settle_rows

__all__ = ["read"]

_TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".json"}


def _expand(paths) -> list[Path]:
    """Files to read: each path, or the files of a folder (and of its endpoint subfolders, as
    ``wxtime fetch`` saves them), sorted; hidden files and other kinds in folders are skipped."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in _TABLE_SUFFIXES
                and not p.name.startswith(".")
                and len(p.relative_to(path).parts) <= 2
            )
            if not found:
                raise PushDataError(
                    str(path),
                    [Problem(None, None, "is a folder with no data files in it (.csv, .xlsx, .xls, .json)")],
                )
            files.extend(found)
        else:
            if sniff(path) == "missing":
                raise PushDataError(str(path), [Problem(None, None, "does not exist")])
            if sniff(path) == "empty":
                raise PushDataError(str(path), [Problem(None, None, "is empty")])
            files.append(path)
    return files


def _check_options(tz, encoding, positions, age_hours) -> None:
    check_tz(tz)
    check_encoding(encoding)
    if positions not in ("headline", "all"):
        raise InputError(f"positions must be 'headline' or 'all', not {positions!r}")
    if age_hours is not None and not (np.isfinite(age_hours) and age_hours > 0):
        raise InputError(f"age_hours must be a positive number of hours, not {age_hours!r}")


def _label(files: list[Path], roots) -> str:
    roots = [roots] if isinstance(roots, str | Path) else list(roots)
    if len(roots) == 1:
        return str(roots[0])
    return " + ".join(Path(r).name for r in roots)


def _rows_from_articles(frame: pd.DataFrame, source: str) -> Rows:
    table = Table(frame, source, "payload")
    date = pd.DatetimeIndex(frame["date"])
    return Rows(
        frame=frame.drop(columns=["date", "minutes", "time_source"]),
        table=table,
        date=date,
        minutes=frame["minutes"].to_numpy(float),
        time_source=frame["time_source"].to_numpy(dtype=object),
        kind="payload",
    )


def read(
    paths,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    encoding: str | None = None,
    sep: str | None = None,
    sheet: str | None = None,
    send_times=None,
    slots=None,
    year: int | None = None,
    date_format: str | None = None,
    age_hours: float | None = None,
    slot_freq: str | None = None,
    positions: str = "headline",
    strict_funnel: bool = True,
) -> PushTable:
    """Read what an operator has into one push table.

    Parameters
    ----------
    paths : path or list of paths
        Files or folders: push tables (CSV in any encoding and delimiter, Excel .xlsx/.xls,
        Parquet, JSON records), 已通知内容 exports, datacube payloads (saved responses or
        bare lists), hourly reads (getuserreadhour payloads, the 流量分析 hourly export) and
        send logs, in any mix. Each is recognised by what it holds.
    columns : mapping, optional
        ``{wxtime name: header}`` for headers wxtime does not know (``--columns``).
    tz : str
        Time zone of times written without one.
    encoding, sep, sheet : optional
        Force the text encoding, the CSV delimiter, or the one workbook sheet to read.
    send_times : path, DataFrame or mapping, optional
        A send log (``--send-times``): dates, msgids or titles, and times.
    slots : str or list of str, optional
        Stated slots (``--slot 20:30`` or ``--slot 2024-06-01..2024-06-30=20:30``).
    year : int, optional
        The year of dates written without one (6月3日) when the file's other dates do not
        give it.
    date_format : str, optional
        The order of day and month when a file's dates could be either (``%m/%d/%Y``).
    age_hours : float, optional
        Payloads: compare every push this many hours after it was sent (default 48).
    slot_freq : str, optional
        Force the slot grid (``"30min"``); by default slots are the schedules behind the
        send times (07:29:40 is 07:30).
    positions : {"headline", "all"}
        A push of several articles counts its headline (default) or all articles summed.
    strict_funnel : bool
        Require ``read <= opened``; False when 'read' counts all reads.

    Returns
    -------
    PushTable

    Raises
    ------
    PushDataError
        Naming the file, the row (or JSON path) and the column of every problem.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "pushes.csv").write_text("日期,送达,阅读\\n2024-06-03,4500,300\\n2024-06-04,4510,28\\n")
    >>> table = read(folder / "pushes.csv", slots="20:30")
    >>> table.frame[["sent_at", "slot", "time_source"]].astype(str).values.tolist()
    [['2024-06-03 20:30:00+08:00', '20:30', 'stated'], ['2024-06-04 20:30:00+08:00', '20:30', 'stated']]
    """
    _check_options(tz, encoding, positions, age_hours)
    files = _expand(paths)
    stated = parse_stated_slots(slots)
    push_tables: list[tuple[Table, str]] = []
    payload_paths: list[Path] = []
    logs: list = []
    hourly_parts: list[pd.DataFrame] = []
    notes: list[str] = []
    skipped: dict = {}
    described: list[dict] = []
    for path in files:
        kind = sniff(path)
        if kind == "json":
            from .payloads import is_payload

            data = load_json(path)
            if is_payload(data) or data == []:  # [] is a day without pushes, saved as a bare list
                payload_paths.append(path)
                continue
            if not isinstance(data, list):
                what = "JSON null" if data is None else f"a JSON {type(data).__name__}"
                raise PushDataError(
                    str(path),
                    [
                        Problem(
                            None,
                            "$",
                            f'is {what}, neither a datacube response ({{"list": [...]}}) nor an array '
                            "of push records",
                        )
                    ],
                    line_offset=None,
                )
        table = read_table(path, sep=sep, encoding=encoding, sheet=sheet)
        from .exports import classify, hourly_from_export

        what = classify(table, columns)
        described.append({"file": str(path), "kind": what, "sha256": file_sha256(path)})
        if what == "hourly":
            hourly_parts.append(hourly_from_export(table))
        elif what == "daily":
            raise PushDataError(
                str(path),
                [
                    Problem(
                        None,
                        None,
                        "holds the account's daily reads by channel (流量分析 by day), not pushes: give the "
                        "已通知内容 export or the datacube payloads; the same export by hour can give "
                        "send times",
                    )
                ],
            )
        elif what == "log":
            logs.append(table)
        else:
            push_tables.append((table, what))
    payloads = None
    if payload_paths:
        from .payloads import read_payload_files

        payloads = read_payload_files(payload_paths)
        notes.extend(payloads.notes)
        skipped.update(payloads.skipped)
        described.extend({**f, "kind": "payload"} for f in payloads.files)
        if "getuserreadhour" in payloads.groups:
            hourly, stray = hourly_from_payloads(payloads.groups["getuserreadhour"])
            hourly_parts.append(hourly)
            if stray:
                skipped["hourly_other_dates"] = stray
    push_groups = {k: v for k, v in (payloads.groups.items() if payloads else []) if k != "getuserreadhour"}
    if len(push_groups) > 1:
        raise PushDataError(
            _label(files, paths),
            [Problem(None, None, "mixes getarticletotal and getarticletotaldetail responses: keep one kind")],
            line_offset=None,
        )
    if not push_tables and not push_groups and payloads is not None and payloads.errors and not hourly_parts:
        raise PushDataError(
            _label(files, paths),
            [
                Problem(
                    None,
                    "$.errcode",
                    f"is an error response saved as data (errcode {code}: {message}), not statistics: "
                    "fetch that day again",
                    file=Path(name).name,
                )
                for name, code, message in payloads.errors[:10]
            ],
            line_offset=None,
        )
    if not push_tables and not push_groups:
        what = "hourly reads" if hourly_parts else ("a send log" if logs else "no pushes")
        if payloads is not None and not hourly_parts and skipped.get("error_responses"):
            what = "only error responses (" + "; ".join(n for n in notes if "errcode" in n) + ")"
        raise PushDataError(
            _label(files, paths),
            [
                Problem(
                    None,
                    None,
                    f"holds {what}: the push figures are needed too (a push table, the 已通知内容 export, "
                    "or getarticletotal payloads)"
                    + (
                        "; if it holds them under headers wxtime does not know, name them: --columns "
                        "delivered=<header>,opened=<header>"
                        if what == "a send log"
                        else ""
                    ),
                )
            ],
            line_offset=None,
        )
    hourly = pd.concat(hourly_parts, ignore_index=True) if hourly_parts else None
    if hourly is not None:
        hourly = hourly.drop_duplicates(["date", "hour", "user_source"]).reset_index(drop=True)
    log_source = send_times
    if log_source is None and len(logs) == 1:
        log_source = logs[0].frame
    elif log_source is None and len(logs) > 1:
        raise PushDataError(
            _label(files, paths),
            [
                Problem(
                    None,
                    None,
                    f"holds {len(logs)} send logs ({', '.join(Path(t.source).name for t in logs)}): give one",
                )
            ],
            line_offset=None,
        )
    times = SendTimes(
        log=read_send_log(log_source, tz=tz, year=year, date_format=date_format)
        if log_source is not None
        else None,
        stated=stated,
        hours=infer_push_hours(hourly) if hourly is not None else None,
    )
    if log_source is not None and len(logs) == 1 and send_times is None:
        times.log.source = logs[0].source
    frames, kinds, age = [], [], None
    positions_used = positions
    grouped = 0
    for table, what in push_tables:
        extra, mapping, extra_notes = None, columns, []
        if what == "notified":
            from .exports import notified_columns

            extra, mapping, extra_notes = notified_columns(table, columns)
        rows = parse_rows(
            table,
            columns=mapping,
            tz=tz,
            year=year,
            date_format=date_format,
            strict_funnel=strict_funnel,
            extra_frame=extra,
        )
        rows.notes.extend(extra_notes)
        rows.notes.extend(settle_rows(rows, times))
        frame, level, details = finish(rows, tz=tz, slot_freq=slot_freq, positions=positions)
        frames.append((frame, level, table.source))
        kinds.append("backend export" if what == "notified" else "push table")
        notes.extend(details["notes"])
        for reason, n in details["skipped"].items():
            skipped[reason] = skipped.get(reason, 0) + n
        grouped += details["articles_grouped"]
        positions_used = details["positions"]
    for kind, groups in push_groups.items():
        age = age_hours if age_hours is not None else DEFAULT_AGE_HOURS
        articles, details = articles_from_payloads(
            kind, groups, times, age_hours=age, positions=positions, tz=tz
        )
        rows = _rows_from_articles(articles, details["source"])
        frame, level, more = finish(rows, tz=tz, slot_freq=slot_freq, positions=positions)
        frames.append((frame, level, details["source"]))
        kinds.append(kind)
        notes.extend(details["notes"] + more["notes"])
        for reason, n in {**details["skipped"], **more["skipped"]}.items():
            skipped[reason] = skipped.get(reason, 0) + n
        grouped += more["articles_grouped"]
        positions_used = more["positions"]
    frame, level = _combine(frames, notes, skipped)
    source = _label(files, paths)
    curves = None
    if hourly is not None and "sent_at" in frame.columns:
        curves = curves_from_hourly(hourly, frame)
    summary = load_summary(
        frame,
        source,
        skipped=skipped,
        kind=" + ".join(dict.fromkeys(kinds)),
        notes=list(dict.fromkeys(notes)),
        files=described,
        articles_grouped=grouped,
        positions=positions_used,
        age_hours=age,
    )
    if len(files) == 1:
        summary["sha256"] = described[0]["sha256"] if described else file_sha256(files[0])
    return PushTable(
        frame=frame,
        source=source,
        level=level,
        load=summary,
        curves=curves,
        hourly=hourly,
        propensities="propensity" if "propensity" in frame.columns else None,
        tz=tz,
    )


def _combine(frames: list, notes: list, skipped: dict) -> tuple[pd.DataFrame, str]:
    """Push tables read from several files as one: a push found in two files (the same id, or the
    same send time and counts) is counted once and said; the same id with other numbers is an
    error naming both files."""
    if len(frames) == 1:
        return frames[0][0], frames[0][1]
    levels = {level for _, level, _ in frames}
    if "slot" in levels and len(frames) > 1:
        raise InputError("a file with one row per slot cannot be combined with other files")
    parts = []
    for frame, _, source in frames:
        parts.append(frame.assign(_source=Path(source).name))
    joined = pd.concat(parts, ignore_index=True, sort=False)
    generated = joined["push_id"].str.fullmatch(r"P\d{4,}").all()
    key_columns = ["sent_at", "delivered", "opened"] if generated else ["push_id"]
    if "group" in joined.columns:
        key_columns = [*key_columns, "group"]
    key = joined[key_columns].astype(str).agg("|".join, axis=1)
    repeated = key.duplicated(keep="first")
    if repeated.any():
        same = joined[["sent_at", "slot", "delivered", "opened"]].astype(str).agg("|".join, axis=1)
        first = key[~repeated]
        first_same = pd.Series(same[~repeated].to_numpy(), index=first.to_numpy())
        conflicts = [
            i for i in np.flatnonzero(repeated.to_numpy()) if first_same[key.iloc[i]] != same.iloc[i]
        ]
        if conflicts:
            i = conflicts[0]
            other = joined.loc[(key == key.iloc[i]) & ~repeated, "_source"].iloc[0]
            raise PushDataError(
                joined["_source"].iloc[i],
                [
                    Problem(
                        None,
                        "push_id",
                        f"push {joined['push_id'].iloc[i]!r} is also in {other} with other figures: keep one",
                    )
                ],
                line_offset=None,
            )
        n = int(repeated.sum())
        notes.append(f"{n} push{'es' if n > 1 else ''} found in two files: counted once")
        skipped["in_two_files"] = n
        joined = joined[~repeated.to_numpy()]
    joined = joined.sort_values("sent_at", kind="stable") if "sent_at" in joined.columns else joined
    if generated:
        joined["push_id"] = [f"P{i:04d}" for i in range(1, len(joined) + 1)]
    return joined.drop(columns="_source").reset_index(drop=True), "push"
