"""The provincial demo: Nanjing harvests Suzhou's garden archives, served apart by pyoai's
provider from data/demo/union/, and a search for 民国建筑 on the province-wide page shows both,
each marked and linked to its source; the operator's commands."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from archivox.harvesting.demo_provider import DemoProvider, load_yaml
from archivox.harvesting.models import HarvestedRecord, HarvestRun, Repository

pytestmark = pytest.mark.django_db


@pytest.fixture
def suzhou_gardens():
    path = Path(settings.DEMO_DATA_DIR) / "union" / "suzhou-gardens.yaml"
    provider = DemoProvider(load_yaml(path)).start()
    yield provider
    provider.stop()


def test_the_provincial_demo(client, suzhou_gardens, make_description):
    make_description("NJ-MG", "南京民国建筑档案", level="fonds", subjects=["民国建筑"])
    out = io.StringIO()
    call_command("load_demo_union", base_url=suzhou_gardens.base_url, stdout=out)
    assert "苏州园林档案（演示）: 9 records" in out.getvalue()
    assert "page 1: 9 records" in out.getvalue()

    page = client.get("/union/", {"q": "民国建筑"}).context["page"]
    local = [hit for hit in page.hits if hit.local]
    harvested = [hit for hit in page.hits if not hit.local]
    assert [hit.holder for hit in local] == ["南京市档案馆"]
    assert len(harvested) == 4  # the four gardens with Republican-era buildings
    assert {hit.holder for hit in harvested} == {"苏州市园林档案馆"}
    assert {hit.source for hit in harvested} == {"苏州园林档案（演示）"}
    source = next(hit for hit in harvested if "网师园" in hit.title_html)
    assert source.url.startswith(suzhou_gardens.base_url.removesuffix("/oai") + "/records/")
    at_source = httpx.get(source.url, timeout=10)
    assert at_source.status_code == 200 and "网师园住户与产权档案" in at_source.text

    home = client.get(reverse("portal:archive", args=["nanjing"])).content.decode()
    assert "宁苏民国建筑（苏州园林档案）" in home and "狮子林贝氏产业档案" in home

    # Loading the demo again harvests again and adds nothing.
    call_command("load_demo_union", base_url=suzhou_gardens.base_url, stdout=io.StringIO())
    assert HarvestedRecord.objects.count() == 9
    assert Repository.objects.get().shared_collections.count() == 1


def test_the_harvest_command_prints_progress_and_fails_loudly(suzhou_gardens, nanjing, settings):
    from archivox.harvesting import services

    settings.ARCHIVOX_HARVEST_RETRIES = 0
    repository = services.repository_create(
        actor=None, archive=nanjing, name="园林", base_url=suzhou_gardens.base_url
    )
    out = io.StringIO()
    call_command("harvest", str(repository.pk), stdout=out)
    assert "Identify: 苏州园林档案馆（演示资源库）" in out.getvalue()
    assert "succeeded: seen 9, added 9, changed 0, deleted 0, errors 0" in out.getvalue()

    suzhou_gardens.stop()
    with pytest.raises(CommandError, match="could not connect"):
        call_command("harvest", str(repository.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no repository 999"):
        call_command("harvest", "999")


def test_scheduled_harvests_are_queued_when_due(suzhou_gardens, nanjing, settings):
    from archivox.harvesting import services

    daily = services.repository_create(
        actor=None, archive=nanjing, name="园林", base_url=suzhou_gardens.base_url
    )
    services.repository_create(
        actor=None,
        archive=nanjing,
        name="手动",
        base_url="http://127.0.0.1:9/oai",
        schedule=Repository.Schedule.MANUAL,
    )
    queued = services.harvest_due()
    assert [HarvestRun.objects.get(pk=pk).repository for pk in queued] == [daily]
    # A repository with persistent deletions needs no full harvest; never harvested yet, the
    # first one is full anyway (nothing to go from).
    assert HarvestRun.objects.get(pk=queued[0]).full is True


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_demo_harvests_the_sandbox_repository_before_the_server_runs(settings, nanjing):
    # `make demo` runs before `make run` serves anything: the command serves the sandbox's
    # repository at the site's own address for the harvest, so the links hold afterwards.
    settings.BASE_URL = f"http://127.0.0.1:{_free_port()}"
    settings.SANDBOX = True
    out = io.StringIO()
    call_command("load_demo_union", stdout=out)
    assert "for the harvest" in out.getvalue()
    assert "苏州园林档案（演示）: 9 records" in out.getvalue()
    repository = Repository.objects.get()
    assert repository.base_url == f"{settings.BASE_URL}/sandbox/oai/suzhou-gardens/oai"
    record = HarvestedRecord.objects.get(reference_code="SZYL-WSY-01")
    assert record.source_url == (
        f"{settings.BASE_URL}/sandbox/oai/suzhou-gardens/records/SZYL-WSY-01"
    )


@pytest.mark.django_db(transaction=True)
def test_a_running_server_answers_as_the_suzhou_repository(live_server, settings, make_description):
    # `make run`: the same server answers as Suzhou's repository (pyoai's provider, mounted in
    # the sandbox); the provincial page shows both, and the source links open.
    settings.BASE_URL = live_server.url
    settings.SANDBOX = True
    make_description("NJ-MG", "南京民国建筑档案", level="fonds", subjects=["民国建筑"])
    out = io.StringIO()
    call_command("load_demo_union", stdout=out)
    assert "for the harvest" not in out.getvalue()
    assert "苏州园林档案（演示）: 9 records" in out.getvalue()

    union = httpx.get(f"{live_server.url}/union/", params={"q": "民国建筑"}, timeout=20)
    assert union.status_code == 200
    text = re.sub(r"<[^>]+>", "", union.text)  # the matches are highlighted
    assert "南京民国建筑档案" in text and "网师园住户与产权档案" in text
    source = f"{live_server.url}/sandbox/oai/suzhou-gardens/records/SZYL-WSY-01"
    assert f'href="{source}"' in union.text
    at_source = httpx.get(source, timeout=20)
    assert at_source.status_code == 200 and "网师园住户与产权档案" in at_source.text
    assert httpx.get(f"{live_server.url}/sandbox/oai/no-such/oai", timeout=20).status_code == 404
