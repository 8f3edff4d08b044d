"""Loaders for the data WeChat gives you: datacube API payloads and MP-backend exports.

Every loader ends in the push table (:func:`wxtime.schema.validate_pushes`),
with the same clear errors (file, row or JSON path, field), never drops a
row silently, and records what it loaded in ``attrs["load_summary"]``.

================================  =============================================
source                            loader
================================  =============================================
``getarticletotal`` JSON          :func:`read_articletotal` (per article, cumulative 7 days)
``getarticletotaldetail`` JSON    :func:`read_articletotaldetail` (2025 successor, 30 days)
``getuserreadhour`` JSON          :func:`read_userreadhour` (hourly reads by channel)
backend "已通知内容" export        :func:`read_backend_export` (.xlsx / .csv, Chinese headers)
backend hourly traffic export     :func:`read_hourly_export`
================================  =============================================

Field meanings follow the official datacube documentation (see
``shared/reference/wechat-data.md``): ``target_user`` = delivered (送达人数),
``int_page_from_session_read_user`` = readers from the push itself (the
open), ``int_page_read_user`` = all readers including shares and Moments,
``details[]`` values are cumulative from the push date to each
``stat_date``. The API does not return a push's send time: pass
``send_times`` (from your send log or the backend export) or infer it from
the first hour with session reads (:func:`infer_send_times`; flagged).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import (
    DEFAULT_TZ,
    MAX_DELIVERIES,
    InputError,
    Problem,
    PushDataError,
    load_summary,
    read_excel,
    read_pushes,
    validate_pushes,
)

__all__ = [
    "curves_from_hourly",
    "infer_send_times",
    "read_articletotal",
    "read_articletotaldetail",
    "read_backend_export",
    "read_hourly_export",
    "read_userreadhour",
    "to_articletotal_payloads",
    "to_backend_export",
]

SESSION = 0  # user_source: 会话 (reads from the push)
ALL_SOURCES = 99999999


#: Default comparison age: opens from a push are essentially complete two days after it
#: (in the realistic fixtures 98.7% of a 07:30 push's 7-day session opens arrive within 48 h).
DEFAULT_AGE_HOURS = 48.0


# -- reading payloads -----------------------------------------------------------------
def _payload_files(source) -> list[Path]:
    paths: list[Path] = []
    items = source if isinstance(source, (list, tuple)) else [source]
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".json"))
        else:
            paths.append(path)
    if not paths:
        raise PushDataError(
            str(source), [Problem(None, None, "contains no .json payloads")], line_offset=None
        )
    return paths


def _load_json(path: Path):
    """The JSON in ``path``, or a PushDataError saying what the file is instead."""
    if not path.exists():
        raise PushDataError(str(path), [Problem(None, None, "does not exist")], line_offset=None)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PushDataError(
            str(path), [Problem(None, None, "is not UTF-8 text: not a saved API response")], line_offset=None
        ) from None
    stripped = text.lstrip()
    if not stripped:
        raise PushDataError(
            str(path), [Problem(None, None, "is empty: the download saved nothing")], line_offset=None
        )
    if stripped.startswith("<"):
        raise PushDataError(
            str(path),
            [
                Problem(
                    None, None, "is an HTML page, not a JSON API response (a login or error page was saved)"
                )
            ],
            line_offset=None,
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                    "a truncated download?",
                )
            ],
            line_offset=None,
        ) from None


def _payloads(source) -> list[tuple[str, object]]:
    """(name, payload) pairs from a file, a folder of files, a dict or a list of dicts."""
    if isinstance(source, Mapping):
        return [("<payload>", dict(source))]
    if isinstance(source, (list, tuple)) and (not source or isinstance(source[0], Mapping)):
        return [(f"<payload {i}>", p) for i, p in enumerate(source)]
    if isinstance(source, (list, tuple)) and isinstance(source[0], tuple):
        return list(source)  # (name, payload) pairs already loaded
    return [(str(path), _load_json(path)) for path in _payload_files(source)]


def _source_label(source, names: list[str]) -> str:
    """How errors name a set of payloads: the file when there is one, else their folder."""
    if len(names) == 1:
        return names[0]
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    parents = {str(Path(n).parent) for n in names}
    if len(parents) == 1 and not any(n.startswith("<") for n in names):  # saved files, one folder
        return parents.pop()
    return f"{len(names)} payloads"


def _tag_file(problems: list, start: int, name: str) -> None:
    """Mark the problems found from ``start`` on as belonging to the file ``name``."""
    if name.startswith("<"):
        return
    from dataclasses import replace

    problems[start:] = [replace(p, file=Path(name).name) for p in problems[start:]]


def _check_payload(name: str, payload) -> list:
    if not isinstance(payload, Mapping):
        raise PushDataError(
            name, [Problem(None, "$", "is not a JSON object with a 'list'")], line_offset=None
        )
    if payload.get("errcode"):
        raise PushDataError(
            name,
            [
                Problem(
                    None,
                    "$.errcode",
                    f"is an error response saved as data: errcode {payload['errcode']} "
                    f"({payload.get('errmsg', '')})",
                )
            ],
            line_offset=None,
        )
    if "list" not in payload:
        raise PushDataError(name, [Problem(None, "$.list", "is missing")], line_offset=None)
    if not isinstance(payload["list"], list):
        raise PushDataError(
            name,
            [Problem(None, "$.list", f"is a {type(payload['list']).__name__}, not a list")],
            line_offset=None,
        )
    return payload["list"]


def _int_field(record: Mapping, field: str, name: str, where: str, problems: list, required=True):
    value = record.get(field)
    if value is None:
        if required:
            problems.append(Problem(None, f"{where}.{field}", "is missing"))
        return None
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a number"))
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a number"))
        return None
    if not np.isfinite(number) or number < 0 or not number.is_integer() or number > MAX_DELIVERIES:
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a count"))
        return None
    return int(number)


def _date_field(record: Mapping, field: str, where: str, problems: list):
    value = record.get(field)
    if value is None:
        problems.append(Problem(None, f"{where}.{field}", "is missing"))
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", value):
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a date (YYYY-MM-DD)"))
        return None
    try:
        return pd.Timestamp(value.strip())
    except (ValueError, TypeError):
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a date"))
        return None


def _msgid(record: Mapping, where: str, problems: list) -> str | None:
    value = record.get("msgid")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        problems.append(
            Problem(
                None, f"{where}.msgid", "is missing" if value in (None, "") else f"{value!r} is not an id"
            )
        )
        return None
    return str(value).strip()


def _position(msgid: str) -> int:
    """Article position from a msgid such as '2247485082_1' (1 = headline, 头条)."""
    match = re.search(r"_(\d+)$", str(msgid))
    return int(match.group(1)) if match else 1


def _send_time_lookup(send_times, tz) -> dict:
    """``{msgid or msgid prefix or YYYY-MM-DD: Timestamp}`` from a send log (a CSV path, a DataFrame
    or a mapping). Errors name the log's file, row and column."""
    if send_times is None:
        return {}
    source = "<send times>"
    if isinstance(send_times, (str, os.PathLike)):
        source = str(send_times)
        path = Path(send_times)
        if not path.is_file():
            raise PushDataError(
                source, [Problem(None, None, "does not exist" if not path.exists() else "is not a file")]
            )
        try:
            from .schema import text_encoding

            send_times = pd.read_csv(
                path, dtype=str, keep_default_na=False, encoding=text_encoding(path, None)
            )
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise PushDataError(
                source, [Problem(None, None, f"cannot be read as a CSV send log ({exc})")]
            ) from None
    if isinstance(send_times, pd.DataFrame):
        frame = send_times
        columns = {str(c).strip().lower(): c for c in frame.columns}
        key = next(
            (columns[k] for k in ("msgid", "push_id", "msg_data_id", "date", "ref_date") if k in columns),
            None,
        )
        time_column = next(
            (columns[k] for k in ("sent_at", "send_time", "发表时间", "发送时间") if k in columns), None
        )
        missing = ([] if key is not None else ["msgid"]) + ([] if time_column is not None else ["sent_at"])
        if missing:
            raise PushDataError(
                source,
                [
                    Problem(
                        None, m, f"is required in a send log (columns: {', '.join(map(str, frame.columns))})"
                    )
                    for m in missing
                ],
            )
        if frame.empty:
            raise PushDataError(source, [Problem(None, None, "has only its header (line 1): no send times")])
        pairs = list(zip(frame[key].astype(str), frame[time_column], range(1, len(frame) + 1)))
    else:
        pairs = [(str(k), v, None) for k, v in dict(send_times).items()]
    out, problems, first_row = {}, [], {}
    for key, value, row in pairs:
        text = str(value).strip()
        if not re.search(r"\d{1,2}:\d{2}", text):
            problems.append(Problem(row, "sent_at", f"{value!r} is not a date and time (YYYY-MM-DD HH:MM)"))
            continue
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError):
            problems.append(Problem(row, "sent_at", f"{value!r} is not a date and time"))
            continue
        if pd.isna(stamp):
            problems.append(Problem(row, "sent_at", "is missing"))
            continue
        stamp = stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)
        name = key.strip()
        if name in out and out[name] != stamp:
            problems.append(
                Problem(
                    row,
                    "msgid",
                    f"{name} is listed again with another time ({stamp:%Y-%m-%d %H:%M}, "
                    f"first {out[name]:%Y-%m-%d %H:%M} at row {first_row[name]}): keep one",
                )
            )
            continue
        out[name] = stamp
        first_row.setdefault(name, row)
    if problems:
        raise PushDataError(source, problems)
    return out


