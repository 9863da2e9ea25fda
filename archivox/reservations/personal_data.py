"""Personal data of reservations, for ``core.personal_data``: who booked (name, e-mail or phone,
openid). Purging keeps the bookings, so visit counts stay, and removes who they were."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from archivox.core.personal_data import (
    PURGED,
    PersonalDataSource,
    personal_data_source_register,
    purged_key,
)


def bookings_purge(*, before: datetime.datetime) -> int:
    from archivox.reservations.models import Booking

    return (
        Booking.objects.filter(created_at__lt=before)
        .exclude(person_key__startswith=PURGED)
        .update(name="", contact="", openid="", person_key=purged_key())
    )


def bookings_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.reservations.models import Booking
    from archivox.reservations.services.contacts import person_key_for

    # The openid is stored encrypted (no equality on it): the keyed digests find the person.
    keys = {person_key_for(openid=identifier), person_key_for(contact=identifier)}
    found = Booking.objects.filter(
        Q(contact__iexact=identifier) | Q(person_key__in=keys)
    ).select_related("archive", "slot")
    return [
        {
            "archive": booking.archive.slug,
            "code": booking.code,
            "name": booking.name,
            "contact": booking.contact,
            "slot": booking.slot.starts_at,
            "status": booking.status,
            "booked_at": booking.created_at,
        }
        for booking in found
    ]


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "reservations",
            "bookings: names, e-mail or phone, openid",
            bookings_purge,
            bookings_export,
        )
    )
