"""Reads of reservations: what the public may book, the staff's day list, visit statistics."""

from __future__ import annotations

import dataclasses
import datetime

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.reservations.codes import code_normalise
from archivox.reservations.models import Booking, Resource, Slot


def resource_list_public(*, archive: Archive) -> QuerySet[Resource]:
    return Resource.objects.filter(archive=archive, is_active=True).prefetch_related(
        "opening_hours"
    )


def resource_get_public(*, archive: Archive, slug: str) -> Resource:
    return resource_list_public(archive=archive).get(slug=slug)


def booking_get_public(*, archive: Archive, pk: int) -> Booking | None:
    """A booking this browser just made (its id kept in the visitor's session), or None."""
    return Booking.objects.select_related("slot__resource").filter(archive=archive, pk=pk).first()


def resource_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Resource]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    return Resource.objects.filter(archive=archive).prefetch_related("opening_hours", "closures")


@dataclasses.dataclass
class DaySlots:
    day: datetime.date
    closed_reason: str | None  # None: open; "" or a reason: closed that day
    slots: list[Slot]


def booking_list_for_day(
    *, user: User, archive: Archive, day: datetime.date, resource: Resource | None = None
) -> QuerySet[Booking]:
    """The day's bookings (live and cancelled) for the front desk, in order of arrival."""
    archive_check_capability(user=user, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
    bookings = Booking.objects.filter(
        archive=archive,
        slot__starts_at__gte=start,
        slot__starts_at__lt=start + datetime.timedelta(days=1),
    ).select_related("slot__resource")
    if resource is not None:
        bookings = bookings.filter(slot__resource=resource)
    return bookings.order_by("slot__starts_at", "status", "name")


def booking_get_for_staff(*, user: User, archive: Archive, code: str) -> Booking:
    archive_check_capability(user=user, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    return Booking.objects.select_related("slot__resource", "archive").get(
        archive=archive, code=code_normalise(code)
    )


def booking_list_for_slot(*, user: User, slot: Slot) -> QuerySet[Booking]:
    archive_check_capability(
        user=user, archive=slot.archive, capability=Capability.CONSULTATION_ANSWER
    )
    return Booking.objects.filter(slot=slot).order_by("status", "created_at")


@dataclasses.dataclass(frozen=True)
class VisitStats:
    bookings: int  # not cancelled, visit in the period
    cancelled: int
    attended: int
    due: int  # bookings whose time has come (the attendance rate's base)
    attendance_rate: float | None  # attended / due
    ratings: int
    mean_rating: float | None


def visit_stats_for_staff(
    *, user: User, archive: Archive, start: datetime.date, end: datetime.date
) -> VisitStats:
    archive_check_capability(user=user, archive=archive, capability=Capability.CONSULTATION_ANSWER)
    return visit_stats(archive=archive, start=start, end=end)


def visit_stats(
    *,
    archive: Archive,
    start: datetime.date,
    end: datetime.date,
    now: datetime.datetime | None = None,
) -> VisitStats:
    """Bookings, attendance and satisfaction of visits between ``start`` and ``end`` (both
    included), for the survey's indicators of the archive itself."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    low = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    high = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    live = ~Q(status=Booking.Status.CANCELLED)
    row = Booking.objects.filter(
        archive=archive, slot__starts_at__gte=low, slot__starts_at__lt=high
    ).aggregate(
        bookings=Count("pk", filter=live),
        cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        attended=Count("pk", filter=Q(status=Booking.Status.CHECKED_IN)),
        due=Count(
            "pk",
            filter=live & (Q(slot__starts_at__lte=now) | Q(status=Booking.Status.CHECKED_IN)),
        ),
        ratings=Count("rating"),
        mean_rating=Avg("rating"),
    )
    due = row["due"]
    return VisitStats(
        bookings=row["bookings"],
        cancelled=row["cancelled"],
        attended=row["attended"],
        due=due,
        attendance_rate=round(row["attended"] / due, 4) if due else None,
        ratings=row["ratings"],
        mean_rating=round(float(row["mean_rating"]), 2) if row["mean_rating"] is not None else None,
    )


def visitor_counts_for_day(*, archive_ids: list[int], day: datetime.date) -> dict[int, int]:
    """Live bookings per archive for ``day`` (the dashboard; one query)."""
    from django.db.models import Count

    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
    return dict(
        Booking.objects.filter(
            archive_id__in=archive_ids,
            status=Booking.Status.BOOKED,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + datetime.timedelta(days=1),
        )
        .values_list("archive_id")
        .annotate(n=Count("pk"))
    )