def _detail_counts(detail: Mapping, where: str, name: str, problems: list):
    """``(delivered, opened)`` of one cumulative getarticletotal entry, checked (None where bad)."""
    delivered = _int_field(detail, "target_user", name, where, problems)
    opened = _int_field(detail, "int_page_from_session_read_user", name, where, problems)
    if delivered is not None and opened is not None and opened > delivered:
        problems.append(
            Problem(
                None,
                f"{where}.int_page_from_session_read_user",
                f"{opened} push reads exceed target_user {delivered} (deliveries)",
            )
        )
        return None, None
    return delivered, opened


def _age_at(stat_date: pd.Timestamp, sent_at: pd.Timestamp) -> float:
    """Hours from the send to the end of ``stat_date`` (local): the age of a cumulative figure."""
    end = stat_date.tz_localize(sent_at.tz) + pd.Timedelta(days=1)
    return (end - sent_at).total_seconds() / 3600


def _first_old_enough(entries, sent_at, age_hours, where, key, problems):
    """The first cumulative entry whose figure is at least ``age_hours`` old: ``(index, entry)`` or None."""
    dated = []
    for j, entry in enumerate(entries):
        w = f"{where}.{key}[{j}]"
        if not isinstance(entry, Mapping):
            problems.append(Problem(None, w, f"is a {type(entry).__name__}, not an object"))
            continue
        stat_date = _date_field(entry, "stat_date", w, problems)
        if stat_date is not None:
            dated.append((stat_date, j, entry))
    for stat_date, j, entry in sorted(dated, key=lambda item: item[0]):
        if _age_at(stat_date, sent_at) >= age_hours:
            return j, entry
    return None


