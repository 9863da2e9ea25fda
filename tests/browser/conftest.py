"""Browser tests: Playwright driving Debian's Chromium against a live server."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop in this thread; our ORM calls in the test body are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageWatch:
    """Collects console errors, failed requests and requests to other hosts."""

    def __init__(self, page, base_url: str) -> None:
        self.host = urlsplit(base_url).netloc
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)
        page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request_failed(self, request) -> None:
        # The browser fetches the favicon on its own and abandons it when the page moves on
        # (net::ERR_ABORTED, seen on a loaded machine): not one of our requests failing. The
        # same for a script's fetch still in flight when the page goes: the search suggestions
        # when the visitor submits the search, the poll results refreshed every 10 s when the
        # visitor opens another page (seen with parallel workers on a busy machine; both
        # scripts ignore a failed fetch). A refused or broken connection is still a failure.
        abandoned = "ABORTED" in (request.failure or "")
        if abandoned and (
            request.resource_type in ("fetch", "xhr")
            or urlsplit(request.url).path.endswith("/favicon.svg")
        ):
            return
        self.failed.append(request.url)

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != self.host:
            self.foreign.append(request.url)

    def assert_clean(self) -> None:
        assert not self.console_errors, self.console_errors
        assert not self.failed, self.failed
        assert not self.foreign, self.foreign


@pytest.fixture
def phone(chromium, live_server):
    """A 360 px wide phone browser, with a watch on what the page does."""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
    )
    page = context.new_page()
    page.watch = PageWatch(page, live_server.url)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide, wider than a 360px phone"


def search_picker(page, query: str) -> None:
    """Search the composer's item picker and wait for this search's answer.

    The picker lists items before any search, so waiting for any row could act on the old list
    while the answer is on its way (and the answer then replaces what was ticked).
    """
    page.fill("#q", query)
    page.click("button[name=picker]")
    page.wait_for_selector(f"#picker:not([aria-busy]) table.candidates caption:has-text('{query}')")
