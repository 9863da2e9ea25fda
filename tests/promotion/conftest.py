"""Nanjing with an open photograph in its catalog and a published exhibition showing it."""

import pytest

from archivox.catalog import services as catalog_services
from archivox.core import services as core_services
from archivox.core.models import Role
from archivox.exhibitions import services as exhibition_services
from tests.collecting.conftest import photo
from tests.factories import ArchiveFactory, UserFactory


@pytest.fixture
def exhibition(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    archivist = UserFactory(username="wang")
    core_services.membership_grant(actor=None, archive=archive, user=archivist, role=Role.ARCHIVIST)
    fonds = catalog_services.description_create(
        actor=None, archive=archive, reference_code="MG", title="民国建筑档案", level="fonds"
    )
    item = catalog_services.description_create(
        actor=None,
        archive=archive,
        parent=fonds,
        reference_code="MG-001",
        title="总统府门楼",
        level="item",
    )
    image = catalog_services.digital_object_add(
        actor=None, description=item, content=photo("peru"), original_name="门楼.jpg"
    )
    closed = catalog_services.description_create(
        actor=None,
        archive=archive,
        parent=fonds,
        reference_code="MG-002",
        title="未开放的图纸",
        level="item",
        access_level="confidential",
    )
    closed_image = catalog_services.digital_object_add(
        actor=None, description=closed, content=photo("navy"), original_name="图纸.jpg"
    )
    shown = exhibition_services.exhibition_create(
        actor=None,
        archive=archive,
        slug="republican-architecture",
        title="金陵民国建筑档案展",
        summary="馆藏民国建筑档案线上展",
    )
    section = exhibition_services.section_add(actor=None, exhibition=shown, title="总统府")
    exhibition_services.section_item_add(actor=None, section=section, reference_code="MG-001")
    exhibition_services.exhibition_publish(actor=None, exhibition=shown)
    return {
        "archive": archive,
        "archivist": archivist,
        "exhibition": shown,
        "image": image,
        "closed_image": closed_image,
        "path": "/archives/nanjing/exhibitions/republican-architecture/",
    }
