"""Validation: the cells of a table become typed pushes, or errors that name their place.

Two steps, with the send times settled in between (:mod:`wxtime.io.sendtimes`):

1. :func:`parse_rows`: headers mapped, blank and total rows left out and counted, exact
   duplicate rows counted once and said, counts parsed (``"7,816人"`` is 7816; a rounded
   ``10万+`` or a percentage is refused), the funnel checked, push ids checked, and each
   row's date and, where the file has one, its time of day.
2. :func:`finish`: each push's scheduled slot (jittered send times grouped), articles of
   one push folded into the push (its headline, or all summed), the final columns.

Every problem names the file, the row (with its line or sheet row) and the column, with
the file's own header beside wxtime's name; no row is dropped without a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, PushDataError
from .files import Table
from .headers import COUNT_COLUMNS, COVARIATES, KNOWN, map_headers, missing_problem
from .times import format_slots, infer_slots, parse_datetimes, parse_times_of_day

__all__ = ["MAX_DELIVERIES", "Rows", "finish", "parse_rows", "settle_rows", "validate"]

#: No account delivers one push to more people than this (WeChat's largest accounts have tens
#: of millions of followers); a larger count is a unit or parsing mistake.
MAX_DELIVERIES = 2_000_000_000

_TOTAL_WORDS_RE2 = (
    r"(?i)^\s*(合计|总计|小计|汇总|平均|平均值|均值|total|totals|sum|average|avg|mean)\s*[:：]?\s*$"
)
# Units and separators people write beside counts: "7,816人", "1 203 次", "３００".
_COUNT_CLEAN = re.compile(r"[,，\s人次个篇位]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


@dataclass
class Rows:
    """Pushes (or articles) read from one source, their send times perhaps still unknown.

    ``frame`` holds the typed columns (counts as floats, ``push_id``, ``push_key``,
    ``position``, ``group``, covariates, the user's other columns); ``date`` is each row's
    day (naive, NaT where the file has none), ``minutes`` its time of day (NaN where
    unknown), ``time_source`` where that time came from, ``slot_minutes`` the slot a
    ``slot`` column states. ``table`` keeps each row's place for messages.
    """

    frame: pd.DataFrame
    table: Table
    date: pd.DatetimeIndex
    minutes: np.ndarray
    time_source: np.ndarray
    slot_minutes: np.ndarray | None = None
    headers: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)
    kind: str = "table"

    def problem(self, index: int, column: str | None, message: str) -> Problem:
        return Problem(
            column=column, message=message, header=self.headers.get(column), **self.table.where(index)
        )

    def take(self, keep: np.ndarray) -> Rows:
        return replace(
            self,
            frame=self.frame[keep].reset_index(drop=True),
            table=self.table.take(keep),
            date=self.date[keep],
            minutes=self.minutes[keep],
            time_source=self.time_source[keep],
            slot_minutes=None if self.slot_minutes is None else self.slot_minutes[keep],
        )


def _text_columns(frame: pd.DataFrame) -> list:
    return [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]


def _blank_and_total_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are not pushes: all blank, or a total/average row (合计, 平均, Total): one whose
    first filled cell says so. Column by column in Arrow (RE2), no per-row Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(frame)
    blank = np.ones(n, dtype=bool)
    first_text = pa.nulls(n, pa.string())
    first_set = np.zeros(n, dtype=bool)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            if values.dtype != object:  # pandas' Arrow-backed strings: handed over without copies
                strings = pa.array(values, from_pandas=True)
                filled = np.zeros(n, dtype=bool)
            elif pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
                strings = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
                filled = np.zeros(n, dtype=bool)
            else:  # numbers or dates among the text: filled, but not labels
                strings = pa.array([v if isinstance(v, str) else None for v in values], pa.string())
                filled = values.notna().to_numpy() & ~np.asarray(pc.is_valid(strings), bool)
            trimmed = pc.utf8_trim_whitespace(strings)
            text_filled = np.asarray(pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False), bool)
            filled |= text_filled
            new = ~first_set & text_filled
            if new.any():
                first_text = pc.if_else(pa.array(new), trimmed, first_text)
            first_set |= filled
        else:
            filled = values.notna().to_numpy()
            first_set |= filled
        blank &= ~filled
    short = np.asarray(pc.fill_null(pc.less_equal(pc.utf8_length(first_text), 12), False), bool)
    total = np.zeros(n, dtype=bool)
    if short.any():
        total[short] = np.asarray(
            pc.fill_null(
                pc.match_substring_regex(first_text.filter(pa.array(short)), _TOTAL_WORDS_RE2), False
            ),
            bool,
        )
    return blank, total & ~blank


def _parse_counts(frame: pd.DataFrame, rows: Rows, problems: list) -> dict[str, np.ndarray]:
    """Counts: numeric, whole, non-negative, plausible; units (人, 次) and separators allowed."""
    counts = {}
    for name in COUNT_COLUMNS:
        if name not in frame.columns:
            continue
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            problems.append(
                Problem(None, name, "holds true/false values, not counts", header=rows.headers.get(name))
            )
            continue
        if pd.api.types.is_numeric_dtype(column):
            values = column.to_numpy(dtype=float, na_value=np.nan, copy=True)
        else:
            text = column.astype("string[pyarrow]").str.strip()
            percent = text.str.endswith("%", na=False)
            if percent.sum() > len(text) / 2:
                # A rate column mapped as counts: one message, not one per row.
                problems.append(
                    Problem(
                        None,
                        name,
                        f"holds percentages (e.g. {column[percent.to_numpy()].iloc[0]!r}), not counts: map "
                        "the count column instead (e.g. 送达人数 for delivered, "
                        "公众号消息阅读次数 for opened), "
                        f"with --columns {name}=HEADER",
                        header=rows.headers.get(name),
                    )
                )
                continue
            # Plain numbers (most files) in one C pass; units, separators and full-width digits
            # ("7,816人") only where that fails.
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
            odd = np.isnan(values) & column.notna().to_numpy()
            if odd.any():
                cleaned = (
                    text[odd].str.translate(_FULL_WIDTH).str.replace(_COUNT_CLEAN.pattern, "", regex=True)
                )
                values[odd] = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if column.dtype == object:  # JSON true/false among numbers: not counts
                flags = column.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(bool)
                values[flags] = np.nan
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(values) | (values < 0) | (np.mod(values, 1) != 0) | (values > MAX_DELIVERIES)
        for i in np.flatnonzero(bad):
            problems.append(rows.problem(i, name, _count_problem(column.iloc[i], values[i])))
        values[bad] = np.nan
        counts[name] = values
    return counts


def _count_problem(raw, value) -> str:
    if raw is None or raw is pd.NA or (isinstance(raw, float) and np.isnan(raw)) or not str(raw).strip():
        return "is missing"
    if isinstance(raw, bool | np.bool_):
        return f"{raw!r} is a true/false value, not a count"
    text = str(raw).strip()
    if "万" in text:
        return f"{text!r} is a rounded display value, not a count"
    if not np.isfinite(value):
        return f"{text!r} is not a number"
    if value < 0:
        return f"{text!r} is negative"
    if value > MAX_DELIVERIES:
        return f"{text!r} is more than any account delivers in one push"
    return f"{text!r} is not a whole count"


def _check_funnel(counts: dict, rows: Rows, strict_funnel: bool, problems: list) -> None:
    def check_le(small: str, big: str, why: str) -> None:
        if small in counts and big in counts:
            for i in np.flatnonzero(counts[small] > counts[big]):
                problems.append(
                    rows.problem(
                        i,
                        small,
                        f"{small}={int(counts[small][i])} exceeds {big}={int(counts[big][i])} ({why})",
                    )
                )

    check_le("opened", "delivered", "nobody opens a message they did not get")
    if strict_funnel:
        check_le(
            "read",
            "opened",
            "wxtime's funnel reads only among openers; pass --loose-funnel if 'read' counts all reads",
        )
    for extra in ("clicked", "shared"):
        if "read" not in counts:
            check_le(extra, "delivered", "cannot exceed deliveries")


def _kind_of_column(values: pd.Series) -> str:
    """``"time"`` when a column holds times of day without dates (7:30, 晚上8点, 0.875),
    else ``"datetime"`` (dates, with or without times)."""
    import datetime as dt

    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    filled = values.dropna()
    if not len(filled):
        return "datetime"
    sample = filled.iloc[:: max(1, len(filled) // 200)]
    if sample.map(lambda v: isinstance(v, dt.time)).all():
        return "time"
    if pd.api.types.is_numeric_dtype(filled):
        numbers = filled.to_numpy(float)
        return "time" if ((numbers >= 0) & (numbers < 24)).all() else "datetime"
    text = sample.astype(str).str.strip()
    minutes = parse_times_of_day(text)
    has_date = text.str.contains(r"[0-9]{4}|[0-9]{1,2}\s*月|[0-9]{1,2}[-/.][0-9]{1,2}[-/.]", regex=True)
    return "time" if (np.isfinite(minutes) & ~has_date.to_numpy()).mean() > 0.5 else "datetime"


def _column_problems(rows: Rows, column: str, errors: np.ndarray) -> list[Problem]:
    """One problem per bad cell, except that a fault shared by many cells of a column (dates
    without a year, day and month that could swap) is said once for the column, with the
    first cell as the example and the option that fixes it."""
    bad = np.flatnonzero(errors != None)  # noqa: E711 - elementwise
    shared = {
        "--year": "dates have no year (e.g. {value}, {place}) and no other date in the column gives it: "
        "give it with --year (e.g. --year 2024)",
        "--date-format": "dates could be read day/month or month/day (e.g. {value}, {place}): give the order "
        "with --date-format (%m/%d/%Y or %d/%m/%Y)",
    }
    problems, done = [], np.zeros(len(bad), dtype=bool)
    for option, sentence in shared.items():
        members = np.array([option in str(errors[i]) for i in bad], dtype=bool)
        if members.sum() > 3:
            first = bad[members][0]
            value = str(errors[first]).split(": ", 1)[0].split(" has no year")[0]
            message = f"{int(members.sum())} " + sentence.format(value=value, place=rows.table.name(first))
            problems.append(Problem(None, column, message, header=rows.headers.get(column)))
            done |= members
    problems.extend(rows.problem(i, column, str(errors[i])) for i in bad[~done])
    return problems


def _send_times(rows: Rows, frame: pd.DataFrame, tz: str, year, date_format, problems: list) -> None:
    """Each row's date and (where the file has it) time of day, into ``rows``."""
    has_time, has_date, has_slot = (
        "sent_at" in frame.columns,
        "send_date" in frame.columns,
        "slot" in frame.columns,
    )
    n = len(frame)
    rows.date = pd.DatetimeIndex(np.full(n, np.datetime64("NaT", "ns")))
    rows.minutes = np.full(n, np.nan)
    rows.time_source = np.full(n, None, dtype=object)
    time_column = None
    if has_time and (has_date or _kind_of_column(frame["sent_at"]) == "time"):
        if not has_date:
            problems.append(
                Problem(
                    None,
                    "sent_at",
                    "holds times of day without dates: add a date column (日期 / date), or name the column "
                    "'slot' if the dates are unknown",
                    header=rows.headers.get("sent_at"),
                )
            )
            return
        time_column = "sent_at"
    if has_date or (has_time and time_column is None):
        date_name = "send_date" if has_date else "sent_at"
        parsed = parse_datetimes(
            frame[date_name],
            tz,
            year=year,
            date_format=date_format,
            name=rows.headers.get(date_name, date_name),
        )
        rows.notes.extend(parsed.how)
        problems.extend(_column_problems(rows, date_name, parsed.errors))
        rows.date = parsed.stamps.tz_localize(None).normalize()
        if date_name == "sent_at":
            rows.minutes = parsed.minutes.copy()
            rows.time_source[np.isfinite(parsed.minutes)] = "file"
    if time_column is not None:
        minutes = parse_times_of_day(frame[time_column])
        for i in np.flatnonzero(np.isnan(minutes) & frame[time_column].notna().to_numpy()):
            problems.append(
                rows.problem(i, time_column, f"{frame[time_column].iloc[i]!r} is not a time of day")
            )
        known = np.isfinite(minutes)
        rows.minutes[known] = minutes[known]
        rows.time_source[known] = "file"
        rows.notes.append(
            f"send times combined from the dates in {rows.headers.get('send_date', 'send_date')!r} and the "
            f"times in {rows.headers.get(time_column, time_column)!r}"
        )
    if has_slot:
        raw = frame["slot"]
        numeric = pd.to_numeric(raw, errors="coerce")
        if numeric.notna().all() and (numeric % 1 == 0).all() and numeric.max() == 24 and numeric.min() >= 1:
            # An hour table numbered 1-24 (24 = midnight), as e-mail tools write it.
            rows.notes.append("hours numbered 1-24: 24 read as 00:00")
            slot_minutes = (numeric.to_numpy(float) % 24) * 60
        else:
            slot_minutes = parse_times_of_day(raw)
            for i in np.flatnonzero(np.isnan(slot_minutes)):
                problems.append(
                    rows.problem(i, "slot", f"{raw.iloc[i]!r} is not a time of day (e.g. 12:00 or 12)")
                )
        rows.slot_minutes = slot_minutes
        unknown = np.isnan(rows.minutes) & np.isfinite(slot_minutes) & ~pd.isna(rows.date)
        rows.minutes[unknown] = slot_minutes[unknown]
        rows.time_source[unknown] = "file"


def _identifiers(rows: Rows, frame: pd.DataFrame, problems: list) -> None:
    """Push ids: given ones must be filled and unique (per group, per article position); a
    repeated id is an error naming both rows, whatever the column is called."""
    if "push_id" not in frame.columns:
        return
    ids = frame["push_id"].astype("string[pyarrow]").str.strip()
    empty = (ids.fillna("") == "").to_numpy()
    for i in np.flatnonzero(empty):
        problems.append(rows.problem(i, "push_id", "is empty"))
    keys = [ids] + [frame[extra] for extra in ("group", "position") if extra in frame.columns]
    first_of = first_rows(keys)
    repeated = (first_of != np.arange(len(first_of))) & ~empty
    if repeated.any():
        for i in np.flatnonzero(repeated):
            where = rows.table.name(first_of[i])
            scope = " within its group" if "group" in frame.columns else ""
            problems.append(
                rows.problem(i, "push_id", f"{ids.iloc[i]!r} repeats {where}{scope}: one push, one row")
            )
    frame["push_id"] = ids.to_numpy(dtype=object)


def parse_rows(
    table: Table,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = "Asia/Shanghai",
    year: int | None = None,
    date_format: str | None = None,
    strict_funnel: bool = True,
    require_when: bool = True,
    extra_frame: pd.DataFrame | None = None,
) -> Rows:
    """Step 1: a raw table becomes typed :class:`Rows` (see the module docstring).

    ``require_when`` False accepts a table with no date, time or slot column (send times
    may come entirely from a send log keyed by push id or title). ``extra_frame`` adds
    derived columns (``push_key``, ``position``) aligned with the table's rows.
    """
    data = table.frame
    source = table.source
    if len(data) == 0:
        raise PushDataError(source, [Problem(None, None, "has no rows")])
    if extra_frame is not None:
        data = data.copy()
        for name in extra_frame.columns:
            data[name] = extra_frame[name].to_numpy()
        table = Table(
            data,
            table.source,
            table.kind,
            line=table.line,
            sheet=table.sheet,
            row=table.row,
            notes=table.notes,
        )
    mapping, header_notes = map_headers(data.columns, columns, source)
    frame = data.rename(columns=mapping)
    headers = {target: header for header, target in mapping.items()}
    missing = [c for c in ("delivered", "opened") if c not in frame.columns]
    if require_when and not {"sent_at", "send_date", "slot"} & set(frame.columns):
        missing.append("sent_at")
    if missing:
        raise PushDataError(
            source, [missing_problem(m, data.columns, headers) for m in missing], line_offset=None
        )
    rows = Rows(
        frame=frame,
        table=table,
        date=pd.DatetimeIndex([]),
        minutes=np.zeros(0),
        time_source=np.zeros(0, dtype=object),
        headers=headers,
        notes=list(table.notes) + header_notes,
    )
    blank, total = _blank_and_total_rows(data)
    if blank.any() or total.any():
        keep = ~(blank | total)
        rows.skipped.update({"blank_rows": int(blank.sum()), "total_rows": int(total.sum())})
        rows = _take_table(rows, keep)
        frame, data = rows.frame, rows.table.frame
        if len(frame) == 0:
            raise PushDataError(source, [Problem(None, None, "has no rows (only blank or total rows)")])
    duplicate, first_of = _identical_rows(data, [headers[c] for c in ("delivered", "opened") if c in headers])
    if duplicate.any():
        shown = [
            f"{rows.table.name(i)} repeats {rows.table.name(first_of[i])}"
            for i in np.flatnonzero(duplicate)[:3]
        ]
        more = int(duplicate.sum()) - len(shown)
        rows.notes.append(
            "duplicate rows counted once: " + "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
        )
        rows.skipped["duplicate_rows"] = int(duplicate.sum())
        rows = _take_table(rows, ~duplicate)
        frame = rows.frame
    problems: list[Problem] = []
    counts = _parse_counts(frame, rows, problems)
    _check_funnel(counts, rows, strict_funnel, problems)
    _send_times(rows, frame, tz, year, date_format, problems)
    _identifiers(rows, frame, problems)
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    for name, values in counts.items():
        frame[name] = values
    for name in list(frame.columns):
        if name in ("sent_at", "send_date", "slot"):
            frame = frame.drop(columns=name)
    rows.frame = frame
    return rows


def _identical_rows(data: pd.DataFrame, counts: list) -> tuple[np.ndarray, np.ndarray]:
    """Rows identical to an earlier row, and for each the index of its first copy. Only rows whose
    counts repeat are compared cell by cell (the counts of different pushes rarely coincide, so
    on 10^6 rows this hashes two columns, not all of them)."""
    n = len(data)
    duplicate, first_of = np.zeros(n, dtype=bool), np.arange(n)
    by_counts = first_rows([data[c] for c in counts] if counts else [data[c] for c in data.columns])
    group_size = np.bincount(by_counts, minlength=n)
    candidates = np.flatnonzero(group_size[by_counts] > 1)
    if not len(candidates):
        return duplicate, first_of
    subset = data.iloc[candidates]
    first = candidates[first_rows([subset[c] for c in subset.columns])]
    duplicate[candidates] = first != candidates
    first_of[candidates] = first
    return duplicate, first_of


def first_rows(keys: list) -> np.ndarray:
    """For each row, the index of the first row with the same values in every key column
    (missing values equal to each other): hashed column by column, no per-row Python.

    Examples
    --------
    >>> import pandas as pd
    >>> first_rows([pd.Series(["a", "b", "a", None, None]), pd.Series([1, 2, 1, 3, 3])]).tolist()
    [0, 1, 0, 3, 3]
    """
    n = len(keys[0])
    combined = np.zeros(n, dtype=np.int64)
    for key in keys:
        try:
            codes, uniques = pd.factorize(key, use_na_sentinel=False)
        except TypeError:  # JSON records can hold lists or dicts in a cell: compared as text
            codes, uniques = pd.factorize(pd.Series(key).astype(str), use_na_sentinel=False)
        if len(uniques) == n:  # one column alone tells every row apart
            return np.arange(n)
        width = max(len(uniques), 1)
        if int(combined.max(initial=0)) >= (2**62) // width:  # keep the mixed radix in int64
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = combined * width + codes
    # Codes number the groups in order of first appearance, so group k starts where the
    # running maximum first reaches k.
    codes = pd.factorize(combined)[0]
    new = np.ones(n, dtype=bool)
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)[codes]


