"""The visit: staff check the visitor in, and the visitor rates the visit once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.reservations.models import Booking
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.links import booking_from_feedback_token

COMMENT_MAX = 2000


@transaction.atomic
def reservation_check_in(
    *, actor: User, booking: Booking, now: datetime.datetime | None = None
) -> Booking:
    """Staff check a visitor in; the visitor is then invited to rate the visit."""
    archive_check_capability(
        user=actor, archive=booking.archive, capability=Capability.CONSULTATION_ANSWER
    )
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    if booking.status == Booking.Status.CHECKED_IN:
        raise BookingRefused("checked_in", _("This visitor is already checked in."))
    if booking.status == Booking.Status.CANCELLED:
        raise BookingRefused("cancelled", _("This reservation was cancelled."))
    if timezone.localtime(booking.slot.starts_at).date() > timezone.localtime(now).date():
        raise BookingRefused("too_early", _("This reservation is for a later day."))
    booking.status = Booking.Status.CHECKED_IN
    booking.checked_in_at = now
    booking.checked_in_by = actor
    if booking.reminder == Booking.Reminder.PENDING:
        booking.reminder = Booking.Reminder.NOT_NEEDED
    booking.save(update_fields=["status", "checked_in_at", "checked_in_by", "reminder"])
    audit_record(
        actor=actor,
        action="booking.check_in",
        obj=booking,
        archive=booking.archive,
        before={"status": "booked"},
        after={"status": "checked_in"},
    )
    from archivox.reservations import tasks

    transaction.on_commit(lambda: tasks.reservation_feedback_invite(booking.pk))
    return booking


@transaction.atomic
def reservation_rate(*, token: str, rating: Any, comment: str = "") -> Booking:
    """The visitor rates a visit that took place (1–5) with an optional comment, once."""
    booking = booking_from_feedback_token(token)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Please choose a rating from 1 to 5.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("The comment is too long (at most %d characters).") % COMMENT_MAX}
        )
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != Booking.Status.CHECKED_IN:
        raise BookingRefused("not_visited", _("A visit can be rated once it has taken place."))
    if booking.rated_at is not None:
        raise BookingRefused("already_rated", _("Thank you — you have already rated this visit."))
    booking.rating = rating
    booking.comment = comment
    booking.rated_at = timezone.now()
    booking.full_clean(validate_unique=False, validate_constraints=False)
    booking.save(update_fields=["rating", "comment", "rated_at"])
    return booking
