"""The OAI-PMH 2.0 provider at /oai, as harvesters see it."""

from __future__ import annotations

import base64
import datetime
import json
import re
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeET
from django.core import signing
from django.test import Client
from django.utils import timezone

from archivox.catalog import services
from archivox.catalog.models import (
    Access,
    CollectionEntry,
    DeletedRecord,
    Description,
    FeaturedCollection,
)
from archivox.core.services import archive_create

pytestmark = pytest.mark.django_db

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HOST = "archives.example.org"
BASE_URL = f"https://{HOST}"
DATESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
CANARY = "CANARY-7f3a9c-confidential"
CLOSED_CANARY = "CANARY-51be02-under-closure"


@pytest.fixture(autouse=True)
def oai_settings(settings):
    settings.BASE_URL = BASE_URL
    settings.ARCHIVOX_OAI_PAGE_SIZE = 100
    return settings


def oai_id(reference_code: str, archive: str = "nanjing") -> str:
    return f"oai:{HOST}:{archive}/{reference_code}"


def ask(client: Client, **params) -> tuple[Element, bytes]:
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return SafeET.fromstring(response.content), response.content


def oai(client: Client, **params) -> Element:
    return ask(client, **params)[0]


def errors(root: Element) -> list[str]:
    return [error.get("code") for error in root.findall("oai:error", NS)]


def header_ids(root: Element) -> list[str]:
    return [header.findtext("oai:identifier", namespaces=NS) for header in headers(root)]


def headers(root: Element) -> list[Element]:
    return root.findall("oai:*/oai:header", NS) + root.findall("oai:*/oai:record/oai:header", NS)


def harvest(client: Client, verb: str, **params) -> tuple[list[Element], list[Element], bytes]:
    """What a harvester collects by following resumption tokens: the list items (headers,
    records or sets), the resumptionToken element of each page, and every byte received."""
    items: list[Element] = []
    tokens: list[Element] = []
    received = b""
    root, raw = ask(client, verb=verb, **params)
    for _ in range(1000):
        received += raw
        assert errors(root) == [], raw
        container = root.find(f"oai:{verb}", NS)
        items += [child for child in container if not child.tag.endswith("resumptionToken")]
        token = container.find("oai:resumptionToken", NS)
        if token is None:
            break
        tokens.append(token)
        if not token.text:
            break
        root, raw = ask(client, verb=verb, resumptionToken=token.text)
    return items, tokens, received


def _header_of(item: Element) -> Element:
    """The header of a ListIdentifiers item (itself) or of a ListRecords record."""
    return item if item.tag.endswith("header") else item.find("oai:header", NS)


def item_ids(items: list[Element]) -> list[str]:
    return [_header_of(item).findtext("oai:identifier", namespaces=NS) for item in items]


def backdate(description: Description, moment: datetime.datetime) -> None:
    """Time passes: the description was last changed at ``moment`` (no service turns clocks)."""
    Description.objects.filter(pk=description.pk).update(updated_at=moment)


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def suzhou(db):
    return archive_create(
        actor=None, slug="suzhou", name="Suzhou Archives", name_zh="苏州市档案馆", level="city"
    )


@pytest.fixture
def fonds(make_description):
    return make_description("MG", "民国建筑档案", level="fonds")


@pytest.fixture
def catalog(make_description, fonds):
    """Open, restricted, confidential and closed items, and a confidential fonds whose open
    child inherits its confidentiality."""
    today = timezone.localdate()
    secret_fonds = make_description(
        "SF", f"{CANARY} fonds", level="fonds", access_level=Access.CONFIDENTIAL
    )
    return {
        "open": make_description("MG-001", "白崇禧公馆", parent=fonds),
        "restricted": make_description(
            "MG-002",
            "颐和路公馆区规划图",
            parent=fonds,
            access_level=Access.RESTRICTED,
            scope_content="restricted scope",
        ),
        "confidential": make_description(
            "MG-003",
            f"{CANARY} 密件",
            parent=fonds,
            access_level=Access.CONFIDENTIAL,
            scope_content=f"scope of {CANARY}",
        ),
        "closed": make_description(
            "MG-004",
            f"{CLOSED_CANARY} 档案",
            parent=fonds,
            closed_until=today + datetime.timedelta(days=365),
            scope_content=f"scope of {CLOSED_CANARY}",
        ),
        "secret_fonds": secret_fonds,
        "inherits_secrecy": make_description(
            "SF-1", f"{CANARY} child", level="series", parent=secret_fonds
        ),
    }


