"""Chinese everywhere (issue 21): every console and portal page reachable by links from the home
page and the console's dashboard, on the demo data of `make run`, is rendered in zh-hans and read
as a person sees it (text, and the words of placeholders, labels for screen readers, titles and
buttons). It fails on a visible English word that is not a proper name or the paper's quoted
English edition (words of data/survey-2016-paper-v2.yaml), on an archive's raw slug, and so on an
untranslated choice label.

Pages of other services that still show English are listed in ``KNOWN`` with the words found,
so the test guards everything else now and each of them once fixed (a page of ``KNOWN`` that
no longer needs its entry fails the test: remove the entry)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from archivox.core.demo import demo_staff_ensure
from archivox.core.models import Archive, User

pytestmark = [pytest.mark.slow, pytest.mark.chinese, pytest.mark.django_db(transaction=True)]

WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]")
# Proper names, formats and protocols, written in Latin letters in Chinese too.
ALLOWED = {
    "Archivox",
    "WeChat",
    "Weibo",
    "PDF",
    "Atom",
    "RSS",
    "WARC",
    "OAI",
    "PMH",
    "OAI-PMH",
    "IIIF",
    "URL",
    "API",
    "JSON",
    "CSV",
    "EAD",
    "XML",
    "JPEG",
    "JPG",
    "PNG",
    "GIF",
    "QR",
    "HTTP",
    "HTTPS",
    "ID",
    "ISAD",
    "ISAAD",
    "TOTP",
    "Excel",
    "HTML",
    "SVG",
    "KB",
    "MB",
    "GB",
    "WiFi",
    "Email",
    "E-mail",
    "email",
    "Huey",
    "Redis",
    "SQLite",
    "PostgreSQL",
    "Django",
    "AppID",
    "AppSecret",
    "AES",
    "Token",
    "EncodingAESKey",
    "openid",
    "UnionID",
    "UID",  # Weibo's own name of an account's number (微博UID)
    "OpenID",
    "UTC",
    "GMT",
    "CST",
    "English",
    "xlsx",
    "csv",
    "html",
    "pdf",
    "Archives",
    "FTS",
    "jieba",
    "WCAG",
    "AA",
    "SMTP",
    "IMAP",
    "MIME",
    "OK",
    "ISO",
    "UUID",
    "SHA",
    "Key",  # WeChat's own word for a menu's event key (事件 Key)
    # The communication indices of WeChat and Weibo accounts, named so in Chinese too.
    "WCI",
    "BCI",
    # The IIIF viewers a manifest link may be dragged into.
    "Mirador",
    "Universal",
    "Viewer",
    # The OAI-PMH metadata prefixes oai_dc and oai_ead, as a repository is registered with them.
    "oai",
    "dc",
    "ead",
}
# An inline SVG chart's <metadata> (its creator, Matplotlib) is not shown.
SKIP_TAGS = {"script", "style", "template", "noscript", "code", "kbd", "samp", "pre", "metadata"}
VISIBLE_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
NOT_PAGES = (
    "/console/logout",
    "/admin",
    "/api/",
    "/sandbox/",
    "/static/",
    "/media/",
    "/feeds/",
    "/i18n/",
    "/oai",
    "/sitemap",
    "/healthz",
    "/wechat/",
    "/console/audit/export",
)
MAX_PAGES = 220

# Pages still showing English words or slugs (regular expression of the path → the words);
# each entry is a to-do, and the test fails when one is no longer needed.
KNOWN: dict[str, set[str]] = {}


class VisibleText(HTMLParser):
    """The words a person sees (or hears from a screen reader) on a page, and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        void = tag in {"input", "img", "br", "meta", "link", "hr", "source", "area", "wbr"}
        # English on purpose: a language switch to English, the paper's English names.
        skipped = (
            tag in SKIP_TAGS
            or (values.get("lang") or "").startswith("en")
            or values.get("translate") == "no"
            or "ref" in (values.get("class") or "").split()
        )
        if skipped and not void:
            self._skip.append(tag)
            return
        if self._skip or tag in {"meta", "link"}:
            return
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _english(text: str, allowed: set[str]) -> set[str]:
    # Addresses, e-mails and reference codes are not words of the interface.
    text = re.sub(r"\S*(@|://|www\.|/)\S*", " ", text)
    text = re.sub(r"\b[A-Z]{1,6}(-[A-Z0-9]+)+\b", " ", text)
    return {w for w in WORD.findall(text) if w not in allowed and w.lower() not in allowed}


def _paper_words() -> set[str]:
    data = Path(settings.BASE_DIR) / "data"
    words: set[str] = set()
    for path in [
        data / "survey-2016-paper-v2.yaml",
        *sorted((data / "demo").glob("*.yaml")),
    ]:
        if path.is_file():
            words |= set(WORD.findall(path.read_text(encoding="utf-8")))
    return words


@pytest.fixture
def demo(settings, live_server, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BASE_URL = live_server.url
    for command in (
        "load_paper_survey",
        "load_demo_catalog",
        "load_demo_engagement",
        "load_demo_voices",
    ):
        call_command(command, verbosity=0)
    accounts = {a.username: a.password for a in demo_staff_ensure()}
    call_command("load_demo_posts", verbosity=0)
    return accounts


def _crawl(client, starts: list[str]) -> dict[str, str]:
    seen: set[str] = set()
    pages: dict[str, str] = {}
    queue = deque(starts)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        parser = VisibleText()
        parser.feed(html)
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if any(parts.path.startswith(prefix) for prefix in NOT_PAGES):
                continue
            # One page of each kind is enough for lists that page or filter.
            if re.search(r"[?&]page=([3-9]|\d\d)", href):
                continue
            if href not in seen:
                queue.append(href)
    return pages


def _pattern(url: str) -> str:
    return re.sub(r"/\d+/", "/N/", urlsplit(url).path)


def test_every_page_speaks_chinese(client, demo):
    # Staff user names are names.
    allowed = ALLOWED | _paper_words() | set(User.objects.values_list("username", flat=True))
    slugs = set(Archive.objects.values_list("slug", flat=True))
    pages = _crawl(client, ["/", "/search/?q=南京"])
    client.login(username="demo", password=demo["demo"])
    pages.update(_crawl(client, ["/console/", "/console/publishing/?archive=nanjing"]))
    assert len(pages) > 40, sorted(pages)
    found: dict[str, set[str]] = {}
    for url, html in pages.items():
        parser = VisibleText()
        parser.feed(html)
        text = " ".join(parser.parts)
        words = _english(text, allowed)
        words |= {
            f"slug:{s}" for s in slugs if re.search(rf"(?<![\w/-]){re.escape(s)}(?![\w/-])", text)
        }
        if words:
            found.setdefault(_pattern(url), set()).update(words)

    def known(page: str) -> set[str]:
        words: set[str] = set()
        for pattern, listed in KNOWN.items():
            if re.fullmatch(pattern, page):
                words |= listed
        return words

    unexpected = {
        page: sorted(words - known(page))
        for page, words in found.items()
        if "*" not in known(page) and words - known(page)
    }
    assert not unexpected, "English or raw slugs on pages:\n" + "\n".join(
        f"{page}: {' '.join(words)}" for page, words in sorted(unexpected.items())
    )
    fixed = sorted(
        pattern for pattern in KNOWN if not any(re.fullmatch(pattern, page) for page in found)
    )
    assert not fixed, f"these pages are in Chinese now; remove them from KNOWN: {fixed}"
