"""The one place that answers "which archive is this, and may this person act here?", and
"who is asking?" for every view, API endpoint and command.

Fetching and checking happen in one call, so no caller can forget the check (as Zulip's
``access_stream_by_id``). Services still check permissions themselves; these helpers turn a
slug from a URL into an archive, or into a 404, before the service is called."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


def archive_or_404(slug: str) -> Archive:
    """The archive a URL names, or 404: public pages ask nothing more; staff endpoints then
    call a service or selector that checks the person's capability (or use the next helper)."""
    try:
        return core_selectors.archive_get(slug=slug)
    except Archive.DoesNotExist as exc:
        raise Http404(slug) from exc


def archive_for_staff(user: Any, slug: str, capability: str) -> Archive:
    """The archive, or 404; ``ArchivePermissionDenied`` (403) unless ``user`` may do
    ``capability`` there."""
    archive = archive_or_404(slug)
    core_selectors.archive_check_capability(user=user, archive=archive, capability=capability)
    return archive


def archives_for_staff(user: Any, capability: str) -> list[Archive]:
    """The archives in which ``user`` may do ``capability`` (what a console page offers)."""
    return [
        archive
        for archive in core_selectors.archive_list_for_staff(user=user)
        if core_selectors.user_can(user=user, archive=archive, capability=capability)
    ]


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request, for rate limits and abuse records.

    Behind ``ARCHIVOX_PROXY_COUNT`` reverse proxies, each proxy appends the address it received
    the request from to ``X-Forwarded-For``, so the person's address is the count-th entry from
    the right; anything left of it was written by the client and is ignored. A request that did
    not pass through the whole chain (too few entries) is judged by its own address, so a
    visitor cannot pick the address they are limited under."""
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    count = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if count > 0:
        hops = [
            hop.strip()
            for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if hop.strip()
        ]
        if len(hops) >= count:
            remote = hops[-count]
    return remote[:64] or "unknown"


def client_ip_for_login_throttle(request: HttpRequest) -> str | None:
    """``client_address`` for django-axes, which stores it in an IP address column: None when
    it is not an address (a login without a connection, a garbled header), never a word."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None
