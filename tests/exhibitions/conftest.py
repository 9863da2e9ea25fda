"""Exhibition fixtures: a small Nanjing catalog with an open item with an image, a restricted
item with an image, a confidential canary and a closed item."""

import datetime

import pytest
from django.utils import timezone

from archivox.catalog import services as catalog_services
from archivox.catalog.demo import placeholder_jpeg
from archivox.catalog.models import Access
from archivox.core.models import Role
from archivox.core.services import membership_grant
from archivox.exhibitions import services
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import UserFactory

CANARY = "CANARY-exhibition-9f2c"


@pytest.fixture
def catalog(make_description):  # noqa: F811
    fonds = make_description("NJ-MG", "南京民国建筑档案", level="fonds")
    open_item = make_description("NJ-MG-1", "总统府历史照片", parent=fonds)
    restricted = make_description(
        "NJ-MG-2", "总统府建筑设计图纸", parent=fonds, access_level=Access.RESTRICTED
    )
    confidential = make_description(
        "NJ-MG-3", f"{CANARY} 公馆产权登记", parent=fonds, access_level=Access.CONFIDENTIAL
    )
    closed = make_description(
        "NJ-MG-4",
        f"{CANARY} 修缮工程档案",
        parent=fonds,
        closed_until=timezone.localdate() + datetime.timedelta(days=400),
    )
    for description in (open_item, restricted):
        catalog_services.digital_object_add(
            actor=None,
            description=description,
            content=placeholder_jpeg(
                reference_code=description.reference_code, title="demo", colour=(107, 29, 29)
            ),
            original_name=f"{description.reference_code}.jpg",
            caption=description.title,
        )
    return {
        "open": open_item,
        "restricted": restricted,
        "confidential": confidential,
        "closed": closed,
    }


@pytest.fixture
def curator(nanjing):  # noqa: F811
    user = UserFactory(username="curator")
    membership_grant(actor=None, archive=nanjing, user=user, role=Role.ARCHIVIST)
    return user


@pytest.fixture
def exhibition(nanjing, catalog):  # noqa: F811
    exhibition = services.exhibition_create(
        actor=None,
        archive=nanjing,
        slug="buildings",
        title="金陵民国建筑",
        summary="馆藏民国建筑档案线上展",
        introduction="<p>南京是民国时期的首都。</p>",
    )
    first = services.section_add(
        actor=None, exhibition=exhibition, title="首都气象", body="<p>一</p>"
    )
    services.section_item_add(actor=None, section=first, reference_code="NJ-MG-1", caption="总统府")
    services.section_item_add(actor=None, section=first, reference_code="NJ-MG-2")
    services.exhibition_publish(actor=None, exhibition=exhibition)
    return exhibition


def lecture(archive, *, capacity=5, publish=True, days=3):
    starts = timezone.now() + datetime.timedelta(days=days)
    event = services.event_create(
        actor=None,
        archive=archive,
        slug="lecture",
        title="档案里的民国建筑",
        speaker="王研究馆员",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
        place="一楼报告厅",
        capacity=capacity,
    )
    if publish:
        services.event_publish(actor=None, event=event)
    return event
