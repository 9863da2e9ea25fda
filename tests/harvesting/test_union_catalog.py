"""The union catalog: harvested records searched with our Chinese search next to local
holdings, marked with their source and linked to it, never published as ours; facets per
repository and per archive; shared collections on an archive's home; the console."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from archivox.catalog.models import Access
from archivox.core.services import membership_grant
from archivox.harvesting import services
from archivox.harvesting.models import (
    HarvestedRecord,
    HarvestedSearchText,
    HarvestRun,
    Repository,
)
from archivox.harvesting.search import search_harvested
from tests.factories import UserFactory
from tests.harvesting.conftest import recorded

pytestmark = pytest.mark.django_db

CANARY = "CANARY-union-5e1-confidential"


@pytest.fixture
def suzhou_harvested(recorded_provider, nanjing, administrator, harvest_now) -> Repository:
    """ArchivesSpace-shaped records of Suzhou's urban-construction archives, harvested."""
    aspace = recorded_provider
    aspace.route(recorded("aspace/identify.xml"), verb="Identify")
    aspace.route(recorded("aspace/listrecords-2.xml"), verb="ListRecords", metadataPrefix="oai_dc")
    repository = services.repository_create(
        actor=administrator, archive=nanjing, name="苏州城建档案", base_url=aspace.base_url
    )
    run = harvest_now(administrator, repository)
    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    return repository


@pytest.fixture
def nanjing_holdings(make_description):
    fonds = make_description("NJ-MG", "南京民国建筑档案", level="fonds", subjects=["民国建筑"])
    make_description("NJ-MG-1", "国民政府旧址修缮图纸", parent=fonds, subjects=["民国建筑"])
    make_description(
        "NJ-MG-X", CANARY, parent=fonds, subjects=["民国建筑"], access_level=Access.CONFIDENTIAL
    )
    return fonds


def test_union_search_shows_both_marked_and_linked(client, suzhou_harvested, nanjing_holdings):
    response = client.get("/union/", {"q": "民国建筑"})
    assert response.status_code == 200
    page = response.context["page"]
    local = [hit for hit in page.hits if hit.local]
    harvested = [hit for hit in page.hits if not hit.local]
    assert len(local) == 2 and len(harvested) == 1
    assert page.hits[1] is harvested[0]  # one of ours, one harvested, …
    hit = harvested[0]
    assert hit.source == "苏州城建档案"
    assert hit.holder == "苏州市城建档案馆"
    assert hit.url == "http://aspace.suzhou.example/repositories/2/resources/13"
    html = response.content.decode()
    assert 'href="http://aspace.suzhou.example/repositories/2/resources/13"' in html
    assert "Harvested from 苏州城建档案" in html
    assert "Held by 苏州市城建档案馆" in html
    assert reverse("portal:description", args=["nanjing", "NJ-MG-1"]) in html
    assert CANARY not in html
    facets = {facet.key: facet.count for facet in page.repositories}
    assert facets == {"local": 2, str(suzhou_harvested.pk): 1}
    archives = {facet.key: facet.count for facet in page.archives}
    assert archives == {"local:nanjing": 2, "holder:苏州市城建档案馆": 1}

    only_harvested = client.get(
        "/union/", {"q": "民国建筑", "repository": str(suzhou_harvested.pk)}
    ).context["page"]
    assert [hit.local for hit in only_harvested.hits] == [False]
    only_local = client.get("/union/", {"q": "民国建筑", "archive": "local:nanjing"}).context[
        "page"
    ]
    assert [hit.local for hit in only_local.hits] == [True, True]
    by_holder = client.get("/union/", {"q": "公园", "archive": "holder:苏州市城建档案馆"}).context[
        "page"
    ]
    assert [hit.url for hit in by_holder.hits] == [hit.url]

    # A paused repository's records leave the union search, even when asked for by name.
    Repository.objects.filter(pk=suzhou_harvested.pk).update(is_active=False)
    for params in ({"q": "民国建筑"}, {"q": "民国建筑", "repository": str(suzhou_harvested.pk)}):
        paused = client.get("/union/", params).context["page"]
        assert not [hit for hit in paused.hits if not hit.local]
        assert str(suzhou_harvested.pk) not in {facet.key for facet in paused.repositories}


def test_harvested_records_are_never_published_as_ours(
    client, suzhou_harvested, nanjing_holdings, administrator
):
    assert HarvestedRecord.objects.filter(repository=suzhou_harvested).exists()
    oai = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content.decode()
    assert "南京民国建筑档案" in oai
    assert "苏州公园" not in oai and "aspace.suzhou.example" not in oai
    assert "大公园）建设档案" not in client.get("/search/", {"q": "苏州公园"}).content.decode()
    client.force_login(administrator)
    compose = client.get(reverse("console_publishing:new", args=["nanjing"]), {"q": "公园"})
    assert compose.status_code == 200
    assert "大公园）建设档案" not in compose.content.decode()