def _take_table(rows: Rows, keep: np.ndarray) -> Rows:
    table = rows.table.take(keep)
    return replace(rows, frame=rows.frame[keep].reset_index(drop=True), table=table)


def _group_articles(frame: pd.DataFrame, positions: str, has_ids: bool) -> tuple[pd.DataFrame, int, list]:
    """Rows that are articles of one push become one push: the headline's counts (position 1,
    the default) or every article's counts summed. Articles of a push share its ``push_key``
    (the push id of an export's 内容url, a payload's msgid), else its send time and deliveries."""
    if len(frame) < 2 or "group" in frame.columns:
        return frame, 0, []
    if "push_key" in frame.columns:
        key = frame["push_key"].astype(str)
    elif "position" in frame.columns and has_ids:
        key = frame["push_id"].astype(str)
    elif has_ids:
        return frame, 0, []  # each row names its own push
    elif "sent_at" in frame.columns:
        key = (
            frame["sent_at"].astype("int64").astype(str)
            + "|"
            + frame["delivered"].astype("int64").astype(str)
        )
    else:
        return frame, 0, []
    if not key.duplicated().any():
        return frame, 0, []
    notes = []
    if positions == "headline" and "position" not in frame.columns:
        positions = "all"
        notes.append(
            "pushes with several articles: no article positions (内容url with idx=, or a 位置 column), "
            "so the headline cannot be told and every article's counts are summed (--positions all)"
        )
    order = frame.assign(_key=key.to_numpy(), _row=np.arange(len(frame)))
    sort = ["_key", "position", "_row"] if "position" in order.columns else ["_key", "_row"]
    order = order.sort_values(sort, kind="stable")
    folded = int(key.duplicated().sum())
    if positions == "all":
        summed = [c for c in ("opened", "read", "clicked", "shared") if c in order.columns]
        totals = order.groupby("_key", sort=False)[summed].sum()
        first = order.drop_duplicates("_key").set_index("_key")
        first[summed] = totals.loc[first.index, summed].to_numpy()
        grouped = first.reset_index()
    else:
        grouped = order.drop_duplicates("_key")
    grouped = grouped.sort_values("_row").drop(columns=["_key", "_row"]).reset_index(drop=True)
    return grouped, folded, notes


