"""Changes to topics and their discussion: staff make topics and moderate (checked, audited);
the public comments (screened, rate-limited, length-limited, stored as plain text)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from archivox.catalog.models import Description
from archivox.core.models import Archive, User
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.selectors import archive_check_capability
from archivox.core.services import audit_record, model_update, snapshot
from archivox.polls.identity import Person
from archivox.topics.models import Comment, DiscussionSettings, Topic, TopicItem
from archivox.topics.selectors import MANAGE_POLICY, MODERATE

logger = logging.getLogger(__name__)

# Moderating the public's comments is engagement work; the policy is the archive's.
TOPIC_FIELDS = ("name", "slug", "description", "is_published", "comments_open")
TOPIC_EDITABLE = frozenset(TOPIC_FIELDS) - {"slug"}
MAX_COMMENT = 1000
MAX_NAME = 40


class CommentRefused(Exception):
    """The comment was not stored; the message tells the person why and what to change."""

    def __init__(self, message: str, *, findings: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


class RateLimited(CommentRefused):
    pass


def _check(actor: User | None, archive: Archive, capability: str = MODERATE) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=capability)


def clean_description(html: str) -> str:
    """Staff's HTML, with scripts, handlers and unknown tags removed."""
    return nh3.clean(html or "").strip()


def topic_name_clean(name: str) -> str:
    """#南京民国建筑# and 南京民国建筑 are the same topic."""
    return name.strip().strip("#＃").strip()


# Settings ---------------------------------------------------------------------------------------


def discussion_settings_for(archive: Archive) -> DiscussionSettings:
    settings_row, _created = DiscussionSettings.objects.get_or_create(archive=archive)
    return settings_row


@transaction.atomic
def discussion_settings_update(
    *, actor: User | None, archive: Archive, moderation: str
) -> DiscussionSettings:
    _check(actor, archive, MANAGE_POLICY)
    if moderation not in DiscussionSettings.Moderation.values:
        raise ValidationError({"moderation": _("Choose pre- or post-moderation.")})
    row = discussion_settings_for(archive)
    row = DiscussionSettings.objects.select_for_update().get(pk=row.pk)
    model_update(
        actor=actor,
        instance=row,
        changes={"moderation": moderation},
        action="discussion_settings.update",
        archive=archive,
    )
    return row


# Topics -----------------------------------------------------------------------------------------


@transaction.atomic
def topic_create(
    *,
    actor: User | None,
    archive: Archive,
    name: str,
    slug: str = "",
    description: str = "",
    is_published: bool = True,
) -> Topic:
    _check(actor, archive)
    name = topic_name_clean(name)
    errors = {}
    if not name:
        errors["name"] = [_("Give the topic a name, as written between the # marks.")]
    elif "#" in name or "＃" in name:
        errors["name"] = [_("A topic's name cannot contain #.")]
    elif Topic.objects.filter(archive=archive, name=name).exists():
        errors["name"] = [_("This archive already has the topic #%s#.") % name]
    slug = slug.strip() or slugify(name) or f"topic-{uuid.uuid4().hex[:8]}"
    if Topic.objects.filter(archive=archive, slug=slug).exists():
        errors["slug"] = [_("Another topic of this archive uses this slug.")]
    if errors:
        raise ValidationError(errors)
    topic = Topic(
        archive=archive,
        name=name,
        slug=slug,
        description=clean_description(description),
        is_published=is_published,
    )
    topic.full_clean()
    topic.save()
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        archive=archive,
        after=snapshot(topic, TOPIC_FIELDS),
    )
    return topic


@transaction.atomic
def topic_update(*, actor: User | None, topic: Topic, **changes: Any) -> Topic:
    unknown = set(changes) - TOPIC_EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of a topic")
    _check(actor, topic.archive)
    if "description" in changes:
        changes["description"] = clean_description(changes["description"])
    if "name" in changes:
        changes["name"] = topic_name_clean(changes["name"])
        clash = Topic.objects.filter(archive=topic.archive, name=changes["name"])
        if not changes["name"] or clash.exclude(pk=topic.pk).exists():
            raise ValidationError({"name": _("Choose another name for the topic.")})
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    model_update(
        actor=actor,
        instance=topic,
        changes=changes,
        action="topic.update",
        archive=topic.archive,
    )
    return topic


@transaction.atomic
def topic_item_add(*, actor: User | None, topic: Topic, description: Description) -> TopicItem:
    """Link a description of the topic's archive. A confidential or closed one may be linked
    (it may open later); the public page never shows it while it is not public."""
    _check(actor, topic.archive)
    if description.archive_id != topic.archive_id:
        raise ValidationError(
            {"description": _("A topic links only descriptions of its own archive.")}
        )
    item = TopicItem.objects.filter(topic=topic, description=description).first()
    if item is not None:
        return item
    position = TopicItem.objects.filter(topic=topic).count() + 1
    item = TopicItem(topic=topic, description=description, position=position)
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action="topic_item.add",
        obj=topic,
        archive=topic.archive,
        after={"description": description.reference_code},
    )
    return item


