"""WeChat datacube API payloads as saved: ``getarticletotal``, ``...detail`` and ``getuserreadhour``.

Field meanings follow the official datacube documentation (summarised in
``shared/reference/wechat-data.md``): ``target_user`` = delivered (送达人数),
``int_page_from_session_read_user`` = readers from the push itself (the open),
``int_page_read_user`` = all readers including shares and Moments; ``details[]``
values are cumulative from the push date to the end of each ``stat_date``.

Saved responses come as the API returns them (``{"list": [...]}``) or as the bare list
API client libraries return (wechatpy's ``res["list"]``). A folder may hold a response
downloaded twice (``... (1).json``): it is read once and named. An error response saved as
data (``{"errcode": 45009, ...}``, a quota error) is skipped and listed, not fatal, as
long as other responses hold data.

The API never says when a push was sent: its time of day comes from
:mod:`wxtime.io.sendtimes` (a send log, a stated slot, or the hourly reads).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, PushDataError
from .sendtimes import ALL_CHANNELS, PUSH_CHANNEL, SendTimes, settle

__all__ = [
    "DEFAULT_AGE_HOURS",
    "KINDS",
    "Payloads",
    "articles_from_payloads",
    "curves_from_hourly",
    "hourly_from_payloads",
    "payload_kind",
    "read_payload_files",
    "to_articletotal_payloads",
]

#: Default comparison age: opens from a push are essentially complete two days after it
#: (in the realistic fixtures 98.7% of a 07:30 push's 7-day session opens arrive within 48 h).
DEFAULT_AGE_HOURS = 48.0
KINDS = ("getarticletotal", "getarticletotaldetail", "getuserreadhour")
MAX_COUNT = 2_000_000_000


@dataclass
class Payloads:
    """Saved responses sorted by endpoint: ``{kind: [(name, records)]}``, plus what was left
    out (``skipped``: reason -> files) and the notes saying so."""

    groups: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    files: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (file, errcode, errmsg) of error responses


def payload_kind(name: str, payload) -> str | None:
    """Which datacube endpoint a saved response came from: by its records, else by its file name.

    Examples
    --------
    >>> payload_kind("x.json", {"list": [{"ref_date": "2024-06-03", "ref_hour": 1200}]})
    'getuserreadhour'
    >>> payload_kind("x.json", [{"ref_date": "2024-06-03", "msgid": "1_1", "details": []}])
    'getarticletotal'
    """
    records = payload.get("list") if isinstance(payload, Mapping) else payload
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
    return next((kind for kind in sorted(KINDS, key=len, reverse=True) if stem.startswith(kind)), None)


def is_payload(data) -> bool:
    """Whether loaded JSON is a datacube response (an object with ``list`` or ``errcode``, or a
    bare list of datacube records), rather than an array of push records."""
    if isinstance(data, Mapping):
        return "list" in data or "errcode" in data
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return payload_kind("", data) is not None
    return False


def _records(name: str, payload) -> list:
    """The records of one response (``$.list``, or the bare list itself)."""
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, Mapping):
        raise PushDataError(
            name, [Problem(None, "$", "is not a JSON object with a 'list'")], line_offset=None
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


def read_payload_files(paths) -> Payloads:
    """Load saved responses (files, in the order given), sort them by endpoint, read each distinct
    content once, and set aside error responses.

    A folder saved by ``wxtime fetch`` (``getarticletotal/``, ``getuserreadhour/``) is the
    same as its files side by side.
    """
    import json

    from .files import load_json

    out = Payloads()
    seen: dict[str, str] = {}
    errors: list[str] = []
    for path in paths:
        path = Path(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            out.notes.append(f"{path.name} is the same download as {Path(seen[digest]).name}: read once")
            out.skipped["payload_downloaded_twice"] = out.skipped.get("payload_downloaded_twice", 0) + 1
            continue
        seen[digest] = str(path)
        payload = load_json(path)
        out.files.append({"file": str(path), "sha256": digest})
        if isinstance(payload, Mapping) and payload.get("errcode"):
            errors.append(
                f"{path.name} (errcode {payload['errcode']}: {str(payload.get('errmsg', ''))[:60]})"
            )
            out.errors.append((str(path), payload["errcode"], str(payload.get("errmsg", ""))[:80]))
            continue
        kind = payload_kind(str(path), payload)
        if kind is None:
            records = _records(str(path), payload)
            if not records:
                out.notes.append(f"{path.name} holds no records (an empty day)")
                continue
            raise PushDataError(
                str(path),
                [
                    Problem(
                        None,
                        "$.list[0]",
                        "is not a getarticletotal ('details'), getarticletotaldetail ('detail_list') or "
                        "getuserreadhour ('ref_hour') record: "
                        f"{json.dumps(records[0], ensure_ascii=False)[:60]}",
                    )
                ],
                line_offset=None,
            )
        out.groups.setdefault(kind, []).append((str(path), _records(str(path), payload)))
    if errors:
        out.skipped["error_responses"] = len(errors)
        out.notes.append(
            "error responses skipped: " + "; ".join(errors[:5]) + ("; ..." if len(errors) > 5 else "")
        )
    return out


# -- fields -----------------------------------------------------------------------------------
def _int_field(record: Mapping, field_name: str, where: str, problems: list, required=True):
    value = record.get(field_name)
    if value is None:
        if required:
            problems.append(Problem(None, f"{where}.{field_name}", "is missing"))
        return None
    if isinstance(value, bool | list | dict):
        problems.append(Problem(None, f"{where}.{field_name}", f"{value!r} is not a number"))
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        problems.append(Problem(None, f"{where}.{field_name}", f"{value!r} is not a number"))
        return None
    if not np.isfinite(number) or number < 0 or not number.is_integer() or number > MAX_COUNT:
        problems.append(Problem(None, f"{where}.{field_name}", f"{value!r} is not a count"))
        return None
    return int(number)


def _date_field(record: Mapping, field_name: str, where: str, problems: list):
    value = record.get(field_name)
    if value is None:
        problems.append(Problem(None, f"{where}.{field_name}", "is missing"))
        return None
    if not isinstance(value, str) or not re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", value):
        problems.append(Problem(None, f"{where}.{field_name}", f"{value!r} is not a date (YYYY-MM-DD)"))
        return None
    try:
        return pd.Timestamp(value.strip())
    except (ValueError, TypeError):
        problems.append(Problem(None, f"{where}.{field_name}", f"{value!r} is not a date"))
        return None


def _msgid(record: Mapping, where: str, problems: list) -> str | None:
    value = record.get("msgid")
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
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


def _tag_file(problems: list, start: int, name: str) -> None:
    """Mark the problems found from ``start`` on as belonging to the file ``name``."""
    if name.startswith("<"):
        return
    from dataclasses import replace

    problems[start:] = [replace(p, file=Path(name).name) for p in problems[start:]]


def _source_label(names: list[str]) -> str:
    """How errors name a set of payloads: the file when there is one, else their folder."""
    if len(names) == 1:
        return names[0]
    parents = {str(Path(n).parent) for n in names}
    if len(parents) == 1 and not any(n.startswith("<") for n in names):
        return parents.pop()
    return f"{len(names)} payloads"


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


# -- hourly reads ------------------------------------------------------------------------------
def hourly_from_payloads(groups: list) -> tuple[pd.DataFrame, int]:
    """Hourly reads from saved ``getuserreadhour`` responses: ``date, hour, user_source, reads,
    read_count`` and the number of stray rows left out.

    ``ref_hour`` is decoded from its HHMM encoding (0, 100, ..., 2300). Each response asks
    for one day: rows of other dates (which the API has been seen to return) are left out
    and counted; the requested date is the response's most common ``ref_date``. Channel
    rows may lack fields: a missing count is 0 on a channel row, never on the 99999999
    (all channels) row.
    """
    rows, stray = [], 0
    for name, records in groups:
        problems: list[Problem] = []
        for i, record in enumerate(records):
            if not isinstance(record, Mapping):
                problems.append(Problem(None, f"$.list[{i}]", f"is a {type(record).__name__}, not an object"))
        if problems:
            raise PushDataError(name, problems, line_offset=None)
        if not records:
            continue
        dates = pd.Series([str(r.get("ref_date")) for r in records])
        requested = dates.mode().iloc[0]
        if _date_field({"ref_date": requested}, "ref_date", "$.list[*]", problems) is None:
            raise PushDataError(name, problems, line_offset=None)
        for i, record in enumerate(records):
            if str(record.get("ref_date")) != requested:
                stray += 1
                continue
            where = f"$.list[{i}]"
            channel = _int_field(record, "user_source", where, problems, required=False)
            channel = ALL_CHANNELS if channel is None else channel
            required = channel == ALL_CHANNELS
            hour = _int_field(record, "ref_hour", where, problems)
            reads = _int_field(record, "int_page_read_user", where, problems, required=required)
            count = _int_field(record, "int_page_read_count", where, problems, required=False)
            if hour is None or (hour % 100) or hour > 2300:
                if hour is not None:
                    problems.append(Problem(None, f"{where}.ref_hour", f"{hour} is not 0, 100, ..., 2300"))
                continue
            rows.append((requested, hour // 100, channel, reads or 0, count or 0))
        if problems:
            raise PushDataError(name, problems, line_offset=None)
    table = pd.DataFrame(rows, columns=["date", "hour", "user_source", "reads", "read_count"])
    table["date"] = pd.to_datetime(table["date"])
    table = table.drop_duplicates(["date", "hour", "user_source"], keep="first")
    return table.sort_values(["date", "user_source", "hour"]).reset_index(drop=True), stray


def curves_from_hourly(hourly: pd.DataFrame, pushes: pd.DataFrame, *, max_age: int = 72) -> pd.DataFrame:
    """Cumulative push-channel reads by hours since each push, from hourly reads (one push a day).

    Attributes each hour's push-channel (``user_source`` 0) reads from the push hour on to
    that push, carrying into later days up to ``max_age`` hours or the next push, whichever
    is first. Returns ``push_id, age_hours, opened_cum`` (what
    :func:`wxtime.rates.read_curves` takes).
    """
    session = hourly[hourly["user_source"] == PUSH_CHANNEL]
    tz = pushes["sent_at"].dt.tz
    stamps = (
        pd.DatetimeIndex(session["date"]) + pd.to_timedelta(session["hour"].to_numpy(), unit="h")
    ).tz_localize(tz)
    reads = pd.Series(session["reads"].to_numpy(), index=stamps).sort_index()
    ordered = pushes.sort_values("sent_at")
    sends = ordered["sent_at"].dt.floor("h").tolist()
    rows = []
    for k, (push_id, start) in enumerate(zip(ordered["push_id"], sends)):
        end = start + pd.Timedelta(hours=max_age)
        if k + 1 < len(sends):
            end = min(end, sends[k + 1])
        window = reads[(reads.index >= start) & (reads.index < end)]
        ages = ((window.index - start) / pd.Timedelta(hours=1)).astype(int) + 1
        rows.extend(zip([push_id] * len(ages), ages, np.cumsum(window.to_numpy())))
    return pd.DataFrame(rows, columns=["push_id", "age_hours", "opened_cum"])


# -- articles -----------------------------------------------------------------------------------
def _article_rows(kind: str, groups: list, problems: list) -> tuple[list, list[str], dict]:
    """Every article of the push responses: its identity, date and every cumulative entry, checked."""
    articles, names, skipped = [], [], {}
    for name, records in groups:
        names.append(name)
        start = len(problems)
        for i, item in enumerate(records):
            where = f"$.list[{i}]"
            if not isinstance(item, Mapping):
                problems.append(Problem(None, where, f"is a {type(item).__name__}, not an object"))
                continue
            if kind == "getarticletotaldetail" and str(item.get("publish_type", 0)) == "1":
                skipped["published_without_push"] = skipped.get("published_without_push", 0) + 1
                continue
            msgid = _msgid(item, where, problems)
            ref_date = _date_field(item, "ref_date", where, problems)
            key = "details" if kind == "getarticletotal" else "detail_list"
            details = item.get(key)
            if not isinstance(details, list):
                problems.append(
                    Problem(
                        None,
                        f"{where}.{key}",
                        "is missing" if details is None else f"is a {type(details).__name__}, not a list",
                    )
                )
                continue
            if kind == "getarticletotal":
                # Every cumulative entry is checked, not only the one used: inconsistent data is
                # data that cannot be trusted at any age.
                for j, detail in enumerate(details):
                    if isinstance(detail, Mapping):
                        _detail_counts(detail, f"{where}.details[{j}]", problems)
            if msgid is None or ref_date is None:
                continue
            title = item.get("title") if isinstance(item.get("title"), str) else None
            articles.append((name, where, msgid, ref_date, title, details))
        _tag_file(problems, start, name)
    return articles, names, skipped


def _detail_counts(detail: Mapping, where: str, problems: list):
    """``(delivered, opened)`` of one cumulative getarticletotal entry, checked (None where bad)."""
    delivered = _int_field(detail, "target_user", where, problems)
    opened = _int_field(detail, "int_page_from_session_read_user", where, problems)
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


def _total_row(name, where, msgid, sent_at, detail, j, age_hours, problems):
    w = f"{where}.details[{j}]"
    delivered, opened = _detail_counts(detail, w, [])
    if delivered is None or opened is None:
        return None
    return {
        "delivered": delivered,
        "opened": opened,
        "shared": _int_field(detail, "share_user", w, problems, required=False),
        "reads_all": _int_field(detail, "int_page_read_user", w, problems, required=False),
        "favorites": _int_field(detail, "add_to_fav_user", w, problems, required=False),
    }


def _detail_row(name, where, msgid, sent_at, detail, j, age_hours, problems, counters):
    w = f"{where}.detail_list[{j}]"
    sources = detail.get("read_user_source")
    if not isinstance(sources, list) or not all(isinstance(c, Mapping) for c in sources):
        problems.append(Problem(None, f"{w}.read_user_source", "is missing or not a list of channels"))
        return None
    channels = {c.get("scene_desc"): c for c in sources}
    if "公众号消息" not in channels:
        problems.append(Problem(None, f"{w}.read_user_source", "has no 公众号消息 (push) channel"))
        return None
    k = list(channels).index("公众号消息")
    opened = _int_field(channels["公众号消息"], "user_count", f"{w}.read_user_source[{k}]", problems)
    rate = detail.get("read_delivery_rate")
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        problems.append(Problem(None, f"{w}.read_delivery_rate", f"{rate!r} is not a rate"))
        return None
    if opened is None:
        return None
    if opened == 0 or rate == 0:
        counters["no_push_reads"] = counters.get("no_push_reads", 0) + 1
        return None
    if not 0 < rate <= 1:
        problems.append(Problem(None, f"{w}.read_delivery_rate", f"{rate!r} is not a rate between 0 and 1"))
        return None
    return {
        "delivered": round(opened / rate),
        "opened": opened,
        "reads_all": detail.get("read_user") if isinstance(detail.get("read_user"), int) else None,
        "read_finish_rate": detail.get("read_finish_rate"),
        "delivered_inferred": True,
    }


def articles_from_payloads(
    kind: str,
    groups: list,
    times: SendTimes,
    *,
    age_hours: float = DEFAULT_AGE_HOURS,
    positions: str = "headline",
    tz: str = "Asia/Shanghai",
) -> tuple[pd.DataFrame, dict]:
    """Articles of saved push responses, every push taken at the same age.

    ``details[]`` are cumulative to the end of each calendar day (``stat_date``), so
    "day 1" gives a 22:30 push 1.5 hours of reads and a 07:30 push 16.5: comparing at day
    1 favours early slots. Each push is taken at the first ``stat_date`` by whose end at
    least ``age_hours`` have passed since it was sent (default 48 h: opens essentially
    complete). Pushes whose figures do not reach that age yet are too young: left out and
    counted, never mixed in. For ``getarticletotaldetail`` (from 2025-11-01) ``opened`` is
    the 公众号消息 channel and ``delivered`` is recovered as ``opened / read_delivery_rate``.

    Returns ``(frame, details)``: one row per article with ``push_id, push_key, position,
    title, date, minutes, time_source, delivered, opened, ...`` and what was left out.
    """
    problems: list[Problem] = []
    articles, names, skipped = _article_rows(kind, groups, problems)
    source = _source_label(names)
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    dates = pd.DatetimeIndex([a[3] for a in articles])
    n = len(articles)
    minutes, time_source, notes = settle(
        dates,
        np.full(n, np.nan),
        np.full(n, None, dtype=object),
        times,
        push_ids=[a[2] for a in articles],
        titles=[a[4] or "" for a in articles],
        source=source,
    )
    rows, too_young, counters = [], [], dict(skipped)
    for (name, where, msgid, ref_date, title, details), minute, origin in zip(articles, minutes, time_source):
        sent_at = (ref_date + pd.Timedelta(minutes=float(minute))).tz_localize(tz)
        start = len(problems)
        key = "details" if kind == "getarticletotal" else "detail_list"
        chosen = _first_old_enough(details, sent_at, age_hours, where, key, problems)
        if chosen is None:
            too_young.append((msgid.split("_")[0], _position(msgid), where, name))
            _tag_file(problems, start, name)
            continue
        j, detail = chosen
        if kind == "getarticletotal":
            counts = _total_row(name, where, msgid, sent_at, detail, j, age_hours, problems)
        else:
            counts = _detail_row(name, where, msgid, sent_at, detail, j, age_hours, problems, counters)
        _tag_file(problems, start, name)
        if counts is None:
            continue
        rows.append(
            {
                "push_id": msgid.split("_")[0],
                "push_key": msgid.split("_")[0],
                "position": _position(msgid),
                "title": title,
                "date": ref_date,
                "minutes": float(minute),
                "time_source": origin,
                **counts,
                "age_hours": round(_age_at(pd.Timestamp(detail["stat_date"].strip()), sent_at), 1),
            }
        )
    if problems:
        raise PushDataError(source, problems, line_offset=None)
    # A push is too young when its headline is (or, summing every article, when any article is);
    # its other rows are left out with it, never mixed in.
    young = sorted({y[0] for y in too_young if positions == "all" or y[1] == 1})
    rows = [r for r in rows if r["push_key"] not in set(young)]
    if not rows and too_young:
        raise PushDataError(
            source,
            [
                Problem(
                    None,
                    f"{where}.{'details' if kind == 'getarticletotal' else 'detail_list'}",
                    f"has figures for less than {age_hours:g} hours after the send, so no push can be "
                    f"compared yet ({len(young)} too young): wait for later stat_dates or lower --age-hours",
                    file=Path(name).name if not name.startswith("<") else None,
                )
                for _, _, where, name in too_young[:3]
            ],
            line_offset=None,
        )
    if not rows:
        left_out = ", ".join(f"{n} {reason}" for reason, n in counters.items() if n)
        raise PushDataError(
            source,
            [Problem(None, "$.list", "holds no pushes" + (f" (left out: {left_out})" if left_out else ""))],
            line_offset=None,
        )
    frame = pd.DataFrame(rows)
    if "shared" in frame.columns and (
        frame["shared"].isna().any() or frame["shared"].gt(frame["delivered"]).any()
    ):
        frame = frame.drop(columns=["shared"])  # shares by non-followers can exceed deliveries
    counters["too_young"] = len(young)
    details = {
        "kind": kind,
        "source": source,
        "skipped": counters,
        "notes": notes,
        "too_young_pushes": young,
        "age_hours": age_hours,
    }
    if kind == "getarticletotaldetail":
        details["delivered_inferred"] = True
    return frame, details


# -- writers (round trips, tests and demos) ----------------------------------------------------
def to_articletotal_payloads(pushes: pd.DataFrame, curves: pd.DataFrame, *, days: int = 3) -> list[dict]:
    """Write a study as ``getarticletotal`` responses (one per push date), cumulative ``details[]``.

    Session reads at day ``d`` are the push's cumulative opens at the end of that calendar
    day, from ``curves``.
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
