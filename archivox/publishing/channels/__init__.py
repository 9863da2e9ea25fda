"""One adapter per channel; the registry the desk sends through.

``context`` passed to a channel's methods carries what the desk knows and the platform does not
(e.g. the email channel's recipients, the post's portal URL).
"""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

from archivox.publishing.channels.base import Channel

CHANNEL_PATHS: dict[str, str] = {
    "wechat": "archivox.publishing.channels.wechat.channel.WeChatChannel",
    "weibo": "archivox.publishing.channels.weibo.WeiboChannel",
    "portal": "archivox.publishing.channels.portal.PortalChannel",
    "feed": "archivox.publishing.channels.feed.FeedChannel",
    "email": "archivox.publishing.channels.email.EmailChannel",
}


@cache
def channel_get(name: str) -> Channel:
    """The adapter for ``name``; KeyError for a channel we do not have."""
    return import_string(CHANNEL_PATHS[name])()
