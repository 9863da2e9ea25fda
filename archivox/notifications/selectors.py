"""Reads of the notifications log (for staff)."""

from __future__ import annotations

from django.db.models import QuerySet

from archivox.core.models import Archive
from archivox.notifications.models import Notification, NotificationTemplate


def notification_list(*, archive: Archive, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(archive=archive).order_by("-created_at", "-pk")[:limit]


def notification_templates(*, archive: Archive) -> QuerySet[NotificationTemplate]:
    return NotificationTemplate.objects.filter(archive=archive).order_by("purpose")
