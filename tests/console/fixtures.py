"""Console fixtures (registered in conftest): two archives, one staff member per role, a
small catalog tree."""

import io

import pytest
from PIL import Image

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access
from archivox.core import services as core_services
from archivox.core.models import Role
from tests.factories import ArchiveFactory, UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def suzhou(db):
    return ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")


def _member(username, archive, role):
    user = UserFactory(username=username)
    core_services.membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


@pytest.fixture
def archivist(nanjing):
    return _member("archivist", nanjing, Role.ARCHIVIST)


@pytest.fixture
def reviewer(nanjing):
    return _member("reviewer", nanjing, Role.REVIEWER)


@pytest.fixture
def administrator(nanjing):
    return _member("administrator", nanjing, Role.ADMINISTRATOR)


@pytest.fixture
def outsider(suzhou):
    """An administrator, but of another archive."""
    return _member("outsider", suzhou, Role.ADMINISTRATOR)


@pytest.fixture
def staff(archivist, reviewer, administrator, outsider):
    return {
        "archivist": archivist,
        "reviewer": reviewer,
        "administrator": administrator,
        "outsider": outsider,
    }


@pytest.fixture
def tree(make_description):
    """fonds MG → series MG-S1 → file MG-S1-F1 → items; one confidential item."""
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    series = make_description("MG-S1", "公馆", level="series", parent=fonds)
    file = make_description("MG-S1-F1", "白崇禧公馆案卷", level="file", parent=series)
    item = make_description(
        "MG-S1-F1-001", "白崇禧公馆", level="item", parent=file, scope_content="大悲巷雍园1号"
    )
    secret = make_description(
        "MG-S1-F1-999", "密件", level="item", parent=file, access_level=Access.CONFIDENTIAL
    )
    return {"fonds": fonds, "series": series, "file": file, "item": item, "secret": secret}


def jpeg_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (160, 120, 90)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def image_object(tree):
    return catalog_services.digital_object_add(
        actor=None, description=tree["item"], content=jpeg_bytes(), original_name="gate.jpg"
    )
