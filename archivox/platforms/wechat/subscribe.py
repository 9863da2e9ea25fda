"""One-time subscription messages (一次性订阅消息): the platform's consent page a follower is
sent to. Pure (no client, no network), so reads may build the link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings


def subscribe_confirm_url(
    *, appid: str, template_id: str, scene: int, redirect_url: str, reserved: str
) -> str:
    """The platform's page where a follower allows one subscription message (一次性订阅消息) of
    ``template_id`` and ``scene``; WeChat then sends the browser to ``redirect_url`` with
    ``openid``, ``action`` (confirm or cancel), ``scene`` and ``reserved`` (≤ 128 bytes)."""
    query = urlencode(
        {
            "action": "get_confirm",
            "appid": appid,
            "scene": scene,
            "template_id": template_id,
            "redirect_url": redirect_url,
            "reserved": reserved,
        }
    )
    return f"{settings.WECHAT_MP}/mp/subscribemsg?{query}#wechat_redirect"
