"""Slots: generated from a resource's weekly pattern (idempotent), the public's bookable days, and
the resource-less slots of lecture events."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.core.models import Archive
from archivox.reservations.models import Closure, OpeningHours, Resource, Slot
from archivox.reservations.selectors import DaySlots


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