def _article_send_time(lookup, inferred, msgid, ref_date):
    day = ref_date.strftime("%Y-%m-%d")
    sent = lookup.get(msgid) or lookup.get(msgid.split("_")[0]) or lookup.get(day)
    if sent is not None:
        return sent, False
    if day in inferred:
        return inferred[day], True
    return None, False


def read_articletotal(
    source,
    *,
    age_hours: float = DEFAULT_AGE_HOURS,
    send_times=None,
    hourly=None,
    positions: str = "headline",
    tz: str = DEFAULT_TZ,
) -> pd.DataFrame:
    """Push table from saved ``getarticletotal`` responses, every push compared at the same age.

    ``details[]`` are cumulative to the end of each calendar day (``stat_date``), so
    "day 1" gives a 22:30 push 1.5 hours of reads and a 07:30 push 16.5: comparing at
    day 1 favours early slots. Each push is taken at the first ``stat_date`` by whose
    end at least ``age_hours`` have passed since it was sent (default 48 h: opens
    essentially complete). Pushes whose figures do not reach that age yet are too
    young: left out and counted, never mixed in.

    Parameters
    ----------
    source : path, folder, dict or list of dicts
        Saved responses (one per push date, as the API returns them).
    age_hours : float
        The comparison age.
    send_times : mapping, DataFrame or CSV path, optional
        ``msgid`` (or the push date) -> send time, from your send log. Needed: the API
        does not say when a push was sent.
    hourly : DataFrame, optional
        :func:`read_userreadhour` output, to infer send times the log lacks
        (:func:`infer_send_times`; flagged in ``sent_at_inferred``).
    positions : {"headline", "all"}
        The headline's counts (``_1``), or every article of a push summed.
    tz : str

    Returns
    -------
    DataFrame
        The push table: ``push_id`` (the push's msg_data_id), ``sent_at``, ``slot``,
        ``delivered`` (``target_user``), ``opened`` (``int_page_from_session_read_user``),
        ``shared``, plus ``title``, ``position``, ``reads_all``, ``favorites``,
        ``age_hours`` (the age of its figures), ``sent_at_inferred``.
    """
    lookup = _send_time_lookup(send_times, tz)
    inferred = infer_send_times(hourly, tz=tz) if hourly is not None else {}
    rows, problems, names = [], [], []
    too_young, no_time = [], []
    for name, payload in _payloads(source):
        names.append(name)
        start = len(problems)
        for i, article in enumerate(_check_payload(name, payload)):
            where = f"$.list[{i}]"
            if not isinstance(article, Mapping):
                problems.append(Problem(None, where, f"is a {type(article).__name__}, not an object"))
                continue
            msgid = _msgid(article, where, problems)
            ref_date = _date_field(article, "ref_date", where, problems)
            details = article.get("details")
            if details is None:
                problems.append(Problem(None, f"{where}.details", "is missing"))
                continue
            if not isinstance(details, list):
                problems.append(
                    Problem(None, f"{where}.details", f"is a {type(details).__name__}, not a list")
                )
                continue
            if msgid is None or ref_date is None:
                continue
            # Every cumulative entry is checked, not only the one used: inconsistent data is data
            # that cannot be trusted at any age.
            checked = {}
            for j, detail in enumerate(details):
                if isinstance(detail, Mapping):
                    checked[j] = _detail_counts(detail, f"{where}.details[{j}]", name, problems)
            sent_at, flagged = _article_send_time(lookup, inferred, msgid, ref_date)
            if sent_at is None:
                no_time.append(f"{ref_date:%Y-%m-%d} (msgid {msgid})")
                continue
            chosen = _first_old_enough(details, sent_at, age_hours, where, "details", problems)
            if chosen is None:
                too_young.append((msgid.split("_")[0], _position(msgid), where, name))
                continue
            j, detail = chosen
            w = f"{where}.details[{j}]"
            delivered, opened = checked.get(j, (None, None))
            if delivered is None or opened is None:
                continue
            rows.append(
                {
                    "push_id": msgid.split("_")[0],
                    "push_key": msgid.split("_")[0],
                    "sent_at": sent_at,
                    "delivered": delivered,
                    "opened": opened,
                    "shared": _int_field(detail, "share_user", name, w, problems, required=False),
                    "title": article.get("title") if isinstance(article.get("title"), str) else None,
                    "position": _position(msgid),
                    "reads_all": _int_field(detail, "int_page_read_user", name, w, problems, required=False),
                    "favorites": _int_field(detail, "add_to_fav_user", name, w, problems, required=False),
                    "age_hours": round(_age_at(pd.Timestamp(detail["stat_date"].strip()), sent_at), 1),
                    "sent_at_inferred": flagged,
                }
            )
        _tag_file(problems, start, name)
    source_name = _source_label(source, names)
    return _finish_payload_table(
        rows, problems, source_name, "getarticletotal", age_hours, too_young, no_time, positions, tz
    )


