"""IIIF Presentation API 3.0: manifests for public descriptions with images, collections for
featured collections, each parsed by iiif-prezi3; advertised in OAI-PMH and on item pages."""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree as ET
from django.core.management import call_command
from django.test import Client
from iiif_prezi3 import Collection, Manifest

from archivox.catalog import selectors, services
from archivox.catalog.models import Access, CollectionEntry, Description, FeaturedCollection
from tests.catalog.iiif_fixtures import photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def iiif_cache_dir(settings, tmp_path):
    settings.IIIF_CACHE_DIR = tmp_path / "iiif-cache"


@pytest.fixture
def mansion(make_description):
    fonds = make_description("MG", "民国建筑档案", level="fonds")
    item = make_description(
        "MG-001",
        "白崇禧公馆",
        parent=fonds,
        title_en="Bai Chongxi Mansion",
        date_expression="1946年",
        creator="南京市工务局",
        scope_content="位于南京市秦淮区大悲巷雍园1号。",
    )
    services.digital_object_add(
        actor=None, description=item, content=photo(1200, 800), caption="公馆正门"
    )
    services.digital_object_add(actor=None, description=item, content=photo(600, 900))
    return item


def get_json(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def test_a_manifest_has_a_canvas_per_public_image_in_chinese_and_english(client, mansion):
    manifest = get_json(client, f"/iiif/descriptions/{mansion.pk}/manifest.json")
    Manifest(**manifest)
    assert manifest["label"] == {"zh-Hans": ["白崇禧公馆"], "en": ["Bai Chongxi Mansion"]}
    assert manifest["requiredStatement"]["value"]["zh-Hans"] == ["南京市档案馆"]
    assert manifest["homepage"][0]["id"] == "http://testserver/archives/nanjing/catalog/MG-001/"
    canvases = manifest["items"]
    assert [(c["width"], c["height"]) for c in canvases] == [(1200, 800), (600, 900)]
    assert canvases[0]["label"] == {"zh-Hans": ["公馆正门"]}
    assert canvases[1]["label"] == {"zh-Hans": ["第 2 幅"], "en": ["Image 2"]}
    body = canvases[0]["items"][0]["items"][0]["body"]
    service = body["service"][0]["id"]
    assert get_json(client, service.removeprefix("http://testserver") + "/info.json")["id"] == (
        service
    )
    assert client.get(body["id"].removeprefix("http://testserver")).status_code == 200


def test_no_manifest_without_images_or_for_restricted_or_hidden_items(
    client, mansion, make_description
):
    bare = make_description("MG-002", "无图条目", parent=mansion.parent)
    assert client.get(f"/iiif/descriptions/{bare.pk}/manifest.json").status_code == 404
    for level in (Access.RESTRICTED, Access.CONFIDENTIAL):
        item = make_description(f"MG-{level}", "有图但不公开", parent=mansion.parent)
        services.digital_object_add(actor=None, description=item, content=photo())
        services.description_update(actor=None, description=item, access_level=level)
        assert client.get(f"/iiif/descriptions/{item.pk}/manifest.json").status_code == 404
    assert client.get("/iiif/descriptions/999999/manifest.json").status_code == 404


def test_a_featured_collection_is_a_iiif_collection_of_its_manifests(client, mansion, nanjing):
    featured = FeaturedCollection.objects.create(
        archive=nanjing, slug="minguo", title="民国建筑", title_en="Republican-era buildings"
    )
    CollectionEntry.objects.create(collection=featured, description=mansion, position=1)
    CollectionEntry.objects.create(collection=featured, description=mansion.parent, position=2)
    document = get_json(client, "/iiif/collections/nanjing/minguo/collection.json")
    Collection(**document)
    assert document["label"]["en"] == ["Republican-era buildings"]
    assert [item["id"] for item in document["items"]] == [
        f"http://testserver/iiif/descriptions/{mansion.pk}/manifest.json"
    ]
    assert client.get("/iiif/collections/nanjing/nothing/collection.json").status_code == 404
    page = client.get("/archives/nanjing/collections/minguo/").content.decode()
    iiif = "http://testserver/iiif/collections/nanjing/minguo/collection.json"
    assert f'href="{iiif}?collection=' in page


def test_every_manifest_and_collection_of_the_demo_catalog_parses_with_iiif_prezi3(client):
    call_command("load_paper_survey", verbosity=0)
    call_command("load_demo_catalog", verbosity=0)
    public = selectors.description_list_public().values_list("pk", flat=True)
    with_images = selectors.description_ids_with_public_images(ids=public)
    assert with_images, "the demo catalog has images"
    for pk in sorted(with_images):
        Manifest(**get_json(client, f"/iiif/descriptions/{pk}/manifest.json"))
    collections = list(selectors.collection_list_public())
    assert collections
    for featured in collections:
        url = f"/iiif/collections/{featured.archive.slug}/{featured.slug}/collection.json"
        Collection(**get_json(client, url))


def test_oai_records_and_item_pages_advertise_the_manifest(client, mansion, settings):
    response = client.get(
        "/oai",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_identifier(mansion)},
    )
    root = ET.fromstring(response.content)
    relations = [e.text for e in root.iter("{http://purl.org/dc/elements/1.1/}relation")]
    assert relations == [f"{settings.BASE_URL}/iiif/descriptions/{mansion.pk}/manifest.json"]
    fonds = client.get(
        "/oai",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": oai_identifier(mansion.parent),
        },
    )
    assert b"manifest.json" not in fonds.content

    page = client.get("/archives/nanjing/catalog/MG-001/").content.decode()
    manifest = f"http://testserver/iiif/descriptions/{mansion.pk}/manifest.json"
    assert f'href="{manifest}?manifest=http%3A%2F%2Ftestserver%2Fiiif' in page
    first = mansion.digital_objects.first()
    assert f'data-zoom-src="/iiif/image/{first.pk}/full/max/0/default.jpg"' in page
    assert "manifest.json" not in client.get("/archives/nanjing/catalog/MG/").content.decode()


def oai_identifier(description: Description) -> str:
    from archivox.catalog.oai.protocol import identifier_for

    return identifier_for(description.archive.slug, description.reference_code)


def test_the_json_api_names_the_manifest_and_image_services(client, mansion, settings):
    detail = client.get("/api/v1/catalog/archives/nanjing/descriptions/MG-001").json()
    assert detail["iiif_manifest"] == (
        f"{settings.BASE_URL}/iiif/descriptions/{mansion.pk}/manifest.json"
    )
    services_named = [obj["iiif_image"] for obj in detail["digital_objects"]]
    assert all(url.startswith(f"{settings.BASE_URL}/iiif/image/") for url in services_named)
    fonds = client.get("/api/v1/catalog/archives/nanjing/descriptions/MG").json()
    assert fonds["iiif_manifest"] is None
