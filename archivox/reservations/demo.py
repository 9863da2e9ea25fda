"""Demo reservations: a reading room and an exhibition hall with opening hours for every demo
archive (idempotent: an archive that already has them is left alone)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from archivox.core.models import Archive
from archivox.reservations.models import Resource
from archivox.reservations.services.resources import closure_add, opening_hours_set, resource_create
from archivox.reservations.services.slots import slots_generate_ahead

WEEKDAYS = range(0, 5)
READING_ROOM_HOURS = [
    *((day, datetime.time(9), datetime.time(12)) for day in WEEKDAYS),
    *((day, datetime.time(13, 30), datetime.time(17)) for day in WEEKDAYS),
]
# Exhibition halls commonly close on Mondays and open at weekends.
HALL_HOURS = [(day, datetime.time(9), datetime.time(16, 30)) for day in range(1, 7)]


@transaction.atomic
def demo_reservations_load(*, slugs: list[str] | None = None) -> list[str]:
    """Create the demo resources; returns the lines of a report."""
    archives = Archive.objects.filter(is_demo=True).order_by("slug")
    if slugs:
        archives = archives.filter(slug__in=slugs)
    lines = []
    today = timezone.localdate()
    new_year = datetime.date(today.year + 1, 1, 1)
    for archive in archives:
        name = archive.name_zh or archive.name
        created = 0
        if not Resource.objects.filter(archive=archive, slug="reading-room").exists():
            room = resource_create(
                actor=None,
                archive=archive,
                slug="reading-room",
                kind=Resource.Kind.READING_ROOM,
                name="查档阅览室",
                name_en="Reading room",
                description="查阅开放档案及数字化副本，请携带身份证件。限制利用档案须提前申请。",
                location=f"{name} 一楼",
                capacity=12,
                slot_minutes=90,
            )
            opening_hours_set(actor=None, resource=room, periods=READING_ROOM_HOURS)
            closure_add(actor=None, resource=room, first_day=new_year, reason="元旦闭馆")
            created += 1
        if not Resource.objects.filter(archive=archive, slug="exhibition-hall").exists():
            hall = resource_create(
                actor=None,
                archive=archive,
                slug="exhibition-hall",
                kind=Resource.Kind.EXHIBITION_HALL,
                name="档案陈列馆",
                name_en="Exhibition hall",
                description="馆藏特色档案陈列，免费参观，每场次限额入场。",
                location=f"{name} 陈列馆",
                capacity=30,
                slot_minutes=90,
            )
            opening_hours_set(actor=None, resource=hall, periods=HALL_HOURS)
            created += 1
        lines.append(f"{archive.slug}: {created} resource(s) created")
    slots_generate_ahead(today=today)
    return lines
