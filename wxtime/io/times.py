"""Times of day, dates, date-times and slots, as people and exports write them: one parser of each.

Everything in wxtime that turns written text into a time goes through this module: the
readers, the ``--slot`` and ``--start`` options, the simulator's slot labels.

* :func:`parse_times_of_day` reads times of day (minutes after midnight): ``7:30``,
  ``07:30:00``, ``上午7:30``, ``早上7点半``, ``7:30 PM``, ``7点30``, WeChat's ``ref_hour``
  ``1230``, Excel day fractions (``0.875`` is 21:00), and time ranges (``20:00-21:00`` is
  its start).
* :func:`parse_dates` reads dates: ``2024-06-03``, ``2024/6/3``, ``2024年6月3日``,
  ``20240603``, Excel serial numbers (``45446``), dates without a year (``6月3日``, the
  year from the column's other dates or ``year=``), and day/month orders decided for the
  whole column (or by ``date_format=``) instead of guessed row by row.
* :func:`parse_datetimes` reads date-times (any date above, then any time of day; ISO
  strings with an offset such as ``+08:00`` are converted) and says which rows carry a
  time of day: a date alone is *not* midnight.
* :func:`infer_slots` finds the **scheduled** slot behind jittered send times: a push
  scheduled for 07:30 is logged at 07:29:40 or 07:31:05, so flooring to the hour would
  put it at 07:00 and merge a 22:00 vs 22:30 rotation into one slot.
* :func:`parse_slot`, :func:`format_slot` and :func:`format_slots` convert one slot
  between its label (``"07:30"``) and its hour of day (``7.5``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:  # pandas is imported where it is used: this module is on the aggregation's light path
    import pandas as pd
from .slots import SlotInference, format_slot, format_slots, infer_slots, snap_to_grid

__all__ = [
    "DEFAULT_TZ",
    "ParsedDates",
    "ParsedTimes",
    "SlotInference",
    "check_tz",
    "format_slot",
    "format_slots",
    "infer_slots",
    "parse_dates",
    "parse_datetimes",
    "parse_day",
    "parse_slot",
    "parse_times_of_day",
    "snap_to_grid",
]

DEFAULT_TZ = "Asia/Shanghai"
#: Excel's day 0 (serial 1 is 1900-01-01; the 1900 leap-year bug is absorbed by starting a day early).
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
#: Serial numbers read as Excel dates: 1954-10-03 .. 2119-01-07.
_SERIAL_RANGE = (20_000, 80_000)

_PM_WORDS = ("下午", "晚上", "傍晚", "夜里", "夜间", "晚间", "晚")
_AM_WORDS = ("上午", "早上", "早晨", "清晨", "凌晨", "早")
_NOON_WORDS = ("中午",)
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:：](?P<minute>\d{2})(?:[:：](?P<second>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<ampm>[AaPp]\.?\s*[Mm]\.?)?$"
)
_CHINESE = re.compile(r"^(?P<hour>\d{1,2})\s*[点點时時](?:\s*(?P<half>半)|\s*(?P<minute>\d{1,2})\s*分?)?$")
_HHMM = re.compile(r"^(?P<hhmm>\d{3,4})$")
# A range "20:00-21:00", "20:00~21:00", "20:00至21:00", "20点-21点": its start is the send time.
_RANGE = re.compile(r"^(?P<start>[^-~～至到—–]+?)\s*(?:-|~|～|至|到|—|–)\s*(?P<end>.+)$")


def check_tz(tz: str) -> str:
    """``tz`` if it names a time zone, else an :class:`InputError` saying so.

    Examples
    --------
    >>> check_tz("Asia/Shanghai")
    'Asia/Shanghai'
    """
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"{tz!r} is not a time zone (e.g. Asia/Shanghai)") from None
    return tz


# -- times of day ------------------------------------------------------------------------
def _clock(text: str) -> float:
    """Minutes after midnight of one written time of day (no range), NaN if it is not one."""
    period = None
    for words, name in ((_NOON_WORDS, "noon"), (_PM_WORDS, "pm"), (_AM_WORDS, "am")):
        for word in words:
            if text.startswith(word):
                period, text = name, text[len(word) :].strip()
                break
        if period:
            break
    match = _CLOCK.match(text)
    if match:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        second = int(match["second"] or 0)
        ampm = match["ampm"]
        if ampm:
            if hour < 1 or hour > 12 or period:
                return np.nan
            period = "pm" if ampm.lower().startswith("p") else "am"
            if period == "am" and hour == 12:
                hour = 0  # 12:30 AM
            if period == "pm" and hour == 12:
                period = "noon"  # 12:00 PM is noon
    else:
        second = 0
        match = _CHINESE.match(text)
        if match:
            hour = int(match["hour"])
            minute = 30 if match["half"] else int(match["minute"] or 0)
        else:
            match = _HHMM.match(text)
            if not match or period:
                return np.nan
            value = int(match["hhmm"])
            hour, minute = value // 100, value % 100
    if period == "pm" and 1 <= hour <= 11:
        hour += 12
    elif period == "pm" and hour == 12:
        hour = 0  # 晚上12点: midnight
    elif period == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        return np.nan
    return float(hour * 60 + minute + second / 60)


def _one(text: str) -> float:
    text = text.strip().replace("：", ":").replace("\u00a0", " ")
    if not text:
        return np.nan
    value = _clock(text)
    if np.isnan(value):
        ranged = _RANGE.match(text)
        if ranged and not np.isnan(_clock(ranged["end"].strip())):
            value = _clock(ranged["start"].strip())
    return value


def _looks_like_fractions(values: pd.Series) -> bool:
    """A numeric column whose values all lie in [0, 1): Excel time cells saved as day fractions."""
    import pandas as pd

    numeric = pd.to_numeric(values, errors="coerce")
    filled = numeric.notna() & values.notna()
    if not filled.any() or filled.sum() < values.notna().sum():
        return False
    inside = numeric[filled]
    return bool(((inside >= 0) & (inside < 1)).all() and (inside > 0).any())


def parse_times_of_day(values, *, day_fractions: bool | None = None) -> np.ndarray:
    """Minutes after midnight of times of day written as people write them (NaN where unreadable).

    Understands ``HH:MM``, ``H:MM:SS``, ``7:30 PM``/``7:30pm`` (``12:00 PM`` is noon),
    ``7点``, ``7点半``, ``7点30``, ``7点30分``, Chinese periods (``上午``/``早上`` morning,
    ``中午`` noon, ``下午``/``晚上``/``晚`` afternoon and evening: 晚上9点半 = 21:30),
    WeChat's ``ref_hour`` HHMM numbers (``1230``), ``datetime.time`` values, a bare
    number as an hour of day (0-23, fractional hours such as ``7.5`` too) and time
    ranges (``20:00-21:00``: the start).

    Parameters
    ----------
    values : sequence
    day_fractions : bool, optional
        Read numbers as fractions of a day (``0.875`` is 21:00, as Excel stores times).
        By default a column of numbers that all lie in [0, 1) is read so; any other
        number is an hour.

    Examples
    --------
    >>> written = ["7点", "上午7:30", "晚上9点半", "19:30:00", "7:30 PM", "12:00 PM", "中午12点"]
    >>> parse_times_of_day(written).tolist()
    [420.0, 450.0, 1290.0, 1170.0, 1170.0, 720.0, 720.0]
    >>> parse_times_of_day(["20:00-21:00", "20点~21点", "25:00", "noon", ""]).tolist()
    [1200.0, 1200.0, nan, nan, nan]
    >>> parse_times_of_day([0.875, 0.5]).tolist()
    [1260.0, 720.0]
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    series = series.reset_index(drop=True)
    out = np.full(len(series), np.nan)
    if not len(series):
        return out
    # Each distinct spelling is read once: a column of 10^6 send times has at most 86,400.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if day_fractions is None:
        day_fractions = _looks_like_fractions(pd.Series(uniques, dtype=object))
    parsed = np.full(len(uniques), np.nan)
    todo = np.ones(len(uniques), dtype=bool)
    if len(uniques) > 64 and pd.api.types.infer_dtype(uniques, skipna=True) == "string":
        # Clean clock times (HH:MM or HH:MM:SS) in one RE2 pass; the rest one by one.
        import pyarrow as pa
        import pyarrow.compute as pc

        clock = pc.extract_regex(
            pc.utf8_trim_whitespace(pa.array(np.asarray(uniques, dtype=object), type=pa.string())),
            r"^(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})(?::(?P<s>[0-9]{2}))?$",
        )
        found = np.asarray(clock.is_valid().to_numpy(zero_copy_only=False), bool)
        if found.any():
            parts = [
                pd.to_numeric(pd.Series(clock.field(k).to_numpy(zero_copy_only=False))[found]).fillna(0)
                for k in ("h", "m", "s")
            ]
            h, m, sec = (np.asarray(p, float) for p in parts)
            ok = (h <= 23) & (m <= 59) & (sec <= 59)
            parsed[np.flatnonzero(found)[ok]] = h[ok] * 60 + m[ok] + sec[ok] / 60
            todo[found] = False
    for i in np.flatnonzero(todo):
        value = uniques[i]
        if isinstance(value, dt.datetime | pd.Timestamp):
            parsed[i] = value.hour * 60 + value.minute + value.second / 60
        elif isinstance(value, dt.time):
            parsed[i] = value.hour * 60 + value.minute + value.second / 60
        elif isinstance(value, bool | np.bool_):
            continue
        elif isinstance(value, int | np.integer | float | np.floating):
            number = float(value)
            if not np.isfinite(number):
                continue
            if day_fractions:
                parsed[i] = round(number * 1440, 6) if 0 <= number < 1 else np.nan
            elif 0 <= number < 24:
                parsed[i] = number * 60
            elif number.is_integer():
                parsed[i] = _one(str(int(number)))
        else:
            parsed[i] = _one(str(value))
    known = codes >= 0
    out[known] = parsed[codes[known]]
    return out


