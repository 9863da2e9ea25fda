"""Closed records-use requests made on given days, for the survey's and the demand dashboard's
tests: the rows a worked request leaves (created, due, closed), without the workflow."""

import datetime
from zoneinfo import ZoneInfo

from archivox.records_requests.models import Category, Delivery, Proof, RecordsRequest
from archivox.records_requests.services.setup import request_kind_save

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_requests(
    archive,
    *,
    on_time: int,
    late: int = 0,
    category: str = Category.SCHOOL,
    start: datetime.date | None = None,
) -> None:
    """``on_time`` requests closed in 3 days and ``late`` in 12, due in 7, one a day from
    ``start`` (today when None)."""
    from django.utils import timezone

    start = start or timezone.localdate()
    kind = request_kind_save(
        actor=None,
        archive=archive,
        category=category,
        years_from=1950,
        years_to=2000,
        working_days=5,
        deliveries=[Delivery.DOWNLOAD],
    )
    for n in range(on_time + late):
        created = datetime.datetime.combine(start + datetime.timedelta(days=n), datetime.time(9))
        created = created.replace(tzinfo=SHANGHAI)
        closed = created + datetime.timedelta(days=3 if n < on_time else 12)
        request = RecordsRequest.objects.create(
            code=f"{archive.slug[:4].upper()}{category[:2].upper()}{start:%m%d}{n:03d}",
            archive=archive,
            holding_archive=archive,
            kind=kind,
            category=category,
            status=RecordsRequest.Status.CLOSED,
            channel=RecordsRequest.Channel.WEB,
            proof=Proof.PERSON,
            name="张三",
            id_number="11010519491231002X",
            person_key=f"key-{archive.slug}-{category}-{start}-{n}",
            years_from=1960,
            years_to=1970,
            purpose="证明学历",
            email="a@example.cn",
            delivery=Delivery.DOWNLOAD,
            due_on=(created + datetime.timedelta(days=7)).date(),
        )
        RecordsRequest.objects.filter(pk=request.pk).update(created_at=created, closed_at=closed)
