"""wxtime serve in a real browser (Playwright driving Debian's Chromium): an operator's upload, the
mapping form, a broken file, English and Chinese, a phone (375 px) and a laptop (1280 px), with
no page overflow, no console errors (CSP violations are console errors) and downloads that parse.

One server (uvicorn, in a thread, on a free port) and one browser serve the whole module. No
browser is downloaded: without the ``chromium`` binary or the playwright package these skip."""

import csv
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed (Debian package 'chromium'; .ci/run installs it as root)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
pytest.importorskip("uvicorn", reason="the [serve] extra (uvicorn) is not installed")

from test_serve import TRUE_RATES, write_pushes  # noqa: E402

from wxtime.serve.app import ServeConfig, create_app  # noqa: E402
from wxtime.serve.run import in_thread  # noqa: E402


@pytest.fixture(scope="module")
def server():
    app = create_app(ServeConfig(max_upload_mb=5, max_files=4))
    with in_thread(app) as url:
        yield {"url": url, "app": app}
    assert not app.state.wx.workspace.root.exists()  # the lifespan removed the private folder


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    good = write_pushes(folder / "六月推送.csv")
    unknown = write_pushes(
        folder / "odd headers.csv", headers=("Day", "Hour", "送达人数", "Opens now", "Title")
    )
    broken = folder / "broken.csv"
    lines = good.read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(",")
    fields[3] = "lots"
    lines[3] = ",".join(fields)
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"good": good, "unknown": unknown, "broken": broken}


class Visit:
    """A browser tab at a width and language, collecting every console error and page error."""

    def __init__(self, browser, width: int, lang: str):
        locale = "zh-CN" if lang == "zh" else "en-US"
        self.context = browser.new_context(
            viewport={"width": width, "height": 800}, locale=locale, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def fits(self) -> bool:
        """No horizontal page overflow (wide tables scroll inside their own box)."""
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def check(self, status: int | None = None) -> None:
        """The page fits and nothing went wrong; ``status``: the page itself answers with this
        error status on purpose (Chromium logs that as a console error too)."""
        assert self.fits(), f"{self.page.url} is wider than the window"
        expected = f"the server responded with a status of {status}"
        assert not [e for e in self.errors if status is None or expected not in e], self.errors

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    opened = []

    def make(width: int, lang: str) -> Visit:
        opened.append(Visit(browser, width, lang))
        return opened[-1]

    yield make
    for tab in opened:
        tab.close()


def upload(tab: Visit, url: str, path) -> None:
    page = tab.page
    page.goto(url + "/")
    tab.check()
    page.set_input_files("#files", str(path))
    page.wait_for_selector(f"[data-chosen] li:has-text('{path.name}')")  # the script runs under the CSP
    with page.expect_navigation():
        page.click("form.upload button[type=submit]")


@pytest.mark.parametrize(("width", "lang"), [(375, "en"), (1280, "zh")])
def test_an_operator_uploads_a_file_and_reads_the_decision(server, visit, data, width, lang, tmp_path):
    tab = visit(width, lang)
    upload(tab, server["url"], data["good"])
    page = tab.page
    assert "/j/" in page.url
    heading = {"en": "What was read", "zh": "读取结果"}[lang]
    assert page.inner_text("h1") == heading
    assert "48" in page.inner_text("#what-was-read .ok")
    tab.check()
    with page.expect_navigation():
        page.click("#decide button[type=submit]")
    assert "/r/" in page.url
    best = max(TRUE_RATES, key=TRUE_RATES.get)
    assert page.inner_text(".headline").startswith({"en": f"Push at {best}", "zh": f"在 {best} 推送"}[lang])
    tab.check()
    assert server["app"].state.wx.workspace.files() == []
    if width == 1280:
        _downloads_parse(page, lang, tmp_path)


def _downloads_parse(page, lang, tmp_path) -> None:
    labels = {
        "en": ("Download the schedule (CSV)", "Add to a calendar (.ics)"),
        "zh": ("下载排期（CSV）", "加入日历（.ics）"),
    }
    csv_label, ics_label = labels[lang]
    with page.expect_download() as got:
        page.click(f".wx-bar a:has-text('{csv_label}')")
    rows = list(csv.DictReader(open(got.value.path(), encoding="utf-8-sig")))
    slot = {"en": "slot", "zh": "推送时间"}[lang]  # the CSV speaks the page's language
    slots = [row[slot] for row in rows]
    assert rows and slots.count("21:00") >= 0.75 * len(slots)  # the winner, and a few check days
    with page.expect_download() as got:
        page.click(f".wx-bar a:has-text('{ics_label}')")
    text = open(got.value.path(), encoding="utf-8").read()
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") == len(rows)


def test_the_mapping_form_fixes_an_unknown_header(server, visit, data):
    tab = visit(375, "en")
    upload(tab, server["url"], data["unknown"])
    page = tab.page
    assert page.inner_text("h1") == "Which column is which?"
    assert "'opened': is required" in page.inner_text("pre.error")
    tab.check()
    assert page.input_value("#col-delivered") == "送达人数"
    page.select_option("#col-opened", "Opens now")
    with page.expect_navigation():
        page.click("form.mapping button[type=submit]")
    assert page.inner_text("h1") == "What was read"
    with page.expect_navigation():
        page.click("#decide button[type=submit]")
    assert page.inner_text(".headline").startswith("Push at 21:00")
    tab.check()


def test_a_broken_file_gets_a_clear_message_and_leaves_nothing(server, visit, data):
    tab = visit(375, "zh")
    upload(tab, server["url"], data["broken"])
    page = tab.page
    assert page.inner_text("h1") == "文件无法读取"
    message = page.inner_text("pre.error")
    assert "broken.csv: 1 problem" in message
    assert "row 3 (line 4), column '打开人数' (opened): 'lots' is not a number" in message
    assert "Traceback" not in page.content()
    tab.check(status=422)
    assert server["app"].state.wx.workspace.files() == []
