"""Canaries: confidential and closed items carry unique marker strings; every public surface is
crawled and no marker may appear. An open canary proves the crawler reaches the holdings, and
re-classifying it as confidential makes it disappear everywhere at once.

Surfaces: portal pages (following every link from the home page and the sitemap), the sitemap,
portal search, the JSON API (every GET operation of the OpenAPI schema that needs no path
parameter, and searches), OAI-PMH (every verb, following resumption tokens), the feeds of every
archive, and the public exports. Auto-replies and the sandboxes' channel payloads are checked in
tests/security/test_canary_channels.py with the sandboxes over real HTTP.
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from archivox.catalog import services as catalog_services
from archivox.core.models import Archive

pytestmark = pytest.mark.django_db

CONFIDENTIAL = "CANARYconf9q7"
INHERITED = "CANARYchild4k2"
CLOSED = "CANARYclosed3x8"
OPEN = "CANARYopen6v1"
SECRET_MARKERS = (CONFIDENTIAL, INHERITED, CLOSED)
SEARCH_WORDS = ("机密", "封闭期内", "金丝雀", "公馆", "修缮", "名册", "机密之下")
MAX_PAGES = 600
SKIP_PREFIXES = ("/console", "/admin", "/sandbox", "/static", "/i18n", "/api/v1/docs")
HREF = re.compile(r"""(?:href|src)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
LOC = re.compile(r"<loc>([^<]+)</loc>")
RESUMPTION = re.compile(r"<resumptionToken[^>]*>([^<]+)</resumptionToken>")


@pytest.fixture
def holdings(db):
    """The paper's archives, the demo catalog, and the canaries in Nanjing's holdings."""
    call_command("load_paper_survey", verbosity=0)
    call_command("load_demo_catalog", verbosity=0)
    nanjing = Archive.objects.get(slug="nanjing")

    def make(reference_code, title, level, parent=None, **values):
        return catalog_services.description_create(
            actor=None,
            archive=nanjing,
            parent=parent,
            reference_code=reference_code,
            title=title,
            level=level,
            scope_content=f"{title} — 内容",
            **values,
        )

    fonds = make("CAN-1", f"金丝雀全宗 {OPEN}", "fonds")
    secret = make(
        "CAN-1-1", f"机密 {CONFIDENTIAL} 公馆", "series", fonds, access_level="confidential"
    )
    make("CAN-1-1-1", f"机密之下 {INHERITED} 修缮", "file", secret)
    make(
        "CAN-1-2",
        f"封闭期内 {CLOSED} 名册",
        "series",
        fonds,
        closed_until=datetime.date.today() + datetime.timedelta(days=3650),
    )
    return fonds


def same_site(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"", "http", "https"}:
        return None
    if parts.netloc and parts.netloc not in {"testserver", "127.0.0.1:8000"}:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    if "/objects/" in parts.path:  # binary files: checked by their own tests
        return None
    return path


def crawl(client: Client) -> dict[str, str]:
    """Every public page reachable from the home page and the sitemap: {url: body}."""
    seen: dict[str, str] = {}
    queue = deque(["/", "/sitemap.xml"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        seen[url] = body
        for link in HREF.findall(body) + LOC.findall(body):
            target = same_site(urljoin(url, unescape(link)))
            if target and target not in seen:
                queue.append(target)
    return seen


def oai_harvest(client: Client) -> str:
    texts = [client.get("/oai", {"verb": "Identify"}).content.decode()]
    texts.append(client.get("/oai", {"verb": "ListSets"}).content.decode())
    texts.append(client.get("/oai", {"verb": "ListMetadataFormats"}).content.decode())
    for verb in ("ListRecords", "ListIdentifiers"):
        params = {"verb": verb, "metadataPrefix": "oai_dc"}
        while True:
            body = client.get("/oai", params).content.decode()
            texts.append(body)
            token = RESUMPTION.search(body)
            if not token:
                break
            params = {"verb": verb, "resumptionToken": unescape(token.group(1))}
    for code in ("CAN-1-1", "CAN-1-1-1", "CAN-1-2"):
        identifier = f"oai:testserver:{code}"
        texts.append(
            client.get(
                "/oai", {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"}
            ).content.decode()
        )
    return "\n".join(texts)


def api_surfaces(client: Client) -> str:
    schema = client.get("/api/v1/openapi.json").json()
    texts = []
    for path, operations in schema["paths"].items():
        if "get" not in operations or "{" in path:
            continue
        texts.append(client.get(path).content.decode(errors="replace"))
        # Words of the canaries' titles, never the markers: a page may echo its query.
        for words in SEARCH_WORDS:
            texts.append(client.get(path, {"q": words}).content.decode(errors="replace"))
    for code in ("CAN-1-1", "CAN-1-1-1", "CAN-1-2"):
        texts.append(
            client.get(f"/api/v1/catalog/archives/nanjing/descriptions/{code}").content.decode()
        )
    return "\n".join(texts)


def searches(client: Client) -> str:
    texts = []
    for query in SEARCH_WORDS:
        texts.append(client.get("/search/", {"q": query}).content.decode())
    return "\n".join(texts)


def feeds(client: Client) -> str:
    texts = []
    for slug in Archive.objects.values_list("slug", flat=True):
        for name in ("atom.xml", "rss.xml"):
            response = client.get(f"/feeds/{slug}/{name}")
            texts.append(response.content.decode(errors="replace"))
    return "\n".join(texts)


def public_exports() -> str:
    from io import StringIO

    out = StringIO()
    call_command("export_catalog", "nanjing", "--format", "csv", stdout=out)
    ead = StringIO()
    call_command("export_catalog", "nanjing", "--format", "ead", stdout=ead)
    return out.getvalue() + ead.getvalue()


def everything_public(client: Client) -> dict[str, str]:
    pages = crawl(client)
    return {
        "portal pages": "\n".join(pages.values()),
        "portal search": searches(client),
        "OAI-PMH": oai_harvest(client),
        "API": api_surfaces(client),
        "feeds": feeds(client),
        "public exports": public_exports(),
    }


def leaks(surfaces: dict[str, str], markers) -> list[str]:
    return [
        f"{marker} on {name}"
        for name, text in surfaces.items()
        for marker in markers
        if marker in text
    ]


def test_no_confidential_or_closed_canary_appears_on_any_public_surface(client, holdings):
    surfaces = everything_public(client)
    assert leaks(surfaces, SECRET_MARKERS) == []
    # The crawl reached the holdings: the open canary is on every surface that lists them.
    for name in ("portal pages", "portal search", "OAI-PMH", "API", "public exports"):
        assert OPEN in surfaces[name], f"the crawl never reached the open canary on {name}"


def test_a_reclassified_item_disappears_from_every_public_surface_at_once(client, holdings):
    assert OPEN in everything_public(client)["portal pages"]
    catalog_services.description_update(
        actor=None, description=holdings, access_level="confidential"
    )
    surfaces = everything_public(client)
    assert leaks(surfaces, (OPEN, *SECRET_MARKERS)) == []
