"""Screenshots of every console and portal page at 360 and 1280 px (issue 21), for a person to
look through: the pages the Chinese-everywhere crawl reaches on the demo data of `make run`, one
of each kind, in Chromium, as the demo editor for the console. They are kept under
``var/…/screenshots/pages/<width>/`` with an ``index.html`` (var/ is not committed). The test
fails on a page that does not answer 200 or writes an error to the browser's console."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest

from archivox.core.models import Archive
from tests.browser.conftest import SCREENSHOTS, PageWatch
from tests.integration.test_chinese_everywhere import _crawl, _pattern, demo  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.chinese, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 1280)
OUT = SCREENSHOTS / "pages"
# Chromium refuses to capture more than its largest texture (16,384 px) in one piece ("Unable
# to capture screenshot"), and how tall a list is depends on the data (CI's audit log at 360 px
# once was); a taller page is photographed down to here and the index says how tall it was.
TALLEST = 12_000


def _shoot(page, path: str) -> int:
    """Photograph the whole page, or its first ``TALLEST`` pixels; return its height."""
    height = page.evaluate("document.documentElement.scrollHeight")
    clip = None
    if height > TALLEST:
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": TALLEST}
    page.screenshot(path=path, full_page=True, clip=clip)
    return height


def _name(url: str) -> str:
    parts = urlsplit(url)
    name = re.sub(r"[^\w.-]+", "-", parts.path.strip("/")) or "home"
    if parts.query:
        name += "_" + re.sub(r"[^\w.-]+", "-", parts.query)
    return name[:150]


def _kind(url: str, slugs: set[str]) -> str:
    """One page of a kind: numbers, archives and the things of an archive by their slug or
    reference code collapse (the 13 archives' homes are one kind)."""
    kind = _pattern(url) + ("?" + urlsplit(url).query if "?" in url else "")
    kind = re.sub(r"(?<=[/=])[\w-]+(?=[/&]|$)", lambda m: "A" if m[0] in slugs else m[0], kind)
    return re.sub(r"/(catalog|collections|exhibitions|topics|polls)/(?!new/)[^?]+", r"/\1/X/", kind)


def _one_of_each_kind(urls: list[str]) -> list[str]:
    slugs = set(Archive.objects.values_list("slug", flat=True))
    kinds: dict[str, str] = {}
    # Nanjing's pages first: the demo's fullest archive stands for the others.
    for url in sorted(urls, key=lambda url: ("/nanjing/" not in url, url)):
        kinds.setdefault(_kind(url, slugs), url)
    return sorted(kinds.values())


def _index(shots: dict[str, list[str]], heights: dict[tuple[int, str], int]) -> None:
    rows = "\n".join(
        f"<tr><td>{html.escape(url)}"
        + "".join(
            f"<br>{width} px: {heights[width, name]:,} px tall, the first {TALLEST:,} shown"
            for width, name in zip(WIDTHS, names, strict=True)
            if heights[width, name] > TALLEST
        )
        + "</td>"
        + "".join(
            f'<td><a href="{width}/{name}.png"><img src="{width}/{name}.png" width="180" '
            f'alt="{html.escape(url)} {width}px" loading="lazy"></a></td>'
            for width, name in zip(WIDTHS, names, strict=True)
        )
        + "</tr>"
        for url, names in sorted(shots.items())
    )
    (OUT / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><title>Archivox pages</title>'
        f"<table><tr><th>page</th><th>360 px</th><th>1280 px</th></tr>{rows}</table>",
        encoding="utf-8",
    )


def test_every_page_is_photographed_at_phone_and_desktop_width(
    client, request, chromium, live_server
):
    accounts = request.getfixturevalue("demo")  # the Chinese-everywhere test's demo site
    public = _one_of_each_kind(list(_crawl(client, ["/", "/search/?q=南京"])))
    client.login(username="demo", password=accounts["demo"])
    console = _one_of_each_kind(
        [
            url
            for url in _crawl(client, ["/console/", "/console/publishing/?archive=nanjing"])
            if url.startswith("/console/")
        ]
    )
    assert len(public) > 15 and len(console) > 15, (public, console)
    shots: dict[str, list[str]] = {}
    heights: dict[tuple[int, str], int] = {}
    problems: list[str] = []

    def photograph(page, width: int, url: str) -> None:
        response = page.goto(live_server.url + url, wait_until="load")
        if response is None or response.status != 200:
            problems.append(f"{url}: {response.status if response else 'no answer'}")
        heights[width, _name(url)] = _shoot(page, str(OUT / str(width) / f"{_name(url)}.png"))
        shots.setdefault(url, []).append(_name(url))

    for width in WIDTHS:
        (OUT / str(width)).mkdir(parents=True, exist_ok=True)
        phone = width < 500
        context = chromium.new_context(
            viewport={"width": width, "height": 740 if phone else 900},
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
        )
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        for url in public:
            photograph(page, width, url)
        page.goto(f"{live_server.url}/console/login/", wait_until="load")
        page.fill("#id_username", "demo")
        page.fill("#id_password", accounts["demo"])
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/console/")
        for url in console:
            photograph(page, width, url)
        problems += [f"{width}px console: {error}" for error in watch.console_errors]
        problems += [f"{width}px foreign request: {url}" for url in watch.foreign]
        context.close()
    _index(shots, heights)
    assert not problems, problems
    assert all(len(names) == len(WIDTHS) for names in shots.values())