# -- slots -------------------------------------------------------------------------------
def parse_slot(value) -> float:
    """The hour of day (``7.5`` for 07:30) of one slot as written (``"07:30"``, ``12``, ``"晚上8点"``).

    The one slot parser: options such as ``--slot`` and ``--slots``, slot columns and
    the simulator's labels all use it. Raises :class:`InputError` for anything else.

    Examples
    --------
    >>> parse_slot("07:30"), parse_slot(12), parse_slot("2230"), parse_slot("晚上8点半")
    (7.5, 12.0, 22.5, 20.5)
    """
    minutes = parse_times_of_day([value], day_fractions=False)[0]
    if np.isnan(minutes):
        raise InputError(f"{value!r} is not a time of day (e.g. 20:30, 8点半, 8:30 PM)")
    return float(minutes) / 60


# -- dates -------------------------------------------------------------------------------
class ParsedDates:
    """Dates read from a column: ``values`` (naive midnight ``datetime64``, NaT where unread),
    ``errors`` (a message per unread row, None where read), ``how`` (notes on what was
    decided for the whole column: a year supplied, a day/month order, Excel serials) and
    ``minutes`` (a time of day carried by Excel serial numbers' fractions; NaN otherwise)."""

    def __init__(self, values, errors, how, minutes):
        self.values = values
        self.errors = errors
        self.how = how
        self.minutes = minutes