def _finish_payload_table(
    rows, problems, source_name, kind, age_hours, too_young, no_time, positions, tz, **extra
):
    if problems:
        raise PushDataError(source_name, problems, line_offset=None)
    if no_time:
        missing = sorted(set(no_time))
        dates = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise PushDataError(
            source_name,
            [
                Problem(
                    None,
                    "sent_at",
                    f"{kind} does not say when pushes were sent, and no send time was found for "
                    f"{dates}; add them to the send log (send_times= / --send-times: msgid or date -> "
                    "time, from your records or the backend export) or give hourly reads to infer them",
                )
            ],
            line_offset=None,
        )
    # A push is too young when its headline is (or, summing every article, when any article is);
    # its other rows are left out with it, never mixed in.
    young_pushes = sorted({young[0] for young in too_young if positions == "all" or young[1] == 1})
    rows = [r for r in rows if r["push_key"] not in set(young_pushes)]
    young = len(young_pushes)
    if not rows and not too_young:
        left_out = ", ".join(f"{n} {reason}" for reason, n in extra.get("skipped", {}).items() if n)
        raise PushDataError(
            source_name,
            [Problem(None, "$.list", "holds no pushes" + (f" (left out: {left_out})" if left_out else ""))],
            line_offset=None,
        )
    if not rows:
        raise PushDataError(
            source_name,
            [
                Problem(
                    None,
                    f"{where}.details" if kind == "getarticletotal" else f"{where}.detail_list",
                    f"has figures for less than {age_hours:g} hours after the send, so no push can be "
                    f"compared yet ({young} too young): wait for later stat_dates or lower --age-hours",
                    file=Path(name).name if not name.startswith("<") else None,
                )
                for _, _, where, name in too_young[:3]
            ],
            line_offset=None,
        )
    frame = pd.DataFrame(rows)
    frame["sent_at"] = pd.DatetimeIndex(frame["sent_at"]).tz_convert(tz)
    if "shared" in frame.columns and (
        frame["shared"].isna().any() or frame["shared"].gt(frame["delivered"]).any()
    ):
        frame = frame.drop(columns=["shared"])  # shares by non-followers can exceed deliveries
    pushes = validate_pushes(frame, source=source_name, line_offset=None, tz=tz, positions=positions)
    summary = pushes.attrs["load_summary"]
    pushes.attrs["load_summary"] = load_summary(
        pushes,
        source_name,
        skipped={f"younger than {age_hours:g} h": young, **extra.pop("skipped", {})},
        kind=kind,
        age_hours=age_hours,
        too_young=young_pushes,
        articles_grouped=summary.get("articles_grouped", 0),
        notes=summary.get("notes", []),
        positions=positions,
        send_times_inferred=int(pushes["sent_at_inferred"].sum()) if "sent_at_inferred" in pushes else 0,
        **extra,
    )
    return pushes