# --- Identify, formats, the envelope ---------------------------------------------------------


def test_identify_describes_the_repository(client, fonds):
    backdate(fonds, utc(2019, 5, 5, 8, 30, 15, 123456))
    root = oai(client, verb="Identify")

    assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
    assert root.get(XSI_SCHEMA_LOCATION).endswith("http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    assert DATESTAMP.fullmatch(root.findtext("oai:responseDate", namespaces=NS))
    request = root.find("oai:request", NS)
    assert request.text == f"{BASE_URL}/oai"
    assert request.attrib == {"verb": "Identify"}
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == f"{BASE_URL}/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert "@" in identify.findtext("oai:adminEmail", namespaces=NS)
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2019-05-05T08:30:15Z"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    scheme = identify.find("oai:description/id:oai-identifier", NS)
    assert scheme.findtext("id:repositoryIdentifier", namespaces=NS) == HOST
    assert scheme.findtext("id:delimiter", namespaces=NS) == ":"
    assert scheme.findtext("id:sampleIdentifier", namespaces=NS).startswith(f"oai:{HOST}:")


def test_identify_of_an_empty_repository_still_gives_an_earliest_datestamp(client, db):
    identify = oai(client, verb="Identify").find("oai:Identify", NS)
    assert DATESTAMP.fullmatch(identify.findtext("oai:earliestDatestamp", namespaces=NS))


def test_requests_may_be_posted_as_a_form_without_a_csrf_token(catalog):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/oai",
        urlencode({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = SafeET.fromstring(response.content)
    assert root.find("oai:request", NS).attrib == {
        "verb": "ListIdentifiers",
        "metadataPrefix": "oai_dc",
    }
    assert oai_id("MG-001") in header_ids(root)


def test_list_metadata_formats_offers_oai_dc(client, catalog):
    for params in ({}, {"identifier": oai_id("MG-001")}):
        formats = oai(client, verb="ListMetadataFormats", **params).findall(
            "oai:ListMetadataFormats/oai:metadataFormat", NS
        )
        assert [f.findtext("oai:metadataPrefix", namespaces=NS) for f in formats] == ["oai_dc"]
        assert formats[0].findtext("oai:metadataNamespace", namespaces=NS) == NS["oai_dc"]
        assert formats[0].findtext("oai:schema", namespaces=NS).endswith("oai_dc.xsd")


# --- records and Dublin Core -----------------------------------------------------------------


def test_get_record_maps_the_isad_fields_to_dublin_core(client, make_description, fonds):
    make_description(
        "MG-010",
        "白崇禧公馆修缮图纸",
        parent=fonds,
        title_en="Drawings for repairing Bai Chongxi's residence",
        date_expression="1946年—1948年",
        creator="南京市工务局",
        scope_content="公馆平面图与立面图 <共12张> & 说明",
        subjects=["建筑", "公馆"],
        places=["颐和路", "南京"],
        language="中文",
        access_conditions="开放",
        extent="12张",
    )
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-010"), metadataPrefix="oai_dc")
    record = root.find("oai:GetRecord/oai:record", NS)
    header = record.find("oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id("MG-010")
    assert DATESTAMP.fullmatch(header.findtext("oai:datestamp", namespaces=NS))
    assert [s.text for s in header.findall("oai:setSpec", NS)] == ["nanjing"]

    dc = record.find("oai:metadata/oai_dc:dc", NS)
    assert dc.get(XSI_SCHEMA_LOCATION).split() == [
        NS["oai_dc"],
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    ]

    def values(name: str) -> list[str]:
        return [element.text for element in dc.findall(f"dc:{name}", NS)]

    titles = dc.findall("dc:title", NS)
    assert [t.text for t in titles] == [
        "白崇禧公馆修缮图纸",
        "Drawings for repairing Bai Chongxi's residence",
    ]
    assert titles[0].get(XML_LANG) is None
    assert titles[1].get(XML_LANG) == "en"
    assert values("identifier") == [
        "MG-010",
        f"{BASE_URL}/archives/nanjing/catalog/MG-010/",
    ]
    assert values("date") == ["1946年—1948年"]
    assert values("creator") == ["南京市工务局"]
    assert values("description") == ["公馆平面图与立面图 <共12张> & 说明"]
    assert values("subject") == ["建筑", "公馆"]
    assert values("coverage") == ["颐和路", "南京"]
    assert values("language") == ["中文"]
    assert values("type") == ["item"]
    assert values("rights") == ["开放"]
    assert values("format") == ["12张"]
    assert values("publisher") == ["南京市档案馆"]


def test_reference_codes_are_percent_encoded_in_identifiers(client, make_description, fonds):
    make_description("MG/7 卷", "编号里有斜线和空格", parent=fonds)
    encoded = oai_id("MG%2F7%20%E5%8D%B7")
    assert encoded in header_ids(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))

    root = oai(client, verb="GetRecord", identifier=encoded, metadataPrefix="oai_dc")
    dc = root.find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)
    assert [e.text for e in dc.findall("dc:identifier", NS)] == [
        "MG/7 卷",
        f"{BASE_URL}/archives/nanjing/catalog/MG%2F7%20%E5%8D%B7/",
    ]
    for not_ours in (oai_id("MG%FF"), "oai:elsewhere.org:nanjing/MG", "MG", oai_id("")):
        root = oai(client, verb="GetRecord", identifier=not_ours, metadataPrefix="oai_dc")
        assert errors(root) == ["idDoesNotExist"]


def test_text_that_xml_cannot_carry_is_dropped_and_the_rest_escaped(
    client, make_description, fonds
):
    make_description("MG-020", "<b>公馆</b> &amp; \x0b花园", parent=fonds)
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-020"), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "<b>公馆</b> &amp; 花园"


# --- the access gateway ----------------------------------------------------------------------


def test_confidential_and_closed_items_never_appear_in_any_answer(client, catalog):
    received = b""
    for verb in ("ListRecords", "ListIdentifiers"):
        items, _, raw = harvest(client, verb, metadataPrefix="oai_dc")
        received += raw
        assert sorted(item_ids(items)) == [oai_id("MG"), oai_id("MG-001"), oai_id("MG-002")]
    received += harvest(client, "ListSets")[2]
    for code in ("MG-003", "MG-004", "SF", "SF-1"):
        root, raw = ask(client, verb="GetRecord", identifier=oai_id(code), metadataPrefix="oai_dc")
        assert errors(root) == ["idDoesNotExist"]
        received += raw
        root, raw = ask(client, verb="ListMetadataFormats", identifier=oai_id(code))
        assert errors(root) == ["idDoesNotExist"]
        received += raw
    for marker in (CANARY, CLOSED_CANARY):
        assert marker.encode() not in received


def test_restricted_descriptions_are_harvested(client, catalog):
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-002"), metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "颐和路公馆区规划图"
    assert root.findtext(".//dc:description", namespaces=NS) == "restricted scope"
    items, _, _ = harvest(client, "ListRecords", metadataPrefix="oai_dc")
    assert oai_id("MG-002") in item_ids(items)


def test_an_item_reclassified_as_confidential_is_reported_deleted_thereafter(client, catalog):
    item = catalog["open"]
    services.description_update(
        actor=None, description=item, title=f"{CANARY} renamed", access_level=Access.CONFIDENTIAL
    )

    root, raw = ask(client, verb="GetRecord", identifier=oai_id("MG-001"), metadataPrefix="oai_dc")
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert root.find("oai:GetRecord/oai:record/oai:metadata", NS) is None
    assert DATESTAMP.fullmatch(header.findtext("oai:datestamp", namespaces=NS))

    for verb in ("ListIdentifiers", "ListRecords"):
        items, _, received = harvest(client, verb, metadataPrefix="oai_dc")
        deleted = [h for h in map(_header_of, items) if h.get("status") == "deleted"]
        assert item_ids(deleted) == [oai_id("MG-001")]
        assert item_ids(items).count(oai_id("MG-001")) == 1
        assert CANARY.encode() not in received + raw

    root = oai(client, verb="ListMetadataFormats", identifier=oai_id("MG-001"))
    assert errors(root) == ["noMetadataFormats"]


def test_a_deleted_description_is_reported_deleted(client, catalog):
    services.description_delete(actor=None, description=catalog["restricted"])
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-002"), metadataPrefix="oai_dc")
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert [s.text for s in header.findall("oai:setSpec", NS)] == ["nanjing"]


def test_a_closure_that_lapses_by_the_calendar_shows_the_record_again(
    client, make_description, fonds
):
    today = timezone.localdate()
    item = make_description("MG-030", "到期开放", parent=fonds)
    services.description_update(
        actor=None, description=item, closed_until=today + datetime.timedelta(days=30)
    )
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-030"), metadataPrefix="oai_dc")
    assert root.find(".//oai:header", NS).get("status") == "deleted"

    # Days pass and the closure ends on its own: nobody edits the description.
    lapsed = today - datetime.timedelta(days=3)
    Description.objects.filter(pk=item.pk).update(
        closed_until=lapsed, effective_closed_until=lapsed, updated_at=utc(2020, 1, 1)
    )
    assert DeletedRecord.objects.filter(reference_code="MG-030").exists()

    root = oai(client, verb="GetRecord", identifier=oai_id("MG-030"), metadataPrefix="oai_dc")
    header = root.find(".//oai:header", NS)
    assert header.get("status") is None
    # Its datestamp is the moment it came into public view, so incremental harvests see it.
    opened = timezone.make_aware(
        datetime.datetime.combine(lapsed + datetime.timedelta(days=1), datetime.time())
    ).astimezone(datetime.UTC)
    stamp = opened.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert header.findtext("oai:datestamp", namespaces=NS) == stamp

    def selected(**window: str) -> bool:
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
        return oai_id("MG-030") in header_ids(root)

    second = datetime.timedelta(seconds=1)
    assert selected(**{"from": stamp})
    assert selected(until=stamp)
    assert not selected(**{"from": (opened + second).strftime("%Y-%m-%dT%H:%M:%SZ")})
    assert not selected(until=(opened - second).strftime("%Y-%m-%dT%H:%M:%SZ"))
    # Reported once, as a live record: its stale deletion record is not reported beside it.
    items, _, _ = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc")
    assert [h.get("status") for h in items if item_ids([h]) == [oai_id("MG-030")]] == [None]


# --- paging ----------------------------------------------------------------------------------


@pytest.fixture
def many(make_description, fonds):
    """25 records: the fonds, 22 live items and 2 deleted ones."""
    items = [make_description(f"MG-{n:03d}", f"条目 {n}", parent=fonds) for n in range(1, 25)]
    for item in items[3:5]:
        services.description_delete(actor=None, description=item)
    return {oai_id("MG"), *(oai_id(item.reference_code) for item in items)}


@pytest.mark.parametrize("size", [1, 7, 24, 25, 100])
@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_a_harvester_gets_every_record_exactly_once(client, settings, many, verb, size):
    settings.ARCHIVOX_OAI_PAGE_SIZE = size
    items, tokens, _ = harvest(client, verb, metadataPrefix="oai_dc")

    assert sorted(item_ids(items)) == sorted(many)
    assert len(items) == 25
    assert sum(1 for item in items if _header_of(item).get("status") == "deleted") == 2
    pages = -(-25 // size)
    if pages == 1:
        assert tokens == []
        return
    assert len(tokens) == pages
    assert [token.get("cursor") for token in tokens] == [str(n * size) for n in range(pages)]
    assert {token.get("completeListSize") for token in tokens} == {"25"}
    assert all(token.text for token in tokens[:-1])
    assert not tokens[-1].text


def test_records_added_or_removed_while_harvesting_cause_no_skips_or_repeats(
    client, settings, many, make_description, fonds
):
    settings.ARCHIVOX_OAI_PAGE_SIZE = 7
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = header_ids(root)
    token = root.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)

    make_description("MG-100", "新条目", parent=fonds)
    services.description_delete(
        actor=None, description=Description.objects.get(reference_code="MG-001")
    )
    while token:
        root = oai(client, verb="ListIdentifiers", resumptionToken=token)
        seen += header_ids(root)
        token = root.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)

    for identifier in many - {oai_id("MG-001")}:
        assert seen.count(identifier) == 1
    assert seen.count(oai_id("MG-100")) == 1
    # Seen live on the first page, then as deleted once it was gone.
    assert seen.count(oai_id("MG-001")) == 2


def test_list_sets_pages_with_resumption_tokens(client, settings, nanjing, suzhou):
    settings.ARCHIVOX_OAI_PAGE_SIZE = 2
    FeaturedCollection.objects.create(archive=nanjing, slug="jinling", title="金陵旧影")
    sets, tokens, _ = harvest(client, "ListSets")
    assert sorted(s.findtext("oai:setSpec", namespaces=NS) for s in sets) == [
        "nanjing",
        "nanjing:jinling",
        "suzhou",
    ]
    assert [t.get("cursor") for t in tokens] == ["0", "2"]
    assert not tokens[-1].text


# --- selective harvesting --------------------------------------------------------------------


def test_from_and_until_select_by_datestamp(client, make_description, fonds):
    backdate(fonds, utc(2019, 5, 5))
    backdate(make_description("A", "甲", parent=fonds), utc(2020, 1, 10, 12, 0, 0, 500000))
    backdate(make_description("B", "乙", parent=fonds), utc(2021, 6, 1))
    make_description("C", "丙", parent=fonds)
    gone = make_description("D", "丁", parent=fonds)
    services.description_delete(actor=None, description=gone)
    DeletedRecord.objects.filter(reference_code="D").update(deleted_at=utc(2020, 3, 3, 3, 3, 3))

    def selected(**window: str) -> list[str]:
        root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
        if errors(root):
            return errors(root)
        return sorted(identifier.rsplit("/", 1)[1] for identifier in header_ids(root))

    assert selected(**{"from": "2021-01-01"}) == ["B", "C"]
    assert selected(until="2020-12-31") == ["A", "D", "MG"]
    assert selected(**{"from": "2020-01-10", "until": "2020-01-10"}) == ["A"]
    assert selected(**{"from": "2020-01-10T12:00:00Z", "until": "2020-01-10T12:00:00Z"}) == ["A"]
    assert selected(**{"from": "2021-06-01T00:00:00Z", "until": "2021-06-01T00:00:00Z"}) == ["B"]
    assert selected(**{"from": "2020-03-03T03:03:03Z", "until": "2020-03-03T03:03:03Z"}) == ["D"]
    assert selected(**{"from": "2021-06-01T00:00:01Z", "until": "2021-06-02T00:00:00Z"}) == [
        "noRecordsMatch"
    ]
    assert selected(until="1999-12-31") == ["noRecordsMatch"]

    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", until="2020-01-31")
    stamps = {
        h.findtext("oai:identifier", namespaces=NS).rsplit("/", 1)[1]: h.findtext(
            "oai:datestamp", namespaces=NS
        )
        for h in headers(root)
    }
    assert stamps == {"MG": "2019-05-05T00:00:00Z", "A": "2020-01-10T12:00:00Z"}


def test_a_window_survives_resumption(client, settings, many):
    settings.ARCHIVOX_OAI_PAGE_SIZE = 4
    Description.objects.filter(reference_code__in=["MG-010", "MG-011"]).update(
        updated_at=utc(2020, 1, 1)
    )
    recent, _, _ = harvest(
        client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2021-01-01"}
    )
    assert len(recent) == 23
    assert oai_id("MG-010") not in item_ids(recent)


def test_sets_are_archives_and_their_published_collections(
    client, make_description, fonds, suzhou, nanjing
):
    in_collection = make_description("MG-001", "白崇禧公馆", parent=fonds)
    in_draft = make_description("MG-002", "草稿里的", parent=fonds)
    make_description("SZ-1", "苏州档案", level="fonds", archive=suzhou)
    jinling = FeaturedCollection.objects.create(
        archive=nanjing,
        slug="jinling",
        title="金陵旧影",
        title_en="Old Jinling",
        introduction="民国建筑",
    )
    drafts = FeaturedCollection.objects.create(
        archive=nanjing, slug="drafts", title="未发布", is_published=False
    )
    CollectionEntry.objects.create(collection=jinling, description=in_collection)
    CollectionEntry.objects.create(collection=drafts, description=in_draft)
    CollectionEntry.objects.create(collection=drafts, description=in_collection)

    sets = oai(client, verb="ListSets").findall("oai:ListSets/oai:set", NS)
    by_spec = {s.findtext("oai:setSpec", namespaces=NS): s for s in sets}
    assert sorted(by_spec) == ["nanjing", "nanjing:jinling", "suzhou"]
    assert by_spec["nanjing"].findtext("oai:setName", namespaces=NS) == "南京市档案馆"
    assert by_spec["nanjing:jinling"].findtext("oai:setName", namespaces=NS) == "金陵旧影"
    description = by_spec["nanjing:jinling"].find("oai:setDescription/oai_dc:dc", NS)
    assert description.findtext("dc:title", namespaces=NS) == "Old Jinling"

    def members(set_spec: str) -> list[str]:
        root = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set=set_spec)
        return errors(root) or sorted(i.rsplit("/", 1)[1] for i in header_ids(root))

    assert members("nanjing") == ["MG", "MG-001", "MG-002"]
    assert members("suzhou") == ["SZ-1"]
    assert members("nanjing:jinling") == ["MG-001"]
    assert members("nanjing:drafts") == ["noRecordsMatch"]
    assert members("atlantis") == ["noRecordsMatch"]
    assert members("nanjing:jinling:extra") == ["noRecordsMatch"]

    root = oai(client, verb="GetRecord", identifier=oai_id("MG-001"), metadataPrefix="oai_dc")
    header = root.find(".//oai:header", NS)
    assert [s.text for s in header.findall("oai:setSpec", NS)] == ["nanjing", "nanjing:jinling"]

    # A description that leaves public view stays in its sets, as a deleted record.
    services.description_update(
        actor=None, description=in_collection, access_level=Access.CONFIDENTIAL
    )
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="nanjing:jinling")
    header = root.find("oai:ListIdentifiers/oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id("MG-001")
    # ...but an unpublished collection is no set, not even in a deleted header.
    assert [s.text for s in header.findall("oai:setSpec", NS)] == ["nanjing", "nanjing:jinling"]
    root = oai(client, verb="GetRecord", identifier=oai_id("MG-001"), metadataPrefix="oai_dc")
    header = root.find(".//oai:header", NS)
    assert [s.text for s in header.findall("oai:setSpec", NS)] == ["nanjing", "nanjing:jinling"]
    assert members("nanjing:drafts") == ["noRecordsMatch"]
    assert members("suzhou") == ["SZ-1"]
    assert b"drafts" not in harvest(client, "ListSets")[2]
    for verb in ("ListIdentifiers", "ListRecords"):
        assert b"drafts" not in harvest(client, verb, metadataPrefix="oai_dc")[2]


# --- errors ----------------------------------------------------------------------------------

LIST = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Frobnicate"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": ["Identify", "ListSets"]}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListIdentifiers", "set": "nanjing"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": oai_id("MG")}, "badArgument"),
        ({"verb": "Identify", "set": "nanjing"}, "badArgument"),
        ({"verb": "Identify", "resumptionToken": "x"}, "badArgument"),
        ({**LIST, "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({**LIST, "frobnicate": "1"}, "badArgument"),
        ({**LIST, "resumptionToken": "x"}, "badArgument"),
        ({"verb": "ListSets", "resumptionToken": "x", "set": "nanjing"}, "badArgument"),
        ({**LIST, "from": "2020-13-01"}, "badArgument"),
        ({**LIST, "from": "yesterday"}, "badArgument"),
        ({**LIST, "until": "2020-01-01T00:00:00"}, "badArgument"),
        ({**LIST, "until": "2020-01-01T00:00:00.5Z"}, "badArgument"),
        ({**LIST, "from": "2020-01-01", "until": "2020-02-01T00:00:00Z"}, "badArgument"),
        ({**LIST, "from": "2021-01-01", "until": "2020-01-01"}, "badArgument"),
        ({**LIST, "from": "2020-01-01T00:00:01Z", "until": "2020-01-01T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "forged"}, "badResumptionToken"),
        ({**LIST, "metadataPrefix": "marcxml"}, "cannotDisseminateFormat"),
        ({"verb": "ListIdentifiers", "metadataPrefix": ""}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": oai_id("MG"), "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": oai_id("MG-999"), "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListMetadataFormats", "identifier": "oai:nowhere:x/y"}, "idDoesNotExist"),
        ({**LIST, "set": "atlantis"}, "noRecordsMatch"),
        ({**LIST, "until": "1990-01-01"}, "noRecordsMatch"),
    ],
)
def test_errors_carry_the_protocol_codes(client, fonds, params, code):
    root = oai(client, **params)
    assert errors(root) == [code]
    assert root.find("oai:error", NS).text
    request = root.find("oai:request", NS)
    assert request.text == f"{BASE_URL}/oai"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}
    else:
        assert request.get("verb") == params["verb"]


def test_no_metadata_formats_for_a_deleted_item(client, catalog):
    services.description_delete(actor=None, description=catalog["open"])
    root = oai(client, verb="ListMetadataFormats", identifier=oai_id("MG-001"))
    assert errors(root) == ["noMetadataFormats"]
    assert root.find("oai:request", NS).attrib == {
        "verb": "ListMetadataFormats",
        "identifier": oai_id("MG-001"),
    }


def test_forged_or_misused_resumption_tokens_are_refused(client, settings, many):
    settings.ARCHIVOX_OAI_PAGE_SIZE = 7
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)
    assert header_ids(oai(client, verb="ListIdentifiers", resumptionToken=token))

    unsigned = base64.urlsafe_b64encode(
        json.dumps(
            {"verb": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc"}, "at": [0, 0]}
        ).encode()
    ).decode()
    other_salt = signing.dumps(
        {"verb": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc"}, "at": [0, 0]},
        compress=True,
    )
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (unsigned, other_salt, tampered, token + "x", "", "%%%"):
        root = oai(client, verb="ListIdentifiers", resumptionToken=bad)
        assert errors(root) == ["badResumptionToken"], bad
    # A token is bound to its verb.
    root = oai(client, verb="ListRecords", resumptionToken=token)
    assert errors(root) == ["badResumptionToken"]


# --- cost ------------------------------------------------------------------------------------


def test_listing_costs_a_bounded_number_of_queries(
    client, settings, make_description, fonds, nanjing, django_assert_max_num_queries
):
    jinling = FeaturedCollection.objects.create(archive=nanjing, slug="jinling", title="金陵")
    other = FeaturedCollection.objects.create(archive=nanjing, slug="other", title="其他")
    for n in range(40):
        item = make_description(f"Q-{n:03d}", f"条目 {n}", parent=fonds, subjects=["甲", "乙"])
        CollectionEntry.objects.create(collection=jinling, description=item)
        if n % 2:
            CollectionEntry.objects.create(collection=other, description=item)
        if n % 10 == 0:
            services.description_delete(actor=None, description=item)

    settings.ARCHIVOX_OAI_PAGE_SIZE = 15
    for verb in ("ListRecords", "ListIdentifiers"):
        with django_assert_max_num_queries(5):
            root = oai(client, verb=verb, metadataPrefix="oai_dc")
        token = root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS)
        while token:
            with django_assert_max_num_queries(4):
                root = oai(client, verb=verb, resumptionToken=token)
            token = root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS)
        with django_assert_max_num_queries(6):
            oai(client, verb=verb, metadataPrefix="oai_dc", set="nanjing:jinling")
    with django_assert_max_num_queries(3):
        oai(client, verb="GetRecord", identifier=oai_id("Q-001"), metadataPrefix="oai_dc")
    with django_assert_max_num_queries(4):
        oai(client, verb="ListSets")
    with django_assert_max_num_queries(2):
        oai(client, verb="Identify")
