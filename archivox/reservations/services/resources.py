"""Resources, opening hours and closures: what staff set up in the console. Every change is
audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, model_update, snapshot
from archivox.reservations.models import Closure, OpeningHours, Resource

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
