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
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import (
    DEFAULT_TZ,
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


# -- reading payloads -----------------------------------------------------------------
def _payloads(source) -> list[tuple[str, dict]]:
    """(name, payload) pairs from a file, a folder of files, a dict or a list of dicts."""
    if isinstance(source, Mapping):
        return [("<payload>", dict(source))]
    if isinstance(source, (list, tuple)) and (not source or isinstance(source[0], Mapping)):
        return [(f"<payload {i}>", dict(p)) for i, p in enumerate(source)]
    paths: list[Path] = []
    items = source if isinstance(source, (list, tuple)) else [source]
    for item in items:
        path = Path(item)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".json"))
        else:
            paths.append(path)
    if not paths:
        raise PushDataError(str(source), [Problem(None, None, "contains no .json payloads")])
    out = []
    for path in paths:
        if not path.exists():
            raise PushDataError(str(path), [Problem(None, None, "does not exist")])
        text = path.read_text(encoding="utf-8-sig")
        try:
            payload = json.loads(text)
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
        out.append((str(path), payload))
    return out


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
    if "list" not in payload or not isinstance(payload["list"], list):
        raise PushDataError(name, [Problem(None, "$.list", "is missing")], line_offset=None)
    return payload["list"]


def _int_field(record: Mapping, field: str, name: str, where: str, problems: list, required=True):
    value = record.get(field)
    if value is None:
        if required:
            problems.append(Problem(None, f"{where}.{field}", "is missing"))
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a number"))
        return None
    if number < 0 or not number.is_integer():
        problems.append(Problem(None, f"{where}.{field}", f"{value!r} is not a count"))
        return None
    return int(number)


def _position(msgid: str) -> int:
    """Article position from a msgid such as '2247485082_1' (1 = headline, 头条)."""
    match = re.search(r"_(\d+)$", str(msgid))
    return int(match.group(1)) if match else 1


def _send_time_lookup(send_times, tz) -> dict:
    if send_times is None:
        return {}
    if isinstance(send_times, (str, os.PathLike)):
        send_times = pd.read_csv(send_times, dtype=str)
    if isinstance(send_times, pd.DataFrame):
        key = (
            "msgid"
            if "msgid" in send_times.columns
            else "push_id"
            if "push_id" in send_times.columns
            else "date"
        )
        send_times = dict(zip(send_times[key], send_times["sent_at"]))
    out = {}
    for key, value in dict(send_times).items():
        stamp = pd.Timestamp(value)
        out[str(key)] = stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)
    return out


