"""Reads of topics. Catalog material reaches a topic page only through the access gateway."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.db.models import Count, Q, QuerySet

from archivox.catalog.models import Description, DigitalObject
from archivox.catalog.selectors import description_list_public, digital_objects_public
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.polls.identity import Person
from archivox.topics.models import Comment, Topic

# Who moderates comments, and who sets an archive's moderation policy.
MODERATE = Capability.CONSULTATION_ANSWER
MANAGE_POLICY = Capability.ARCHIVE_MANAGE

logger = logging.getLogger(__name__)


def topic_list_public(*, archive: Archive) -> QuerySet[Topic]:
    return Topic.objects.filter(archive=archive, is_published=True).annotate(
        comment_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED))
    )


def topic_get_public(*, archive: Archive, slug: str) -> Topic:
    return Topic.objects.select_related("archive").get(
        archive=archive, slug=slug, is_published=True
    )


@dataclasses.dataclass
class TopicEntry:
    description: Description
    objects: list[DigitalObject]
    # Restricted: the description is public, its images are not.
    objects_withheld: bool


def topic_items_public(*, topic: Topic) -> list[TopicEntry]:
    """The topic's catalog items the public may see, in the topic's order, with the images
    the gateway allows (none for restricted items)."""
    descriptions = (
        description_list_public(archive=topic.archive)
        .filter(topic_items__topic=topic)
        .order_by("topic_items__position", "reference_code")
        .prefetch_related("digital_objects")
    )
    entries = []
    for description in descriptions:
        objects = digital_objects_public(description=description)
        entries.append(
            TopicEntry(
                description=description,
                objects=objects,
                objects_withheld=not objects and not description.objects_public_on(),
            )
        )
    return entries


def topic_posts_public(*, topic: Topic, limit: int = 10) -> list[Any]:
    """Posts of the publishing desk tagged with the topic; none while the desk does not offer
    ``post_list_public`` (imported lazily: publishing is built alongside)."""
    try:
        from archivox.publishing.selectors import post_list_public
    except ImportError:
        return []
    return list(post_list_public(archive=topic.archive, topic=topic.name, limit=limit))


def comment_list_public(
    *, topic: Topic, person: Person | None = None, limit: int = 200
) -> list[Comment]:
    """The newest ``limit`` published comments, plus the person's own comments that wait for a
    moderator (so they see what they sent), oldest first."""
    condition = Q(status=Comment.Status.PUBLISHED)
    if person is not None and not person.new_cookie:
        condition |= Q(
            status=Comment.Status.PENDING, channel=person.channel, person_id=person.person_id
        )
    newest = topic.comments.filter(condition).order_by("-created_at", "-pk")[:limit]
    return list(reversed(newest))


# Staff ------------------------------------------------------------------------------------------


def topic_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Topic]:
    archive_check_capability(user=user, archive=archive, capability=MODERATE)
    return Topic.objects.filter(archive=archive).annotate(
        pending_count=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
        item_count=Count("items", distinct=True),
    )


def topic_get_for_staff(*, user: User, pk: int) -> Topic:
    topic = Topic.objects.select_related("archive").get(pk=pk)
    archive_check_capability(user=user, archive=topic.archive, capability=MODERATE)
    return topic


def topic_items_for_staff(*, topic: Topic) -> QuerySet[Description]:
    return Description.objects.filter(topic_items__topic=topic).order_by("topic_items__position")


def comment_list_for_staff(
    *, user: User, topic: Topic, status: str | None = None
) -> QuerySet[Comment]:
    archive_check_capability(user=user, archive=topic.archive, capability=MODERATE)
    comments = topic.comments.select_related("moderated_by").order_by("-created_at")
    return comments.filter(status=status) if status else comments


def moderation_queue(*, user: User, archive: Archive) -> QuerySet[Comment]:
    """Comments of the archive's topics waiting for a moderator, oldest first."""
    archive_check_capability(user=user, archive=archive, capability=MODERATE)
    return (
        Comment.objects.filter(topic__archive=archive, status=Comment.Status.PENDING)
        .select_related("topic")
        .order_by("created_at", "pk")
    )


def comment_get_for_staff(*, user: User, pk: int) -> Comment:
    comment = Comment.objects.select_related("topic__archive").get(pk=pk)
    archive_check_capability(user=user, archive=comment.topic.archive, capability=MODERATE)
    return comment


def topic_link_for_follower(*, topic: Topic, openid: str) -> str:
    """An absolute link for a WeChat follower to comment on ``topic`` as themself."""
    from django.conf import settings
    from django.urls import reverse

    from archivox.polls.identity import link_with_token

    path = reverse("topics:detail", kwargs={"slug": topic.archive.slug, "topic": topic.slug})
    return link_with_token(f"{settings.BASE_URL}{path}", archive=topic.archive, openid=openid)


def topic_comment_counts(*, archives: list[Archive] | None, since: Any) -> list[tuple[Topic, int]]:
    """Published topics with their published comments since ``since``, most discussed first
    (the demand dashboard of issue 23)."""
    topics = Topic.objects.filter(is_published=True)
    if archives is not None:
        topics = topics.filter(archive__in=archives)
    counted = topics.annotate(
        n=Count(
            "comments",
            filter=Q(comments__status=Comment.Status.PUBLISHED, comments__created_at__gte=since),
        )
    ).filter(n__gt=0)
    return [(topic, topic.n) for topic in counted.select_related("archive").order_by("-n", "name")]
