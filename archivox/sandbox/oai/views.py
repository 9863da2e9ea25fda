"""Demo OAI-PMH repositories of other archives (data/demo/union/<name>.yaml), each answering at
/sandbox/oai/<name>/ as an independent repository would: its own OAI-PMH endpoint (pyoai's
provider, not ours) and its records' pages. The union-catalog demo harvests Suzhou's garden
archives here, so a fresh ``make run`` shows them without a second server. Sandbox only."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from archivox.harvesting.demo_provider import DemoSite, load_yaml


def _demo_file(name: str) -> Path:
    path = Path(settings.DEMO_DATA_DIR) / "union" / f"{name}.yaml"
    if not path.is_file():
        raise Http404(name)
    return path


@functools.lru_cache(maxsize=8)
def _site(name: str, site: str) -> DemoSite:
    return DemoSite(load_yaml(_demo_file(name)), site)


def _for(request: HttpRequest, name: str) -> DemoSite:
    _demo_file(name)
    # The repository's own address is where it is asked from (the demo's BASE_URL, or a test's).
    return _site(name, request.build_absolute_uri(f"/sandbox/oai/{name}").rstrip("/"))


def oai(request: HttpRequest, name: str) -> HttpResponse:
    payload = _for(request, name).oai_response(dict(request.GET.items()))
    return HttpResponse(payload, content_type="text/xml; charset=utf-8")


def record(request: HttpRequest, name: str, code: str) -> HttpResponse:
    page = _for(request, name).record_page(code)
    if page is None:
        raise Http404(code)
    return HttpResponse(page, content_type="text/html; charset=utf-8")