def read_articletotaldetail(
    source,
    *,
    age_hours: float = DEFAULT_AGE_HOURS,
    send_times=None,
    positions: str = "headline",
    tz: str = DEFAULT_TZ,
) -> pd.DataFrame:
    """Push table from saved ``getarticletotaldetail`` responses (data from 2025-11-01 on).

    ``opened`` is the 公众号消息 channel of ``read_user_source``; ``delivered`` is not
    in the payload and is recovered as ``opened / read_delivery_rate`` (rounded;
    flagged ``delivered_inferred``). Counts are cumulative to each ``stat_date`` and
    taken at the same age for every push, as in :func:`read_articletotal`. Items
    published without a push (``publish_type`` 1: 发表, no notification) and items
    with no push reads (their deliveries cannot be recovered) are left out and
    counted, not an error.
    """
    lookup = _send_time_lookup(send_times, tz)
    rows, problems, names = [], [], []
    too_young, no_time, not_pushed, no_reads = [], [], 0, 0
    for name, payload in _payloads(source):
        names.append(name)
        start = len(problems)
        for i, item in enumerate(_check_payload(name, payload)):
            where = f"$.list[{i}]"
            if not isinstance(item, Mapping):
                problems.append(Problem(None, where, f"is a {type(item).__name__}, not an object"))
                continue
            if str(item.get("publish_type", 0)) == "1":
                not_pushed += 1
                continue
            msgid = _msgid(item, where, problems)
            ref_date = _date_field(item, "ref_date", where, problems)
            details = item.get("detail_list")
            if not isinstance(details, list):
                problems.append(
                    Problem(
                        None, f"{where}.detail_list", "is missing" if details is None else "is not a list"
                    )
                )
                continue
            if msgid is None or ref_date is None:
                continue
            sent_at, _ = _article_send_time(lookup, {}, msgid, ref_date)
            if sent_at is None:
                no_time.append(f"{ref_date:%Y-%m-%d} (msgid {msgid})")
                continue
            chosen = _first_old_enough(details, sent_at, age_hours, where, "detail_list", problems)
            if chosen is None:
                too_young.append((msgid.split("_")[0], _position(msgid), where, name))
                continue
            j, detail = chosen
            w = f"{where}.detail_list[{j}]"
            sources = detail.get("read_user_source")
            if not isinstance(sources, list) or not all(isinstance(c, Mapping) for c in sources):
                problems.append(
                    Problem(None, f"{w}.read_user_source", "is missing or not a list of channels")
                )
                continue
            channels = {c.get("scene_desc"): c for c in sources}
            if "公众号消息" not in channels:
                problems.append(Problem(None, f"{w}.read_user_source", "has no 公众号消息 (push) channel"))
                continue
            k = list(channels).index("公众号消息")
            opened = _int_field(
                channels["公众号消息"], "user_count", name, f"{w}.read_user_source[{k}]", problems
            )
            rate = detail.get("read_delivery_rate")
            try:
                rate = float(rate)
            except (TypeError, ValueError):
                problems.append(Problem(None, f"{w}.read_delivery_rate", f"{rate!r} is not a rate"))
                continue
            if opened is None:
                continue
            if opened == 0 or rate == 0:
                no_reads += 1
                continue
            if not 0 < rate <= 1:
                problems.append(
                    Problem(None, f"{w}.read_delivery_rate", f"{rate!r} is not a rate between 0 and 1")
                )
                continue
            rows.append(
                {
                    "push_id": msgid.split("_")[0],
                    "push_key": msgid.split("_")[0],
                    "sent_at": sent_at,
                    "delivered": round(opened / rate),
                    "opened": opened,
                    "title": item.get("title") if isinstance(item.get("title"), str) else None,
                    "position": _position(msgid),
                    "reads_all": detail.get("read_user")
                    if isinstance(detail.get("read_user"), int)
                    else None,
                    "read_finish_rate": detail.get("read_finish_rate"),
                    "age_hours": round(_age_at(pd.Timestamp(detail["stat_date"].strip()), sent_at), 1),
                    "delivered_inferred": True,
                }
            )
        _tag_file(problems, start, name)
    source_name = _source_label(source, names)
    return _finish_payload_table(
        rows,
        problems,
        source_name,
        "getarticletotaldetail",
        age_hours,
        too_young,
        no_time,
        positions,
        tz,
        skipped={
            "published without a push (publish_type 1)": not_pushed,
            "no push reads (deliveries cannot be recovered)": no_reads,
        },
        delivered_inferred=True,
    )


