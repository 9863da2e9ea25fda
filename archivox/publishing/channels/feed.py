"""The archive's Atom and RSS feeds (/feeds/<slug>/atom.xml, rss.xml).

Like the portal, the feeds are served by us: a post is an entry while its feed delivery is
``sent``. The payload is the entry as feed readers will see it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from archivox.core.models import PlatformAccount
from archivox.publishing.channels.base import (
    Flag,
    PostContent,
    Rendering,
    SendResult,
    Severity,
    Withdrawal,
    WithdrawPlan,
)

SUMMARY_CHARS = 200


def _summary(content: PostContent) -> str:
    from archivox.publishing.content import html_to_text

    text = content.digest or (
        html_to_text(content.body_html) if content.kind == "article" else content.text
    )
    return text[:SUMMARY_CHARS]


class FeedChannel:
    name = "feed"
    needs_account: str | None = None
    in_house = True

    def render(self, content: PostContent) -> Rendering:
        flags: list[Flag] = []
        if content.images or content.cover:
            flags.append(
                Flag(
                    Severity.NOTE, "images_linked", _("Feed entries link to images on the portal.")
                )
            )
        payload = {
            "title": content.title,
            "link": content.url,
            "summary": _summary(content),
            "content_html": content.body_html if content.kind == "article" else content.text,
            "categories": list(content.topics),
            "author": content.author,
        }
        preview = render_to_string("publishing/preview_feed.html", {"payload": payload})
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult:
        feed = settings.BASE_URL + reverse("feeds:atom", kwargs={"slug": context["archive_slug"]})
        return SendResult(remote_id=f"feed:{context['post_id']}", url=feed, response={"feed": feed})

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        return None

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        return None

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        return WithdrawPlan(Withdrawal.LOCAL)
