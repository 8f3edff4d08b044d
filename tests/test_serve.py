"""wxtime serve, app level: the operator's flow from upload to decision page, the same words and
numbers as the command line, and the security promises (token, CSRF, limits, escaping, paths,
headers). Browser tests are in test_serve_browser.py."""

import asyncio
import csv
import html
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("starlette", reason="the [serve] extra (starlette) is not installed")
pytest.importorskip("python_multipart", reason="the [serve] extra (python-multipart) is not installed")

from starlette.testclient import TestClient

from wxtime.cli import main
from wxtime.datasets import data_dir
from wxtime.errors import PushDataError
from wxtime.i18n import t
from wxtime.io import read
from wxtime.serve.app import ServeConfig, create_app
from wxtime.serve.jobs import Results

LOCAL = "http://127.0.0.1"
TRUE_RATES = {"08:00": 0.04, "12:00": 0.05, "21:00": 0.09}  # 21:00 is the true best slot
# What differs between two renderings of one decision: the time it was made, the time stamp inside
# the .ics link (DTSTAMP, to the second) and matplotlib's random ids of SVG clip paths and markers.
STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC|data:text/calendar;[^\"]*|\b[a-z]+[0-9a-f]{10}\b")


def write_pushes(
    path: Path, *, headers=("日期", "发送时间", "送达人数", "打开人数", "标题"), title="推送", seed=1
):
    """A daily randomised rotation over three slots, 48 pushes, whose true best slot is 21:00."""
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(list(TRUE_RATES)) for _ in range(16)])
    days = pd.date_range("2026-09-01", periods=len(order), freq="D")
    rows = []
    for day, slot in zip(days, order):
        delivered = int(rng.integers(9000, 11000))
        rate = TRUE_RATES[slot] * np.exp(rng.normal(0, 0.1))
        rows.append([day.strftime("%Y-%m-%d"), slot, delivered, int(rng.binomial(delivered, rate)), title])
    pd.DataFrame(rows, columns=list(headers)).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    good = write_pushes(folder / "六月推送.csv")
    unknown = write_pushes(
        folder / "odd headers.csv", headers=("Day", "Hour", "送达人数", "Opens now", "Title")
    )
    broken = folder / "broken.csv"
    text = good.read_text(encoding="utf-8").splitlines()
    fields = text[3].split(",")
    fields[3] = "lots"  # an opens count that is not a number, on data row 3
    text[3] = ",".join(fields)
    broken.write_text("\n".join(text) + "\n", encoding="utf-8")
    markup = write_pushes(folder / "markup.csv", title="<script>alert(1)</script>")
    sheet = pd.read_csv(markup)
    sheet["<img src=x onerror=alert(1)>"] = "x"  # a header no one knows: shown, kept, not used
    sheet.to_csv(markup, index=False)
    return {"good": good, "unknown": unknown, "broken": broken, "markup": markup, "folder": folder}


@pytest.fixture(scope="module")
def app():
    app = create_app(ServeConfig(max_upload_mb=1, max_files=3))
    yield app
    app.state.wx.workspace.close()


@pytest.fixture
def client(app):
    return TestClient(app, base_url=LOCAL)


