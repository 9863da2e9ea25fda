"""Channels and rendering: where the archive can send, and what each channel would send."""

from __future__ import annotations

from collections.abc import Iterable

from archivox.core.models import Archive, PlatformAccount
from archivox.publishing.channels import channel_get
from archivox.publishing.channels.base import Rendering
from archivox.publishing.content import post_content
from archivox.publishing.models import CHANNELS, Post


def archive_channels(archive: Archive) -> dict[str, PlatformAccount | None]:
    """The channels the archive can send to, with the account each sends through."""
    accounts = {
        account.platform: account
        for account in PlatformAccount.objects.filter(archive=archive, is_active=True)
    }
    available: dict[str, PlatformAccount | None] = {}
    for name in CHANNELS:
        try:
            channel = channel_get(name)
        except (ImportError, KeyError):
            continue
        if channel.needs_account is None:
            available[name] = None
        elif channel.needs_account in accounts:
            available[name] = accounts[channel.needs_account]
    return available


def post_render(*, post: Post, channels: Iterable[str] | None = None) -> dict[str, Rendering]:
    """Each channel's rendering of the post (payload, preview and flags)."""
    content = post_content(post)
    catalog = {"items": list(content.catalog_items), "images": list(content.catalog_images)}
    renderings: dict[str, Rendering] = {}
    for name in channels if channels is not None else post.channels:
        try:
            renderings[name] = channel_get(name).render(content)
        except ImportError:
            continue
        renderings[name].catalog = dict(catalog)
    return renderings
