from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


def home(request: HttpRequest) -> HttpResponse:
    """A multi-archive installation's front page: the archives it serves, by region."""
    return render(request, "portal/home.html", {"groups": core_selectors.archives_by_region()})


def archive_home(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        archive = core_selectors.archive_get(slug=slug)
    except Archive.DoesNotExist as exc:
        raise Http404(slug) from exc
    return render(request, "portal/archive.html", {"archive": archive})
