"""Fetch statistics from the WeChat datacube API and save the raw responses.

Optional: most users download exports from the MP backend instead. The
client calls the documented endpoints (``POST
https://api.weixin.qq.com/datacube/<name>?access_token=...`` with
``{"begin_date", "end_date"}``), splits the date range into each endpoint's
maximum span, skips windows already saved (an interrupted fetch resumes),
retries system-busy (``-1``) answers and token-server errors (HTTP 5xx) with
exponential backoff, stops at once on the daily quota (``45009``), and stops
with a clear message on errors a retry cannot fix (``40001`` invalid credential,
``40164`` IP not in the allowlist,
``61501`` date range error, ``42001`` token expired, ...). Every response is
saved **before** any conversion (``DIR/<endpoint>/<begin>_<end>.json``,
written atomically), so nothing fetched is lost.

The app secret is only sent to the token endpoint: it is never printed,
logged, put in an error message or written to disk (nor is the access
token).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InputError
from .files import atomic_write

__all__ = ["MAX_SPAN_DAYS", "FetchError", "date_windows", "fetch"]

BASE_URL = "https://api.weixin.qq.com"

#: Maximum days per call (official table "接口名称 / 最大时间跨度"; getusersummary page).
MAX_SPAN_DAYS = {
    "getarticlesummary": 1,
    "getarticletotal": 1,
    "getuserread": 3,
    "getuserreadhour": 1,
    "getusershare": 7,
    "getusersharehour": 1,
    "getusersummary": 7,
    "getusercumulate": 7,
    "getarticletotaldetail": 1,
    "getarticleread": 1,
    "getarticleshare": 1,
    "getbizsummary": 1,
}
RETRY = {-1: "system busy"}
FATAL = {
    40001: "invalid credential: the AppSecret or access token is wrong or not the latest",
    40013: "invalid AppID",
    40125: "invalid AppSecret",
    40164: "this machine's IP address is not in the account's IP allowlist "
    "(MP backend > 设置与开发 > 基本配置)",
    42001: "access token expired",
    61500: "date format error",
    61501: "date range error: span beyond the endpoint's maximum, or end date not before today",
    61502: "this is a game mini program: data API not supported",
    61503: "data not ready yet: fetch yesterday's data after 08:00 Beijing time",
}


class FetchError(RuntimeError):
    """The API answered with an error that retrying cannot fix (the message says which, and what to do)."""


def date_windows(begin: dt.date, end: dt.date, span: int) -> list[tuple[dt.date, dt.date]]:
    """Split ``[begin, end]`` (inclusive) into windows of at most ``span`` days.

    Examples
    --------
    >>> [(a.isoformat(), b.isoformat()) for a, b in date_windows(dt.date(2024, 7, 1), dt.date(2024, 7, 8), 3)]
    [('2024-07-01', '2024-07-03'), ('2024-07-04', '2024-07-06'), ('2024-07-07', '2024-07-08')]
    """
    if end < begin:
        raise InputError(f"end date {end} is before begin date {begin}")
    windows = []
    start = begin
    while start <= end:
        stop = min(start + dt.timedelta(days=span - 1), end)
        windows.append((start, stop))
        start = stop + dt.timedelta(days=1)
    return windows


class _BadBody(Exception):
    """The API answered, but not with JSON (an HTML page, a cut-off body)."""


def _request(url: str, body: dict | None, timeout: float) -> dict:
    import http.client

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        try:
            raw = response.read()
        except http.client.IncompleteRead as exc:
            raise _BadBody(f"the answer was cut off after {len(exc.partial)} bytes") from None
    text = raw.decode("utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        raise _BadBody("the answer was an HTML page, not JSON (a proxy, login or error page)")
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadBody(
            f"the answer was not valid JSON ({exc.msg} at character {exc.pos}); cut off?"
        ) from None
    if not isinstance(answer, dict):
        raise _BadBody(f"the answer was a JSON {type(answer).__name__}, not an object")
    return answer


def _token(
    appid: str,
    secret: str,
    base_url: str,
    timeout: float,
    *,
    max_retries: int = 5,
    backoff_seconds=2.0,
    sleep=time.sleep,
) -> str:
    query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": appid, "secret": secret})
    for attempt in range(max_retries + 1):
        try:
            answer = _request(f"{base_url}/cgi-bin/token?{query}", None, timeout)
            break
        except urllib.error.HTTPError as exc:
            # A server error (5xx) is worth retrying; the URL holds the secret: report the host only.
            if exc.code >= 500 and attempt < max_retries:
                sleep(backoff_seconds * 2**attempt)
                continue
            raise FetchError(f"the token endpoint of {base_url} answered HTTP {exc.code}") from None
        except _BadBody as exc:
            if attempt < max_retries:
                sleep(backoff_seconds * 2**attempt)
                continue
            raise FetchError(f"the token endpoint of {base_url}: {exc}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise FetchError(
                f"cannot reach {base_url} for an access token: {getattr(exc, 'reason', exc)}"
            ) from None
    if "access_token" not in answer:
        code = answer.get("errcode")
        raise FetchError(f"access token refused: errcode {code}: {FATAL.get(code, answer.get('errmsg', ''))}")
    return answer["access_token"]


def fetch(
    appid: str,
    secret: str,
    begin: dt.date | str,
    end: dt.date | str,
    directory: str | Path,
    *,
    endpoints: Iterable[str] = ("getarticletotal", "getuserreadhour"),
    base_url: str = BASE_URL,
    max_retries: int = 5,
    backoff_seconds: float = 2.0,
    timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: bool = False,
) -> list[Path]:
    """Fetch ``endpoints`` for ``[begin, end]`` and save each raw response as JSON.

    Returns the paths written. Windows already saved in ``directory`` (by an
    earlier run) are skipped, so an interrupted fetch resumes where it stopped.
    Raises :class:`FetchError` on errors that a retry cannot fix, after saving
    everything fetched before it: the daily quota (45009) stops at once, saying
    how many windows are saved; an HTML page or a cut-off body names the
    endpoint and the dates.

    Examples
    --------
    >>> fetch("wx123", "secret", "2024-07-02", "2024-07-01", "/tmp/x")
    Traceback (most recent call last):
    ...
    wxtime.errors.InputError: end date 2024-07-01 is before begin date 2024-07-02
    """
    begin = dt.date.fromisoformat(str(begin))
    end = dt.date.fromisoformat(str(end))
    directory = Path(directory)
    unknown = [e for e in endpoints if e not in MAX_SPAN_DAYS]
    if unknown:
        raise InputError(f"unknown endpoint(s) {', '.join(unknown)}; known: {', '.join(MAX_SPAN_DAYS)}")
    jobs = [(e, w) for e in endpoints for w in date_windows(begin, end, MAX_SPAN_DAYS[e])]
    saved = lambda e, a, b: directory / e / f"{a.isoformat()}_{b.isoformat()}.json"  # noqa: E731
    jobs = [(e, w) for e, w in jobs if not saved(e, *w).exists()]  # resume: saved windows are kept
    written: list[Path] = []
    if not jobs:
        return written
    token = _token(
        appid,
        secret,
        base_url,
        timeout,
        max_retries=max_retries,
        backoff_seconds=backoff_seconds,
        sleep=sleep,
    )
    iterator = jobs
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(jobs, desc="fetch", unit="call")
    for endpoint, (start, stop) in iterator:
        body = {"begin_date": start.isoformat(), "end_date": stop.isoformat()}
        url = f"{base_url}/datacube/{endpoint}?access_token={urllib.parse.quote(token)}"
        for attempt in range(max_retries + 1):
            try:
                answer = _request(url, body, timeout)
            except _BadBody as exc:
                raise FetchError(
                    f"{endpoint} {body['begin_date']}..{body['end_date']}: {exc}; "
                    f"{len(written)} response(s) saved in {directory}; run again to resume"
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                answer = {"errcode": -1, "errmsg": f"network: {getattr(exc, 'reason', exc)}"}
            code = answer.get("errcode", 0)
            if code == 45009:  # the daily quota: retrying within the day cannot help
                raise FetchError(
                    f"{endpoint} {body['begin_date']}..{body['end_date']}: errcode 45009: daily API quota "
                    f"reached; {len(written)} response(s) saved in {directory}; run the same command "
                    "tomorrow to fetch the rest (saved windows are skipped)"
                )
            if code in RETRY and attempt < max_retries:
                sleep(backoff_seconds * 2**attempt)
                continue
            if code:
                reason = FATAL.get(code) or RETRY.get(code) or answer.get("errmsg", "")
                raise FetchError(
                    f"{endpoint} {body['begin_date']}..{body['end_date']}: errcode {code}: {reason}"
                    + (f" (gave up after {max_retries} retries)" if code in RETRY else "")
                    + f"; {len(written)} response(s) saved in {directory}"
                )
            path = directory / endpoint / f"{body['begin_date']}_{body['end_date']}.json"
            with atomic_write(path, "w", encoding="utf-8") as fh:
                json.dump(answer, fh, ensure_ascii=False)
            written.append(path)
            break
    return written
