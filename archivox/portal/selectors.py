"""Reads the portal's pages put together from the other apps' public selectors.

Nothing here reaches catalog material except through ``catalog.selectors`` (the access gateway);
posts, exhibitions, events, topics and polls come from their own apps' ``*_public`` selectors, so
drafts, withdrawn posts and unpublished exhibitions stay out exactly as on those apps' pages."""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from archivox.catalog import selectors as catalog_selectors
from archivox.core.models import Archive, PlatformAccount
from archivox.exhibitions import selectors as exhibition_selectors
from archivox.exhibitions.models import Event, Exhibition, Status
from archivox.polls import selectors as poll_selectors
from archivox.polls.models import Questionnaire
from archivox.publishing import selectors as publishing_selectors
from archivox.publishing.models import Post
from archivox.topics import selectors as topic_selectors
from archivox.topics.models import Topic

SUGGESTIONS = 8


def _union(querysets: Sequence[QuerySet]) -> QuerySet | None:
    # The publishing and events selectors work per archive; OR-ing their querysets keeps the
    # cross-archive home page at one query each instead of one per archive.
    if not querysets:
        return None
    return functools.reduce(operator.or_, querysets)


def original_posts_public(*, archives: Sequence[Archive], limit: int = 6) -> list[Post]:
    """The newest original (not forwarded) posts shown on the portals of ``archives``."""
    posts = _union(
        [publishing_selectors.post_list_public(archive=archive, limit=None) for archive in archives]
    )
    if posts is None:
        return []
    return list(
        posts.filter(origin=Post.Origin.ORIGINAL)
        .select_related("archive")
        .order_by("-published_at", "-pk")[:limit]
    )


def current_exhibitions_public(
    *, archive: Archive | None = None, limit: int = 4
) -> list[Exhibition]:
    """Published online exhibitions, the newest first (an online exhibition has no end date)."""
    return list(
        exhibition_selectors.exhibition_list_public(archive=archive).order_by(
            "-published_at", "-pk"
        )[:limit]
    )


def upcoming_lectures_public(*, archives: Sequence[Archive], limit: int = 4) -> list[Event]:
    """Published lectures and events not yet over, the soonest first (cancelled ones left out)."""
    events = _union(
        [exhibition_selectors.event_list_public(archive=archive) for archive in archives]
    )
    if events is None:
        return []
    return list(
        events.filter(status=Status.PUBLISHED)
        .select_related("archive")
        .order_by("starts_at", "pk")[:limit]
    )


def topics_public(*, archive: Archive, limit: int = 8) -> list[Topic]:
    return list(topic_selectors.topic_list_public(archive=archive).order_by("-created_at")[:limit])


def open_polls_public(*, archive: Archive, limit: int = 4) -> list[Questionnaire]:
    """Questionnaires open for answers now (the polls app lists closed ones too)."""
    now = timezone.now()
    return list(
        poll_selectors.questionnaire_list_public(archive=archive).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )[:limit]
    )


@dataclasses.dataclass(frozen=True)
class FollowAccount:
    platform: str  # PlatformAccount.Platform value
    name: str
    original_id: str
    weibo_uid: str


def follow_accounts_public(*, archive: Archive) -> dict[str, FollowAccount]:
    """The archive's active WeChat and Weibo accounts, with only the fields the public may see
    (credentials are never loaded)."""
    rows = (
        PlatformAccount.objects.filter(archive=archive, is_active=True)
        .order_by("platform")
        .values("platform", "name", "original_id", "weibo_uid")
    )
    return {row["platform"]: FollowAccount(**row) for row in rows}


def title_suggestions_public(
    *, text: str, archive: Archive | None = None, limit: int = SUGGESTIONS
) -> list[dict[str, Any]]:
    """Titles of public descriptions for the search box: those starting with ``text`` first,
    then those containing it; at most ``limit``, through the access gateway."""
    text = text.strip()[:100]
    if not text:
        return []
    public = catalog_selectors.description_list_public(archive=archive)
    fields = ("title", "reference_code", "archive__slug")
    found: dict[str, dict[str, Any]] = {}
    for queryset in (
        public.filter(title__istartswith=text).order_by("title"),
        public.filter(title__icontains=text).order_by("title"),
    ):
        for title, code, slug in queryset.values_list(*fields)[: limit * 2]:
            found.setdefault(title, {"title": title, "reference_code": code, "archive": slug})
            if len(found) >= limit:
                return list(found.values())
    return list(found.values())
