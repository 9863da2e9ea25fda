"""The client Archivox uses: ``WeChatApi``, the transport with every stage's calls, and the client
of an archive's WeChat account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archivox.platforms.wechat.client.followers import FollowerCalls
from archivox.platforms.wechat.client.mass_send import MassSendCalls
from archivox.platforms.wechat.client.media import MediaCalls
from archivox.platforms.wechat.client.oauth import OAuthCalls
from archivox.platforms.wechat.client.publishing import PublishingCalls
from archivox.platforms.wechat.client.tickets import TicketCalls

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


class WeChatApi(MediaCalls, PublishingCalls, MassSendCalls, FollowerCalls, TicketCalls, OAuthCalls):
    """The WeChat official-account API of one account (AppID and AppSecret)."""


def client_for_account(account: PlatformAccount, **options: Any) -> WeChatApi:
    """The API client of an archive's WeChat ``core.PlatformAccount`` (AppID and AppSecret)."""
    if getattr(account, "platform", None) != "wechat":
        raise ValueError(f"{account} is not a WeChat account")
    if not account.appid or not account.app_secret:
        raise ValueError(f"{account} has no AppID or AppSecret")
    return WeChatApi(appid=account.appid, secret=account.app_secret, **options)
