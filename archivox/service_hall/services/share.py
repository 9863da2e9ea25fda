"""Share cards in WeChat: WeChat's browser ignores Open Graph tags, so a portal page opened there
configures the JS-SDK (``wx.config`` signed with the account's jsapi_ticket) and hands the share
title, description, link and image to ``updateAppMessageShareData``/``updateTimelineShareData``.

Only inside WeChat's browser, and only where the script can load: WeChat's own host in
production, the sandbox's stand-in with ``ARCHIVOX_SANDBOX=1``; elsewhere (development without
the sandbox, any other browser) nothing is configured and nothing external loads."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from archivox.core.models import Archive
from archivox.platforms.wechat.client import WeChatError, client_for_account
from archivox.platforms.wechat.jssdk import jssdk_config
from archivox.service_hall.selectors import (
    is_wechat_browser,
    share_defaults_of,
    wechat_account_of_archive,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShareCard:
    """What a page needs: the script to load, its origin for the CSP, and ``wx.config``."""

    script: str
    script_origin: str  # "" when the script is served from our own origin
    config: dict[str, object]
    share: dict[str, str]  # the archive's defaults, for a page with only the site's own


def jssdk_script() -> str:
    """Where jweixin.js comes from here: WeChat's host in production, the sandbox's stand-in
    under the sandbox, nowhere in development without it."""
    if settings.SANDBOX:
        try:
            return reverse("sandbox:wechat:jweixin")
        except NoReverseMatch:  # the sandbox's URLs are not mounted in this process
            return ""
    if settings.DEBUG:
        return ""
    return settings.WECHAT_JSSDK_SCRIPT


def share_card_for_page(*, archive: Archive | None, url: str, user_agent: str) -> ShareCard | None:
    """The signed JS-SDK config for the page at ``url``, or None when the page is not in WeChat's
    browser, the archive has no WeChat account, or the ticket cannot be had (the page then
    simply shares as a link; the error is logged, never shown to the reader)."""
    if not is_wechat_browser(user_agent):
        return None
    script = jssdk_script()
    if not script:
        return None
    account = wechat_account_of_archive(archive)
    if account is None or not account.app_secret:
        return None
    try:
        with client_for_account(account) as api:
            ticket = api.jsapi_ticket()
    except WeChatError as exc:
        logger.warning(
            "no jsapi_ticket, the page shares as a plain link",
            extra={"appid": account.appid, "error": str(exc)},
        )
        return None
    config = jssdk_config(appid=account.appid, jsapi_ticket=ticket.value, url=url)
    parts = urlsplit(script)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    defaults = share_defaults_of(archive)
    share = {"imgUrl": defaults.image_url, "desc": defaults.description} if defaults else {}
    return ShareCard(script=script, script_origin=origin, config=config.as_json(), share=share)
