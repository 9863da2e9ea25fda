"""Canaries for IIIF: a confidential image (and one under a confidential parent, one closed,
one restricted) is absent from every IIIF response, manifests, collections, info.json and
tiles alike; re-classifying the open canary removes it at once, cached tiles included.

Every IIIF URL of every image and description in the database is asked for, whatever its
access, and every manifest and collection the public may see is read: no hidden object's
service, caption or title may appear, and each hidden URL answers exactly as an unknown one.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from archivox.catalog import services
from archivox.catalog.models import Access, CollectionEntry, DigitalObject, FeaturedCollection
from tests.catalog.iiif_fixtures import photo
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401

pytestmark = pytest.mark.django_db

OPEN = "CANARYiiifOpen5t"
CONFIDENTIAL = "CANARYiiifConf8w"
INHERITED = "CANARYiiifChild2m"
CLOSED = "CANARYiiifClosed7p"
RESTRICTED = "CANARYiiifRestr4k"
HIDDEN_MARKERS = (CONFIDENTIAL, INHERITED, CLOSED, RESTRICTED)


@pytest.fixture(autouse=True)
def iiif_cache_dir(settings, tmp_path):
    settings.IIIF_CACHE_DIR = tmp_path / "iiif-cache"
    return settings.IIIF_CACHE_DIR


@pytest.fixture
def canaries(make_description, nanjing):  # noqa: F811 (fixtures imported above)
    fonds = make_description("IIIF-C", "金丝雀全宗", level="fonds")
    made = {}

    def item(code, marker, parent=fonds, colour=(10, 200, 30), **values):
        description = make_description(code, f"图像 {marker}", parent=parent, **values)
        services.digital_object_add(
            actor=None, description=description, content=photo(900, 600, colour), caption=marker
        )
        made[marker] = description
        return description

    item("IIIF-C-1", OPEN)
    secret = item(
        "IIIF-C-2", CONFIDENTIAL, level="file", access_level=Access.CONFIDENTIAL, colour=(250, 0, 0)
    )
    item("IIIF-C-2-1", INHERITED, parent=secret, colour=(240, 10, 10))
    item(
        "IIIF-C-3",
        CLOSED,
        closed_until=datetime.date.today() + datetime.timedelta(days=3650),
        colour=(230, 20, 20),
    )
    item("IIIF-C-4", RESTRICTED, access_level=Access.RESTRICTED, colour=(220, 30, 30))
    featured = FeaturedCollection.objects.create(archive=nanjing, slug="canaries", title="金丝雀")
    for position, description in enumerate(made.values()):
        CollectionEntry.objects.create(
            collection=featured, description=description, position=position
        )
    return made


def iiif_urls(object_id: int) -> list[str]:
    base = f"/iiif/image/{object_id}"
    return [
        base,
        f"{base}/info.json",
        f"{base}/full/max/0/default.jpg",
        f"{base}/0,0,512,512/256,/0/default.png",
        f"{base}/square/100,100/0/default.jpg",
        f"{base}/full/max/90/default.jpg",  # a bad request must not tell hidden from unknown
    ]


def crawl(client: Client) -> dict[str, tuple[int, bytes]]:
    """Every IIIF URL of every image and description there is, whatever its access."""
    seen = {}
    for object_id in DigitalObject.objects.values_list("pk", flat=True):
        for url in iiif_urls(object_id):
            response = client.get(url)
            seen[url] = (response.status_code, response.content)
    for description in FeaturedCollection.objects.get(slug="canaries").entries.all():
        url = f"/iiif/descriptions/{description.description_id}/manifest.json"
        response = client.get(url)
        seen[url] = (response.status_code, response.content)
    url = "/iiif/collections/nanjing/canaries/collection.json"
    response = client.get(url)
    seen[url] = (response.status_code, response.content)
    return seen


def hidden_urls(descriptions) -> set[str]:
    urls = set()
    for description in descriptions:
        urls.add(f"/iiif/descriptions/{description.pk}/manifest.json")
        for object_id in description.digital_objects.values_list("pk", flat=True):
            urls.update(iiif_urls(object_id))
    return urls


def assert_absent(seen: dict[str, tuple[int, bytes]], hidden: set[str], markers, hidden_ids):
    unknown = Client().get("/iiif/image/987654321/info.json")
    for url in hidden:
        status, body = seen[url]
        assert (status, body) == (404, unknown.content), url
    for url, (_status, body) in seen.items():
        text = body.decode("utf-8", "replace")
        for marker in markers:
            assert marker not in text, (marker, url)
        for object_id in hidden_ids:
            assert f'/iiif/image/{object_id}"' not in text, (object_id, url)
            assert f"/iiif/image/{object_id}/" not in text, (object_id, url)


def test_hidden_images_are_absent_from_every_iiif_response(client, canaries):
    seen = crawl(client)
    hidden = [canaries[marker] for marker in HIDDEN_MARKERS]
    hidden_ids = DigitalObject.objects.filter(description__in=hidden).values_list("pk", flat=True)
    assert_absent(seen, hidden_urls(hidden), HIDDEN_MARKERS, list(hidden_ids))
    # The crawl reaches the open canary: the test would notice a gateway shut to everyone.
    manifest = seen[f"/iiif/descriptions/{canaries[OPEN].pk}/manifest.json"]
    assert manifest[0] == 200
    assert OPEN in manifest[1].decode()
    collection = seen["/iiif/collections/nanjing/canaries/collection.json"][1].decode()
    assert f"/iiif/descriptions/{canaries[OPEN].pk}/manifest.json" in collection


def test_reclassification_removes_the_open_canary_at_once_cached_tiles_too(
    client, canaries, iiif_cache_dir, django_capture_on_commit_callbacks
):
    opened = canaries[OPEN]
    picture = opened.digital_objects.get()
    tile = f"/iiif/image/{picture.pk}/0,0,512,512/256,/0/default.png"
    first = client.get(tile)
    assert first.status_code == 200
    assert any((iiif_cache_dir / str(picture.pk)).iterdir())

    with django_capture_on_commit_callbacks(execute=True):
        services.description_update(
            actor=None, description=opened, access_level=Access.CONFIDENTIAL
        )

    assert not (iiif_cache_dir / str(picture.pk)).exists()
    # Also a browser that has the tile gets nothing more: it must revalidate, and is refused.
    assert client.get(tile, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
    seen = crawl(client)
    every = list(canaries.values())
    hidden_ids = DigitalObject.objects.values_list("pk", flat=True)
    assert_absent(seen, hidden_urls(every), (OPEN, *HIDDEN_MARKERS), list(hidden_ids))
    collection = seen["/iiif/collections/nanjing/canaries/collection.json"]
    assert collection[0] == 200  # the collection is published, and now empty
    assert b'"items": []' in collection[1]


def test_a_closure_reaching_a_parent_hides_the_images_below_it(client, canaries):
    opened = canaries[OPEN]
    picture = opened.digital_objects.get()
    assert client.get(f"/iiif/image/{picture.pk}/info.json").status_code == 200
    services.description_update(
        actor=None,
        description=opened.parent,
        closed_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    for url in iiif_urls(picture.pk):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/iiif/descriptions/{opened.pk}/manifest.json").status_code == 404