# Year first: 2024-06-03, 2024/6/3, 2024.6.3, 2024年6月3日; compact 20240603.
_YMD = r"(?P<y>[0-9]{4})\s*[-/.年]\s*(?P<m>[0-9]{1,2})\s*[-/.月]\s*(?P<d>[0-9]{1,2})\s*日?"
_COMPACT = r"(?P<cy>[0-9]{4})(?P<cm>[0-9]{2})(?P<cd>[0-9]{2})"
# Day and month with a year last: 03/06/2024 or 06/03/2024 (order decided for the column).
_PAIR_YEAR = r"(?P<a>[0-9]{1,2})\s*[-/.]\s*(?P<b>[0-9]{1,2})\s*[-/.]\s*(?P<py>[0-9]{4})"
# No year: 6月3日, 06-03, 6/3 (month first, as Chinese sheets write them).
_NO_YEAR = r"(?P<nm>[0-9]{1,2})\s*(?:月\s*(?P<nd1>[0-9]{1,2})\s*日?|[-/.]\s*(?P<nd2>[0-9]{1,2}))"
_DATE_PART_PATTERN = rf"^\s*(?:{_YMD}|{_COMPACT}|{_PAIR_YEAR}|{_NO_YEAR})(?P<rest>.*)$"
# The same split for RE2 (pyarrow): the date as one group, whatever follows as another.
_SPLIT_PATTERN = (
    r"^(?P<date>[0-9]{4}\s*[-/.年]\s*[0-9]{1,2}\s*[-/.月]\s*[0-9]{1,2}\s*日?"
    r"|[0-9]{8}"
    r"|[0-9]{1,2}\s*[-/.]\s*[0-9]{1,2}\s*[-/.]\s*[0-9]{4}"
    r"|[0-9]{1,2}\s*(?:月\s*[0-9]{1,2}\s*日?|[-/.]\s*[0-9]{1,2}))(?P<rest>.*)$"
)