def read_userreadhour(source, *, tz: str = DEFAULT_TZ) -> pd.DataFrame:
    """Hourly reads from saved ``getuserreadhour`` responses.

    Returns a long table ``date, hour, user_source, reads, read_count``
    (``int_page_read_user`` / ``_count``). ``ref_hour`` is decoded from its
    HHMM encoding (0, 100, ..., 2300). Each file asks for one day: rows from
    other dates (which the API has been seen to return) are dropped and
    counted in ``attrs["stray_rows"]``; the requested date is the file's
    most common ``ref_date``. Channel rows may lack fields: missing counts
    are 0 only where the field is absent on a channel row, never on the
    99999999 (all channels) row.
    """
    frames, stray, names = [], 0, []
    for name, payload in _payloads(source):
        names.append(name)
        records = _check_payload(name, payload)
        if not records:
            continue
        problems = []
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                problems.append(Problem(None, f"$.list[{i}]", f"is a {type(record).__name__}, not an object"))
        if problems:
            raise PushDataError(name, problems, line_offset=None)
        dates = pd.Series([str(r.get("ref_date")) for r in records])
        requested = dates.mode().iloc[0]
        for i, record in enumerate(records):
            if str(record.get("ref_date")) != requested:
                stray += 1
                continue
            where = f"$.list[{i}]"
            source_code = _int_field(record, "user_source", name, where, problems, required=False)
            source_code = ALL_SOURCES if source_code is None else source_code
            required = source_code == ALL_SOURCES
            hour = _int_field(record, "ref_hour", name, where, problems)
            reads = _int_field(record, "int_page_read_user", name, where, problems, required=required)
            count = _int_field(record, "int_page_read_count", name, where, problems, required=False)
            if hour is None or (hour % 100) or hour > 2300:
                if hour is not None:
                    problems.append(Problem(None, f"{where}.ref_hour", f"{hour} is not 0, 100, ..., 2300"))
                continue
            frames.append((requested, hour // 100, source_code, reads or 0, count or 0))
        if _date_field({"ref_date": requested}, "ref_date", "$.list[*]", problems) is None:
            problems = problems[-1:]
        if problems:
            raise PushDataError(name, problems, line_offset=None)
    table = pd.DataFrame(frames, columns=["date", "hour", "user_source", "reads", "read_count"])
    table["date"] = pd.to_datetime(table["date"]).dt.date
    table = table.sort_values(["date", "user_source", "hour"]).reset_index(drop=True)
    table.attrs["stray_rows"] = stray
    table.attrs["source"] = _source_label(source, names)
    return table


def infer_send_times(hourly: pd.DataFrame, *, tz: str = DEFAULT_TZ) -> dict:
    """Send time per date guessed as the first hour with session (会话) reads, on the hour.

    A guess, not a record: a push at 12:40 shows up as 12:00, and a day
    with stray session reads before the push (old articles) is early. Use
    the send log or the backend export's 发表时间 when you have them.

    Returns ``{"YYYY-MM-DD": Timestamp}``.
    """
    session = hourly[(hourly["user_source"] == SESSION) & (hourly["reads"] > 0)]
    first = session.groupby("date")["hour"].min()
    return {
        str(date): pd.Timestamp(str(date)).tz_localize(tz) + pd.Timedelta(hours=int(hour))
        for date, hour in first.items()
    }


def curves_from_hourly(hourly: pd.DataFrame, pushes: pd.DataFrame, *, max_age: int = 72) -> pd.DataFrame:
    """Cumulative session reads by hours since each push, from hourly reads (one push a day).

    Attributes each date's session (``user_source`` 0) reads from the push
    hour on to that day's push, carrying into later days up to ``max_age``
    hours or the next push, whichever is first. Returns ``push_id,
    age_hours, opened_cum`` (the shape :func:`wxtime.rates.read_curves`
    takes).
    """
    session = hourly[hourly["user_source"] == SESSION]
    stamps = pd.DatetimeIndex(
        pd.to_datetime(session["date"].astype(str)) + pd.to_timedelta(session["hour"], unit="h")
    ).tz_localize(pushes["sent_at"].dt.tz)
    reads = pd.Series(session["reads"].to_numpy(), index=stamps).sort_index()
    ordered = pushes.sort_values("sent_at")
    rows = []
    sends = ordered["sent_at"].dt.floor("h").tolist()
    for k, (push_id, start) in enumerate(zip(ordered["push_id"], sends)):
        end = min(
            start + pd.Timedelta(hours=max_age),
            sends[k + 1] if k + 1 < len(sends) else start + pd.Timedelta(hours=max_age),
        )
        window = reads[(reads.index >= start) & (reads.index < end)]
        ages = ((window.index - start) / pd.Timedelta(hours=1)).astype(int) + 1
        cumulative = np.cumsum(window.to_numpy())
        rows.extend(zip([push_id] * len(ages), ages, cumulative))
    return pd.DataFrame(rows, columns=["push_id", "age_hours", "opened_cum"])


# -- backend exports ----------------------------------------------------------------
_PERCENT = re.compile(r"^\s*-?\d+(\.\d+)?\s*%\s*$")


def _percent_to_float(series: pd.Series) -> pd.Series:
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        text = series.astype(str).str.strip()
        filled = series.notna() & (text != "")
        if filled.any() and text[filled].str.match(_PERCENT).all():
            return pd.to_numeric(text.str.replace("%", "", regex=False).str.strip(), errors="coerce") / 100
    return series


def _read_export(path: Path, encoding: str | None, sep: str | None = None) -> pd.DataFrame:
    """A backend export (.xlsx or .csv) as text columns, or a PushDataError saying why not."""
    from .schema import _read_table

    if not path.exists():
        raise PushDataError(str(path), [Problem(None, None, "does not exist")])
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        frame, _ = _read_table(path, sep, encoding, None)
        return frame.astype(object).where(frame.notna(), None)
    try:
        return _read_table(path, sep, encoding, None)[0]
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PushDataError(str(path), [Problem(None, None, f"cannot be read as CSV: {exc}")]) from None


_URL_KEYS = re.compile(r"[?&]mid=(?P<mid>\d+).*?[?&]idx=(?P<idx>\d+)")


def read_backend_export(
    path,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    encoding=None,
    sep=None,
    slot_freq: str | None = None,
    positions: str = "headline",
    strict_funnel: bool = True,
):
    """Push table from the MP backend's per-article export (内容分析 › 已通知内容 › 下载数据明细).

    Columns used: 发表时间 (sent_at), 送达人数 (delivered), 公众号消息阅读次数 (opened; the
    export counts reads, 次数, not readers), 内容标题 (title). The export lists
    **articles**: a push with three articles has three rows (same 发表时间 and
    送达人数). They become one push (the headline's counts, or all articles summed
    with ``positions="all"``); the push and the article's position come from
    ``mid=`` and ``idx=`` in 内容url when present, else from the shared send time
    (the headline listed first). Rate columns given as percent strings
    ("12.34%": 送达阅读率, 阅读完成率, ...) become fractions. Slots are inferred
    from the send times (07:29:40 is the 07:30 slot).
    """
    path = Path(path)
    frame = _read_export(path, encoding, sep)
    for column in frame.columns:
        frame[column] = _percent_to_float(frame[column])
    url = next(
        (c for c in frame.columns if str(c).strip() in ("内容url", "内容URL", "url", "文章链接")), None
    )
    if url is not None:
        keys = frame[url].astype(str).str.extract(_URL_KEYS)
        if keys["mid"].notna().all():
            frame["push_key"] = keys["mid"]
            frame["position"] = keys["idx"].astype(int)
    pushes = validate_pushes(
        frame,
        columns=columns,
        tz=tz,
        source=str(path),
        line_offset=1,
        slot_freq=slot_freq,
        positions=positions,
        strict_funnel=strict_funnel,
    )
    summary = pushes.attrs["load_summary"]
    summary["kind"] = "backend export"
    from ._io import file_sha256

    summary["sha256"] = file_sha256(path)
    if "read_note" in frame.attrs:
        summary.setdefault("notes", []).insert(0, frame.attrs["read_note"])
    return pushes


def read_hourly_export(path, *, encoding=None) -> pd.DataFrame:
    """Hourly traffic export (数据分析 › 内容分析 › 下载数据明细, by hour) as the table
    :func:`read_userreadhour` returns: 渠道 公众号消息 -> user_source 0, 全部 -> 99999999."""
    path = Path(path)
    frame = _read_export(path, encoding)
    hour_column = next((c for c in ("小时", "时段", "时间") if c in frame.columns), None)
    needed = ["日期", "阅读人数", "渠道"]
    missing = [c for c in needed if c not in frame.columns] + ([] if hour_column else ["小时"])
    if missing:
        raise PushDataError(str(path), [Problem(None, c, "is required but missing") for c in missing])
    channels = {"公众号消息": SESSION, "全部": ALL_SOURCES}
    keep = frame[frame["渠道"].isin(channels)]
    hours = keep[hour_column].astype(str).str.extract(r"(\d{1,2})")[0].astype(int)
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(keep["日期"]).dt.date,
            "hour": hours.to_numpy(),
            "user_source": keep["渠道"].map(channels).to_numpy(),
            "reads": pd.to_numeric(keep["阅读人数"]).astype(int).to_numpy(),
            "read_count": pd.to_numeric(keep.get("阅读次数", keep["阅读人数"])).astype(int).to_numpy(),
        }
    )
    table.attrs["stray_rows"] = 0
    table.attrs["other_channels_left_out"] = int(len(frame) - len(keep))
    return table


