"""On a phone (360 px): an archivist reads what the public asks for in the demo of `make run`
(its catalog and its demo searches): the top searches and the terms that found nothing, each
row with the action it suggests."""

import pytest
from django.core.management import call_command

from archivox.core import services as core_services
from archivox.core.models import Archive, Role
from tests.browser.conftest import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for command in ("load_paper_survey", "load_demo_catalog", "load_demo_demand"):
        call_command(command, verbosity=0)
    core_services.membership_grant(
        actor=None,
        archive=Archive.objects.get(slug="nanjing"),
        user=UserFactory(username="wang"),
        role=Role.ARCHIVIST,
    )


def _rows(section) -> list[tuple[str, str, str]]:
    """(term, count, suggested action) of each row of a dashboard section."""
    rows = []
    for row in section.locator("tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_the_demand_dashboard_shows_the_demos_top_and_zero_hit_searches(phone, live_server, demo):
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/promotion/nanjing/demand/", wait_until="networkidle")
    top = phone.locator("section.demand").nth(0)
    zero = phone.locator("section.demand").nth(1)
    assert "检索最多的词" in top.locator("h2").inner_text()
    assert "检索无结果的词" in zero.locator("h2").inner_text()

    top_rows = {term: (count, action) for term, count, action in _rows(top)}
    zero_rows = {term: (count, action) for term, count, action in _rows(zero)}
    # The demo's searches, as `make run` loads them, most searched first.
    assert next(iter(top_rows)) == "白崇禧" and int(top_rows["白崇禧"][0]) >= 5
    # Found in the demo catalog: featuring it is the suggestion.
    assert top_rows["白崇禧"][1] == "重点推出：围绕“白崇禧”做专题或展览"
    assert "总统府" in top_rows and "总统府" not in zero_rows
    # Not in the demo catalog: the zero-hit table suggests adding descriptions for it.
    assert "婚姻登记" in zero_rows and top_rows["婚姻登记"][1] == "无结果：见下表"
    assert "为“婚姻登记”补充著录或主题词" in zero_rows["婚姻登记"][1]
    # Every row of both tables suggests an action, each a link to where it is done.
    assert all(action for _count, action in [*top_rows.values(), *zero_rows.values()])
    assert zero.locator("tbody tr td a").count() == len(zero_rows)

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone, "demand-dashboard")
    phone.watch.assert_clean()