def _is_missing(value) -> bool:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _date_fields(text: pd.Series) -> pd.DataFrame:
    """The date's parts of each text (year, month, day as found, the pair order undecided) and the rest."""
    return text.str.extract(_DATE_PART_PATTERN)


def _number(series: pd.Series) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").to_numpy(float)


def parse_dates(
    values,
    *,
    year: int | None = None,
    date_format: str | None = None,
    name: str = "date",
    context_years: frozenset = frozenset(),
) -> ParsedDates:
    """Dates from a column as exports and hand-kept sheets write them.

    * Year first: ``2024-06-03``, ``2024/6/3``, ``2024.6.3``, ``2024年6月3日``, ``20240603``
      (text or a number), with or without a time after it (ignored here).
    * Excel serial numbers (``45446``; a fraction is a time of day, kept in ``minutes``),
      and date cells Excel or Parquet already typed.
    * Day and month with the year last (``03/06/2024``): the order is decided for the
      whole column: day first if some first number is above 12, month first if some
      second one is; when no row tells, ``date_format`` must say (``%m/%d/%Y``).
    * Without a year (``6月3日``, ``6/3``, month first): the year of the column's other
      dates when they all share one, else ``year``. ``context_years`` adds the years of
      dates read elsewhere in the same column.

    Examples
    --------
    >>> parsed = parse_dates(["2024-06-03", "2024年6月4日", "20240605", 45449, "6月7日"])
    >>> [str(d.date()) for d in parsed.values]
    ['2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06', '2024-06-07']
    >>> parse_dates(["06/03/2024", "06/04/2024"]).errors[0]
    "'06/03/2024': day and month could be either way round; give the order with --date-format (e.g. %m/%d/%Y)"
    >>> [str(d.date()) for d in parse_dates(["06/03/2024"], date_format="%m/%d/%Y").values]
    ['2024-06-03']
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    series = series.reset_index(drop=True)
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        # Each distinct spelling once (a column holds a few hundred days, however many rows).
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        if len(uniques) < len(series):
            once = _parse_dates(
                pd.Series([*list(uniques), None], dtype=object), year, date_format, name, context_years
            )
            take = np.where(codes >= 0, codes, len(uniques))
            return ParsedDates(
                pd.DatetimeIndex(once.values.to_numpy("datetime64[ns]")[take]),
                once.errors[take],
                once.how,
                once.minutes[take],
            )
    return _parse_dates(series, year, date_format, name, context_years)


def _parse_dates(series, year, date_format, name, context_years) -> ParsedDates:
    import pandas as pd

    n = len(series)
    out = np.full(n, np.datetime64("NaT", "ns"))
    minutes = np.full(n, np.nan)
    errors = np.full(n, None, dtype=object)
    how: list[str] = []
    missing = (
        series.map(_is_missing).to_numpy(bool) if series.dtype == object else series.isna().to_numpy()
    ).copy()
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.DatetimeIndex(series)
        if stamps.tz is not None:
            stamps = stamps.tz_localize(None)
        out = stamps.normalize().to_numpy("datetime64[ns]")
        errors[missing] = "is missing"
        return ParsedDates(pd.DatetimeIndex(out), errors, how, minutes)
    typed = np.zeros(n, dtype=bool)
    numeric = np.full(n, np.nan)
    if series.dtype == object:
        for i, value in enumerate(series):
            if isinstance(value, dt.time):
                errors[i] = f"{value.strftime('%H:%M')} is a time of day without a date"
                missing[i] = False
                typed[i] = True
                continue
            if isinstance(value, dt.datetime | pd.Timestamp):
                out[i] = np.datetime64(pd.Timestamp(value).tz_localize(None).normalize(), "ns")
                typed[i] = True
            elif isinstance(value, dt.date):
                out[i] = np.datetime64(pd.Timestamp(value), "ns")
                typed[i] = True
            elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
                numeric[i] = float(value)
    elif pd.api.types.is_numeric_dtype(series):
        numeric = series.to_numpy(float, na_value=np.nan)
    # Numbers: 20240603 (compact) or an Excel serial (45446, 45446.875).
    is_compact = np.isfinite(numeric) & (numeric >= 19000101) & (numeric <= 21001231) & (numeric % 1 == 0)
    is_serial = np.isfinite(numeric) & (numeric >= _SERIAL_RANGE[0]) & (numeric <= _SERIAL_RANGE[1])
    if is_serial.any():
        days = np.floor(numeric[is_serial])
        out[is_serial] = _EXCEL_EPOCH + days.astype(np.int64).astype("timedelta64[D]")
        fraction = numeric[is_serial] - days
        minutes[is_serial] = np.where(fraction > 0, np.round(fraction * 1440, 6), np.nan)
        how.append(f"{name}: Excel serial numbers read as dates")
    text_rows = ~typed & ~missing & ~is_serial
    text = series.astype("string").str.strip()
    text = text.where(pd.Series(text_rows), None)
    if is_compact.any():
        text[is_compact] = pd.Series(numeric[is_compact]).astype(np.int64).astype(str).to_numpy()
    parts = _date_fields(text.str.replace("\u00a0", " ", regex=False))
    y = _number(parts["y"].fillna(parts["cy"]))
    m = _number(parts["m"].fillna(parts["cm"]))
    d = _number(parts["d"].fillna(parts["cd"]))
    # Day/month pairs with a year last: one order for the whole column.
    paired = parts["a"].notna().to_numpy()
    if paired.any():
        a, b, py = _number(parts["a"]), _number(parts["b"]), _number(parts["py"])
        order = None
        if date_format:
            fmt = date_format.replace("-", "/").replace(".", "/")
            if fmt.startswith("%d"):
                order = "dmy"
            elif fmt.startswith("%m"):
                order = "mdy"
            else:
                raise InputError(
                    f"--date-format {date_format!r}: give the order of day and month, "
                    "e.g. %m/%d/%Y or %d/%m/%Y"
                )
        else:
            first_big = paired & (a > 12)
            second_big = paired & (b > 12)
            if first_big.any() and second_big.any():
                for i in np.flatnonzero(paired):
                    errors[i] = (
                        f"{series.iloc[i]!r}: the column writes day and month in both orders; "
                        "give the order with --date-format (e.g. %m/%d/%Y)"
                    )
                paired = np.zeros(n, dtype=bool)
            elif first_big.any():
                order = "dmy"
            elif second_big.any():
                order = "mdy"
            else:
                for i in np.flatnonzero(paired):
                    errors[i] = (
                        f"{series.iloc[i]!r}: day and month could be either way round; give the order "
                        "with --date-format (e.g. %m/%d/%Y)"
                    )
                paired = np.zeros(n, dtype=bool)
        if order is not None:
            how.append(f"{name}: dates read as {'day/month/year' if order == 'dmy' else 'month/day/year'}")
            y[paired] = py[paired]
            m[paired] = (a if order == "mdy" else b)[paired]
            d[paired] = (b if order == "mdy" else a)[paired]
    # No year: month first, the year from the column's other dates or from ``year``.
    yearless = parts["nm"].notna().to_numpy()
    if yearless.any():
        nd = _number(parts["nd1"].fillna(parts["nd2"]))
        known_years = set(y[np.isfinite(y)].astype(int).tolist()) | set(context_years)
        known_years |= {pd.Timestamp(v).year for v in out[typed | is_serial] if not pd.isna(v)}
        chosen = year
        if chosen is None and len(known_years) == 1:
            chosen = known_years.pop()
            how.append(f"{name}: dates without a year read as {chosen} (the year of the other dates)")
        elif chosen is not None:
            how.append(f"{name}: dates without a year read as {chosen} (--year)")
        if chosen is None:
            why = "the other dates span several years" if known_years else "no other date gives it"
            for i in np.flatnonzero(yearless):
                errors[i] = f"{series.iloc[i]!r} has no year ({why}): give it with --year (e.g. --year 2024)"
        else:
            y[yearless] = chosen
            m[yearless] = _number(parts["nm"])[yearless]
            d[yearless] = nd[yearless]
    found = np.isfinite(y) & np.isfinite(m) & np.isfinite(d) & text_rows
    if found.any():
        stamps = pd.to_datetime(
            pd.DataFrame({"year": y[found], "month": m[found], "day": d[found]}), errors="coerce"
        ).to_numpy("datetime64[ns]")
        out[found] = stamps
        bad = np.flatnonzero(found)[pd.isna(stamps)]
        for i in bad:
            errors[i] = f"{series.iloc[i]!r} is not a calendar date"
    for i in np.flatnonzero(missing):
        errors[i] = "is missing"
    for i in np.flatnonzero(pd.isna(out) & (errors == None)):  # noqa: E711 - elementwise
        value = series.iloc[i]
        errors[i] = f"{value!r} is not a date (e.g. 2024-06-03, 2024年6月3日, 20240603)"
    return ParsedDates(pd.DatetimeIndex(out), errors, how, minutes)


def parse_day(text: str, *, today: dt.date | None = None, what: str = "--start") -> dt.date:
    """A single date written by a person (``2024-12-01``, ``2024年12月1日``, ``12月1日``).

    A date without a year is the next such day from ``today`` on. Raises
    :class:`InputError` naming ``what`` when the text is not a date.

    Examples
    --------
    >>> parse_day("12月1日", today=dt.date(2026, 11, 20)), parse_day("2024-12-01")
    (datetime.date(2026, 12, 1), datetime.date(2024, 12, 1))
    """
    import pandas as pd

    today = today or dt.date.today()
    parsed = parse_dates([str(text)], year=today.year, name=what)
    value = parsed.values[0]
    if pd.isna(value) or parsed.errors[0] is not None:
        raise InputError(f"{what} {text!r} is not a date (e.g. 2024-12-01, 2024年12月1日, 12月1日)")
    day = pd.Timestamp(value).date()
    written_year = re.search(r"[0-9]{4}", str(text))
    if not written_year and day < today:
        day = day.replace(year=day.year + 1)
    return day


# -- date-times ------------------------------------------------------------------------------
class ParsedTimes:
    """Date-times read from a column: ``stamps`` (tz-aware; NaT where unread), ``timed`` (rows
    that carried a time of day; a date alone is not midnight), ``minutes`` (the time of day as
    written, seconds included), ``errors`` (a message per unread row) and ``how`` (notes)."""

    def __init__(self, stamps, timed, minutes, errors, how):
        self.stamps = stamps
        self.timed = timed
        self.minutes = minutes
        self.errors = errors
        self.how = how

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Each row's calendar day (midnight, tz-aware)."""
        return self.stamps.normalize()


