"""A topic of Nanjing's archive about open, restricted, confidential and closed items."""

from __future__ import annotations

import datetime
import io

import pytest
from PIL import Image

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access
from archivox.core.services import membership_grant
from archivox.topics import services
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import UserFactory

# Strings that must never reach a public surface.
CANARY = "CANARYtopic4d1"
CLOSED_CANARY = "CANARYclosed88"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (150, 110, 80)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def archivist(nanjing):  # noqa: F811
    user = UserFactory(username="li")
    membership_grant(actor=None, archive=nanjing, user=user, role="archivist")
    return user


@pytest.fixture
def administrator(nanjing):  # noqa: F811
    user = UserFactory(username="zhao")
    membership_grant(actor=None, archive=nanjing, user=user, role="administrator")
    return user


@pytest.fixture
def catalog(make_description):  # noqa: F811
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    open_item = make_description("MG-001", "总统府历史照片", parent=fonds, date_expression="1930年")
    restricted = make_description(
        "MG-002", "中山陵建筑设计图纸", parent=fonds, access_level=Access.RESTRICTED
    )
    secret = make_description(
        "MG-003", f"{CANARY} 公馆产权登记", parent=fonds, access_level=Access.CONFIDENTIAL
    )
    closed = make_description(
        "MG-004",
        f"{CLOSED_CANARY} 修缮工程档案",
        parent=fonds,
        closed_until=datetime.date.today() + datetime.timedelta(days=3650),
    )
    objects = {}
    for key, description in (("open", open_item), ("restricted", restricted), ("secret", secret)):
        objects[key] = catalog_services.digital_object_add(
            actor=None, description=description, content=jpeg(), caption=f"{key} 图"
        )
    return {
        "open": open_item,
        "restricted": restricted,
        "secret": secret,
        "closed": closed,
        "objects": objects,
    }


@pytest.fixture
def topic(nanjing, archivist, catalog):  # noqa: F811
    subject = services.topic_create(
        actor=archivist,
        archive=nanjing,
        name="#南京民国建筑#",
        slug="minguo",
        description='<p onclick="steal()">民国建筑<script>alert(1)</script></p>',
    )
    for key in ("open", "restricted", "secret", "closed"):
        services.topic_item_add(actor=archivist, topic=subject, description=catalog[key])
    return subject


@pytest.fixture
def post_moderated(nanjing, administrator):  # noqa: F811
    services.discussion_settings_update(actor=administrator, archive=nanjing, moderation="post")


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are asserted in English (the source language), whatever the translations."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