def test_an_archive_home_shows_its_shared_collection(
    client, suzhou_harvested, nanjing, administrator
):
    services.shared_collection_create(
        actor=administrator,
        archive=nanjing,
        repository=suzhou_harvested,
        title="苏州的民国建筑",
        query="民国建筑",
    )
    html = client.get(reverse("portal:archive", args=["nanjing"])).content.decode()
    assert "苏州的民国建筑" in html
    assert "苏州公园（大公园）建设档案" in html
    assert 'href="http://aspace.suzhou.example/repositories/2/resources/13"' in html


def test_console_registers_keeps_bad_input_and_shows_a_run(
    client, nanjing, administrator, suzhou_harvested
):
    client.force_login(administrator)
    page = client.get(reverse("console_harvesting:index"))
    assert page.status_code == 200
    assert "苏州城建档案" in page.content.decode()
    refused = client.post(
        reverse("console_harvesting:index"),
        {
            "action": "repository",
            "repository-archive": "nanjing",
            "repository-name": "园林局",
            "repository-base_url": "ftp://wrong.example/oai",
            "repository-metadata_prefix": "oai_ead",
            "repository-set_specs": "gardens",
            "repository-schedule": "weekly",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'value="园林局"' in html and 'value="ftp://wrong.example/oai"' in html
    assert 'value="gardens"' in html
    assert Repository.objects.count() == 1
    run = suzhou_harvested.runs.get()
    detail = client.get(reverse("console_harvesting:run", args=[run.pk])).content.decode()
    assert "Records seen" in detail and "oai_dc record without dc:title" in detail

    outsider = UserFactory(username="outsider")
    membership_grant(actor=None, archive=nanjing, user=outsider, role="archivist")
    client.force_login(outsider)
    assert client.get(reverse("console_harvesting:run", args=[run.pk])).status_code == 404
    assert (
        client.post(reverse("console_harvesting:harvest", args=[suzhou_harvested.pk])).status_code
        == 404
    )


@pytest.mark.chinese
def test_the_union_page_speaks_chinese(client, suzhou_harvested, nanjing_holdings):
    html = client.get("/union/", {"q": "民国建筑"}).content.decode()
    assert "全省联合目录" in html
    assert "收割自 苏州城建档案" in html
    assert "本馆馆藏" in html


def test_union_results_page_past_the_first(
    client, nanjing, administrator, harvest_now, make_description
):
    from archivox.harvesting.demo_provider import DemoProvider, DemoRecord, DemoRepository

    for number in range(12):
        make_description(f"NJ-P-{number}", f"民国建筑本馆第{number}件")
    records = [
        DemoRecord(
            identifier=f"oai:paging.example:{number}",
            datestamp=datetime.datetime(2026, 10, 1),
            fields={"title": [f"民国建筑邻馆第{number}件"], "publisher": ["苏州市档案馆"]},
        )
        for number in range(20)
    ]
    provider = DemoProvider(DemoRepository(name="邻馆", records=records)).start()
    try:
        repository = services.repository_create(
            actor=administrator, archive=nanjing, name="邻馆", base_url=provider.base_url
        )
        assert harvest_now(administrator, repository).added == 20
    finally:
        provider.stop()
    first = client.get("/union/", {"q": "民国建筑"}).context["page"]
    assert (first.total, first.pages, len(first.hits)) == (32, 2, 20)
    second = client.get("/union/", {"q": "民国建筑", "page": "2"}).context["page"]
    assert (second.page, len(second.hits)) == (2, 12)
    assert [hit.local for hit in second.hits] == [True, False] * 2 + [False] * 8
    seen = {hit.url for hit in first.hits} | {hit.url for hit in second.hits}
    assert len(seen) == 32
    beyond = client.get("/union/", {"q": "民国建筑", "page": "9"}).context["page"]
    assert beyond.page == 2 and len(beyond.hits) == 12


def test_harvested_search_ranks_title_matches_first(nanjing):
    """The words in a record's title weigh more than in its text (FTS5's bm25 weights on
    PostgreSQL; on SQLite scored over the matches read, with each word's IDF estimated)."""
    repository = Repository.objects.create(
        archive=nanjing, name="邻馆", base_url="http://neighbour.example/oai"
    )
    texts = {
        "body": ("城市 道路 图纸", "民国 建筑 修缮 图纸"),
        "title": ("民国 建筑 修缮 图纸", "城市 道路 图纸"),
        "other": ("城市 道路 图纸", "学校 管理 报告"),
    }
    for key, (title, body) in texts.items():
        record = HarvestedRecord.objects.create(
            repository=repository,
            identifier=f"oai:neighbour:{key}",
            title=title.replace(" ", ""),
            scope_content=body.replace(" ", ""),
            source_url=f"http://neighbour.example/{key}",
            content_hash="-",
        )
        HarvestedSearchText.objects.create(record=record, title=title, body=body)
    found = search_harvested("民国建筑")
    assert [hit.record.identifier for hit in found.hits] == [
        "oai:neighbour:title",
        "oai:neighbour:body",
    ]
    assert (found.total, found.total_is_lower_bound) == (2, False)
