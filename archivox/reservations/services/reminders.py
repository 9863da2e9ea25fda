"""Reminders and messages by the channel the person used (WeChat or e-mail): the reminder before
the visit, the invitation to rate it after check-in."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, PlatformAccount
from archivox.reservations.models import Booking
from archivox.reservations.services.links import feedback_link_for

logger = logging.getLogger("archivox.reservations.services")  # its name before the split

REMINDER_AHEAD = datetime.timedelta(hours=24)


def _wechat_account(archive: Archive) -> PlatformAccount | None:
    return PlatformAccount.objects.filter(
        archive=archive, platform=PlatformAccount.Platform.WECHAT
    ).first()


def message_deliver(*, booking: Booking, subject: str, text: str) -> tuple[bool, str]:
    """Send ``text`` to the person by the channel they booked through. (delivered, note)."""
    from archivox.platforms.wechat.client import client_for_account
    from archivox.platforms.wechat.errors import WeChatError, WeChatOutOfWindowError

    if booking.channel == Booking.Channel.WECHAT:
        account = _wechat_account(booking.archive)
        if account is None:
            return False, "reminder not deliverable on WeChat: the archive has no WeChat account"
        try:
            with client_for_account(account) as api:
                api.custom_send_text(booking.openid, text)
        except WeChatOutOfWindowError as exc:
            # The follower has not written within 48 hours: WeChat allows no message now.
            return False, f"reminder not deliverable on WeChat: window closed ({exc})"[:300]
        except WeChatError as exc:
            return False, f"reminder not deliverable on WeChat: {exc}"[:300]
        return True, "sent on WeChat"
    if "@" not in booking.contact:
        return False, "reminder not deliverable: no e-mail address (phone only)"
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [booking.contact])
    except Exception as exc:  # any mail transport failure is recorded, not raised
        logger.warning("reservation mail failed", extra={"booking": booking.pk})
        return False, f"e-mail not delivered: {exc}"[:300]
    return True, "sent by e-mail"


def _reminder_text(booking: Booking) -> str:
    start = timezone.localtime(booking.slot.starts_at)
    archive = booking.archive
    return _(
        "Reminder: your visit to %(place)s (%(archive)s) is on %(when)s. "
        "Confirmation code %(code)s. To cancel, use the code on the reservations page: %(link)s"
    ) % {
        "place": booking.slot.title,
        "archive": archive.name_zh or archive.name,
        "when": start.strftime("%Y-%m-%d %H:%M"),
        "code": booking.code_display,
        "link": settings.BASE_URL + reverse("reservations:index", kwargs={"slug": archive.slug}),
    }


def reservation_reminders_send(*, now: datetime.datetime | None = None, limit: int = 500) -> dict:
    """Remind people of visits within REMINDER_AHEAD, each booking at most once: the booking is
    claimed (pending → sending) by a conditional UPDATE before anything is sent, so two workers
    never both send, and a crash after sending never sends again."""
    now = now or timezone.now()
    due = list(
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            reminder=Booking.Reminder.PENDING,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + REMINDER_AHEAD,
        ).values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "undeliverable": 0}
    for pk in due:
        claimed = Booking.objects.filter(pk=pk, reminder=Booking.Reminder.PENDING).update(
            reminder=Booking.Reminder.SENDING, reminder_at=now
        )
        if not claimed:
            continue
        booking = Booking.objects.select_related("slot__resource", "archive").get(pk=pk)
        delivered, note = message_deliver(
            booking=booking,
            subject=_("Reminder of your visit — %s")
            % (booking.archive.name_zh or booking.archive.name),
            text=_reminder_text(booking),
        )
        Booking.objects.filter(pk=pk).update(
            reminder=Booking.Reminder.SENT if delivered else Booking.Reminder.UNDELIVERABLE,
            reminder_note=note,
            reminder_at=timezone.now(),
        )
        counts["sent" if delivered else "undeliverable"] += 1
    return counts


def reservation_feedback_invite(*, booking_id: int) -> tuple[bool, str]:
    """After check-in: ask the visitor, by their channel, to rate the visit."""
    booking = Booking.objects.select_related("slot__resource", "archive").get(pk=booking_id)
    if booking.status != Booking.Status.CHECKED_IN or booking.rated_at is not None:
        return False, "not needed"
    archive = booking.archive
    text = _(
        "Thank you for visiting %(archive)s. How was it? Rate your visit (1–5) here: %(link)s"
    ) % {"archive": archive.name_zh or archive.name, "link": feedback_link_for(booking)}
    return message_deliver(
        booking=booking,
        subject=_("How was your visit? — %s") % (archive.name_zh or archive.name),
        text=text,
    )
