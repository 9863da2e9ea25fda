"""Booking by the public: the capacity guarantee (one conditional UPDATE, see the package), the
confirmation code, looking a booking up and cancelling it (by the person or by staff)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.reservations.codes import code_generate, code_normalise
from archivox.reservations.models import Booking, Slot
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.contacts import (
    contact_normalise,
    contact_validate,
    name_validate,
    person_key_for,
)
from archivox.reservations.services.links import follower_openid_from_token

# A booking made this close to the visit needs no reminder: the person just booked.
REMINDER_NOT_NEEDED_WITHIN = datetime.timedelta(hours=3)


def _bookable_or_refuse(slot: Slot, now: datetime.datetime) -> None:
    if slot.starts_at <= now:
        raise BookingRefused(
            "past", _("This time has already begun or passed; choose a later one.")
        )
    if not slot.is_open:
        raise BookingRefused("closed", _("This time is not open for booking."))
    if slot.resource_id is not None:
        resource = slot.resource
        if not resource.is_active:
            raise BookingRefused("closed", _("%s is not taking bookings.") % resource.name)
        day = timezone.localtime(slot.starts_at).date()
        closure = resource.closures.filter(first_day__lte=day, last_day__gte=day).first()
        if closure is not None:
            raise BookingRefused(
                "closed",
                _("%(name)s is closed on %(day)s%(reason)s.")
                % {
                    "name": resource.name,
                    "day": day.isoformat(),
                    "reason": f" ({closure.reason})" if closure.reason else "",
                },
            )


@transaction.atomic
def reservation_book(
    *,
    slot_id: int,
    archive: Archive,
    name: str,
    contact: str,
    wechat_token: str = "",
    now: datetime.datetime | None = None,
) -> Booking:
    """Book one place in slot ``slot_id`` of ``archive``; the new booking with its code.

    Refused (BookingRefused) when the slot is unknown, past, closed, full, or already booked by
    the same person; ValidationError (per field) for a missing or malformed name or contact."""
    now = now or timezone.now()
    name = name_validate(name)
    contact = contact_validate(contact)
    openid = follower_openid_from_token(archive=archive, token=wechat_token) if wechat_token else ""
    slot = Slot.objects.select_related("resource").filter(pk=slot_id, archive=archive).first()
    if slot is None:
        raise BookingRefused("unknown_slot", _("This time does not exist; please choose again."))
    _bookable_or_refuse(slot, now)
    person_key = person_key_for(openid=openid, contact=contact)
    if Booking.objects.filter(
        slot=slot,
        person_key=person_key,
        status__in=[Booking.Status.BOOKED, Booking.Status.CHECKED_IN],
    ).exists():
        raise BookingRefused("duplicate", _("You have already booked this time."))
    # The capacity guarantee: one conditional UPDATE, decided by the database.
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise BookingRefused("full", _("This time is fully booked; please choose another."))
    booking = Booking(
        archive=archive,
        slot=slot,
        name=name,
        contact=contact,
        person_key=person_key,
        channel=Booking.Channel.WECHAT if openid else Booking.Channel.WEB,
        openid=openid,
        reminder=(
            Booking.Reminder.NOT_NEEDED
            if slot.starts_at - now <= REMINDER_NOT_NEEDED_WITHIN
            else Booking.Reminder.PENDING
        ),
    )
    for _attempt in range(5):
        booking.code = code_generate()
        booking.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                booking.save(force_insert=True)
            break
        except IntegrityError as exc:
            # The same person booking twice at the same moment meets the unique constraint;
            # raising here rolls the place back with the rest of the transaction.
            if Booking.objects.filter(
                slot=slot, person_key=booking.person_key, status__in=["booked", "checked_in"]
            ).exists():
                raise BookingRefused("duplicate", _("You have already booked this time.")) from exc
            booking.pk = None  # a code collision: draw another
    else:  # pragma: no cover - five 40-bit collisions in a row
        raise RuntimeError("could not draw a free confirmation code")
    if openid:
        # A known WeChat follower gets the confirmation in WeChat (once, after the commit).
        from archivox.reservations import tasks

        booking_id = booking.pk
        transaction.on_commit(lambda: tasks.reservation_confirm(booking_id), robust=True)
    return booking


def _booking_for_person(
    *, archive: Archive, code: str, contact: str, lock: bool = False
) -> Booking:
    code = code_normalise(code)
    bookings = Booking.objects.select_related("slot__resource", "archive")
    if lock:
        bookings = bookings.select_for_update(of=("self",))
    booking = bookings.filter(archive=archive, code=code).first() if code else None
    # An unknown code and a wrong contact get the same answer: a code alone reveals nothing.
    if booking is None or contact_normalise(booking.contact) != contact_normalise(contact):
        raise BookingRefused(
            "unknown_code",
            _(
                "We found no reservation with this confirmation code and contact. "
                "Please check both (the code has 8 letters and digits, e.g. ABCD-EF23)."
            ),
        )
    return booking


def reservation_get_for_person(*, archive: Archive, code: str, contact: str) -> Booking:
    return _booking_for_person(archive=archive, code=code, contact=contact)


@transaction.atomic
def reservation_cancel(
    *, archive: Archive, code: str, contact: str, now: datetime.datetime | None = None
) -> Booking:
    """The person cancels with the confirmation code and the contact they booked with; the
    place is given back."""
    now = now or timezone.now()
    booking = _booking_for_person(archive=archive, code=code, contact=contact, lock=True)
    if booking.status == Booking.Status.CANCELLED:
        raise BookingRefused("already_cancelled", _("This reservation was already cancelled."))
    if booking.status == Booking.Status.CHECKED_IN:
        raise BookingRefused("checked_in", _("This visit has already taken place."))
    if booking.slot.starts_at <= now:
        raise BookingRefused(
            "past", _("This time has already begun; it can no longer be cancelled online.")
        )
    _release(booking, now)
    return booking


def _release(booking: Booking, now: datetime.datetime) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = now
    booking.reminder = (
        Booking.Reminder.NOT_NEEDED
        if booking.reminder == Booking.Reminder.PENDING
        else booking.reminder
    )
    booking.save(update_fields=["status", "cancelled_at", "reminder"])
    Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)


@transaction.atomic
def reservation_cancel_by_staff(*, actor: User, booking: Booking, reason: str = "") -> Booking:
    archive_check_capability(
        user=actor, archive=booking.archive, capability=Capability.CONSULTATION_ANSWER
    )
    booking = Booking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise BookingRefused("not_booked", _("Only a booked reservation can be cancelled."))
    _release(booking, timezone.now())
    audit_record(
        actor=actor,
        action="booking.cancel",
        obj=booking,
        archive=booking.archive,
        before={"status": "booked"},
        after={"status": "cancelled", "reason": reason[:300]},
    )
    return booking
