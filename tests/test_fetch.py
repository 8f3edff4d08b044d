"""The API client against a local server on 127.0.0.1 serving the documented payloads and error codes."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from wxtime.cli import main
from wxtime.io import read
from wxtime.io.client import FetchError, fetch

FIXTURES = Path(__file__).parent / "fixtures" / "wechat"
SECRET = "s3cr3t-never-printed"


class FakeWeChat(BaseHTTPRequestHandler):
    script: ClassVar[dict] = {}  # (endpoint, begin_date) -> list of answers to give in turn
    calls: ClassVar[list] = []
    token_failures: ClassVar[list] = []  # HTTP statuses the token endpoint answers first

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, payload):
        if payload == "HTML":
            body, kind, length = b"<html><body>502 Bad Gateway</body></html>", "text/html", None
        elif payload == "CUT":
            body, kind, length = b'{"list": [{"ref_date": "2024-07-0', "application/json", 4096
        else:
            body, kind, length = json.dumps(payload, ensure_ascii=False).encode(), "application/json", None
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length or len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if type(self).token_failures:
            self.send_response(type(self).token_failures.pop(0))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        query = parse_qs(urlparse(self.path).query)
        if query.get("secret") == [SECRET]:
            self._send({"access_token": "TOKEN", "expires_in": 7200})
        else:
            self._send({"errcode": 40125, "errmsg": "invalid appsecret"})

    def do_POST(self):
        url = urlparse(self.path)
        endpoint = url.path.rsplit("/", 1)[-1]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append((endpoint, body["begin_date"], body["end_date"]))
        if parse_qs(url.query).get("access_token") != ["TOKEN"]:
            return self._send({"errcode": 40001, "errmsg": "invalid credential"})
        answers = type(self).script.get((endpoint, body["begin_date"]))
        if answers:
            return self._send(answers.pop(0))
        if endpoint == "getarticletotal":
            name = f"articletotal_2022_shape_{body['begin_date']}.json"
            if (FIXTURES / name).exists():
                return self._send(json.loads((FIXTURES / name).read_text()))
            return self._send({"list": []})
        if endpoint == "getuserreadhour":
            return self._send(json.loads((FIXTURES / "userreadhour_2024-07-01.json").read_text()))
        return self._send({"errcode": 61501, "errmsg": "date range error"})


@pytest.fixture
def server():
    FakeWeChat.script = {}
    FakeWeChat.calls = []
    FakeWeChat.token_failures = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeChat)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_fetch_respects_spans_retries_and_saves_raw_responses(server, tmp_path):
    FakeWeChat.script = {
        ("getarticletotal", "2024-07-01"): [{"errcode": -1, "errmsg": "system error"}],
        ("getarticletotal", "2024-07-02"): [{"errcode": -1, "errmsg": "system error"}],
    }
    FakeWeChat.token_failures = [503]  # the token endpoint's server error is retried too
    slept = []
    written = fetch("wx1", SECRET, "2024-07-01", "2024-07-02", tmp_path, base_url=server, sleep=slept.append)
    assert slept == [2.0, 2.0, 2.0]  # one backoff per retried call
    calls = [c for c in FakeWeChat.calls if c[0] == "getarticletotal"]
    assert all(begin == end for _, begin, end in calls)  # one day per call: the endpoint's maximum span
    assert len(written) == 4
    # The folder as saved (getarticletotal/, getuserreadhour/) is read as it is.
    pushes = read(
        tmp_path,
        send_times={"2024-07-01": "2024-07-01 12:00", "2024-07-02": "2024-07-02 21:00"},
        age_hours=12,
    )
    assert len(pushes) == 2
    # The fake API answers every day with the same hourly sample (a stray row in it): one download, read once.
    assert pushes.load["skipped"]["hourly_other_dates"] == 1
    assert pushes.load["skipped"]["payload_downloaded_twice"] == 1
    everything = "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert SECRET not in everything and "TOKEN" not in everything


def test_fetch_stops_clearly_on_errors_a_retry_cannot_fix(server, tmp_path):
    FakeWeChat.script = {("getarticletotal", "2024-07-02"): [{"errcode": 40164, "errmsg": "invalid ip"}]}
    with pytest.raises(FetchError, match=r"errcode 40164: .*IP allowlist.*1 response\(s\) saved"):
        fetch(
            "wx1",
            SECRET,
            "2024-07-01",
            "2024-07-03",
            tmp_path,
            endpoints=["getarticletotal"],
            base_url=server,
            sleep=lambda s: None,
        )
    assert len(list((tmp_path / "getarticletotal").glob("*.json"))) == 1  # what came before is kept
    with pytest.raises(FetchError, match="gave up after 2 retries"):
        FakeWeChat.script = {("getarticletotal", "2024-07-01"): [{"errcode": -1}] * 3}
        fetch(
            "wx1",
            SECRET,
            "2024-07-01",
            "2024-07-01",
            tmp_path / "fresh",
            endpoints=["getarticletotal"],
            base_url=server,
            max_retries=2,
            sleep=lambda s: None,
        )


def test_wrong_secret_is_refused_without_echoing_it(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WXTIME_SECRET", "wrong-" + SECRET)
    code = main(
        [
            "fetch",
            "--appid",
            "wx1",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-01",
            "-o",
            str(tmp_path),
            "--base-url",
            server,
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1 and "errcode 40125" in captured.err
    assert SECRET not in captured.out + captured.err


def test_unreachable_server_message_has_no_secret(tmp_path):
    with pytest.raises(FetchError) as info:
        fetch("wx1", SECRET, "2024-07-01", "2024-07-01", tmp_path, base_url="http://127.0.0.1:9", timeout=2)
    assert SECRET not in str(info.value)


def test_the_daily_quota_stops_at_once_and_a_second_run_resumes(server, tmp_path):
    FakeWeChat.script = {
        ("getarticletotal", "2024-07-02"): [{"errcode": 45009, "errmsg": "reach max api daily quota"}]
    }
    slept = []
    kwargs = dict(endpoints=["getarticletotal"], base_url=server, sleep=slept.append)
    with pytest.raises(FetchError, match=r"45009: daily API quota reached; 1 response\(s\) saved.*tomorrow"):
        fetch("wx1", SECRET, "2024-07-01", "2024-07-03", tmp_path, **kwargs)
    assert slept == []  # no minute of retries against a quota
    FakeWeChat.calls = []
    written = fetch("wx1", SECRET, "2024-07-01", "2024-07-03", tmp_path, **kwargs)
    assert [c[1] for c in FakeWeChat.calls] == ["2024-07-02", "2024-07-03"]  # 07-01 was saved: skipped
    assert len(written) == 2


@pytest.mark.parametrize(("answer", "message"), [("HTML", "an HTML page"), ("CUT", "cut off")])
def test_an_html_page_or_a_cut_off_body_names_the_endpoint_and_the_dates(server, tmp_path, answer, message):
    FakeWeChat.script = {("getarticletotal", "2024-07-02"): [answer]}
    with pytest.raises(FetchError, match=rf"getarticletotal 2024-07-02..2024-07-02: .*{message}"):
        fetch(
            "wx1",
            SECRET,
            "2024-07-01",
            "2024-07-02",
            tmp_path,
            endpoints=["getarticletotal"],
            base_url=server,
            sleep=lambda s: None,
        )
    assert len(list((tmp_path / "getarticletotal").glob("*.json"))) == 1