# -- writers (for round trips, tests and demos) ---------------------------------------
def to_articletotal_payloads(pushes: pd.DataFrame, curves: pd.DataFrame, *, days: int = 3) -> list[dict]:
    """Write a study as ``getarticletotal`` responses (one per push date), cumulative ``details[]``.

    Session reads at day ``d`` are the push's cumulative opens at the end of
    that calendar day, from ``curves``.
    """
    payloads = []
    for row in pushes.sort_values("sent_at").itertuples():
        push_day = row.sent_at.normalize()
        curve = curves[curves["push_id"] == row.push_id].set_index("age_hours")["opened_cum"]
        details = []
        for d in range(days):
            end_of_day = push_day + pd.Timedelta(days=d + 1)
            age = int((end_of_day - row.sent_at.floor("h")) / pd.Timedelta(hours=1))
            opened = int(curve[curve.index <= age].iloc[-1]) if (curve.index <= age).any() else 0
            details.append(
                {
                    "stat_date": (push_day + pd.Timedelta(days=d)).strftime("%Y-%m-%d"),
                    "target_user": int(row.delivered),
                    "int_page_read_user": opened,
                    "int_page_from_session_read_user": opened,
                    "share_user": int(getattr(row, "shared", 0) or 0),
                    "add_to_fav_user": 0,
                }
            )
        payloads.append(
            {
                "list": [
                    {
                        "ref_date": push_day.strftime("%Y-%m-%d"),
                        "msgid": f"{row.push_id}_1",
                        "title": getattr(row, "title", ""),
                        "user_source": 0,
                        "details": details,
                    }
                ]
            }
        )
    return payloads