def format_ids(n: int) -> np.ndarray:
    """Push ids for a table that has none: ``P0001``, ``P0002``...

    Examples
    --------
    >>> format_ids(3).tolist()
    ['P0001', 'P0002', 'P0003']
    """
    return np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 4)).astype(object)


def finish(
    rows: Rows,
    *,
    tz: str = "Asia/Shanghai",
    slot_freq: str | None = None,
    positions: str = "headline",
) -> tuple[pd.DataFrame, str, dict]:
    """Step 2: rows whose send times are settled become the push table.

    Returns ``(frame, level, details)``: the push table (module :mod:`wxtime.io.table`
    columns), ``"push"`` or ``"slot"`` (one row per slot, no dates), and what was done
    (``notes``, ``skipped``, ``articles_grouped``, ``positions``).
    """
    frame = rows.frame.copy()
    notes = list(rows.notes)
    n = len(frame)
    dated = ~np.asarray(pd.isna(rows.date))
    timed = np.isfinite(rows.minutes)
    if dated.any() and not timed[dated].all():  # pragma: no cover - the reader settles them first
        raise ValueError("finish() needs every dated row's time of day")
    if rows.slot_minutes is not None and (slot_freq is None):
        minutes = rows.slot_minutes.copy()
    else:
        written = rows.minutes if dated.any() else rows.slot_minutes
        if written is None:
            written = np.full(n, np.nan)
        inference = infer_slots(written[np.isfinite(written)], grid=slot_freq)
        minutes = np.full(n, np.nan)
        minutes[np.isfinite(written)] = inference.slots
        if dated.any():
            notes.append(inference.describe())
    frame = frame.reset_index(drop=True)
    columns: dict = {}
    if "push_id" in frame.columns:
        columns["push_id"] = frame["push_id"].astype("str")
    else:
        columns["push_id"] = pd.Series(format_ids(n), dtype="str")
    if dated.any():
        stamps = pd.DatetimeIndex(rows.date) + pd.to_timedelta(np.round(rows.minutes * 60), unit="s")
        columns["sent_at"] = stamps.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        columns["time_source"] = pd.Series(rows.time_source, dtype="str")
    columns["slot"] = format_slots(minutes / 60)
    columns["slot_hour"] = np.round(minutes) % 1440 / 60
    for name in COUNT_COLUMNS:
        if name in frame.columns:
            columns[name] = frame[name].to_numpy().astype(np.int64)
    if "group" in frame.columns:
        columns["group"] = frame["group"].astype("str")
    for name in (*COVARIATES, "propensity", "push_key"):
        if name in frame.columns:
            columns[name] = frame[name]
    # Anything else (weekday, paid, campaign...) is the user's: keep it as it is.
    for name in frame.columns:
        if name not in KNOWN and name not in columns:
            columns[name] = frame[name]
    for name, values in list(columns.items()):
        if name in ("push_id", "slot", "group", "title", "push_key", "time_source", "sent_at"):
            continue
        values = pd.Series(values)
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("string").str.strip()
            percent = text.str.endswith("%", na=False)
            if percent.any() and percent.sum() == text.notna().sum():
                columns[name] = (
                    pd.to_numeric(text.str.rstrip("%"), errors="coerce") / 100
                )  # 送达阅读率 "3.74%"
                continue
            converted = pd.to_numeric(values, errors="coerce")
            if converted.notna().sum() == values.notna().sum():
                columns[name] = converted  # CSVs are read as text: numeric covariates get their numbers back
    result = pd.DataFrame(
        {
            name: (v.to_numpy() if isinstance(v, pd.Series) and v.dtype == object else v)
            for name, v in columns.items()
        }
    )
    if "propensity" in result.columns:
        bad = ~((result["propensity"] > 0) & (result["propensity"] <= 1)).to_numpy()
        if bad.any():
            problems = [
                rows.problem(
                    i, "propensity", f"{frame['propensity'].iloc[i]!r} is not a probability in (0, 1]"
                )
                for i in np.flatnonzero(bad)
            ]
            raise PushDataError(rows.table.source, problems, line_offset=None)
    if positions not in ("headline", "all"):
        raise InputError(f"positions must be 'headline' or 'all', not {positions!r}")
    result, folded, group_notes = _group_articles(result, positions, "push_id" in frame.columns)
    if group_notes:
        positions = "all"
    notes.extend(group_notes)
    if "push_key" in result.columns:
        result = result.drop(columns=["push_key"])
    level = "push" if dated.any() or result["slot"].duplicated().any() else "slot"
    details = {
        "notes": notes,
        "skipped": dict(rows.skipped),
        "articles_grouped": folded,
        "positions": positions,
    }
    return result, level, details