@transaction.atomic
def topic_item_remove(*, actor: User | None, topic: Topic, description: Description) -> None:
    _check(actor, topic.archive)
    deleted, _rows = TopicItem.objects.filter(topic=topic, description=description).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="topic_item.remove",
            obj=topic,
            archive=topic.archive,
            before={"description": description.reference_code},
        )


# Comments ---------------------------------------------------------------------------------------


def _rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    return getattr(settings, name, default)


def _screen(archive: Archive, fields: dict[str, str]) -> list[dict[str, Any]] | None:
    """The screening findings as dicts; None when screening is not installed."""
    try:
        from archivox.core.screening import screen_text
    except ImportError:
        return None
    findings = screen_text(archive=archive, fields=fields)
    return [
        {
            "kind": getattr(finding, "kind", ""),
            "severity": getattr(finding, "severity", ""),
            "field": getattr(finding, "field", ""),
            "start": getattr(finding, "start", None),
            "end": getattr(finding, "end", None),
            "text": getattr(finding, "text", ""),
            "message": str(getattr(finding, "message", "")),
        }
        for finding in findings
    ]


def comment_post(
    *,
    topic: Topic,
    person: Person,
    display_name: str,
    body: str,
    client: str = "",
) -> Comment:
    """Store a comment from the public. Refuses (CommentRefused, nothing stored) when the topic
    is closed, the text is empty or too long, the person or connection posts too often, or
    screening blocks it. Under pre-moderation, or when screening warns, the comment waits for a
    moderator; under post-moderation it is published at once."""
    if not topic.is_published or not topic.comments_open:
        raise CommentRefused(_("This topic does not take comments now."))
    body = body.replace("\x00", "").replace("\r\n", "\n").strip()
    display_name = " ".join(display_name.replace("\x00", "").split())
    if not body:
        raise CommentRefused(_("Write something before sending."))
    if len(body) > MAX_COMMENT:
        raise CommentRefused(
            _("Your comment is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(body), "limit": MAX_COMMENT}
        )
    if not display_name:
        raise CommentRefused(_("Give a name to show with your comment."))
    if len(display_name) > MAX_NAME:
        raise CommentRefused(_("The name shown may be at most %d characters.") % MAX_NAME)
    limit, window = _rate("TOPICS_COMMENT_RATE", (5, 300))
    if not ratelimit_hit(
        f"topic-comment:{topic.archive_id}:{person.key}", limit=limit, window=window
    ):
        raise RateLimited(_("You are commenting very quickly. Wait a few minutes and try again."))
    if client:
        limit, window = _rate("TOPICS_COMMENT_CLIENT_RATE", (30, 300))
        if not ratelimit_hit(
            f"topic-comment-client:{topic.archive_id}:{client}", limit=limit, window=window
        ):
            raise RateLimited(
                _("Too many comments from your connection. Wait a few minutes and try again.")
            )
    findings = _screen(topic.archive, {"comment": body, "display_name": display_name})
    if findings is None:
        # Screening is not installed: a person reads every comment before it is shown.
        logger.warning("comment on %s held: text screening is not installed", topic.pk)
        flags = [{"kind": "unscreened", "severity": "warn", "message": "not screened"}]
    else:
        blocking = [f for f in findings if f["severity"] == "block"]
        if blocking:
            raise CommentRefused(
                _("Your comment cannot be published as written: %s Please change it.")
                % " ".join(f["message"] or f["text"] for f in blocking),
                findings=blocking,
            )
        flags = [f for f in findings if f["severity"] == "warn"]
    moderation = discussion_settings_for(topic.archive).moderation
    published = moderation == DiscussionSettings.Moderation.POST and not flags
    comment = Comment(
        topic=topic,
        channel=person.channel,
        person_id=person.person_id,
        display_name=display_name,
        body=body,
        status=Comment.Status.PUBLISHED if published else Comment.Status.PENDING,
        flags=flags,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def _moderate(*, actor: User | None, comment: Comment, status: str, action: str) -> Comment:
    _check(actor, comment.topic.archive)
    comment = (
        Comment.objects.select_for_update().select_related("topic__archive").get(pk=comment.pk)
    )
    if comment.status == status:
        return comment
    before = {"status": comment.status}
    comment.status = status
    comment.moderated_at = timezone.now()
    comment.moderated_by = actor
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    audit_record(
        actor=actor,
        action=action,
        obj=comment,
        archive=comment.topic.archive,
        before=before,
        after={"status": status},
    )
    return comment


def comment_approve(*, actor: User | None, comment: Comment) -> Comment:
    """Publish a comment that waited (or one hidden by mistake)."""
    return _moderate(
        actor=actor, comment=comment, status=Comment.Status.PUBLISHED, action="comment.approve"
    )


def comment_hide(*, actor: User | None, comment: Comment) -> Comment:
    return _moderate(
        actor=actor, comment=comment, status=Comment.Status.HIDDEN, action="comment.hide"
    )
