"""Reservations: resources, opening hours, closures, slots, bookings, reminders and feedback.

Capacity is kept by one conditional UPDATE (``booked = booked + 1 WHERE booked < capacity``):
on PostgreSQL concurrent updates of the slot row wait for each other and re-check the condition;
on SQLite the IMMEDIATE transaction serialises writers. Either way the database, not Python,
decides who gets the last place."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive, PlatformAccount, User
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, model_update, snapshot
from archivox.reservations.codes import code_generate, code_normalise
from archivox.reservations.models import (
    Booking,
    Closure,
    OpeningHours,
    Resource,
    Slot,
)
from archivox.reservations.selectors import DaySlots

logger = logging.getLogger(__name__)

WECHAT_LINK_SALT = "archivox.reservations.wechat-follower"
WECHAT_LINK_MAX_AGE = 7 * 24 * 3600
FEEDBACK_SALT = "archivox.reservations.visit-feedback"
FEEDBACK_MAX_AGE = 60 * 24 * 3600
REMINDER_AHEAD = datetime.timedelta(hours=24)
# A booking made this close to the visit needs no reminder: the person just booked.
REMINDER_NOT_NEEDED_WITHIN = datetime.timedelta(hours=3)
NAME_MAX = 100
CONTACT_MAX = 254
COMMENT_MAX = 2000
RESOURCE_FIELDS = (
    "slug",
    "kind",
    "name",
    "name_en",
    "description",
    "location",
    "capacity",
    "slot_minutes",
    "horizon_days",
    "is_active",
)


class BookingRefused(Exception):
    """A booking, cancellation or rating the public asked for cannot be done; ``message`` says
    why in words for the person, ``reason`` in a word for programs."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# -- codes, contacts, tokens ---------------------------------------------------------------------


# A signed token in a link (WeChat follower, feedback) is never longer than this.
TOKEN_MAX = 600


def booking_rate_limit() -> tuple[int, int]:
    """Bookings (and code look-ups) one address may make per window: (limit, seconds)."""
    return tuple(getattr(settings, "ARCHIVOX_RESERVATION_RATE_LIMIT", (20, 60)))


def public_request_allowed(*, archive: Archive, action: str, client: str) -> bool:
    """Count one public request (``book``, ``manage``, ``feedback``, ``register``) from the
    ``client`` address; False once the address is over its limit. The pages and the API of
    reservations and exhibitions share these counters."""
    limit, window = booking_rate_limit()
    return ratelimit_hit(f"reservations:{action}:{archive.pk}:{client}", limit=limit, window=window)


def contact_normalise(contact: str) -> str:
    contact = (contact or "").strip()
    if "@" in contact:
        return contact.lower()
    return re.sub(r"\D", "", contact)


def contact_validate(contact: str) -> str:
    """An e-mail address or a phone number; a ValidationError in the person's words otherwise."""
    contact = (contact or "").strip()
    if not contact:
        raise ValidationError({"contact": _("Please give an e-mail address or a phone number.")})
    if len(contact) > CONTACT_MAX:
        raise ValidationError(
            {"contact": _("The contact is too long (at most %d characters).") % CONTACT_MAX}
        )
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError as exc:
            raise ValidationError({"contact": _("This e-mail address is not valid.")}) from exc
        return contact
    if (
        not re.fullmatch(r"\+?[\d\s\-()]{5,30}", contact)
        or not 5 <= len(contact_normalise(contact)) <= 20
    ):
        raise ValidationError(
            {"contact": _("Please give an e-mail address or a phone number (digits only).")}
        )
    return contact


def name_validate(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Please give your name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("The name is too long (at most %d characters).") % NAME_MAX}
        )
    return name


def reservation_link_for_follower(*, archive: Archive, openid: str) -> str:
    """The reservations page of ``archive`` for the WeChat follower ``openid`` (a menu reply).

    We cannot use WeChat OAuth here, so the link carries the openid signed (salted, expiring
    after WECHAT_LINK_MAX_AGE); bookings made through it remember the follower, and their
    reminders go back to WeChat."""
    token = signing.dumps({"a": archive.pk, "o": openid}, salt=WECHAT_LINK_SALT)
    path = reverse("reservations:index", kwargs={"slug": archive.slug})
    return f"{settings.BASE_URL}{path}?wx={token}"


