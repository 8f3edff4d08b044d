"""Redraw the README's screenshots of ``wxtime serve``: .venv/bin/python docs/screenshots.py

The upload page and the mapping form, as a phone shows them (375 px wide), from a real server
(in a thread, on a free port) and Debian's Chromium driven by Playwright. The mapping form is
what an operator sees after uploading a sheet whose opens column has a header wxtime does not
know. Needs the ``[serve]`` extra, the playwright package and the ``chromium`` binary (no
browser is downloaded).
"""

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from wxtime.serve.app import ServeConfig, create_app
from wxtime.serve.run import in_thread

OUT = Path(__file__).parent / "img"
PHONE = {"width": 375, "height": 760}


def operators_sheet(path: Path) -> Path:
    """Four weeks of a daily rotation, as an operator might keep it: the opens under a header of
    their own (推送打开), which wxtime does not know."""
    rng = np.random.default_rng(7)
    slots = ["08:00", "12:00", "21:00"]
    order = np.concatenate([rng.permutation(slots) for _ in range(10)])
    days = pd.date_range("2026-10-01", periods=len(order), freq="D")
    delivered = rng.integers(9000, 11000, len(order))
    rate = np.select([order == "08:00", order == "12:00"], [0.04, 0.05], 0.08)
    pd.DataFrame(
        {
            "日期": days.strftime("%Y-%m-%d"),
            "推送时间": order,
            "送达人数": delivered,
            "推送打开": rng.binomial(delivered, rate),
            "标题": [f"第{i + 1}期" for i in range(len(order))],
        }
    ).to_csv(path, index=False)
    return path


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Chromium is not installed (Debian package 'chromium'): no screenshots", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp())
    sheet = operators_sheet(folder / "十月推送.csv")
    app = create_app(ServeConfig())
    with in_thread(app) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="en-US")
        page.goto(url + "/")
        page.set_input_files("#files", str(sheet))
        page.screenshot(path=OUT / "serve_upload.png")
        with page.expect_navigation():
            page.click("form.upload button[type=submit]")
        page.select_option("#col-opened", "推送打开")
        page.locator("#col-opened").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=OUT / "serve_mapping.png")
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)
    for name in ("serve_upload.png", "serve_mapping.png"):
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
