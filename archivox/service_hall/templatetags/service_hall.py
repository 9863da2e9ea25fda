"""``{% wechat_share %}`` in the portal's base template: the JS-SDK config of a page opened in
WeChat's browser (nothing elsewhere)."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.translation import gettext

from archivox.service_hall.services.share import share_card_for_page

register = template.Library()


@register.inclusion_tag("service_hall/wechat_share.html", takes_context=True)
def wechat_share(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"card": None}
    card = share_card_for_page(
        archive=context.get("archive"),
        url=request.build_absolute_uri(),
        user_agent=request.headers.get("User-Agent", ""),
    )
    if card is not None and card.script_origin:
        # service_hall.middleware.WeChatScriptCsp lets exactly this origin's scripts run on
        # this response (the template cannot touch the response itself).
        request.wechat_script_origin = card.script_origin
    share: dict[str, str] = {}
    if card is not None and card.share:
        # The archive's defaults stand in for the site-wide image and sentence only, so a
        # page with its own (a post's cover, an item's description) keeps them.
        share = {
            **card.share,
            "siteImage": request.build_absolute_uri(static("portal/share.png")),
            "siteDesc": gettext(
                "Archives serving the public: holdings, exhibitions, consultation."
            ),
        }
    return {"card": card, "share": share}
