"""Writes: counting what the public asks of the catalog (``PublicDemand``), for the demand
analytics of issue 23. Called by the portal's search, description and collection pages after
they answered; a failure to count never fails the page.

Search terms are normalised (lower case, spaces collapsed) and a term that looks like a personal
number (an ID card, a phone) is not kept at all."""

from __future__ import annotations

import datetime
import logging
import re

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from archivox.catalog.models import PublicDemand
from archivox.core.models import Archive

logger = logging.getLogger(__name__)

KEY_MAX = 100
PERSONAL_NUMBER = re.compile(r"\d{6,}|[\w.+-]+@[\w-]+\.")


def search_term_normalise(query: str) -> str:
    return " ".join((query or "").lower().split())[:KEY_MAX]


def _count(
    archive: Archive | None, kind: str, key: str, day: datetime.date | None = None, n: int = 1
) -> None:
    day = day or timezone.localdate()
    rows = PublicDemand.objects.filter(archive=archive, kind=kind, key=key, day=day)
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            PublicDemand.objects.create(archive=archive, kind=kind, key=key, day=day, count=n)
    except IntegrityError:  # another request made the day's row first
        rows.update(count=F("count") + n)


def demand_record_search(*, archive: Archive | None, query: str, total: int) -> None:
    """Count one search for ``query`` (and one search that found nothing, if so)."""
    term = search_term_normalise(query)
    if not term or PERSONAL_NUMBER.search(term):
        return
    try:
        _count(archive, PublicDemand.Kind.SEARCH, term)
        if total == 0:
            _count(archive, PublicDemand.Kind.ZERO_HITS, term)
    except DatabaseError as exc:
        logger.warning("a search was not counted: %s", exc)


def demand_record_view(*, archive: Archive, kind: str, key: str) -> None:
    """Count one look at a description (its reference code) or a collection (its slug)."""
    try:
        _count(archive, kind, key[:KEY_MAX])
    except DatabaseError as exc:
        logger.warning("a view was not counted: %s", exc)


def demand_add_demo(
    *, archive: Archive, query: str, total: int, day: datetime.date, searches: int
) -> None:
    """Demo data: ``searches`` searches for ``query`` on ``day`` that found ``total`` results."""
    term = search_term_normalise(query)
    _count(archive, PublicDemand.Kind.SEARCH, term, day, searches)
    if total == 0:
        _count(archive, PublicDemand.Kind.ZERO_HITS, term, day, searches)
