"""Reads of the notifications log (for staff)."""

from __future__ import annotations

from django.db.models import QuerySet

from archivox.core.models import Archive, PlatformAccount
from archivox.notifications.models import SUBSCRIBE_SCENES, Notification, NotificationTemplate
from archivox.platforms.wechat.subscribe import subscribe_confirm_url


def notification_list(*, archive: Archive, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(archive=archive).order_by("-created_at", "-pk")[:limit]


def notification_templates(*, archive: Archive) -> QuerySet[NotificationTemplate]:
    return NotificationTemplate.objects.filter(archive=archive).order_by("purpose")


def subscribe_consent_url(*, archive: Archive, purpose: str, redirect_url: str) -> str:
    """Where a follower allows the one-time subscription message of ``purpose`` (WeChat's own
    page, then back to ``redirect_url``); "" when the archive sends that purpose otherwise
    (a template message, no template, no service account)."""
    template = NotificationTemplate.objects.filter(
        archive=archive,
        purpose=purpose,
        is_active=True,
        kind=NotificationTemplate.Kind.SUBSCRIBE,
    ).first()
    account = (
        PlatformAccount.objects.filter(
            archive=archive,
            platform=PlatformAccount.Platform.WECHAT,
            is_active=True,
            wechat_type=PlatformAccount.WeChatType.SERVICE,
        )
        .exclude(appid="")
        .first()
    )
    if template is None or account is None:
        return ""
    return subscribe_confirm_url(
        appid=account.appid,
        template_id=template.template_id,
        scene=SUBSCRIBE_SCENES.get(purpose, 0),
        redirect_url=redirect_url,
        reserved=purpose,
    )