def settle_rows(rows: Rows, times) -> list[str]:
    """Each dated row's time of day from ``times`` (:class:`~wxtime.io.sendtimes.SendTimes`),
    into ``rows``; returns the notes. Rows with a date alone in a column of send times are
    named one by one when nothing else can give their time."""
    from .sendtimes import settle

    frame = rows.frame
    dated = ~np.asarray(pd.isna(rows.date))
    untimed = dated & np.isnan(rows.minutes)
    if untimed.any() and (rows.time_source == "file").any() and not times.any:
        # A column of send times with a date alone on a few rows: those rows are the problem.
        column = "sent_at" if "sent_at" in rows.headers else "send_date"
        problems = [rows.problem(i, column, "has a date but no time of day") for i in np.flatnonzero(untimed)]
        raise PushDataError(rows.table.source, problems, line_offset=None)
    minutes, origin, notes = settle(
        rows.date,
        rows.minutes,
        rows.time_source,
        times,
        push_ids=frame["push_key"] if "push_key" in frame.columns else frame.get("push_id"),
        titles=frame.get("title"),
        source=rows.table.source,
        header=rows.headers.get("sent_at") or rows.headers.get("send_date"),
    )
    rows.minutes, rows.time_source = minutes, origin
    return notes


def validate(
    data: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = "Asia/Shanghai",
    slot_freq: str | None = None,
    strict_funnel: bool = True,
    positions: str = "headline",
    year: int | None = None,
    date_format: str | None = None,
    source: str = "<data>",
):
    """Check a DataFrame of pushes and return the :class:`~wxtime.io.table.PushTable`.

    The same checks as reading a file (:func:`wxtime.io.read`), for a table already in
    memory; rows are named by their position (row 1 is the first).

    Examples
    --------
    >>> raw = pd.DataFrame({"sent_at": ["2024-07-01 12:00", "2024-07-02 21:00"],
    ...                     "sent": [1000, 1010], "opens": [80, 60]})
    >>> table = validate(raw)
    >>> table.frame[["push_id", "slot", "delivered", "opened"]]
      push_id   slot  delivered  opened
    0   P0001  12:00       1000      80
    1   P0002  21:00       1010      60

    A sheet with a date column and times written by hand:

    >>> sheet = pd.DataFrame({"日期": ["2024/09/02", "2024/09/03"], "发送时间": ["晚上9点半", "7:29"],
    ...                       "送达数": ["4,500人", 4510], "阅读": [300, 280]})
    >>> validate(sheet).frame[["sent_at", "slot", "delivered"]].astype(str).values.tolist()
    [['2024-09-02 21:30:00+08:00', '21:30', '4500'], ['2024-09-03 07:29:00+08:00', '07:30', '4510']]
    """
    from .sendtimes import SendTimes
    from .table import PushTable, load_summary
    from .times import check_tz

    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, got {type(data).__name__}")
    check_tz(tz)
    if positions not in ("headline", "all"):
        raise InputError(f"positions must be 'headline' or 'all', not {positions!r}")
    table = Table(data.reset_index(drop=True), source, "frame")
    rows = parse_rows(
        table, columns=columns, tz=tz, year=year, date_format=date_format, strict_funnel=strict_funnel
    )
    settle_rows(rows, SendTimes())
    frame, level, details = finish(rows, tz=tz, slot_freq=slot_freq, positions=positions)
    return PushTable(
        frame=frame,
        source=source,
        level=level,
        load=load_summary(frame, source, skipped=details.pop("skipped"), **details),
        propensities="propensity" if "propensity" in frame.columns else None,
        tz=tz,
    )
