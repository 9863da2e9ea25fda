"""Reconcile: find a published article by the delivery's key in its "read the original" link
(``freepublish/batchget``); a mass send cannot be looked up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from archivox.publishing.channels.base import Rendering, SendResult
from archivox.publishing.channels.wechat.api import _client, _platform_errors
from archivox.publishing.channels.wechat.limits import FIND_PAGES, MARKER

if TYPE_CHECKING:
    from archivox.core.models import PlatformAccount


class WeChatReconcile:
    """The reconcile stage of ``WeChatChannel``."""

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        if rendering.payload.get("mode") == "mass_send":
            return None  # the platform dedups by clientmsgid: see the module's docstring
        wanted = f"{MARKER}={idempotency_key}"
        with _client(account) as api, _platform_errors():
            for page in range(FIND_PAGES):
                answer = api.freepublish_batchget(offset=page * 20, count=20)
                items = answer.get("item", [])
                for item in items:
                    for index, news in enumerate(item.get("content", {}).get("news_item", [])):
                        source = news.get("content_source_url", "")
                        if news.get("is_deleted") or not _has_param(source, wanted):
                            continue
                        return SendResult(
                            remote_id=str(item["article_id"]),
                            url=str(news.get("url", "")),
                            response={"found_by": "freepublish/batchget", "index": index + 1},
                        )
                if len(items) < 20:
                    break
        return None


def _has_param(url: str, wanted: str) -> bool:
    query = urlsplit(url).query
    return wanted in query.split("&")
