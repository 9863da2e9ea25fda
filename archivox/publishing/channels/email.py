"""Email to the archive's confirmed subscribers, through Django's email backend.

At most once per recipient: the desk passes ``claim(email)`` (records the recipient, committed,
before the message leaves; False if already recorded) and ``done(email)``; a re-run after a
crash skips everyone already claimed. Every message carries a one-click unsubscribe link
(RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post``)."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from archivox.core.models import PlatformAccount
from archivox.publishing.channels.base import (
    Flag,
    PermanentChannelError,
    PostContent,
    Rendering,
    SendResult,
    Severity,
    TransientChannelError,
    Withdrawal,
    WithdrawPlan,
)

MAX_EMAIL_BYTES = 10 * 1024 * 1024


class EmailChannel:
    name = "email"
    needs_account: str | None = None
    in_house = False

    def render(self, content: PostContent) -> Rendering:
        from archivox.publishing.content import absolute, html_to_text

        flags: list[Flag] = []
        body_html = content.body_html if content.kind == "article" else ""
        text = html_to_text(content.body_html) if content.kind == "article" else content.text
        text = f"{text}\n\n{_('Read it on the website:')} {content.url}\n"
        html = render_to_string(
            "publishing/email_post.html", {"content": content, "body_html": body_html}
        )
        if content.images:
            flags.append(
                Flag(
                    Severity.NOTE,
                    "images_linked",
                    _("Images are not attached; the email links to the page on the website."),
                )
            )
        if len(html.encode()) > MAX_EMAIL_BYTES:
            flags.append(
                Flag(Severity.REFUSE, "email_too_large", _("The email is larger than 10 MB."))
            )
        payload = {
            "subject": f"{content.archive_name}: {content.title}",
            "text": text,
            "html": html,
        }
        # The preview's unsubscribe link leads to the archive's subscription page; each
        # subscriber's own one-click link replaces the placeholder when the message is sent.
        subscription = absolute(reverse("posts:subscribe", args=[content.archive_slug]))
        preview = html.replace("{{unsubscribe_url}}", subscription)
        return Rendering(channel=self.name, payload=payload, preview_html=preview, flags=flags)

    def _message(self, payload: dict[str, Any], recipient: dict[str, str], connection: Any):
        unsubscribe = recipient["unsubscribe_url"]
        message = EmailMultiAlternatives(
            subject=payload["subject"],
            body=payload["text"] + f"\n{_('Unsubscribe:')} {unsubscribe}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient["email"]],
            connection=connection,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        html = payload["html"].replace("{{unsubscribe_url}}", unsubscribe)
        message.attach_alternative(html, "text/html")
        return message

    def send(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult:
        claim = context["claim"]
        done = context["done"]
        sent = 0
        try:
            with get_connection() as connection:
                for recipient in context["recipients"]:
                    if not claim(recipient["email"]):
                        continue
                    self._message(rendering.payload, recipient, connection).send()
                    done(recipient["email"])
                    sent += 1
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused) as exc:
            raise PermanentChannelError(
                _("the mail server refused our credentials or sender: %(error)s") % {"error": exc}
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientChannelError(
                _("the mail server failed: %(error)s") % {"error": exc}
            ) from exc
        total = sent + int(context.get("already_sent", 0))
        return SendResult(
            remote_id=f"email:{idempotency_key}", response={"recipients": total, "this_run": sent}
        )

    def find_sent(
        self,
        rendering: Rendering,
        *,
        account: PlatformAccount | None,
        idempotency_key: str,
        context: dict[str, Any],
    ) -> SendResult | None:
        # Recipients already claimed are never mailed again; only the rest remain to send.
        if context["recipients"]:
            return None
        return SendResult(
            remote_id=f"email:{idempotency_key}",
            response={"recipients": int(context.get("already_sent", 0)), "this_run": 0},
        )

    def withdraw(
        self, *, account: PlatformAccount | None, remote_id: str, context: dict[str, Any]
    ) -> None:
        from archivox.publishing.channels.base import WithdrawRefused

        raise WithdrawRefused(_("an email cannot be taken back once delivered"))

    def withdrawal(self, *, remote_id: str) -> WithdrawPlan:
        return WithdrawPlan(
            Withdrawal.IMPOSSIBLE,
            _(
                "An email cannot be taken back once delivered: the subscribers keep their copy. "
                "Nothing is sent to them about it."
            ),
        )