def to_backend_export(pushes: pd.DataFrame) -> pd.DataFrame:
    """A push table as the backend's 已通知内容 export (Chinese headers, percent strings)."""
    return pd.DataFrame(
        {
            "内容标题": pushes.get("title", pd.Series([""] * len(pushes))),
            "发表时间": pushes["sent_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "送达人数": pushes["delivered"],
            "公众号消息阅读次数": pushes["opened"],
            "送达阅读率": (100 * pushes["opened"] / pushes["delivered"]).map("{:.2f}%".format),
            "总分享人数": pushes.get("shared", 0),
        }
    )


_EXPORT_HEADERS = {"发表时间", "送达人数"}


def _looks_like_export(path: Path, encoding, sep) -> bool:
    """Whether a CSV or Excel file is the backend's 已通知内容 export (articles, not pushes)."""
    from .schema import _csv_header, text_encoding

    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from .schema import _excel_layout

            sheet, header_row, _ = _excel_layout(path, None)
            headers = [str(c) for c in read_excel(path, sheet_name=sheet, header=header_row, nrows=0).columns]
        elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
            headers = [h.strip() for h in _csv_header(path, sep, text_encoding(path, encoding))]
        else:
            return False
    except (PushDataError, UnicodeDecodeError, OSError, ValueError):
        return False
    return _EXPORT_HEADERS <= set(headers) and bool({"内容标题", "内容url"} & set(headers))


_PAYLOAD_KINDS = ("getarticletotaldetail", "getarticletotal", "getuserreadhour")


def _payload_kind(name: str, payload) -> str | None:
    """Which datacube endpoint a saved response came from: by its records, else by its file name."""
    records = payload.get("list") if isinstance(payload, Mapping) else None
    keys: set = set()
    for record in (records if isinstance(records, list) else [])[:50]:
        if isinstance(record, Mapping):
            keys |= set(record)
    if "detail_list" in keys:
        return "getarticletotaldetail"
    if "details" in keys:
        return "getarticletotal"
    if "ref_hour" in keys:
        return "getuserreadhour"
    stem = Path(name).name.lower()
    return next((kind for kind in _PAYLOAD_KINDS if stem.startswith(kind)), None)


def _payload_sources(path: Path) -> tuple[object, object, str]:
    """The push payloads, the hourly payloads (or None) and the push endpoint, for a file or folder.

    A folder saved by ``wxtime fetch`` has one subfolder per endpoint; a folder of saved
    responses side by side is sorted file by file, by what each holds (or its name).
    """
    for kind in ("getarticletotal", "getarticletotaldetail"):
        if (path / kind).is_dir():
            hourly = path / "getuserreadhour"
            return path / kind, hourly if hourly.is_dir() else None, kind
    loaded = _payloads(path) if path.is_dir() else [(str(path), _load_json(path))]
    groups: dict[str, list] = {}
    for name, payload in loaded:
        kind = _payload_kind(name, payload)
        if kind is None:
            _check_payload(name, payload)  # says what is wrong with it, if anything
            raise PushDataError(
                name,
                [
                    Problem(
                        None,
                        "$.list[0]",
                        "is not a getarticletotal ('details'), getarticletotaldetail ('detail_list') "
                        "or getuserreadhour ('ref_hour') record",
                    )
                ],
                line_offset=None,
            )
        groups.setdefault(kind, []).append((name, payload))
    kinds = [k for k in ("getarticletotal", "getarticletotaldetail") if k in groups]
    if len(kinds) > 1:
        raise PushDataError(
            str(path),
            [Problem(None, None, "mixes getarticletotal and getarticletotaldetail responses: keep one kind")],
            line_offset=None,
        )
    if not kinds:
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    "holds hourly reads (getuserreadhour) only: the push figures (getarticletotal) "
                    "are needed too",
                )
            ],
            line_offset=None,
        )
    return groups[kinds[0]], groups.get("getuserreadhour"), kinds[0]


def read_any(
    path,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    encoding: str | None = None,
    sep: str | None = None,
    send_times=None,
    age_hours: float | None = None,
    slot_freq: str | None = None,
    positions: str = "headline",
    strict_funnel: bool = True,
) -> pd.DataFrame:
    """Read what a user has, with one set of options: a push table, a backend export, or API payloads.

    * a folder or ``.json`` file of datacube payloads (a folder saved by ``wxtime fetch``
      may hold ``getarticletotal/`` and ``getuserreadhour/``): :func:`read_articletotal`
      or :func:`read_articletotaldetail`, compared at ``age_hours`` (default 48);
    * a 已通知内容 export (.xlsx/.csv with 发表时间, 送达人数, 内容标题): :func:`read_backend_export`;
    * anything else: :func:`wxtime.schema.read_pushes`.

    Every path ends in the validated push table or a :class:`PushDataError` naming the
    file and the row, JSON path or column.
    """
    from .schema import check_encoding, check_tz

    check_tz(tz)
    check_encoding(encoding)
    if positions not in ("headline", "all"):
        raise InputError(f"positions must be 'headline' or 'all', not {positions!r}")
    if age_hours is not None and not (np.isfinite(age_hours) and age_hours > 0):
        raise InputError(f"age_hours must be a positive number of hours, not {age_hours!r}")
    path = Path(path)
    if path.is_dir() or (path.suffix.lower() == ".json" and _is_payload(path)):
        pushes_source, hourly_source, kind = _payload_sources(path)
        hourly = read_userreadhour(hourly_source, tz=tz) if hourly_source is not None else None
        age = age_hours if age_hours is not None else DEFAULT_AGE_HOURS
        if kind == "getarticletotal":
            pushes = read_articletotal(
                pushes_source, age_hours=age, send_times=send_times, hourly=hourly, positions=positions, tz=tz
            )
        else:
            pushes = read_articletotaldetail(
                pushes_source, age_hours=age, send_times=send_times, positions=positions, tz=tz
            )
        if hourly is not None:
            pushes.attrs["curves"] = curves_from_hourly(hourly, pushes)
        return pushes
    if not path.exists():
        raise PushDataError(str(path), [Problem(None, None, "does not exist")])
    if _looks_like_export(path, encoding, sep):
        return read_backend_export(
            path,
            columns=columns,
            tz=tz,
            encoding=encoding,
            sep=sep,
            slot_freq=slot_freq,
            positions=positions,
            strict_funnel=strict_funnel,
        )
    return read_pushes(
        path,
        columns=columns,
        tz=tz,
        encoding=encoding,
        sep=sep,
        slot_freq=slot_freq,
        positions=positions,
        strict_funnel=strict_funnel,
    )


def _is_payload(path: Path) -> bool:
    """A .json file is a datacube payload (an object with 'list' or 'errcode'), not push records."""
    try:
        head = path.read_bytes()[:4096].decode("utf-8-sig", errors="ignore").lstrip()
    except OSError:
        return True
    return not head.startswith("[")
