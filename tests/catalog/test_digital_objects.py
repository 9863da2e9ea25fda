import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from archivox.catalog import selectors, services
from archivox.catalog.models import Access, DigitalObject
from archivox.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def image_bytes(image_format="JPEG", size=(1200, 800), color=(120, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, image_format)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_image_is_stored_with_a_thumbnail_and_checked_by_content(make_description, media_root):
    item = make_description("IMG-1")
    digital_object = services.digital_object_add(
        actor=None, description=item, content=image_bytes(), original_name="../../etc/雍园.png"
    )
    assert digital_object.kind == DigitalObject.Kind.IMAGE
    assert digital_object.media_type == "image/jpeg"  # the bytes say JPEG, the name said PNG
    assert (digital_object.width, digital_object.height) == (1200, 800)
    assert digital_object.original_name == "雍园.png"
    assert digital_object.file.name.endswith(".jpg")
    assert str(media_root) in digital_object.file.path
    with Image.open(digital_object.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) <= 400
    assert AuditEntry.objects.filter(action="digital_object.add").exists()


def test_a_pdf_is_accepted(make_description):
    digital_object = services.digital_object_add(
        actor=None, description=make_description("PDF-1"), content=PDF, original_name="a.pdf"
    )
    assert digital_object.kind == DigitalObject.Kind.PDF
    assert not digital_object.thumbnail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"#!/bin/sh\nrm -rf /\n", "not a supported"),
        (b"<html><script>alert(1)</script></html>", "not a supported"),
        (image_bytes()[:200], "not a supported"),
        (b"%PDF-1.4\n truncated", "truncated"),
        (image_bytes("BMP"), "not accepted"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_nothing_is_kept(
    make_description, media_root, content, message
):
    item = make_description("BAD-1")
    with pytest.raises(ValidationError, match=message):
        services.digital_object_add(actor=None, description=item, content=content)
    assert not DigitalObject.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*")) if media_root.exists() else True


def test_an_oversized_upload_is_refused(make_description, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError, match="limit"):
        services.digital_object_add(
            actor=None, description=make_description("BIG-1"), content=image_bytes()
        )
    assert not DigitalObject.objects.exists()


def test_objects_of_restricted_and_confidential_items_are_not_public(make_description):
    open_item = make_description("O-1")
    restricted = make_description("R-1", access_level=Access.RESTRICTED)
    secret = make_description("S-1", access_level=Access.CONFIDENTIAL)
    objects = {
        item.reference_code: services.digital_object_add(
            actor=None, description=item, content=image_bytes()
        )
        for item in (open_item, restricted, secret)
    }
    assert selectors.digital_objects_public(description=open_item) == [objects["O-1"]]
    assert selectors.digital_objects_public(description=restricted) == []
    assert selectors.digital_object_get_public(pk=objects["O-1"].pk)
    for code in ("R-1", "S-1"):
        with pytest.raises(DigitalObject.DoesNotExist):
            selectors.digital_object_get_public(pk=objects[code].pk)


def test_deleting_an_object_removes_its_files_after_commit(
    make_description, django_capture_on_commit_callbacks
):
    digital_object = services.digital_object_add(
        actor=None, description=make_description("D-1"), content=image_bytes()
    )
    path = digital_object.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.digital_object_delete(actor=None, digital_object=digital_object)
    assert not DigitalObject.objects.exists()
    import os

    assert not os.path.exists(path)