def read_articletotal(
    source,
    *,
    age_days: int = 1,
    send_times=None,
    hourly=None,
    positions: Iterable[int] | None = (1,),
    tz: str = DEFAULT_TZ,
) -> pd.DataFrame:
    """Push table from saved ``getarticletotal`` responses.

    Parameters
    ----------
    source : path, folder, dict or list of dicts
        Saved responses (one per push date, as the API returns them).
    age_days : int
        Counts are taken at this age (day 1 = the push day's ``stat_date``;
        ``details[]`` are cumulative). Articles whose details do not reach it
        are too young: left out, and counted in the summary.
    send_times : mapping, DataFrame or CSV path, optional
        ``msgid`` (or ``ref_date``) -> send time, from your send log.
    hourly : DataFrame, optional
        :func:`read_userreadhour` output, to infer send times
        (:func:`infer_send_times`) when ``send_times`` lacks them; inferred
        times are flagged in ``sent_at_inferred``.
    positions : iterable of int or None
        Article positions to keep (default: the headline, 1). None keeps all
        (then ``push_id`` is the article's msgid).
    tz : str

    Returns
    -------
    DataFrame
        The push table: ``push_id`` (msgid), ``sent_at``, ``slot``,
        ``delivered`` (``target_user``), ``opened``
        (``int_page_from_session_read_user``), ``shared`` (``share_user``),
        plus ``title``, ``position``, ``reads_all`` (``int_page_read_user``),
        ``favorites``, ``sent_at_inferred``.
    """
    lookup = _send_time_lookup(send_times, tz)
    inferred = infer_send_times(hourly, tz=tz) if hourly is not None else {}
    rows, problems, too_young, dropped_positions = [], [], 0, 0
    names = []
    for name, payload in _payloads(source):
        names.append(name)
        for i, article in enumerate(_check_payload(name, payload)):
            where = f"$.list[{i}]"
            msgid = str(article.get("msgid", ""))
            if not msgid:
                problems.append(Problem(None, f"{where}.msgid", "is missing"))
                continue
            position = _position(msgid)
            if positions is not None and position not in set(positions):
                dropped_positions += 1
                continue
            ref_date = article.get("ref_date")
            details = article.get("details") or []
            try:
                push_day = pd.Timestamp(ref_date)
            except (ValueError, TypeError):
                problems.append(Problem(None, f"{where}.ref_date", f"{ref_date!r} is not a date"))
                continue
            at_age = None
            for j, detail in enumerate(details):
                try:
                    age = (pd.Timestamp(detail.get("stat_date")) - push_day).days + 1
                except (ValueError, TypeError):
                    problems.append(Problem(None, f"{where}.details[{j}].stat_date", "is not a date"))
                    continue
                if age == age_days:
                    at_age = (j, detail)
            if at_age is None:
                too_young += 1
                continue
            j, detail = at_age
            w = f"{where}.details[{j}]"
            delivered = _int_field(detail, "target_user", name, w, problems)
            opened = _int_field(detail, "int_page_from_session_read_user", name, w, problems)
            if delivered is None or opened is None:
                continue
            if opened > delivered:
                problems.append(
                    Problem(
                        None,
                        f"{w}.int_page_from_session_read_user",
                        f"{opened} push reads exceed target_user {delivered} (deliveries)",
                    )
                )
                continue
            sent_at = lookup.get(msgid) or lookup.get(msgid.split("_")[0]) or lookup.get(str(ref_date))
            flag = False
            if sent_at is None and str(ref_date) in inferred:
                sent_at, flag = inferred[str(ref_date)], True
            rows.append(
                {
                    "push_id": msgid if positions is None or len(set(positions)) > 1 else msgid.split("_")[0],
                    "sent_at": sent_at,
                    "ref_date": str(ref_date),
                    "delivered": delivered,
                    "opened": opened,
                    "shared": _int_field(detail, "share_user", name, w, problems, required=False),
                    "title": article.get("title"),
                    "position": position,
                    "reads_all": _int_field(detail, "int_page_read_user", name, w, problems, required=False),
                    "favorites": _int_field(detail, "add_to_fav_user", name, w, problems, required=False),
                    "sent_at_inferred": flag,
                }
            )
    source_name = names[0] if len(names) == 1 else f"{len(names)} getarticletotal payloads"
    if problems:
        raise PushDataError(source_name, problems, line_offset=None)
    if not rows:
        raise PushDataError(source_name, [Problem(None, None, f"has no article at age {age_days} day(s)")])
    frame = pd.DataFrame(rows)
    missing = frame["sent_at"].isna()
    if missing.any():
        dates = ", ".join(sorted(frame.loc[missing, "ref_date"].unique())[:5])
        raise PushDataError(
            source_name,
            [
                Problem(
                    None,
                    "sent_at",
                    f"getarticletotal does not say when pushes were sent (push dates {dates}); "
                    "pass send_times= (msgid or date -> time, from your send log or the backend export) "
                    "or hourly= reads to infer them",
                )
            ],
            line_offset=None,
        )
    frame["sent_at"] = pd.DatetimeIndex(frame["sent_at"]).tz_convert(tz)
    if frame["shared"].isna().any() or frame["shared"].gt(frame["delivered"]).any():
        frame = frame.drop(columns=["shared"])  # shares by non-followers can exceed deliveries
    pushes = validate_pushes(frame.drop(columns=["ref_date"]), source=source_name, line_offset=None, tz=tz)
    pushes.attrs["load_summary"] = load_summary(
        pushes,
        source_name,
        skipped={
            f"no data yet at age {age_days} day(s)": too_young,
            "articles in other positions than asked for": dropped_positions,
        },
        kind="getarticletotal",
        age_days=age_days,
        too_young=too_young,
        other_positions_left_out=dropped_positions,
        send_times_inferred=int(pushes["sent_at_inferred"].sum()),
    )
    return pushes


