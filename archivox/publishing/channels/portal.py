"""The archive's own website: a post is a page at /archives/<slug>/posts/<id>/.

Nothing leaves the installation: sending records that the page may be shown (the portal serves
posts whose portal delivery is ``sent``) and withdrawing hides it again."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
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


class PortalChannel:
    name = "portal"
    needs_account: str | None = None
    in_house = True

    def render(self, content: PostContent) -> Rendering:
        flags: list[Flag] = []
        if content.kind == "article" and not content.cover:
            flags.append(Flag(Severity.NOTE, "no_cover", _("The page has no cover image.")))
        payload = {
            "title": content.title,
            "url": content.url,
            "kind": content.kind,
            "body_html": content.body_html,
            "text": content.text,
            "items": [item.url for item in content.items],
        }
        preview = render_to_string("publishing/preview_portal.html", {"content": content})
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult:
        return SendResult(
            remote_id=f"portal:{context['post_id']}",
            url=rendering.payload.get("url") or context.get("post_url", ""),
            response={"shown": True},
        )

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        # Sending has no effect outside our database, so doing it again is harmless.
        return None

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        return None

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        return WithdrawPlan(Withdrawal.LOCAL)
