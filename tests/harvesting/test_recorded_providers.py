"""Harvesting recorded AtoM (EAD) and ArchivesSpace (oai_dc) responses: resumption tokens,
deletions (none kept by AtoM, persistent in ArchivesSpace), a 503 with Retry-After, a bad
record reported and skipped, incremental harvests from the last responseDate."""

from __future__ import annotations

import time

import pytest

from archivox.harvesting import services
from archivox.harvesting.models import HarvestedRecord, HarvestRun
from tests.harvesting.conftest import Reply, recorded

pytestmark = pytest.mark.django_db

ATOM_TOKEN = "eyJmcm9tIjpudWxsLCJ1bnRpbCI6bnVsbCwiY3Vyc29yIjoyfQ=="


def titles(repository) -> list[str]:
    return sorted(
        HarvestedRecord.objects.filter(repository=repository).values_list("title", flat=True)
    )


def test_atom_ead_with_resumption_token_a_bad_record_and_a_full_reharvest(
    recorded_provider, nanjing, administrator, harvest_now
):
    atom = recorded_provider
    atom.route(recorded("atom/identify.xml"), verb="Identify")
    atom.route(recorded("atom/listrecords-1.xml"), verb="ListRecords", metadataPrefix="oai_ead")
    atom.route(recorded("atom/listrecords-2.xml"), verb="ListRecords", resumptionToken=ATOM_TOKEN)
    repository = services.repository_create(
        actor=administrator,
        archive=nanjing,
        name="苏州园林档案馆",
        base_url=atom.base_url,
        metadata_prefix="oai_ead",
    )

    run = harvest_now(administrator, repository)

    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    assert (run.pages, run.seen, run.added, run.changed, run.deleted, run.errors) == (
        2,
        4,
        3,
        0,
        0,
        1,
    )
    assert "skipped oai:atom.suzhou.example:suzhou_BROKEN: EAD without a unittitle" in run.log
    assert titles(repository) == [
        "拙政园民国时期修缮档案",
        "留园历年测绘图",
        "网师园住户与产权档案",
    ]
    record = HarvestedRecord.objects.get(identifier="oai:atom.suzhou.example:suzhou_SZYL-002")
    assert record.holder == "苏州市园林档案馆"
    assert record.reference_code == "SZYL-002"
    assert record.level == "series"
    assert record.source_url == "http://atom.suzhou.example/index.php/SZYL-002"
    assert record.manifest_url == "https://atom.suzhou.example/iiif/SZYL-002/manifest.json"
    assert record.subjects == ["园林"] and record.places == ["苏州"]
    repository.refresh_from_db()
    assert repository.deleted_record == "no"
    assert repository.remote_name == "苏州园林档案馆 AtoM"

    # AtoM keeps no deletions: a full harvest removes what it no longer lists.
    atom.reset()
    atom.route(recorded("atom/identify.xml"), verb="Identify")
    atom.route(
        recorded("atom/listrecords-full-again.xml"), verb="ListRecords", metadataPrefix="oai_ead"
    )
    again = harvest_now(administrator, repository, full=True)
    assert again.status == HarvestRun.Status.SUCCEEDED, again.log
    assert (again.seen, again.added, again.changed, again.deleted) == (2, 0, 1, 1)
    assert titles(repository) == ["拙政园民国时期修缮档案（补充）", "网师园住户与产权档案"]
    assert {"verb": "ListRecords", "metadataPrefix": "oai_ead"} in atom.requests