def follower_openid_from_token(*, archive: Archive, token: str) -> str:
    """The openid a follower link was made for; BookingRefused when forged, for another
    archive, or expired."""
    try:
        data = signing.loads(token, salt=WECHAT_LINK_SALT, max_age=WECHAT_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BookingRefused(
            "link_expired",
            _("This WeChat link has expired; please open the menu in WeChat again."),
        ) from exc
    except signing.BadSignature as exc:
        raise BookingRefused("link_invalid", _("This WeChat link is not valid.")) from exc
    if not isinstance(data, dict) or data.get("a") != archive.pk or not data.get("o"):
        raise BookingRefused("link_invalid", _("This WeChat link is not valid."))
    return str(data["o"])[:64]


def feedback_token_for(booking: Booking) -> str:
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=FEEDBACK_SALT)


def feedback_link_for(booking: Booking) -> str:
    path = reverse(
        "reservations:feedback",
        kwargs={"slug": booking.archive.slug, "token": feedback_token_for(booking)},
    )
    return f"{settings.BASE_URL}{path}"


def booking_from_feedback_token(token: str) -> Booking:
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BookingRefused("link_expired", _("This feedback link has expired.")) from exc
    except signing.BadSignature as exc:
        raise BookingRefused("link_invalid", _("This feedback link is not valid.")) from exc
    booking = (
        Booking.objects.select_related("slot__resource", "archive")
        .filter(pk=data.get("b"), code=data.get("c"))
        .first()
    )
    if booking is None:
        raise BookingRefused("link_invalid", _("This feedback link is not valid."))
    return booking


# -- resources, opening hours, closures (staff) -------------------------------------------------


@transaction.atomic
def resource_create(*, actor: User | None, archive: Archive, **values: Any) -> Resource:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    unknown = set(values) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    resource = Resource(archive=archive, **values)
    resource.full_clean()
    resource.save()
    audit_record(
        actor=actor,
        action="resource.create",
        obj=resource,
        archive=archive,
        after=snapshot(resource, RESOURCE_FIELDS),
    )
    return resource


@transaction.atomic
def resource_update(*, actor: User | None, resource: Resource, **changes: Any) -> Resource:
    if actor is not None:
        archive_check_capability(
            user=actor, archive=resource.archive, capability=Capability.ARCHIVE_MANAGE
        )
    unknown = set(changes) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    model_update(
        actor=actor,
        instance=resource,
        changes=changes,
        action="resource.update",
        archive=resource.archive,
    )
    return resource


@transaction.atomic
def opening_hours_set(
    *,
    actor: User | None,
    resource: Resource,
    periods: Iterable[tuple[int, datetime.time, datetime.time]],
) -> list[OpeningHours]:
    """Replace the weekly pattern of ``resource`` with ``periods`` (weekday, opens, closes).
    Slots already generated stay; new ones follow the new pattern."""
    if actor is not None:
        archive_check_capability(
            user=actor, archive=resource.archive, capability=Capability.ARCHIVE_MANAGE
        )
    rows = []
    for weekday, opens, closes in periods:
        row = OpeningHours(resource=resource, weekday=weekday, opens=opens, closes=closes)
        row.full_clean()
        if closes <= opens:
            raise ValidationError({"closes": _("A period must close after it opens.")})
        rows.append(row)
    before = [str(row) for row in resource.opening_hours.all()]
    resource.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="opening_hours.set",
        obj=resource,
        archive=resource.archive,
        before={"periods": before},
        after={"periods": [str(row) for row in rows]},
    )
    return rows


@transaction.atomic
def closure_add(
    *,
    actor: User | None,
    resource: Resource,
    first_day: datetime.date,
    last_day: datetime.date | None = None,
    reason: str = "",
) -> Closure:
    """Close ``resource`` on these days. Existing bookings stay (staff see them flagged in the
    day's list and contact the people); no new booking is taken."""
    if actor is not None:
        archive_check_capability(
            user=actor, archive=resource.archive, capability=Capability.ARCHIVE_MANAGE
        )
    closure = Closure(
        resource=resource, first_day=first_day, last_day=last_day or first_day, reason=reason
    )
    closure.full_clean()
    if closure.last_day < closure.first_day:
        raise ValidationError({"last_day": _("The last day is before the first day.")})
    closure.save()
    audit_record(
        actor=actor,
        action="closure.add",
        obj=closure,
        archive=resource.archive,
        after=snapshot(closure, ("first_day", "last_day", "reason")),
    )
    return closure


@transaction.atomic
def closure_remove(*, actor: User | None, closure: Closure) -> None:
    archive = closure.resource.archive
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    audit_record(
        actor=actor,
        action="closure.remove",
        obj=closure,
        archive=archive,
        before=snapshot(closure, ("first_day", "last_day", "reason")),
    )
    closure.delete()


def resource_is_closed_on(resource: Resource, day: datetime.date) -> bool:
    return resource.closures.filter(first_day__lte=day, last_day__gte=day).exists()


