"""Reservation fixtures: an archive with a reading room open every day, staff with roles."""

import datetime

import pytest
from django.utils import timezone

from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.reservations import services
from tests.catalog_fixtures import media_root, nanjing  # noqa: F401
from tests.factories import UserFactory

EVERY_DAY = [(weekday, datetime.time(9), datetime.time(17)) for weekday in range(7)]


@pytest.fixture
def reading_room(nanjing):  # noqa: F811
    room = services.resource_create(
        actor=None,
        archive=nanjing,
        slug="reading-room",
        kind="reading_room",
        name="查档阅览室",
        name_en="Reading room",
        capacity=3,
        slot_minutes=120,
        horizon_days=14,
        location="北京东路41号 一楼",
    )
    services.opening_hours_set(actor=None, resource=room, periods=EVERY_DAY)
    return room


@pytest.fixture
def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def slot(reading_room, tomorrow):
    services.slots_generate(resource=reading_room, first_day=tomorrow, last_day=tomorrow)
    return reading_room.slots.order_by("starts_at").first()


@pytest.fixture
def desk(nanjing):  # noqa: F811
    """A front-desk archivist of the archive."""
    user = UserFactory(username="desk")
    membership_grant(actor=None, archive=nanjing, user=user, role=Role.ARCHIVIST)
    return user


@pytest.fixture
def admin(nanjing):  # noqa: F811
    user = UserFactory(username="chief")
    membership_grant(actor=None, archive=nanjing, user=user, role=Role.ADMINISTRATOR)
    return user


def book(slot, name="王小明", contact="wang@example.com", **kwargs):
    return services.reservation_book(
        slot_id=slot.pk, archive=slot.archive, name=name, contact=contact, **kwargs
    )
