"""Personal data of topics, for ``core.personal_data``: who wrote comments. Purging keeps the
comments and removes who wrote them."""

from __future__ import annotations

import datetime
from typing import Any

from archivox.core.personal_data import (
    PURGED,
    PersonalDataSource,
    personal_data_source_register,
    purged_key,
)


def comments_purge(*, before: datetime.datetime) -> int:
    from archivox.topics.models import Comment

    return (
        Comment.objects.filter(created_at__lt=before)
        .exclude(person_id__startswith=PURGED)
        .update(person_id=purged_key(), display_name="")
    )


def comments_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.polls.identity import follower_person_id
    from archivox.topics.models import Comment

    # A follower is held by the digest of their openid, a browser by its id.
    people = [identifier, follower_person_id(identifier)]

    return [
        {
            "topic": comment.topic.name,
            "name": comment.display_name,
            "comment": comment.body,
            "status": comment.status,
            "posted_at": comment.created_at,
        }
        for comment in Comment.objects.filter(person_id__in=people).select_related("topic")
    ]


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "topic comments", "who wrote comments on topics", comments_purge, comments_export
        )
    )