def read_articletotaldetail(
    source, *, age_days: int = 1, send_times=None, tz: str = DEFAULT_TZ
) -> pd.DataFrame:
    """Push table from saved ``getarticletotaldetail`` responses (data from 2025-11-01 on).

    ``opened`` is the 公众号消息 channel of ``read_user_source``;
    ``delivered`` is not in the payload and is recovered as
    ``opened / read_delivery_rate`` (rounded; flagged ``delivered_inferred``).
    ``read_finish_rate`` (completed readers / all readers) is kept as a
    covariate. Counts are cumulative to each ``stat_date``; taken at
    ``age_days``.
    """
    lookup = _send_time_lookup(send_times, tz)
    rows, problems, too_young, names = [], [], 0, []
    for name, payload in _payloads(source):
        names.append(name)
        for i, item in enumerate(_check_payload(name, payload)):
            where = f"$.list[{i}]"
            msgid = str(item.get("msgid", ""))
            ref_date = item.get("ref_date")
            try:
                push_day = pd.Timestamp(ref_date)
            except (ValueError, TypeError):
                problems.append(Problem(None, f"{where}.ref_date", f"{ref_date!r} is not a date"))
                continue
            chosen = None
            for j, detail in enumerate(item.get("detail_list") or []):
                if (pd.Timestamp(detail.get("stat_date")) - push_day).days + 1 == age_days:
                    chosen = (j, detail)
            if chosen is None:
                too_young += 1
                continue
            j, detail = chosen
            w = f"{where}.detail_list[{j}]"
            channels = {
                c.get("scene_desc"): c.get("user_count") for c in detail.get("read_user_source") or []
            }
            if "公众号消息" not in channels:
                problems.append(Problem(None, f"{w}.read_user_source", "has no 公众号消息 (push) channel"))
                continue
            opened = int(channels["公众号消息"])
            rate = detail.get("read_delivery_rate")
            if not rate:
                problems.append(
                    Problem(None, f"{w}.read_delivery_rate", "is missing or 0: deliveries unknown")
                )
                continue
            sent_at = lookup.get(msgid) or lookup.get(msgid.split("_")[0]) or lookup.get(str(ref_date))
            if sent_at is None:
                problems.append(Problem(None, f"{where}.msgid", f"{msgid}: no send time (pass send_times=)"))
                continue
            rows.append(
                {
                    "push_id": msgid,
                    "sent_at": sent_at,
                    "delivered": round(opened / float(rate)),
                    "opened": opened,
                    "title": item.get("title"),
                    "position": _position(msgid),
                    "reads_all": detail.get("read_user"),
                    "read_finish_rate": detail.get("read_finish_rate"),
                    "delivered_inferred": True,
                }
            )
    source_name = names[0] if len(names) == 1 else f"{len(names)} getarticletotaldetail payloads"
    if problems:
        raise PushDataError(source_name, problems, line_offset=None)
    if not rows:
        raise PushDataError(source_name, [Problem(None, None, f"has no item at age {age_days} day(s)")])
    pushes = validate_pushes(pd.DataFrame(rows), source=source_name, line_offset=None, tz=tz)
    pushes.attrs["load_summary"] = load_summary(
        pushes,
        source_name,
        skipped={f"no data yet at age {age_days} day(s)": too_young},
        kind="getarticletotaldetail",
        age_days=age_days,
        too_young=too_young,
        delivered_inferred=True,
    )
    return pushes


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
        dates = pd.Series([r.get("ref_date") for r in records])
        requested = dates.mode().iloc[0]
        problems = []
        for i, record in enumerate(records):
            if record.get("ref_date") != requested:
                stray += 1
                continue
            where = f"$.list[{i}]"
            source_code = int(record.get("user_source", ALL_SOURCES))
            required = source_code == ALL_SOURCES
            hour = _int_field(record, "ref_hour", name, where, problems)
            reads = _int_field(record, "int_page_read_user", name, where, problems, required=required)
            count = _int_field(record, "int_page_read_count", name, where, problems, required=False)
            if hour is None or (hour % 100) or hour > 2300:
                if hour is not None:
                    problems.append(Problem(None, f"{where}.ref_hour", f"{hour} is not 0, 100, ..., 2300"))
                continue
            frames.append((requested, hour // 100, source_code, reads or 0, count or 0))
        if problems:
            raise PushDataError(name, problems, line_offset=None)
    table = pd.DataFrame(frames, columns=["date", "hour", "user_source", "reads", "read_count"])
    table["date"] = pd.to_datetime(table["date"]).dt.date
    table = table.sort_values(["date", "user_source", "hour"]).reset_index(drop=True)
    table.attrs["stray_rows"] = stray
    table.attrs["source"] = names[0] if len(names) == 1 else f"{len(names)} getuserreadhour payloads"
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
        text = series.astype(str)
        if text.str.match(_PERCENT).any():
            return pd.to_numeric(text.str.replace("%", "", regex=False).str.strip(), errors="coerce") / 100
    return series


def _read_export(path: Path, encoding: str | None) -> pd.DataFrame:
    """A backend export (.xlsx or .csv) as text columns, or a PushDataError saying why not."""
    if not path.exists():
        raise PushDataError(str(path), [Problem(None, None, "does not exist")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_excel(path, dtype=str)
    try:
        return pd.read_csv(
            path, dtype=str, encoding=encoding or "utf-8-sig", keep_default_na=False, na_values=[""]
        )
    except UnicodeDecodeError:
        raise PushDataError(
            str(path),
            [
                Problem(
                    None,
                    None,
                    "is not UTF-8 text; exports saved by Excel in China are often GBK: "
                    "pass encoding='gbk' (CLI: --encoding gbk)",
                )
            ],
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PushDataError(str(path), [Problem(None, None, f"cannot be read as CSV: {exc}")]) from None


def read_backend_export(
    path,
    *,
    columns: Mapping[str, str] | None = None,
    tz: str = DEFAULT_TZ,
    encoding=None,
    slot_freq: str = "60min",
):
    """Push table from the MP backend's per-article export (内容分析 › 已通知内容 › 下载数据明细).

    Columns used: 发表时间 (sent_at), 送达人数 (delivered), 公众号消息阅读次数 (opened; the
    export counts reads, 次数, not readers), 内容标题 (title). Rate columns
    given as percent strings ("12.34%": 送达阅读率, 阅读完成率, ...) become
    fractions; other columns are kept. .xlsx or .csv (UTF-8, UTF-8-SIG; GBK
    with ``encoding="gbk"``). The export has no slot column: slots are the
    send times floored to ``slot_freq`` (``"30min"`` for half-hour slots).
    """
    path = Path(path)
    frame = _read_export(path, encoding)
    for column in frame.columns:
        frame[column] = _percent_to_float(frame[column])
    pushes = validate_pushes(
        frame, columns=columns, tz=tz, source=str(path), line_offset=1, slot_freq=slot_freq
    )
    pushes.attrs["load_summary"] = load_summary(pushes, str(path), kind="backend export")
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


def read_any(path, *, send_times=None, tz: str = DEFAULT_TZ, **options) -> pd.DataFrame:
    """Dispatch on what a file looks like: datacube JSON (a file or a folder), or a push table file.

    JSON payloads always go through the payload checks (an error response
    saved as data, a truncated download, an unknown payload kind each get
    their own message).
    """
    path = Path(path)
    if path.is_dir() or path.suffix.lower() == ".json":
        name, first = _payloads(path)[0]
        records = _check_payload(name, first)
        if records and "details" in records[0]:
            return read_articletotal(path, send_times=send_times, tz=tz, **options)
        if records and "detail_list" in records[0]:
            return read_articletotaldetail(path, send_times=send_times, tz=tz, **options)
        raise PushDataError(
            name,
            [
                Problem(
                    None,
                    "$.list[0]",
                    "is neither a getarticletotal ('details') nor a getarticletotaldetail "
                    "('detail_list') record; hourly payloads (getuserreadhour) are read with "
                    "wxtime.loaders.read_userreadhour",
                )
            ],
            line_offset=None,
        )
    return read_pushes(path, tz=tz, **options)
