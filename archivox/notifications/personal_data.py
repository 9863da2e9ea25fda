"""Personal data of notifications, for ``core.personal_data``: to whom a message went (openid,
e-mail). Purging keeps the log of what was sent and removes who it went to."""

from __future__ import annotations

import datetime
from typing import Any

from archivox.core.personal_data import PersonalDataSource, personal_data_source_register


def notifications_purge(*, before: datetime.datetime) -> int:
    from archivox.notifications.models import Notification

    rows = Notification.objects.filter(created_at__lt=before).exclude(openid="", email="")
    return rows.update(openid="", email="")


def notifications_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.notifications.models import Notification

    # Encrypted at rest, so compared here rather than in SQL; bounded by the retention period.
    return [
        {
            "archive": row.archive.slug,
            "purpose": row.purpose,
            "channel": row.channel,
            "status": row.status,
            "sent_at": row.sent_at,
        }
        for row in Notification.objects.select_related("archive").exclude(openid="", email="")
        if identifier in (row.openid, row.email)
    ]


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "notifications",
            "messages sent to a person: their WeChat openid or e-mail address",
            notifications_purge,
            notifications_export,
        )
    )
