"""``notify``: one message to one known person, at most once, by the first channel that takes
it — the WeChat account's template message (a service account, a template id for the purpose),
the customer-service window (48 hours after the follower last wrote, 5 messages), e-mail —
and logged (``Notification``), so staff see what reached whom and how."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.notifications.models import (
    PURPOSE_FIELDS,
    SUBSCRIBE_SCENES,
    Notification,
    NotificationTemplate,
    purpose_label,
)
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


# A one-time subscription message: its title and its one field, ``content``.
SUBSCRIBE_TITLE_MAX = 15
SUBSCRIBE_CONTENT_MAX = 200
# WeChat's template ids are 43 characters of letters, digits, "-" and "_".
TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def field_limit(key: str) -> int:
    """The platform's limit, in characters, of a template field named ``key`` (thing1 → 20)."""
    return FIELD_LIMITS.get(key.rstrip("0123456789"), 20)


def _clip(value: str, limit: int) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def field_clip(key: str, value: str) -> str:
    """``value`` within the platform's limit for a field named ``key`` (thing1 → 20 chars)."""
    return _clip(value, field_limit(key))


def notification_template_set(
    *,
    actor: User | None,
    archive: Archive,
    purpose: str,
    template_id: str,
    kind: str = NotificationTemplate.Kind.TEMPLATE,
    is_active: bool = True,
) -> NotificationTemplate | None:
    """Set (or, with an empty id, remove) the template ``archive``'s WeChat account uses for
    ``purpose``; ValidationError in staff's words for an unknown purpose or kind or a malformed
    id. Audited as ``notification_template.set`` / ``.remove``."""
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    template_id = template_id.strip()
    errors = {}
    if purpose not in PURPOSE_FIELDS:
        errors["purpose"] = _("This kind of notification cannot use a WeChat template.")
    if kind not in NotificationTemplate.Kind.values:
        errors["kind"] = _("Choose a template message or a one-time subscription message.")
    if template_id and not TEMPLATE_ID.fullmatch(template_id):
        errors["template_id"] = _(
            "A template id is up to 64 letters, digits, “-” or “_”, as WeChat's console shows it."
        )
    if errors:
        raise ValidationError(errors)
    existing = NotificationTemplate.objects.filter(archive=archive, purpose=purpose).first()
    before = (
        {"template_id": existing.template_id, "kind": existing.kind, "active": existing.is_active}
        if existing
        else None
    )
    if not template_id:
        if existing is None:
            return None
        audit_record(
            actor=actor,
            action="notification_template.remove",
            obj=existing,
            archive=archive,
            before=before,
        )
        existing.delete()
        return None
    template, _created = NotificationTemplate.objects.update_or_create(
        archive=archive,
        purpose=purpose,
        defaults={"template_id": template_id, "kind": kind, "is_active": is_active},
    )
    after = {"template_id": template_id, "kind": kind, "active": is_active}
    if after != before:
        audit_record(
            actor=actor,
            action="notification_template.set",
            obj=template,
            archive=archive,
            before=before,
            after=after,
        )
    return template


# What the platform's refusals of a send mean, for the log staff read (the errcode follows).
SEND_ERRCODES = {
    -1: gettext_lazy("WeChat was busy"),
    40003: gettext_lazy("the follower is not known to this account"),
    40037: gettext_lazy("the template id is not the account's"),
    43004: gettext_lazy("the person does not follow the account"),
    43101: gettext_lazy("the follower has not allowed this subscription message"),
    45009: gettext_lazy("the account's daily limit is reached"),
    45015: gettext_lazy("more than 48 hours since the follower last wrote"),
    45047: gettext_lazy(
        "the customer-service messages allowed since the follower last wrote are used up"
    ),
    47003: gettext_lazy("a template field does not fit the template"),
}