_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$")
_ZONED = r"(?:[+-][0-9]{2}:?[0-9]{2}|Z)$"


def _iso_column(series) -> tuple[np.ndarray, np.ndarray] | None:
    """Stamps (naive, ``datetime64[ns]``) and minutes of the day when every value is an ISO
    date-time without an offset, read by Arrow's C parser in one pass; None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pc.utf8_trim_whitespace(pa.array(series, type=pa.string(), from_pandas=True))
        if text.null_count:
            return None
        nanos = pc.cast(text, pa.timestamp("ns")).cast(pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    clock = pc.binary_length(text).to_numpy() > 10
    seconds = nanos // 1_000_000_000
    minutes = np.where(clock, (seconds // 60) % 1440 + (seconds % 60) / 60, np.nan)
    return nanos.view("datetime64[ns]"), minutes


def parse_datetimes(
    values,
    tz: str = DEFAULT_TZ,
    *,
    year: int | None = None,
    date_format: str | None = None,
    name: str = "sent_at",
) -> ParsedTimes:
    """Date-times as exports write them: any date :func:`parse_dates` reads, then (optionally)
    any time of day :func:`parse_times_of_day` reads.

    ISO strings go through pandas' C parser in bulk (the common case, fast on 10^6 rows);
    strings with an offset (``+08:00``, ``Z``) are converted to ``tz``; the rest are split
    into their date and time parts. Rows with a date only are flagged (``timed`` False),
    never read as midnight: an export whose 发表时间 holds dates needs send times from
    elsewhere. A column of dates all at exactly 00:00 is dates too.

    Examples
    --------
    >>> parsed = parse_datetimes(["2024-06-03 20:29:41", "2024年6月4日 晚上8点半", "20240605",
    ...                           "2024-06-06T20:30:00+08:00"])
    >>> [str(s) for s in parsed.stamps]  # doctest: +NORMALIZE_WHITESPACE
    ['2024-06-03 20:29:41+08:00', '2024-06-04 20:30:00+08:00', '2024-06-05 00:00:00+08:00',
     '2024-06-06 20:30:00+08:00']
    >>> parsed.timed.tolist()
    [True, True, False, True]
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    series = series.reset_index(drop=True)
    n = len(series)
    how: list[str] = []
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.DatetimeIndex(series)
        stamps = stamps.tz_convert(tz) if stamps.tz is not None else stamps.tz_localize(tz)
        minutes = (stamps.hour * 60 + stamps.minute + stamps.second / 60).to_numpy(float)
        timed = ~np.isnan(minutes)
        errors = np.where(stamps.isna(), "is missing", None).astype(object)
        if timed.sum() >= 3 and (minutes[timed] == 0).all():
            timed[:] = False  # Excel date cells: every one at midnight means dates
        return ParsedTimes(stamps, timed, np.where(timed, minutes, np.nan), errors, how)
    stamps = np.full(n, np.datetime64("NaT", "ns"))
    minutes = np.full(n, np.nan)
    errors = np.full(n, None, dtype=object)
    done = np.zeros(n, dtype=bool)
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        fast = _iso_column(series)
        if fast is not None:  # every row ISO: Arrow's C parser, no per-row work
            stamps, minutes = fast
            done[:] = True
    if not done.all() and (series.dtype == object or pd.api.types.is_string_dtype(series)):
        text = series.astype("string[pyarrow]").str.strip()
        iso = text.str.match(_ISO.pattern, na=False).to_numpy(bool)
        if iso.any():
            parsed = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
            ok = parsed.notna().to_numpy()
            rows = np.flatnonzero(iso)[ok]
            stamps[rows] = parsed[ok].to_numpy("datetime64[ns]")
            has_clock = text[iso].str.len().to_numpy() > 10
            minutes[rows] = np.where(
                has_clock[ok],
                (parsed[ok].dt.hour * 60 + parsed[ok].dt.minute + parsed[ok].dt.second / 60).to_numpy(float),
                np.nan,
            )
            done[rows] = True
        zoned = ~done & text.str.contains(_ZONED, regex=True, na=False).to_numpy(bool)
        if zoned.any():
            parsed = pd.to_datetime(text[zoned], utc=True, errors="coerce", format="ISO8601")
            ok = parsed.notna().to_numpy()
            rows = np.flatnonzero(zoned)[ok]
            local = parsed[ok].dt.tz_convert(tz)
            stamps[rows] = local.dt.tz_localize(None).to_numpy("datetime64[ns]")
            minutes[rows] = (local.dt.hour * 60 + local.dt.minute + local.dt.second / 60).to_numpy(float)
            done[rows] = True
            written = text[zoned][ok].str.extract(r"([+-][0-9]{2}:?[0-9]{2}|Z)$")[0].str.replace(":", "")
            own = local.dt.strftime("%z")
            if (written.to_numpy(dtype=object) != own.to_numpy(dtype=object)).any():
                how.append(f"{name}: times written in another time zone converted to {tz}")
    rest = np.flatnonzero(~done)
    if len(rest):
        part = series.iloc[rest].reset_index(drop=True)
        kind = pd.api.types.infer_dtype(part, skipna=True)
        date_input, remainder = part, None
        if kind in ("string", "mixed", "mixed-integer"):
            # Split every text into its date and the rest with one RE2 pass (pyarrow), then read
            # the distinct dates and the distinct times of day once each.
            import pyarrow as pa
            import pyarrow.compute as pc

            texts = pa.array([v if isinstance(v, str) else None for v in part], type=pa.string())
            split = pc.extract_regex(pc.utf8_trim_whitespace(texts), _SPLIT_PATTERN)
            matched = np.asarray(split.is_valid().to_numpy(zero_copy_only=False), bool)
            date_text = pd.Series(split.field("date").to_numpy(zero_copy_only=False), dtype=object)
            remainder = pd.Series(split.field("rest").to_numpy(zero_copy_only=False), dtype=object)
            date_input = part.where(~pd.Series(matched), date_text)
            remainder = remainder.where(pd.Series(matched), None)
        years = frozenset(pd.DatetimeIndex(stamps[done]).year.dropna().astype(int).tolist())
        dates = parse_dates(date_input, year=year, date_format=date_format, name=name, context_years=years)
        how.extend(dates.how)
        stamps[rest] = dates.values.to_numpy("datetime64[ns]")
        errors[rest] = dates.errors
        minutes[rest] = dates.minutes  # Excel serials' fractions
        if kind in ("datetime", "mixed", "date"):
            # Typed date-times (openpyxl cells of a mixed column) carry their own clock.
            clock = np.array(
                [
                    v.hour * 60 + v.minute + v.second / 60
                    if isinstance(v, dt.datetime | pd.Timestamp) and (v.hour or v.minute or v.second)
                    else np.nan
                    for v in part
                ],
                dtype=float,
            )
            typed = np.isfinite(clock)
            minutes[rest[typed]] = clock[typed]
        if remainder is not None:
            import pyarrow as pa
            import pyarrow.compute as pc

            trimmed = pc.utf8_trim(pa.array(remainder.to_numpy(object), type=pa.string()), " \tT,，")
            remainder = pd.Series(trimmed.to_numpy(zero_copy_only=False), dtype=object)
            has_rest = remainder.fillna("").to_numpy(dtype=object) != ""
            if has_rest.any():
                clock = parse_times_of_day(remainder[has_rest].reset_index(drop=True), day_fractions=False)
                rows = rest[has_rest]
                minutes[rows] = clock
                for j in np.flatnonzero(np.isnan(clock)):
                    i = rows[j]
                    if errors[i] is None:
                        errors[i] = (
                            f"{series.iloc[i]!r}: {remainder[has_rest].iloc[j]!r} is not a time of day"
                        )
    index = pd.DatetimeIndex(stamps)
    timed = np.isfinite(minutes)
    if timed.sum() >= 3 and (minutes[timed] == 0).all():
        timed[:] = False  # "2024-06-05 00:00:00" on every row: dates written with a zero clock
        minutes[:] = np.nan
    if not done.all():  # clocks read apart from their dates
        whole = np.where(timed, minutes, 0.0)
        index = index + pd.to_timedelta(np.where(np.isnan(whole), 0.0, whole) * 60, unit="s").round("s") * (
            ~done
        ).astype(int)
    index = index.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    unread = np.asarray(index.isna()) & (errors == None)  # noqa: E711 - elementwise
    for i in np.flatnonzero(unread):
        errors[i] = f"{series.iloc[i]!r} is not a date-time"
    return ParsedTimes(index, timed, np.where(timed, minutes, np.nan), errors, how)
