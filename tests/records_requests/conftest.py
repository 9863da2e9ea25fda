"""Records-use request fixtures: Nanjing (city) receives, Xuanwu district holds marriage
records; staff of each; a valid ID number; small real uploads."""

import datetime
import io

import pytest
from django.test import TestCase

from archivox.core.models import Archive, Role
from archivox.core.services import membership_grant
from archivox.records_requests.models import Category, Delivery, Proof
from archivox.records_requests.services.applying import Application, request_apply
from archivox.records_requests.services.setup import request_kind_save
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import ArchiveFactory, UserFactory

ID_NUMBER = "11010519491231002X"  # the standard's own example: valid check character
# The apply form as a person fills it in on the portal (one marriage record, routed by district).
APPLY_FORM = {
    "holding": "unknown",
    "category": "marriage",
    "proof": "person",
    "name": "王小明",
    "id_number": ID_NUMBER,
    "years_from": "1980",
    "district": "玄武区",
    "purpose": "办理退休",
    "email": "wang@example.com",
    "delivery": "download",
}


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.ARCHIVOX_RECORDS_RATE_LIMIT = (1000, 3600, 1000, 86400)


@pytest.fixture
def xuanwu(nanjing):  # noqa: F811
    return ArchiveFactory(
        slug="xuanwu",
        name="Xuanwu District Archives",
        name_zh="玄武区档案馆",
        level=Archive.Level.DISTRICT,
        parent=nanjing,
    )


@pytest.fixture
def kinds(nanjing, xuanwu):  # noqa: F811
    return {
        "nanjing": request_kind_save(
            actor=None,
            archive=nanjing,
            category=Category.SCHOOL,
            years_from=1950,
            years_to=2000,
            working_days=5,
            deliveries=[Delivery.DOWNLOAD, Delivery.POST],
        ),
        "xuanwu": request_kind_save(
            actor=None,
            archive=xuanwu,
            category=Category.MARRIAGE,
            years_from=1955,
            years_to=2005,
            districts=["玄武区"],
            working_days=3,
            proofs=[Proof.PERSON, Proof.AGENT, Proof.UNIT],
            deliveries=[Delivery.DOWNLOAD, Delivery.EMAIL],
        ),
    }


def staff(archive, username, role=Role.ARCHIVIST):
    user = UserFactory(username=username)
    membership_grant(actor=None, archive=archive, user=user, role=role)
    return user


@pytest.fixture
def desk(nanjing):  # noqa: F811
    return staff(nanjing, "nj-desk")


@pytest.fixture
def desk2(nanjing):  # noqa: F811
    return staff(nanjing, "nj-desk2")


@pytest.fixture
def district(xuanwu):
    return staff(xuanwu, "xw-archivist")


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def application(**changes) -> Application:
    values = {
        "holding": "unknown",
        "category": Category.MARRIAGE,
        "proof": Proof.PERSON,
        "name": "王小明",
        "id_number": ID_NUMBER,
        "years_from": "1980",
        "years_to": "",
        "district": "玄武区",
        "place": "玄武区民政局",
        "purpose": "办理退休",
        "email": "wang@example.com",
        "delivery": Delivery.DOWNLOAD,
    }
    values.update(changes)
    return Application(**values)


def apply(archive, uploads=None, **changes):
    # The notification is sent after the commit: run it as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return request_apply(
            archive=archive,
            data=application(**changes),
            uploads=uploads if uploads is not None else {"id": png_bytes()},
            client="203.0.113.5",
        )


def a_monday() -> datetime.date:
    return datetime.date(2026, 9, 28)