def wechat_reason(exc: WeChatError) -> str:
    """Why WeChat did not take a send, in the reader's words, with the platform's errcode."""
    errcode = getattr(exc, "errcode", None)
    if errcode is None:
        return _("no answer from WeChat (network or server error)")
    meaning = SEND_ERRCODES.get(errcode)
    if meaning is None:
        return _("WeChat refused it, errcode %(code)s") % {"code": errcode}
    return _("%(meaning)s, errcode %(code)s") % {"meaning": meaning, "code": errcode}


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
        with translation.override(settings.LANGUAGE_CODE):
            return Delivered(False, "", _("already sent once"))
    tried: list[str] = []
    # The log is read by every staff member, whatever language the sender's request spoke:
    # its notes are written in the installation's language (Chinese by default).
    with translation.override(settings.LANGUAGE_CODE):
        channel, status = _send(row, text=text, fields=fields or {}, link=link, tried=tried)
        note = _("; ").join(tried)
        delivered_note = note or _("sent")
    Notification.objects.filter(pk=row.pk).update(
        status=status,
        channel=channel,
        note=note[:2000],
        sent_at=timezone.now() if channel else None,
    )
    delivered = status in (Notification.Status.SENT, Notification.Status.UNCERTAIN)
    return Delivered(delivered, channel, delivered_note)


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
                service = account.wechat_type == PlatformAccount.WeChatType.SERVICE
                if (
                    template is not None
                    and service
                    and template.kind == NotificationTemplate.Kind.SUBSCRIBE
                ):
                    # Only as many as the follower allowed on the platform's consent page;
                    # without one left the platform refuses (43101) and the window follows.
                    try:
                        api.subscribe_send(
                            row.openid,
                            template.template_id,
                            scene=SUBSCRIBE_SCENES.get(row.purpose, 0),
                            title=_clip(purpose_label(row.purpose), SUBSCRIBE_TITLE_MAX),
                            content=_clip(text, SUBSCRIBE_CONTENT_MAX),
                            url=link,
                        )
                        return Notification.Channel.SUBSCRIBE, Notification.Status.SENT
                    except WeChatUncertainError:
                        raise
                    except WeChatError as exc:
                        tried.append(
                            _("subscription message refused: %(reason)s")
                            % {"reason": wechat_reason(exc)}
                        )
                elif template is not None and fields and service:
                    data = {key: field_clip(key, value) for key, value in fields.items()}
                    try:
                        api.template_send(row.openid, template.template_id, data, url=link)
                        return Notification.Channel.TEMPLATE, Notification.Status.SENT
                    except WeChatUncertainError:
                        raise
                    except WeChatError as exc:
                        tried.append(
                            _("template message refused: %(reason)s")
                            % {"reason": wechat_reason(exc)}
                        )
                api.custom_send_text(row.openid, text)
                return Notification.Channel.CUSTOMER_SERVICE, Notification.Status.SENT
        except WeChatUncertainError as exc:
            logger.warning("notification answer lost: %s", exc, extra={"notification": row.pk})
            tried.append(_("sent on WeChat but its answer was lost; not repeated"))
            return Notification.Channel.CUSTOMER_SERVICE, Notification.Status.UNCERTAIN
        except WeChatError as exc:
            tried.append(
                _("not deliverable on WeChat: %(reason)s") % {"reason": wechat_reason(exc)}
            )
    elif row.openid:
        tried.append(_("not deliverable on WeChat: the archive has no WeChat account"))
    if row.email:
        try:
            send_mail(row.subject or text[:60], text, settings.DEFAULT_FROM_EMAIL, [row.email])
        except Exception as exc:  # any mail transport failure is recorded, not raised
            # The transport's own words go to the log; staff read the reason in theirs.
            logger.warning("notification mail failed: %s", exc, extra={"notification": row.pk})
            tried.append(
                _("e-mail not delivered: the mail server refused it or could not be reached")
            )
            return "", Notification.Status.UNDELIVERABLE
        return Notification.Channel.EMAIL, Notification.Status.SENT
    if not row.openid:
        tried.append(_("no WeChat follower and no e-mail address"))
    return "", Notification.Status.UNDELIVERABLE
