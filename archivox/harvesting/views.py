"""The province-wide union catalog page of the portal: our public holdings and the harvested
records of every repository, searched together, each marked with where it is held."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from archivox.harvesting import selectors


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1000 else 1


@require_GET
def union_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    repository = request.GET.get("repository", "")[:20]
    archive = request.GET.get("archive", "")[:320]
    page = selectors.union_search(
        query,
        repository=repository,
        archive=archive,
        page=_page_number(request.GET.get("page", "")),
    )
    keep = {"q": query, "repository": repository, "archive": archive}
    return render(
        request,
        "harvesting/union_search.html",
        {
            "query": query,
            "page": page,
            "repository": repository,
            "archive_facet": archive,
            "base_query": urlencode({k: v for k, v in keep.items() if v}),
            "facet_query": {
                "repository": urlencode({k: v for k, v in keep.items() if v and k != "repository"}),
                "archive": urlencode({k: v for k, v in keep.items() if v and k != "archive"}),
            },
            "repositories": selectors.repository_list_public(),
        },
    )