def slots_generate(*, resource: Resource, first_day: datetime.date, last_day: datetime.date) -> int:
    """Create the slots of ``resource`` from its weekly pattern for these days (idempotent:
    existing slots are kept as they are). Returns how many were created."""
    periods: dict[int, list[OpeningHours]] = {}
    for period in resource.opening_hours.all():
        periods.setdefault(period.weekday, []).append(period)
    step = datetime.timedelta(minutes=resource.slot_minutes)
    tz = timezone.get_default_timezone()
    new: list[Slot] = []
    day = first_day
    while day <= last_day:
        for period in periods.get(day.weekday(), []):
            start = timezone.make_aware(datetime.datetime.combine(day, period.opens), tz)
            close = timezone.make_aware(datetime.datetime.combine(day, period.closes), tz)
            while start + step <= close:
                new.append(
                    Slot(
                        archive_id=resource.archive_id,
                        resource=resource,
                        starts_at=start,
                        ends_at=start + step,
                        capacity=resource.capacity,
                    )
                )
                start += step
        day += datetime.timedelta(days=1)
    if not new:
        return 0
    existing = set(
        Slot.objects.filter(
            resource=resource, starts_at__in=[slot.starts_at for slot in new]
        ).values_list("starts_at", flat=True)
    )
    missing = [slot for slot in new if slot.starts_at not in existing]
    # ignore_conflicts: two requests generating the same day at once both succeed.
    Slot.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def slots_generate_ahead(*, today: datetime.date | None = None) -> int:
    """Generate every active resource's slots for its booking horizon (a daily task)."""
    today = today or timezone.localdate()
    created = 0
    for resource in Resource.objects.filter(is_active=True).prefetch_related("opening_hours"):
        created += slots_generate(
            resource=resource,
            first_day=today,
            last_day=today + datetime.timedelta(days=resource.horizon_days),
        )
    return created


# -- slots for lecture events (the exhibitions app calls these) ---------------------------------


def slot_create_for_event(
    *,
    archive: Archive,
    label: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
) -> Slot:
    """A slot without a resource: the registrations of a lecture use the same booking core."""
    slot = Slot(
        archive=archive, label=label[:200], starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    slot.full_clean()
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    slot.save()
    return slot


@transaction.atomic
def slot_update_for_event(
    *,
    slot: Slot,
    label: str | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    capacity: int | None = None,
    is_open: bool | None = None,
) -> Slot:
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    if capacity is not None and capacity < slot.booked:
        raise ValidationError(
            {
                "capacity": _("%(booked)d people are already registered; capacity cannot be less.")
                % {"booked": slot.booked}
            }
        )
    for name, value in (
        ("label", label),
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("capacity", capacity),
        ("is_open", is_open),
    ):
        if value is not None:
            setattr(slot, name, value)
    slot.full_clean()
    if slot.ends_at <= slot.starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    slot.save()
    return slot


# -- bookings (the public) ----------------------------------------------------------------------


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
    person_key = f"wx:{openid}" if openid else f"c:{contact_normalise(contact)}"
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
        person_key=person_key[:254],
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


# -- reminders and messages by the channel the person used --------------------------------------


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


def slot_days_public(
    *,
    resource: Resource,
    first_day: datetime.date | None = None,
    days: int | None = None,
    now: datetime.datetime | None = None,
) -> list[DaySlots]:
    """The bookable days of ``resource`` from ``first_day`` within its horizon, slots generated
    on the way (idempotent, hence a service), past slots left out, closed days marked."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first_day = max(first_day or today, today)
    last_day = min(
        first_day + datetime.timedelta(days=(days or resource.horizon_days) - 1),
        today + datetime.timedelta(days=resource.horizon_days),
    )
    if last_day < first_day:
        return []
    slots_generate(resource=resource, first_day=first_day, last_day=last_day)
    closures = list(
        Closure.objects.filter(resource=resource, first_day__lte=last_day, last_day__gte=first_day)
    )
    by_day: dict[datetime.date, list[Slot]] = {}
    for slot in Slot.objects.filter(
        resource=resource,
        starts_at__gt=now,
        starts_at__date__lte=last_day,
    ).order_by("starts_at"):
        by_day.setdefault(timezone.localtime(slot.starts_at).date(), []).append(slot)
    result = []
    day = first_day
    while day <= last_day:
        closure = next((c for c in closures if c.first_day <= day <= c.last_day), None)
        slots = by_day.get(day, [])
        if closure is not None:
            result.append(DaySlots(day, closure.reason, []))
        elif slots:
            result.append(DaySlots(day, None, slots))
        day += datetime.timedelta(days=1)
    return result
