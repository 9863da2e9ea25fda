"""/api/v1/engagement/reservations/: resources, slots and bookings for the public (rate-limited),
the day's list, check-in, statistics and resource settings for staff (session authentication).

Codes and contacts travel in POST bodies, never in URLs (which end up in logs)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from archivox.core.access import archive_or_404, client_address
from archivox.reservations import selectors
from archivox.reservations.models import Booking, Resource, Slot
from archivox.reservations.services.booking import (
    reservation_book,
    reservation_cancel,
    reservation_get_for_person,
)
from archivox.reservations.services.common import BookingRefused
from archivox.reservations.services.ratelimits import public_request_allowed
from archivox.reservations.services.resources import closure_add, opening_hours_set
from archivox.reservations.services.resources import resource_create as resource_create_service
from archivox.reservations.services.slots import slot_days_public
from archivox.reservations.services.visits import reservation_check_in, reservation_rate

router = Router(tags=["reservations"])


class RefusedOut(Schema):
    detail: str
    reason: str


class OpeningOut(Schema):
    weekday: int
    opens: datetime.time
    closes: datetime.time


class ResourceOut(Schema):
    slug: str
    kind: str
    name: str
    name_en: str
    location: str
    description: str
    capacity: int
    slot_minutes: int
    horizon_days: int
    opening_hours: list[OpeningOut]


class SlotOut(Schema):
    id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    places_left: int


class DayOut(Schema):
    day: datetime.date
    closed: bool
    closed_reason: str
    slots: list[SlotOut]


class BookIn(Schema):
    slot_id: int
    name: str
    contact: str
    wechat_token: str = ""


class CodeIn(Schema):
    code: str
    contact: str


class BookingOut(Schema):
    code: str
    code_display: str
    status: str
    channel: str
    name: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class StaffBookingOut(BookingOut):
    contact: str
    checked_in_at: datetime.datetime | None
    reminder: str
    reminder_note: str


class FeedbackIn(Schema):
    token: str
    rating: int
    comment: str = ""


class StatsOut(Schema):
    bookings: int
    cancelled: int
    attended: int
    due: int
    attendance_rate: float | None
    ratings: int
    mean_rating: float | None


class ResourceIn(Schema):
    slug: str
    kind: str
    name: str
    name_en: str = ""
    description: str = ""
    location: str = ""
    capacity: int = 10
    slot_minutes: int = 120
    horizon_days: int = 14


class ClosureIn(Schema):
    first_day: datetime.date
    last_day: datetime.date | None = None
    reason: str = ""


def _resource_out(resource: Resource) -> dict:
    return {
        **{
            name: getattr(resource, name)
            for name in ResourceOut.model_fields
            if name != "opening_hours"
        },
        "opening_hours": [
            {"weekday": p.weekday, "opens": p.opens, "closes": p.closes}
            for p in resource.opening_hours.all()
        ],
    }


def _slot_out(slot: Slot) -> dict:
    return {
        "id": slot.pk,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "capacity": slot.capacity,
        "places_left": slot.places_left if slot.is_open else 0,
    }


def booking_out(booking: Booking, *, staff: bool = False) -> dict:
    data = {
        "code": booking.code,
        "code_display": booking.code_display,
        "status": booking.status,
        "channel": booking.channel,
        "name": booking.name,
        "place": booking.slot.title,
        "starts_at": booking.slot.starts_at,
        "ends_at": booking.slot.ends_at,
    }
    if staff:
        data.update(
            contact=booking.contact,
            checked_in_at=booking.checked_in_at,
            reminder=booking.reminder,
            reminder_note=booking.reminder_note,
        )
    return data


def _refused(refused: BookingRefused) -> dict:
    return {"detail": refused.message, "reason": refused.reason}


TOO_MANY = {"detail": "Too many requests; please wait a minute.", "reason": "rate_limited"}


# -- public --------------------------------------------------------------------------------------


@router.get("/{slug}/resources", response=list[ResourceOut])
def resources(request: HttpRequest, slug: str):
    return [_resource_out(r) for r in selectors.resource_list_public(archive=archive_or_404(slug))]


class SlotsQuery(Schema):
    start: datetime.date | None = None
    days: int = 7


@router.get("/{slug}/resources/{resource}/slots", response=list[DayOut])
def slots(request: HttpRequest, slug: str, resource: str, query: Query[SlotsQuery]):
    archive = archive_or_404(slug)
    found = get_object_or_404(selectors.resource_list_public(archive=archive), slug=resource)
    days = slot_days_public(resource=found, first_day=query.start, days=max(1, min(query.days, 62)))
    return [
        {
            "day": day.day,
            "closed": day.closed_reason is not None,
            "closed_reason": day.closed_reason or "",
            "slots": [_slot_out(slot) for slot in day.slots],
        }
        for day in days
    ]


@router.post(
    "/{slug}/bookings",
    response={201: BookingOut, 409: RefusedOut, 400: RefusedOut, 429: RefusedOut},
)
def book(request: HttpRequest, slug: str, payload: BookIn):
    archive = archive_or_404(slug)
    if not public_request_allowed(archive=archive, action="book", client=client_address(request)):
        return Status(429, TOO_MANY)
    try:
        booking = reservation_book(
            slot_id=payload.slot_id,
            archive=archive,
            name=payload.name,
            contact=payload.contact,
            wechat_token=payload.wechat_token[:600],
        )
    except BookingRefused as refused:
        status = 409 if refused.reason in {"full", "duplicate", "past", "closed"} else 400
        return Status(status, _refused(refused))
    return Status(201, booking_out(booking))


@router.post(
    "/{slug}/bookings/lookup", response={200: BookingOut, 404: RefusedOut, 429: RefusedOut}
)
def lookup(request: HttpRequest, slug: str, payload: CodeIn):
    archive = archive_or_404(slug)
    if not public_request_allowed(archive=archive, action="manage", client=client_address(request)):
        return Status(429, TOO_MANY)
    try:
        booking = reservation_get_for_person(
            archive=archive, code=payload.code, contact=payload.contact
        )
    except BookingRefused as refused:
        return Status(404, _refused(refused))
    return Status(200, booking_out(booking))


@router.post(
    "/{slug}/bookings/cancel",
    response={200: BookingOut, 404: RefusedOut, 409: RefusedOut, 429: RefusedOut},
)
def cancel(request: HttpRequest, slug: str, payload: CodeIn):
    archive = archive_or_404(slug)
    if not public_request_allowed(archive=archive, action="manage", client=client_address(request)):
        return Status(429, TOO_MANY)
    try:
        booking = reservation_cancel(archive=archive, code=payload.code, contact=payload.contact)
    except BookingRefused as refused:
        return Status((404 if refused.reason == "unknown_code" else 409), _refused(refused))
    return Status(200, booking_out(booking))


@router.post(
    "/{slug}/feedback",
    response={200: BookingOut, 404: RefusedOut, 409: RefusedOut, 429: RefusedOut},
)
def feedback(request: HttpRequest, slug: str, payload: FeedbackIn):
    archive = archive_or_404(slug)
    if not public_request_allowed(
        archive=archive, action="feedback", client=client_address(request)
    ):
        return Status(429, TOO_MANY)
    try:
        booking = reservation_rate(
            token=payload.token[:600], rating=payload.rating, comment=payload.comment
        )
    except BookingRefused as refused:
        return Status((404 if refused.reason.startswith("link") else 409), _refused(refused))
    return Status(200, booking_out(booking))


# -- staff ---------------------------------------------------------------------------------------


class DayQuery(Schema):
    date: datetime.date | None = None
    resource: str | None = None


@router.get("/{slug}/day", response=list[StaffBookingOut], auth=django_auth)
def day_list(request: HttpRequest, slug: str, query: Query[DayQuery]):
    archive = archive_or_404(slug)
    resource = None
    if query.resource:
        resource = get_object_or_404(Resource, archive=archive, slug=query.resource)
    bookings = selectors.booking_list_for_day(
        user=request.user,
        archive=archive,
        day=query.date or datetime.date.today(),
        resource=resource,
    )
    return [booking_out(b, staff=True) for b in bookings]


@router.post(
    "/{slug}/bookings/{code}/check-in",
    response={200: StaffBookingOut, 404: RefusedOut, 409: RefusedOut},
    auth=django_auth,
)
def check_in(request: HttpRequest, slug: str, code: str):
    archive = archive_or_404(slug)
    try:
        booking = selectors.booking_get_for_staff(user=request.user, archive=archive, code=code)
    except Booking.DoesNotExist:
        return Status(404, {"detail": "No reservation with this code.", "reason": "unknown_code"})
    try:
        booking = reservation_check_in(actor=request.user, booking=booking)
    except BookingRefused as refused:
        return Status(409, _refused(refused))
    return Status(200, booking_out(booking, staff=True))


class StatsQuery(Schema):
    start: datetime.date
    end: datetime.date


@router.get("/{slug}/stats", response=StatsOut, auth=django_auth)
def stats(request: HttpRequest, slug: str, query: Query[StatsQuery]):
    return selectors.visit_stats_for_staff(
        user=request.user, archive=archive_or_404(slug), start=query.start, end=query.end
    )


@router.post("/{slug}/resources", response={201: ResourceOut}, auth=django_auth)
def resource_create(request: HttpRequest, slug: str, payload: ResourceIn):
    resource = resource_create_service(
        actor=request.user, archive=archive_or_404(slug), **payload.model_dump()
    )
    return Status(201, _resource_out(resource))


class OpeningIn(Schema):
    periods: list[OpeningOut]


@router.put("/{slug}/resources/{resource}/opening-hours", response=ResourceOut, auth=django_auth)
def opening_hours(request: HttpRequest, slug: str, resource: str, payload: OpeningIn):
    found = get_object_or_404(Resource, archive=archive_or_404(slug), slug=resource)
    opening_hours_set(
        actor=request.user,
        resource=found,
        periods=[(p.weekday, p.opens, p.closes) for p in payload.periods],
    )
    return _resource_out(found)


@router.post("/{slug}/resources/{resource}/closures", response={201: ClosureIn}, auth=django_auth)
def closure(request: HttpRequest, slug: str, resource: str, payload: ClosureIn):
    found = get_object_or_404(Resource, archive=archive_or_404(slug), slug=resource)
    created = closure_add(actor=request.user, resource=found, **payload.model_dump())
    return Status(
        201,
        {"first_day": created.first_day, "last_day": created.last_day, "reason": created.reason},
    )
