"""Reads of the service hall: an archive's WeChat account as the hall's front door."""

from __future__ import annotations

from archivox.core.models import Archive, PlatformAccount


def wechat_account_of_archive(archive: Archive | None) -> PlatformAccount | None:
    """The archive's active WeChat account with credentials (AppID and AppSecret), if any."""
    if archive is None or not getattr(archive, "pk", None):
        return None
    return (
        PlatformAccount.objects.filter(
            archive=archive, platform=PlatformAccount.Platform.WECHAT, is_active=True
        )
        .exclude(appid="")
        .order_by("pk")
        .first()
    )


def is_wechat_browser(user_agent: str) -> bool:
    """WeChat's in-app browser says ``MicroMessenger/…`` in its user agent."""
    return "micromessenger" in (user_agent or "").lower()
