"""On a phone (360 px): an archivist reads what the public asks for: the demo's top searches
and the terms that found nothing, each with the action it suggests."""

import pytest

from archivox.promotion.demo import demo_demand_load
from tests.browser.conftest import screenshot
from tests.promotion.conftest import exhibition  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_the_demand_dashboard_shows_top_and_zero_hit_searches(
    phone,
    live_server,
    exhibition,  # noqa: F811
):
    demo_demand_load()
    phone.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    phone.fill("#id_username", "wang")
    phone.fill("#id_password", PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/console/")
    phone.goto(f"{live_server.url}/console/promotion/nanjing/demand/", wait_until="networkidle")
    top = phone.locator("section.demand").nth(0)
    zero = phone.locator("section.demand").nth(1)
    assert "检索最多的词" in top.inner_text() and "白崇禧" in top.inner_text()
    assert "检索无结果的词" in zero.inner_text() and "婚姻登记" in zero.inner_text()
    assert "为“婚姻登记”补充著录或主题词" in zero.inner_text()
    assert "总统府" not in zero.inner_text()  # the demo catalog has it
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    screenshot(phone, "demand-dashboard")
    phone.watch.assert_clean()