def test_archivesspace_dc_503_retry_after_then_incremental_with_persistent_deletion(
    recorded_provider, nanjing, administrator, harvest_now
):
    aspace = recorded_provider
    aspace.route(recorded("aspace/identify.xml"), verb="Identify")
    busy = Reply(b"busy", status=503, headers={"Retry-After": "1"})
    aspace.route(
        busy, recorded("aspace/listrecords-1.xml"), verb="ListRecords", metadataPrefix="oai_dc"
    )
    page_1 = recorded("aspace/listrecords-1.xml").body.decode()
    token = page_1.split("<resumptionToken>")[1].split("</resumptionToken>")[0]
    aspace.route(recorded("aspace/listrecords-2.xml"), verb="ListRecords", resumptionToken=token)
    repository = services.repository_create(
        actor=administrator, archive=nanjing, name="苏州城建档案", base_url=aspace.base_url
    )

    started = time.monotonic()
    run = harvest_now(administrator, repository)
    waited = time.monotonic() - started

    assert run.status == HarvestRun.Status.SUCCEEDED, run.log
    assert waited >= 1.0, "Retry-After was not honoured"
    assert "HTTP 503; retrying in 1 s" in run.log
    assert (run.seen, run.added, run.errors) == (4, 3, 1)
    assert "oai_dc record without dc:title" in run.log
    record = HarvestedRecord.objects.get(
        identifier="oai:archivesspace:/repositories/2/resources/11"
    )
    assert record.source_url == "http://aspace.suzhou.example/repositories/2/resources/11"
    assert record.holder == "苏州市城建档案馆"
    assert record.reference_code == "SZDA-11"
    repository.refresh_from_db()
    assert repository.harvested_until.isoformat() == "2026-11-02T08:10:01+00:00"

    # The next harvest asks only for what changed since the last responseDate.
    aspace.reset()
    aspace.route(recorded("aspace/identify.xml"), verb="Identify")
    aspace.route(
        recorded("aspace/listrecords-from.xml"),
        verb="ListRecords",
        metadataPrefix="oai_dc",
        **{"from": "2026-11-02T08:10:01Z"},
    )
    again = harvest_now(administrator, repository)
    assert again.status == HarvestRun.Status.SUCCEEDED, again.log
    assert (again.seen, again.added, again.changed, again.deleted) == (2, 0, 1, 1)
    assert titles(repository) == ["东吴大学旧址民国建筑档案", "苏州公园（大公园）建设档案"]


def test_a_repository_that_stays_unavailable_fails_the_run_and_keeps_what_it_had(
    recorded_provider, nanjing, administrator, harvest_now, settings
):
    settings.ARCHIVOX_HARVEST_RETRIES = 1
    recorded_provider.route(recorded("aspace/identify.xml"), verb="Identify")
    recorded_provider.route(
        Reply(b"", status=503, headers={"Retry-After": "0"}),
        verb="ListRecords",
        metadataPrefix="oai_dc",
    )
    repository = services.repository_create(
        actor=administrator, archive=nanjing, name="忙碌的库", base_url=recorded_provider.base_url
    )
    run = harvest_now(administrator, repository)
    assert run.status == HarvestRun.Status.FAILED
    assert run.message == "HTTP 503 after 2 attempts"
    repository.refresh_from_db()
    assert repository.harvested_until is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'><unclosed>", "malformed response"),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]>"
            b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>&a;</OAI-PMH>",
            "malformed response",
        ),
        (
            b"<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>"
            + b"<a>" * 100
            + b"</a>" * 100
            + b"</OAI-PMH>",
            "nested deeper than",
        ),
        (b"<html><body>Not here</body></html>", "not an OAI-PMH response"),
        (b"x" * 5000, "over the limit"),
    ],
)
def test_malformed_dangerous_or_oversized_responses_fail_cleanly(
    recorded_provider, nanjing, administrator, harvest_now, settings, body, reason
):
    settings.ARCHIVOX_HARVEST_MAX_BYTES = 4000
    recorded_provider.route(Reply(body), verb="Identify")
    repository = services.repository_create(
        actor=administrator, archive=nanjing, name="坏的库", base_url=recorded_provider.base_url
    )
    run = harvest_now(administrator, repository)
    assert run.status == HarvestRun.Status.FAILED
    assert reason in run.message
    assert not HarvestedRecord.objects.exists()


def test_a_timeout_is_retried_then_reported(nanjing, administrator, harvest_now, settings):
    import socket

    settings.ARCHIVOX_HARVEST_RETRIES = 0
    settings.ARCHIVOX_HARVEST_TIMEOUT = 0.5
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts and never answers
    try:
        repository = services.repository_create(
            actor=administrator,
            archive=nanjing,
            name="沉默的库",
            base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/oai",
        )
        run = harvest_now(administrator, repository)
    finally:
        listener.close()
    assert run.status == HarvestRun.Status.FAILED
    assert "timed out after 0.5 s" in run.message


def test_registering_a_repository_refuses_bad_input_with_reasons(nanjing, administrator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.repository_create(
            actor=administrator,
            archive=nanjing,
            name="",
            base_url="ftp://example.org/oai?verb=Identify",
            metadata_prefix="marc",
            set_specs="good bad/spec",
        )
    assert set(refused.value.message_dict) == {"name", "base_url", "metadata_prefix", "set_specs"}


def test_only_the_archive_administrators_may_register(nanjing):
    from archivox.core.selectors import ArchivePermissionDenied
    from tests.factories import UserFactory

    with pytest.raises(ArchivePermissionDenied):
        services.repository_create(
            actor=UserFactory(username="stranger"),
            archive=nanjing,
            name="x",
            base_url="http://example.org/oai",
        )
