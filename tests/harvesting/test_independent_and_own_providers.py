"""Harvesting pyoai's provider (an independent OAI-PMH implementation, run by the test) and
Archivox's own provider over real HTTP (round trip: our public records harvested into a second
archive's union catalog, counts and titles equal; confidential material never travels)."""

from __future__ import annotations

import datetime

import pytest

from archivox.catalog.models import Access, Description
from archivox.core.services import membership_grant
from archivox.harvesting import services
from archivox.harvesting.demo_provider import DemoProvider, DemoRecord, DemoRepository
from archivox.harvesting.models import HarvestedRecord, HarvestRun
from tests.factories import ArchiveFactory, UserFactory

T0 = datetime.datetime(2026, 10, 1, 8, 0, 0)


MANIFEST = "https://archives.suzhou.example/iiif/YL-1/manifest"


def demo_record(number: int, *, sets=("gardens",), when=T0) -> DemoRecord:
    # Record 1 advertises a IIIF manifest, as a harvested Archivox record does (issue 22, 4).
    return DemoRecord(
        identifier=f"oai:pyoai.example:{number}",
        datestamp=when,
        fields={
            "title": [f"园林档案第{number}号"],
            "publisher": ["苏州市园林档案馆"],
            "identifier": [f"YL-{number}", f"http://pyoai.example/records/{number}"],
            "description": ["民国建筑与园林修缮"],
            "relation": [MANIFEST] if number == 1 else [],
        },
        sets=list(sets),
    )


@pytest.fixture
def pyoai_provider():
    repository = DemoRepository(
        name="pyoai 提供的园林库",
        records=[demo_record(n, sets=("gardens",) if n % 5 else ("other",)) for n in range(1, 26)],
        sets={"gardens": "园林", "other": "其他"},
    )
    provider = DemoProvider(repository, batch_size=10).start()
    yield provider
    provider.stop()


@pytest.mark.django_db
def test_pyoai_provider_resumption_sets_and_a_persistent_deletion(
    pyoai_provider, nanjing, administrator, harvest_now
):
    repository = services.repository_create(
        actor=administrator,
        archive=nanjing,
        name="园林库",
        base_url=pyoai_provider.base_url,
        set_specs="gardens",
    )
    run = harvest_now(administrator, repository)
    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    assert run.pages == 2 and run.added == 20 and run.errors == 0
    assert HarvestedRecord.objects.filter(repository=repository).count() == 20
    first = HarvestedRecord.objects.get(identifier="oai:pyoai.example:1")
    assert first.holder == "苏州市园林档案馆"
    assert first.source_url == "http://pyoai.example/records/1"
    assert first.manifest_url == MANIFEST
    assert HarvestedRecord.objects.get(identifier="oai:pyoai.example:2").manifest_url == ""

    # Record 2 is deleted at the source, record 3 changed, both after the last harvest.
    later = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=5)
    records = pyoai_provider.repository.records
    records[1].deleted, records[1].datestamp = True, later
    records[2].fields = {**records[2].fields, "title": ["园林档案第3号（修订）"]}
    records[2].datestamp = later
    again = harvest_now(administrator, repository)
    assert again.status == HarvestRun.Status.SUCCEEDED, again.log
    assert (again.seen, again.added, again.changed, again.deleted) == (2, 0, 1, 1)
    assert HarvestedRecord.objects.filter(repository=repository).count() == 19
    assert HarvestedRecord.objects.get(identifier="oai:pyoai.example:3").title == (
        "园林档案第3号（修订）"
    )


CANARY = "CANARY-union-9d2f-confidential"


