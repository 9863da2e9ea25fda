"""Hostile EAD uploaded through the console over real HTTP (issue 17): nesting deep enough to
exhaust a stack or to make every component's path cost memory in proportion to its depth is
refused with one clear problem and one log line, before anything is built from it."""

from __future__ import annotations

import re

import httpx
import pytest
from django.test import Client

from archivox.catalog.models import Description
from archivox.core.models import Role
from archivox.core.services import membership_grant
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def console(live_server):
    """An httpx client logged in as an archivist of Nanjing, and the import page's URL."""
    archive = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    user = UserFactory(username="importer")
    membership_grant(actor=None, archive=archive, user=user, role=Role.ARCHIVIST)
    login = Client()
    login.force_login(user)
    with httpx.Client(
        base_url=live_server.url, cookies={"sessionid": login.cookies["sessionid"].value}
    ) as http:
        yield http, "/console/catalog/nanjing/import/"


def upload(console, content: str) -> httpx.Response:
    http, url = console
    page = http.get(url)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return http.post(
        url,
        data={"csrfmiddlewaretoken": token, "format": "ead"},
        files={"file": ("catalog.xml", content.encode(), "application/xml")},
        timeout=120,
    )


def ead(components: str, title: str = "全宗") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ead><archdesc level="fonds"><did>'
        f"<unitid>E</unitid><unittitle>{title}</unittitle></did><dsc>{components}</dsc>"
        "</archdesc></ead>\n"
    )


def components(depth: int) -> str:
    opening = "".join(
        f'<c level="file"><did><unitid>E-{n}</unitid><unittitle>卷{n}</unittitle></did>'
        for n in range(depth)
    )
    return opening + "</c>" * depth


HOSTILE = {
    "components nested 1,000 deep": (ead(components(1000)), "components nested deeper than"),
    "markup nested 20,000 deep": (
        ead("", title="<emph>" * 20_000 + "深" + "</emph>" * 20_000),
        "elements nested deeper than",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_deeply_nested_ead_is_refused_clearly_with_one_log_line(console, caplog, case):
    content, fragment = HOSTILE[case]
    response = upload(console, content)
    assert response.status_code == 200
    problems = re.findall(r"<tr><td>([^<]*)</td><td>[^<]*</td><td>([^<]*)</td></tr>", response.text)
    assert len(problems) == 1, problems
    assert fragment in problems[0][1], problems
    assert "Nothing was imported" in response.text
    assert not Description.objects.exists()
    lines = [r.getMessage() for r in caplog.records if "catalog import refused" in r.getMessage()]
    assert len(lines) == 1 and fragment in lines[0], lines


def test_an_ead_of_the_four_levels_the_catalog_holds_still_imports(console):
    content = ead(
        '<c level="series"><did><unitid>E-1</unitid><unittitle>系列</unittitle></did>'
        '<c level="file"><did><unitid>E-1-1</unitid><unittitle>案卷</unittitle></did>'
        '<c level="item"><did><unitid>E-1-1-1</unitid><unittitle>件</unittitle></did>'
        "</c></c></c>"
    )
    response = upload(console, content)
    assert "Imported: 4 created" in response.text, response.text[-2000:]
    assert Description.objects.count() == 4
