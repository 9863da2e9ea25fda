"""Reads of inbound messages, and of the platform account a callback speaks for."""

from __future__ import annotations

import time

from django.db.models import QuerySet

from archivox.core.models import Archive, PlatformAccount
from archivox.engagement.models import InboundMessage

# The callback reads its account on every delivery; each process keeps it this long. Changes
# saved in this process clear it at once (apps.py); a signature or ciphertext that fails with a
# cached account is checked again against a fresh read, so new credentials work immediately.
ACCOUNT_CACHE_SECONDS = 10.0
_account_cache: dict[str, tuple[float, PlatformAccount]] = {}


def wechat_account_for_callback(*, slug: str, fresh: bool = False) -> PlatformAccount | None:
    """The active WeChat account of the archive ``slug``, with its archive; None when there is
    none (the callback answers 404). The AppSecret and Weibo token are not even decrypted.

    Cached per process for ``ACCOUNT_CACHE_SECONDS`` unless ``fresh``; treat it as read-only."""
    now = time.monotonic()
    if not fresh:
        cached = _account_cache.get(slug)
        if cached is not None and cached[0] > now:
            return cached[1]
    account = (
        PlatformAccount.objects.select_related("archive")
        .defer("app_secret", "weibo_access_token")
        .filter(archive__slug=slug, platform=PlatformAccount.Platform.WECHAT, is_active=True)
        .first()
    )
    if account is not None:
        _account_cache[slug] = (now + ACCOUNT_CACHE_SECONDS, account)
    return account


def wechat_account_cache_clear() -> None:
    _account_cache.clear()


def inbound_message_list(
    *, archive: Archive, channel: str | None = None, sender: str | None = None
) -> QuerySet[InboundMessage]:
    """An archive's inbound messages, newest first."""
    messages = InboundMessage.objects.filter(archive=archive)
    if channel:
        messages = messages.filter(channel=channel)
    if sender:
        messages = messages.filter(sender=sender)
    return messages.order_by("-received_at", "-id")


def inbound_message_get(*, pk: int) -> InboundMessage:
    """One message with its archive and account (for the reply hook and the deferred task)."""
    return InboundMessage.objects.select_related("archive", "account").get(pk=pk)
