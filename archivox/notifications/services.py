"""``notify``: one message to one known person, at most once, by the first channel that takes
it — the WeChat account's template message (a service account, a template id for the purpose),
the customer-service window (48 hours after the follower last wrote, 5 messages), e-mail —
and logged (``Notification``), so staff see what reached whom and how."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from archivox.core.models import Archive, PlatformAccount
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.platforms.wechat.client import WeChatError, WeChatUncertainError, client_for_account

logger = logging.getLogger(__name__)

# The platform's limits on a template field's value, by the key's kind (thing1, time2, …).
FIELD_LIMITS = {
    "thing": 20,
    "character_string": 32,
    "phrase": 5,
    "name": 10,
    "number": 32,
    "phone_number": 17,
    "car_number": 8,
    "time": 40,
    "date": 40,
    "amount": 32,
}


def field_clip(key: str, value: str) -> str:
    """``value`` within the platform's limit for a field named ``key`` (thing1 → 20 chars)."""
    kind = key.rstrip("0123456789")
    limit = FIELD_LIMITS.get(kind, 20)
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class Delivered:
    delivered: bool
    channel: str
    note: str


def _account(archive: Archive) -> PlatformAccount | None:
    return (
        PlatformAccount.objects.filter(
            archive=archive, platform=PlatformAccount.Platform.WECHAT, is_active=True
        )
        .exclude(appid="")
        .first()
    )


def notify(
    *,
    archive: Archive,
    purpose: str,
    text: str,
    subject: str = "",
    openid: str = "",
    email: str = "",
    fields: dict[str, str] | None = None,
    link: str = "",
    key: str = "",
) -> Delivered:
    """Send once (per ``key``, when given) and say how it went. ``fields`` fill the purpose's
    template message; ``text`` is the customer-service message and the e-mail's body."""
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                archive=archive,
                purpose=purpose,
                openid=openid,
                email=email if "@" in email else "",
                subject=subject[:200],
                **({"key": key[:120]} if key else {}),
            )
    except IntegrityError:
        # Sent (or being sent) already: never twice.
        return Delivered(False, "", "already sent once")
    tried: list[str] = []
    channel, status = _send(row, text=text, fields=fields or {}, link=link, tried=tried)
    Notification.objects.filter(pk=row.pk).update(
        status=status,
        channel=channel,
        note="; ".join(tried)[:2000],
        sent_at=timezone.now() if channel else None,
    )
    delivered = status in (Notification.Status.SENT, Notification.Status.UNCERTAIN)
    return Delivered(delivered, channel, "; ".join(tried) or "sent")


def _send(
    row: Notification, *, text: str, fields: dict[str, str], link: str, tried: list[str]
) -> tuple[str, str]:
    account = _account(row.archive) if row.openid else None
    if account is not None and account.app_secret:
        template = NotificationTemplate.objects.filter(
            archive=row.archive, purpose=row.purpose, is_active=True
        ).first()
        try:
            with client_for_account(account) as api:
                if (
                    template is not None
                    and fields
                    and account.wechat_type == PlatformAccount.WeChatType.SERVICE
                ):
                    data = {key: field_clip(key, value) for key, value in fields.items()}
                    try:
                        api.template_send(row.openid, template.template_id, data, url=link)
                        return Notification.Channel.TEMPLATE, Notification.Status.SENT
                    except WeChatUncertainError:
                        raise
                    except WeChatError as exc:
                        tried.append(f"template message refused ({exc})")
                api.custom_send_text(row.openid, text)
                return Notification.Channel.CUSTOMER_SERVICE, Notification.Status.SENT
        except WeChatUncertainError as exc:
            tried.append(f"WeChat answer lost, not repeated ({exc})")
            return Notification.Channel.CUSTOMER_SERVICE, Notification.Status.UNCERTAIN
        except WeChatError as exc:
            tried.append(f"not deliverable on WeChat ({exc})")
    elif row.openid:
        tried.append("not deliverable on WeChat: the archive has no WeChat account")
    if row.email:
        try:
            send_mail(row.subject or text[:60], text, settings.DEFAULT_FROM_EMAIL, [row.email])
        except Exception as exc:  # any mail transport failure is recorded, not raised
            logger.warning("notification mail failed", extra={"notification": row.pk})
            tried.append(f"e-mail not delivered ({exc})")
            return "", Notification.Status.UNDELIVERABLE
        return Notification.Channel.EMAIL, Notification.Status.SENT
    if not row.openid:
        tried.append("no WeChat follower and no e-mail address")
    return "", Notification.Status.UNDELIVERABLE
