"""The web console in a real browser: Debian's Chromium, headless, driven by Playwright
(`executable_path`: no browser is ever downloaded), at a phone's width (390 px) and an office
desktop's (1366 px). A reviewer signs in with a one-time link, filters the queue, opens a
record, changes its status with a note — and the resident's notification waits in the outbox
— then downloads the export and opens it. Screenshots go to the test's temporary folder.

Without Chromium (apt-get install chromium) these tests skip, saying so in one line.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from storage.inbox import Outbox
from storage.models import STATUS_CHECKING
from tests.web_console.support import (
    RESIDENT,
    REVIEWER_A,
    add_cast,
    link_for,
    make_console,
)

WIDTHS = {"phone": (390, 844), "desktop": (1366, 768)}


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def console(db):
    import uvicorn

    from web.app import create_app

    add_cast(db)
    port = _free_port()
    console = make_console(db, base_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(
        uvicorn.Config(create_app(console), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the console did not start"
    yield console
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, request) -> Iterator:
    width, height = WIDTHS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page", list(WIDTHS), indirect=True)
def test_a_reviewer_works_through_a_record_in_the_browser(console, page, make_submission, tmp_path):
    base = console.settings.base_url
    wanted = make_submission(contact_name="王五", priority="一般", submitted_by=RESIDENT)
    make_submission(contact_name="赵六", submitted_by=102)
    width = page.viewport_size["width"]

    def fits() -> None:
        """Nothing wider than the screen: no sideways scrolling."""
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    def snap(name: str) -> None:
        page.screenshot(path=str(tmp_path / f"{width}-{name}.png"), full_page=True)

    page.goto(base + link_for(console, REVIEWER_A))
    page.get_by_role("button", name="进入工作台").click()
    page.wait_for_url(f"{base}/queue")
    snap("queue")
    fits()

    page.fill("input[name=q]", "王五")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/queue?*q=*")
    assert page.locator("table.queue tbody tr").count() == 1
    assert "138****5678" in page.inner_text("table.queue")
    snap("filtered")
    fits()

    page.get_by_role("link", name=wanted).click()
    page.wait_for_url(f"{base}/records/{wanted}")
    assert "王五" in page.inner_text("main")
    page.check(f"input[name=status][value={STATUS_CHECKING}]")
    page.fill("textarea[name=note]", "已电话联系，准备入户")
    page.get_by_role("button", name="确认变更").click()
    page.wait_for_url("**?done=status")
    assert "状态已更新" in page.inner_text("main")
    assert "已电话联系，准备入户" in page.inner_text("main")
    snap("record")
    fits()
    [notice] = Outbox(console.db).pending()
    assert notice.target == RESIDENT and wanted in notice.reply.text

    page.goto(f"{base}/queue?status=all&q=王五")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("防返贫申报_水阳镇_") and saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved, read_only=True)["困难申报"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == [wanted]
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        f"{width}-{name}.png" for name in ("filtered", "queue", "record")
    )