@pytest.mark.django_db(transaction=True)
def test_round_trip_through_our_own_provider(live_server, settings, make_description, nanjing):
    settings.BASE_URL = live_server.url
    settings.ARCHIVOX_OAI_PAGE_SIZE = 7
    settings.ARCHIVOX_HARVEST_TIMEOUT = 20
    fonds = make_description("NJ-RT", "南京民国建筑档案", level="fonds")
    for number in range(1, 16):
        make_description(f"NJ-RT-{number}", f"民国建筑第{number}件", parent=fonds)
    make_description("NJ-RT-X", CANARY, parent=fonds, access_level=Access.CONFIDENTIAL)
    suzhou = ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")
    admin = UserFactory(username="suzhou-admin")
    membership_grant(actor=None, archive=suzhou, user=admin, role="administrator")
    repository = services.repository_create(
        actor=admin, archive=suzhou, name="南京市档案馆", base_url=f"{live_server.url}/oai"
    )

    # A transactional test: the harvest task runs when harvest_start's transaction commits.
    run = HarvestRun.objects.get(pk=services.harvest_start(actor=admin, repository=repository).pk)

    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    public = Description.objects.exclude(effective_access=Access.CONFIDENTIAL)
    harvested = HarvestedRecord.objects.filter(repository=repository)
    assert harvested.count() == public.count() == 16
    assert sorted(harvested.values_list("title", flat=True)) == sorted(
        public.values_list("title", flat=True)
    )
    assert run.pages == 3  # 16 records, 7 a page
    assert not HarvestedRecord.objects.filter(title__contains="CANARY").exists()
    record = harvested.get(reference_code="NJ-RT-1")
    assert record.holder == "南京市档案馆"
    assert record.source_url == f"{live_server.url}/archives/nanjing/catalog/NJ-RT-1/"


@pytest.mark.django_db(transaction=True)
def test_a_harvested_archivox_record_links_its_iiif_manifest_end_to_end(
    live_server, settings, tmp_path, make_description, nanjing
):
    """Issue 22, item 4: our provider advertises a record's manifest in dc:relation; harvested
    over HTTP into another archive's union catalog, the union record and the union page link
    it, and the link answers with a manifest iiif-prezi3 parses."""
    import json
    import urllib.request

    from django.test import Client
    from iiif_prezi3 import Manifest

    from archivox.catalog import services as catalog_services
    from archivox.catalog.iiif.manifests import manifest_path
    from tests.catalog.iiif_fixtures import photo

    settings.BASE_URL = live_server.url
    settings.IIIF_CACHE_DIR = tmp_path / "iiif-cache"
    settings.ARCHIVOX_HARVEST_TIMEOUT = 20
    fonds = make_description("NJ-IIIF", "南京民国建筑档案", level="fonds")
    mansion = make_description("NJ-IIIF-1", "白崇禧公馆", parent=fonds)
    make_description("NJ-IIIF-2", "民国建筑修缮函", parent=fonds)
    catalog_services.digital_object_add(
        actor=None, description=mansion, content=photo(1200, 800), caption="公馆正门"
    )
    suzhou = ArchiveFactory(slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆")
    admin = UserFactory(username="suzhou-admin")
    membership_grant(actor=None, archive=suzhou, user=admin, role="administrator")
    repository = services.repository_create(
        actor=admin, archive=suzhou, name="南京市档案馆", base_url=f"{live_server.url}/oai"
    )

    run = HarvestRun.objects.get(pk=services.harvest_start(actor=admin, repository=repository).pk)

    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    manifest_url = live_server.url + manifest_path(mansion.pk)
    record = HarvestedRecord.objects.get(repository=repository, reference_code="NJ-IIIF-1")
    assert record.manifest_url == manifest_url
    assert (
        HarvestedRecord.objects.get(repository=repository, reference_code="NJ-IIIF-2").manifest_url
        == ""
    )
    assert (
        HarvestedRecord.objects.get(repository=repository, reference_code="NJ-IIIF").manifest_url
        == ""
    )

    # The union page: the harvested record marked with its source, linking the manifest.
    page = Client().get("/union/", {"q": "白崇禧公馆", "repository": str(repository.pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<a class="iiif" href="{manifest_url}"' in html
    assert record.source_url in html

    # The link answers, over HTTP, with a IIIF Presentation 3.0 manifest of the image.
    with urllib.request.urlopen(manifest_url, timeout=20) as response:  # noqa: S310 - our test server
        assert response.status == 200
        data = json.loads(response.read())
    manifest = Manifest(**data)
    assert manifest.id == manifest_url
    assert len(manifest.items) == 1
