"""Reminders and messages by the channel the person used (WeChat or e-mail): the reminder before
the visit, the invitation to rate it after check-in."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archivox.notifications.services import notify
from archivox.reservations.models import Booking
from archivox.reservations.services.links import feedback_link_for

logger = logging.getLogger("archivox.reservations.services")  # its name before the split

REMINDER_AHEAD = datetime.timedelta(hours=24)


def message_deliver(
    *,
    booking: Booking,
    subject: str,
    text: str,
    purpose: str = "",
    fields: dict[str, str] | None = None,
) -> tuple[bool, str]:
    """Send ``text`` to the person by the channel they booked through. (delivered, note).

    Through ``notifications.notify``: to a WeChat follower the archive's template message for
    ``purpose`` (with ``fields``), else a customer-service message within the window, else an
    e-mail if the contact is one; with ``purpose``, each booking's message is sent at most once."""
    email = booking.contact if "@" in booking.contact else ""
    if booking.channel != Booking.Channel.WECHAT and not email:
        with translation.override(settings.LANGUAGE_CODE):
            return False, _("reminder not deliverable: no e-mail address (phone only)")
    result = notify(
        archive=booking.archive,
        purpose=f"reservations.{purpose}" if purpose else "reservations.message",
        key=f"reservations.{purpose}:{booking.pk}" if purpose else "",
        text=text,
        subject=subject,
        openid=booking.openid if booking.channel == Booking.Channel.WECHAT else "",
        email=email,
        fields=fields,
        link=settings.BASE_URL
        + reverse("reservations:index", kwargs={"slug": booking.archive.slug}),
    )
    # Staff read the note (the booking's reminder note): in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        if result.delivered:
            return True, {
                "template": _("sent on WeChat (template message)"),
                "subscribe": _("sent on WeChat (subscription message)"),
                "customer_service": _("sent on WeChat"),
                "email": _("sent by e-mail"),
            }.get(result.channel, _("sent"))
        if booking.channel == Booking.Channel.WECHAT:
            note = _("reminder not deliverable on WeChat: %(reason)s")
        else:
            note = _("e-mail not delivered: %(reason)s")
        return False, (note % {"reason": result.note})[:300]


def _visit_fields(booking: Booking) -> dict[str, str]:
    """The template fields of a visit (the keys the archive's templates are set up with)."""
    return {
        "thing1": booking.slot.title,
        "time2": timezone.localtime(booking.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
        "character_string3": booking.code_display,
        "thing4": booking.archive.name_zh or booking.archive.name,
    }


def reservation_confirmation_send(*, booking_id: int) -> tuple[bool, str]:
    """After a booking by a known WeChat follower: the confirmation, in WeChat (once)."""
    booking = Booking.objects.select_related("slot__resource", "archive").get(pk=booking_id)
    if booking.status != Booking.Status.BOOKED or not booking.openid:
        return False, "not needed"
    start = timezone.localtime(booking.slot.starts_at)
    text = _("Booked: %(place)s (%(archive)s) on %(when)s. Confirmation code %(code)s.") % {
        "place": booking.slot.title,
        "archive": booking.archive.name_zh or booking.archive.name,
        "when": start.strftime("%Y-%m-%d %H:%M"),
        "code": booking.code_display,
    }
    return message_deliver(
        booking=booking,
        subject=_("Your reservation — %s") % (booking.archive.name_zh or booking.archive.name),
        text=text,
        purpose="confirmation",
        fields=_visit_fields(booking),
    )


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
            purpose="reminder",
            fields=_visit_fields(booking),
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