def csrf_of(client, lang: str | None = None) -> str:
    page = client.get("/", headers={"accept-language": lang} if lang else {})
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def upload(client, *paths, csrf=None, name=None):
    csrf = csrf or csrf_of(client)
    sent = [("files", (name or p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    return client.post("/upload", data={"csrf": csrf}, files=sent)


def decide(client, read_page, *, metric="open", lang="en", account="subscription"):
    action = re.search(r'action="(/j/[^"]+/decide)"', read_page.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', read_page.text).group(1)
    return client.post(action, data={"csrf": csrf, "account": account, "metric": metric, "lang": lang})


def headline(page) -> str:
    return html.unescape(re.search(r'class="headline">([^<]+)<', page.text).group(1))


def shown_error(page) -> str:
    return html.unescape(re.search(r'<pre class="error"[^>]*>(.*?)</pre>', page.text, re.S).group(1))


def cli_message(path: Path) -> str:
    """What ``wxtime validate PATH`` says about a bad file, naming it as the operator sent it."""
    with pytest.raises(PushDataError) as error:
        read(path)
    return str(error.value).replace(str(path), path.name)


def result_id(page) -> str:
    return str(page.url).rsplit("/", 1)[1].split("?")[0]


@pytest.fixture(scope="module")
def good_result(app, files):
    """The good file, uploaded and decided once in English (reused by several tests)."""
    client = TestClient(app, base_url=LOCAL)
    read_page = upload(client, files["good"])
    result = decide(client, read_page)
    return {"client": client, "read": read_page, "result": result, "id": result_id(result)}


# -- the flow -----------------------------------------------------------------------------
def test_a_good_file_gets_the_decision_naming_its_true_best_slot(good_result, app):
    read_page, result = good_result["read"], good_result["result"]
    assert read_page.status_code == 200 and "/j/" in str(read_page.url)
    text = html.unescape(read_page.text)
    assert "六月推送.csv: OK, 48 pushes (one row per push)" in text
    assert "send times of 48 pushes: the file's own send times" in text
    assert all(f"<td>{slot}</td><td>16</td>" in read_page.text for slot in TRUE_RATES)
    assert '<td class="header">送达人数</td><td>delivered <code>delivered</code>' in read_page.text
    assert result.status_code == 200
    assert headline(result).startswith("Push at 21:00")
    assert app.state.wx.workspace.files() == []  # the result is built: the upload is gone


def test_the_page_json_and_schedule_are_what_wxtime_report_and_plan_write(good_result, files, tmp_path):
    from wxtime.report import build_report

    client, rid = good_result["client"], good_result["id"]
    reference = build_report(files["good"], output=tmp_path / "六月推送.html", lang="en")
    page = client.get(f"/r/{rid}/page.html")
    assert page.headers["content-disposition"].startswith("attachment;")
    assert STAMP.sub("", page.text) == STAMP.sub("", reference["html"].read_text(encoding="utf-8"))
    served = json.loads(client.get(f"/r/{rid}/decision.json").content)
    written = json.loads(reference["json"].read_text(encoding="utf-8"))
    assert written["data"]["source"] == str(files["good"])  # the CLI names the path it was given
    written["data"]["source"] = files["good"].name  # the page names the file the operator sent
    assert served == written
    schedule = list(
        csv.DictReader(io.StringIO(client.get(f"/r/{rid}/schedule.csv").content.decode("utf-8-sig")))
    )
    expected = reference["decision"].next_step.schedule
    assert [row["slot"] for row in schedule] == expected["slot"].tolist()
    assert [row["date"] for row in schedule] == expected["date"].tolist()
    # The winner on most days; a few days still drawn at random, so a change would show.
    assert (expected["slot"] == "21:00").mean() >= 0.75
    ics = client.get(f"/r/{rid}/schedule.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    events = _calendar_events(ics.content)
    assert len(events) == len(schedule)


def _calendar_events(body: bytes) -> list:
    try:
        import icalendar
    except ImportError:  # parse the lines ourselves: RFC 5545 calendars are line-based
        text = body.decode("utf-8")
        assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
        return re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT", text, re.S)
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_the_result_page_is_the_report_under_a_bar_of_downloads_and_a_share_link(good_result):
    client, rid, result = good_result["client"], good_result["id"], good_result["result"]
    assert result.text.count('<nav class="wx-bar"') == 1
    for link in ("page.html?lang=en", "schedule.csv", "schedule.ics", "decision.json"):
        assert f'href="/r/{rid}/{link}"' in result.text
    assert f'value="{LOCAL}/r/{rid}"' in result.text  # loopback: no token in the link
    assert "Account: Subscription account" in html.unescape(result.text)
    chinese = client.get(f"/r/{rid}?lang=zh")
    assert headline(chinese).startswith("在 21:00 推送")
    assert client.get(f"/r/{'x' * 22}").status_code == 404


def test_pages_speak_the_browser_s_language_and_the_decision_the_chosen_one(app, files):
    client = TestClient(app, base_url=LOCAL, headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "上传推送数据" in client.get("/").text
    assert "Your push data" in client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).text
    assert "Your push data" in client.get("/?lang=en").text
    assert "上传推送数据" in client.get("/?lang=zh").text  # the choice is kept over the browser's
    read_page = upload(client, files["good"])
    assert "六月推送.csv：读取成功，48 次推送（每次推送一行）" in html.unescape(read_page.text)
    result = decide(client, read_page, lang="zh", account="service")
    assert headline(result).startswith("在 21:00 推送")
    assert "账号类型：服务号" in result.text
    assert 'lang="zh-CN"' in result.text


def test_the_sample_data_names_noon(app):
    client = TestClient(app, base_url=LOCAL)
    read_page = client.post("/sample", data={"csrf": csrf_of(client)})
    assert "noon_study.csv: OK, 70 pushes" in html.unescape(read_page.text)
    assert str(data_dir()) not in read_page.text  # no server paths
    result = decide(client, read_page)
    assert headline(result).startswith("Push at 12:00")
    assert t("report.sample", "en") in html.unescape(result.text)


def test_an_unknown_header_gets_the_mapping_form_and_the_fixed_mapping_decides(app, files):
    client = TestClient(app, base_url=LOCAL)
    mapping = upload(client, files["unknown"])
    assert mapping.status_code == 200
    assert shown_error(mapping) == cli_message(files["unknown"])  # the command line's words
    assert "is required" in shown_error(mapping)
    for header in ("Day", "Hour", "Opens now", "Title"):
        assert f'<option value="{header}">' in mapping.text
    assert '<option value="送达人数" selected>' in mapping.text  # what the reader did recognise
    assert len(app.state.wx.workspace.files()) == 1  # kept while the page asks
    action = re.search(r'action="(/j/[^"]+/columns)"', mapping.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', mapping.text).group(1)
    form = {"csrf": csrf, "col.delivered": "送达人数", "col.opened": "Opens now", "col.send_date": "Day"}
    read_page = client.post(action, data=form | {"col.slot": "Hour"})
    assert "odd headers.csv: OK, 48 pushes" in html.unescape(read_page.text)
    assert '<td class="header">Opens now</td><td>opened' in read_page.text
    result = decide(client, read_page)
    assert headline(result).startswith("Push at 21:00")
    assert app.state.wx.workspace.files() == []


def test_a_broken_file_gets_the_cli_s_message_and_leaves_nothing_behind(app, files):
    client = TestClient(app, base_url=LOCAL)
    page = upload(client, files["broken"])
    assert page.status_code == 422
    assert shown_error(page) == cli_message(files["broken"])
    assert "row 3 (line 4), column '打开人数' (opened): 'lots' is not a number" in shown_error(page)
    assert "Traceback" not in page.text
    assert app.state.wx.workspace.files() == [] and list(app.state.wx.workspace.root.iterdir()) == []


def test_an_internal_error_is_a_plain_500_logged_not_a_user_error(app, files, monkeypatch, caplog):
    import wxtime.serve.jobs as jobs

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not the operator's file")

    monkeypatch.setattr(jobs, "read_job", broken)
    client = TestClient(app, base_url=LOCAL, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="wxtime.serve"):
        page = upload(client, files["good"])
    assert page.status_code == 500
    assert "Internal error" in page.text and "a bug" not in page.text and "Traceback" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert any("a bug, not the operator's file" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert app.state.wx.workspace.files() == []


# -- security -------------------------------------------------------------------------------
def test_beyond_localhost_every_request_needs_the_token(files):
    token = "t0ken-" + "x" * 40
    shared = create_app(ServeConfig(token=token))
    try:
        client = TestClient(shared, base_url="http://192.168.1.20:8000", follow_redirects=False)
        for path in ("/", "/static/serve.css", "/r/abc", "/../../etc/passwd"):
            assert client.get(path).status_code == 403
        assert client.get("/?token=wrong").status_code == 403
        wrong = TestClient(shared, base_url="http://192.168.1.20:8000", cookies={"wxtime_token": token + "y"})
        assert wrong.get("/").status_code == 403
        entered = client.get(f"/?lang=zh&token={token}")
        assert entered.status_code == 303 and entered.headers["location"] == "/?lang=zh"
        cookie = entered.headers["set-cookie"]
        assert f"wxtime_token={token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        client.cookies.set("wxtime_token", token)
        assert client.get("/").status_code == 200
        assert client.post("/sample", data={"csrf": "x"}).status_code == 403  # the token is not a CSRF token
    finally:
        shared.state.wx.workspace.close()


def test_on_loopback_only_loopback_host_names_are_answered(app):
    """A page that rebinds its own domain to 127.0.0.1 gets nothing (DNS rebinding)."""
    assert TestClient(app, base_url="http://evil.example:8000").get("/").status_code == 403
    for base in (LOCAL, "http://localhost:8000", "http://[::1]:8000"):
        assert TestClient(app, base_url=base).get("/").status_code == 200


@contextmanager
def opened_paths():
    """Every path the process opens meanwhile (an audit hook: it sees the reader's opens too)."""
    seen: list[str] = []
    state = _AUDIT
    state["sink"] = seen
    try:
        yield seen
    finally:
        state["sink"] = None


_AUDIT: dict = {"sink": None}


def _audit(event, args):
    sink = _AUDIT["sink"]
    if sink is not None and event == "open" and args and isinstance(args[0], str | bytes):
        sink.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def _sheet_named_like_paths(path: Path) -> Path:
    """A workbook whose two sheets are named ``../../etc/passwd`` and ``<img ...>`` (names Excel
    would refuse, written into the workbook's XML as a hostile file could be), with a bad count
    and a formula in them."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "SheetA"
    header = ["日期", "发送时间", "送达人数", "打开人数"]
    first.append(header)
    first.append(["2026-09-01", "08:00", 1000, 50])
    first.append(["2026-09-02", "12:00", 1000, "lots"])
    second = book.create_sheet("SheetB")
    second.append(header)
    second.append(["2026-09-03", "21:00", 1000, 90])
    second.append(["2026-09-04", "21:00", 1000, '=WEBSERVICE("http://example.invalid")'])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'name="SheetA"', b'name="../../etc/passwd"')
                data = data.replace(b'name="SheetB"', b'name="&lt;img src=x onerror=alert(1)&gt;"')
            target.writestr(item, data)
    return path


def test_markup_and_paths_in_a_file_are_shown_as_text_and_touch_no_path(app, files):
    client = TestClient(app, base_url=LOCAL)
    read_page = upload(client, files["markup"], name="<b onmouseover=alert(1)>六月.csv")
    assert "<img src=x" not in read_page.text and "<script>alert" not in read_page.text
    assert "<b onmouseover" not in read_page.text
    assert '<td class="header">&lt;img src=x onerror=alert(1)&gt;</td>' in read_page.text  # a header
    assert '<td class="c-title">&lt;script&gt;alert(1)&lt;/script&gt;</td>' in read_page.text  # a title
    assert "&lt;b onmouseover=alert(1)&gt;六月.csv: OK" in read_page.text  # the file's name
    result = decide(client, read_page)
    assert "<script>alert" not in result.text and "<img src=x" not in result.text
    workbook = _sheet_named_like_paths(files["folder"] / "sheets.xlsx")
    with opened_paths() as seen:
        page = upload(client, workbook)
    assert page.status_code == 422
    message = shown_error(page)
    assert (
        "sheet '../../etc/passwd', row 2 (sheet row 3), column '打开人数' (opened): 'lots' is not a number"
        in message
    )
    assert (
        "sheet '<img src=x onerror=alert(1)>', row 2 (sheet row 3), column '打开人数' (opened): is missing"
        in (message)
    )  # the formula was not evaluated: it has no value
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert not [p for p in seen if "passwd" in p or "<img" in p]
    root = str(app.state.wx.workspace.root)
    uploads = {p for p in seen if p.startswith(root)}
    names = {Path(p).name for p in uploads}  # the stored file, and its folder (removed with it)
    assert any(re.fullmatch(r"f1-[0-9a-f]{12}\.xlsx", n) for n in names)
    assert all(re.fullmatch(r"f1-[0-9a-f]{12}\.xlsx|job-\w+", n) for n in names), names


def _asgi(app, path: str, *, method="GET", headers=(), chunks=(), raw_path=None):
    """One request straight into the ASGI app; returns (status, headers, body, bytes the app read)."""
    pulled = {"bytes": 0, "calls": 0}
    body_parts = iter(chunks)
    sent = []

    async def receive():
        pulled["calls"] += 1
        chunk = next(body_parts, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled["bytes"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), body, pulled


def _endless(chunk_size=64 * 1024, give_up_after=4 * 1024 * 1024):
    """A body that never ends; it fails the test if read far past the 1 MB limit."""
    boundary = b"--wxtimeboundary\r\n"
    yield boundary + b'Content-Disposition: form-data; name="csrf"\r\n\r\nx\r\n'
    yield boundary + b'Content-Disposition: form-data; name="files"; filename="big.csv"\r\n\r\n'
    sent = 0
    while True:
        sent += chunk_size
        assert sent < give_up_after, "the server kept reading past the limit"
        yield b"1" * chunk_size


def test_an_upload_over_the_limit_is_refused_without_being_read(app):
    kind = (b"content-type", b"multipart/form-data; boundary=wxtimeboundary")
    declared = (b"content-length", str(60 * 1024 * 1024).encode())
    status, _, body, pulled = _asgi(app, "/upload", method="POST", headers=[kind, declared])
    assert status == 413 and pulled["bytes"] == 0
    assert b"over the limit of 1 MB" in body
    # A forged token is refused at the first file part, before anything is written.
    forged = (b"cookie", b"wxtime_csrf=x")
    status, _, _, pulled = _asgi(app, "/upload", method="POST", headers=[kind, forged], chunks=_endless())
    assert status == 403 and pulled["bytes"] < 64 * 1024
    # No length given (chunked): read until the limit, then stop.
    good_csrf = "c" * 43
    cookie = (b"cookie", f"wxtime_csrf={good_csrf}".encode())
    chunks = (c.replace(b"\r\n\r\nx\r\n", f"\r\n\r\n{good_csrf}\r\n".encode()) for c in _endless())
    status, _, body, pulled = _asgi(app, "/upload", method="POST", headers=[kind, cookie], chunks=chunks)
    assert status == 413 and pulled["bytes"] <= 1024 * 1024 + 64 * 1024 + 200
    assert app.state.wx.workspace.files() == []


def test_too_many_files_are_refused(app, files):
    client = TestClient(app, base_url=LOCAL)
    page = upload(client, *[files["good"]] * 4)
    assert page.status_code == 413 and "At most 3 files at once." in page.text
    assert app.state.wx.workspace.files() == []


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/../../", b"/../../"),
        ("/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd"),
        ("/static/../../etc/passwd", b"/static/../../etc/passwd"),
        ("/static/", b"/static/"),
        ("/static", b"/static"),
        ("/static/..\\..\\serve.css", b"/static/..%5c..%5cserve.css"),
        ("/j/../r", b"/j/../r"),
        ("/etc/passwd", b"/etc/passwd"),
    ],
)
def test_paths_that_climb_or_list_are_404(app, path, raw):
    status, _, body, _ = _asgi(app, path, raw_path=raw)
    assert status == 404
    assert b"root:x:0:0" not in body and b"Index of" not in body


def test_the_static_files_are_a_fixed_list(app):
    client = TestClient(app, base_url=LOCAL)
    assert client.get("/static/serve.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/__init__.py").status_code == 404
    assert client.get("/static/templates").status_code == 404


def test_forms_without_the_right_csrf_token_are_refused(app, files):
    client = TestClient(app, base_url=LOCAL)
    csrf = csrf_of(client)
    assert client.post("/sample").status_code == 403
    assert client.post("/sample", data={"csrf": "forged"}).status_code == 403
    other = TestClient(app, base_url=LOCAL)  # another browser: its own token
    assert other.post("/sample", data={"csrf": csrf}).status_code == 403
    cross = {"origin": "http://evil.example"}
    assert client.post("/sample", data={"csrf": csrf}, headers=cross).status_code == 403
    assert (
        client.post("/sample", data={"csrf": csrf}, headers={"sec-fetch-site": "cross-site"}).status_code
        == 403
    )
    content = files["good"].read_bytes()
    page = client.post("/upload", data={"csrf": "forged"}, files=[("files", ("a.csv", content, "text/csv"))])
    assert page.status_code == 403 and app.state.wx.workspace.files() == []
    # The token after the file (not what the page sends) is refused before the file is written.
    boundary = "wxtimeboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\n\r\n'.encode()
        + content
        + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'.encode()
        + f"--{boundary}--\r\n".encode()
    )
    late = client.post(
        "/upload", content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert late.status_code == 403 and app.state.wx.workspace.files() == []
    assert client.post("/sample", data={"csrf": csrf}, follow_redirects=False).status_code == 303


def test_every_response_carries_the_security_headers(app, good_result):
    client = good_result["client"]
    responses = [
        client.get("/"),
        client.get("/static/serve.css"),
        client.get("/nothing-here"),
        client.post("/sample"),
        good_result["result"],
        client.get(f"/r/{good_result['id']}/schedule.csv"),
        TestClient(app, base_url="http://evil.example").get("/"),
    ]
    for response in responses:
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        policy = headers["content-security-policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in good_result["result"].text  # the page's only script is /static/serve.js


def test_results_are_kept_by_unguessable_ids_and_the_oldest_forgotten(good_result):
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", good_result["id"])
    results = Results(limit=2)
    for key in "abc":
        results.put(key, key)
    assert results.get("a") is None and results.get("c") == "c"


# -- the command ------------------------------------------------------------------------------
def test_serve_help_shows_every_option_with_its_default(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option, default in [
        ("--host", "(default: 127.0.0.1)"),
        ("--port", "(default: 8000)"),
        ("--open", "(default: off)"),
        ("--max-upload-mb", "(default: 50.0)"),
        ("--max-files", "(default: 10)"),
        ("--token", "(default: none on 127.0.0.1;"),
        ("--lang", "(default: the browser's"),
    ]:
        assert option in text and default in text


def test_the_command_line_does_not_import_the_web_framework():
    code = (
        "import sys, contextlib, io\nfrom wxtime.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
        "web = ('starlette', 'uvicorn', 'python_multipart')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in web))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stderr


def test_shared_on_the_network_it_prints_a_token_link_and_cleans_up_on_shutdown(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "wxtime", "serve", "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = server.stdout.readline()
        link = re.search(r"open (http://\S+)", first).group(1)
        assert re.search(r"/\?token=[A-Za-z0-9_-]{43}$", link), first
        port = int(re.search(r":(\d+)/", link).group(1))
        assert len(list(tmp_path.glob("wxtime-serve-*"))) == 1  # the private folder
        import urllib.error
        import urllib.request

        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert refused.value.code == 403
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert not list(tmp_path.glob("wxtime-serve-*"))  # removed on shutdown


def test_decided_jobs_keep_their_table_only_while_among_the_latest(tmp_path):
    from wxtime.serve.jobs import Job, Jobs, Workspace

    space = Workspace(tmp_path)
    held = Jobs(limit=10, workspace=space, keep_tables=2)
    made = [Job(id=str(i), names={}, folder=space.new_folder(), table=object()) for i in range(3)]
    for job in made:
        held.add(job)
        held.decided(job)
    assert [job.table is not None for job in made] == [False, True, True]
    assert all(job.folder is None for job in made) and space.files() == []
    space.close()


def test_starting_again_from_the_mapping_form_deletes_the_upload(app, files):
    client = TestClient(app, base_url=LOCAL)
    mapping = upload(client, files["unknown"])
    assert len(app.state.wx.workspace.files()) == 1
    action = re.search(r'action="(/j/[^"]+/discard)"', mapping.text).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', mapping.text).group(1)
    assert client.post(action, data={"csrf": "forged"}).status_code == 403
    assert len(app.state.wx.workspace.files()) == 1
    back = client.post(action, data={"csrf": csrf})
    assert str(back.url) == f"{LOCAL}/" and app.state.wx.workspace.files() == []
    assert client.get(action.rsplit("/", 1)[0]).status_code == 404
