"""Fixtures of the publishing desk's tests: an archive with staff in each role, catalog items at
each access level (made through the catalog's services), and a post taken through review."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from archivox.catalog import services as catalog
from archivox.core.models import Membership, Role
from archivox.publishing import services
from tests.factories import ArchiveFactory, UserFactory


def png_bytes(size: tuple[int, int] = (64, 48), color: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (320, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "darkred").save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media_and_var(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.ARCHIVOX_FRESHNESS_DAYS = 7


@pytest.fixture
def archive(db):
    return ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")


def _member(archive, username: str, *roles: str):
    user = UserFactory(username=username, email=f"{username}@archive.example")
    for role in roles:
        Membership.objects.create(user=user, archive=archive, role=role)
    return user


@pytest.fixture
def archivist(archive):
    return _member(archive, "wang", Role.ARCHIVIST)


@pytest.fixture
def reviewer(archive):
    return _member(archive, "li", Role.REVIEWER)


@pytest.fixture
def archivist_reviewer(archive):
    """Holds both roles: may compose and review, but not approve their own posts."""
    return _member(archive, "zhao", Role.ARCHIVIST, Role.REVIEWER)


@pytest.fixture
def items(archive):
    """Catalog items at each access level; the open one has an image."""

    def make(code: str, title: str, **values):
        return catalog.description_create(
            actor=None,
            archive=archive,
            parent=None,
            reference_code=code,
            title=title,
            level="item",
            **values,
        )

    open_item = make("NJ-1-1", "南京城墙图", scope_content="明代南京城墙全图，绢本设色。")
    catalog.digital_object_add(
        actor=None, description=open_item, content=png_bytes(), original_name="wall.png"
    )
    restricted = make("NJ-1-2", "民国户籍册", access_level="restricted")
    catalog.digital_object_add(actor=None, description=restricted, content=png_bytes())
    confidential = make("NJ-1-3", "机密档案", access_level="confidential")
    closed = make(
        "NJ-1-4",
        "封闭期档案",
        closed_until=timezone.localdate() + datetime.timedelta(days=365),
    )
    return {
        "open": open_item,
        "restricted": restricted,
        "confidential": confidential,
        "closed": closed,
    }


BODY = "<p>南京城墙始建于明代，是世界上现存规模最大的城垣。</p>"


@pytest.fixture
def make_post(archive, archivist, items):
    def make(**values):
        values.setdefault("title", "城墙里的南京")
        values.setdefault("body_html", BODY)
        values.setdefault("digest", "馆藏城墙图")
        values.setdefault("topics", ["南京城墙"])
        values.setdefault("column", "南京珍档推荐")
        values.setdefault("channels", ["portal", "feed", "email"])
        item_list = values.pop(
            "items", [{"description": items["open"], "use_image": True, "quote": True}]
        )
        return services.post_create(
            actor=values.pop("actor", archivist), archive=archive, items=item_list, **values
        )

    return make


@pytest.fixture
def approved_post(make_post, archivist, reviewer):
    def make(**values):
        post = make_post(**values)
        services.post_submit(actor=archivist, post=post)
        screening = services.post_screen(post=post)
        for finding in screening.unresolved_warnings:
            services.screening_override(
                actor=reviewer, post=post, finding_key=finding.key, reason="checked"
            )
        return services.post_approve(actor=reviewer, post=post)

    return make
