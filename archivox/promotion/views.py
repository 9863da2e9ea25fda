"""The short link of a poster: count the visit (nothing about the visitor) and send them on."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.views.decorators.cache import never_cache

from archivox.promotion import services
from archivox.promotion.models import Poster


@never_cache
def short_link(request: HttpRequest, code: str) -> HttpResponseRedirect:
    try:
        target = services.poster_visit(code=code)
    except Poster.DoesNotExist as exc:
        raise Http404(code) from exc
    return HttpResponseRedirect(target)
