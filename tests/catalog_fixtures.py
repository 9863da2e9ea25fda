"""Catalog fixtures shared by the catalog, portal and browser tests (registered in conftest)."""

import pytest

from archivox.catalog import services
from tests.factories import ArchiveFactory


@pytest.fixture
def nanjing(db):
    return ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")


@pytest.fixture
def make_description(nanjing):
    """Create a description through the real service (as the system)."""

    def make(reference_code, title="标题", level="item", parent=None, archive=None, **values):
        return services.description_create(
            actor=None,
            archive=archive or nanjing,
            parent=parent,
            reference_code=reference_code,
            title=title,
            level=level,
            **values,
        )

    return make


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
