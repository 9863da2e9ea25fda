"""The desk itself: the error every refused change raises, who may act, the status change
every stage makes (audited), the desk's settings and its notices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, snapshot
from archivox.publishing.models import DeskSettings, Notice, Post
from archivox.publishing.selectors import can_view_posts


class PublishingError(ValidationError):
    """A refused change; the message names the problem, nothing was saved or sent."""


def _check(actor: User | None, archive: Archive, capability: str) -> None:
    archive_check_capability(user=actor, archive=archive, capability=capability)


def _check_view(actor: User | None, archive: Archive) -> None:
    if actor is None or not can_view_posts(user=actor, archive=archive):
        _check(actor, archive, Capability.POST_COMPOSE)


_LINKS = ["archive", "featured_collection", "created_by"]


def _transition(*, actor: User | None, post: Post, to: str, action: str, **extra: Any) -> None:
    before = {"status": post.status}
    post.status = to
    # The post's links (archive, author, featured collection) were checked when it was
    # written and a status change does not touch them: not two queries a change (issue 24).
    post.full_clean(exclude=_LINKS)
    post.save()
    audit_record(
        actor=actor,
        action=action,
        obj=post,
        archive=post.archive,
        before=before,
        after={"status": to, **extra},
    )


@transaction.atomic
def desk_settings_update(
    *,
    actor: User | None,
    archive: Archive,
    freshness_days: int | None = None,
    review_levels: int | None = None,
) -> DeskSettings:
    """The freshness threshold and the levels of review (1–3); None leaves one as it is."""
    _check(actor, archive, Capability.POST_REVIEW)
    if freshness_days is not None and (freshness_days < 1 or freshness_days > 365):
        raise PublishingError({"freshness_days": _("between 1 and 365 days")})
    if review_levels is not None and review_levels not in (1, 2, 3):
        raise PublishingError({"review_levels": _("one, two or three levels of review")})
    desk, _created = DeskSettings.objects.select_for_update().get_or_create(archive=archive)
    before = snapshot(desk, ["freshness_days", "review_levels"])
    if freshness_days is not None:
        desk.freshness_days = freshness_days
    if review_levels is not None:
        desk.review_levels = review_levels
    desk.full_clean()
    desk.save()
    after = {"freshness_days": desk.freshness_days, "review_levels": desk.review_levels}
    if after != before:
        audit_record(
            actor=actor,
            action="publishing_settings.update",
            obj=desk,
            archive=archive,
            before=before,
            after=after,
        )
    return desk


def notice_mark_read(*, actor: User, notice_id: int) -> None:
    Notice.objects.filter(user=actor, pk=notice_id).update(read_at=timezone.now())
