"""The union catalog on a phone (360 px, Chromium, Chinese): the province-wide search shows our
holdings and Suzhou's harvested garden archives, marked and linked; the console's harvesting
pages fit the phone too."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from archivox.core.services import membership_grant
from archivox.harvesting.demo_provider import DemoProvider, load_yaml
from archivox.harvesting.models import HarvestRun
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.catalog_fixtures import make_description, media_root, nanjing  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def union(make_description):  # noqa: F811
    make_description("NJ-MG", "南京民国建筑档案", level="fonds", subjects=["民国建筑"])
    provider = DemoProvider(
        load_yaml(Path(settings.DEMO_DATA_DIR) / "union" / "suzhou-gardens.yaml")
    ).start()
    call_command("load_demo_union", base_url=provider.base_url, stdout=io.StringIO())
    yield provider
    provider.stop()


def test_the_union_search_and_the_console_on_a_phone(phone, live_server, union, nanjing):  # noqa: F811
    page = phone
    page.goto(f"{live_server.url}/union/?q=民国建筑", wait_until="networkidle")
    assert page.locator("h1").inner_text() == "全省联合目录"
    harvested = page.locator("li.harvested")
    assert harvested.count() == 4
    assert "收割自 苏州园林档案（演示）" in harvested.first.inner_text()
    assert "保存单位：苏州市园林档案馆" in harvested.first.inner_text()
    assert page.locator("li.local").count() == 1
    assert page.locator("li.harvested a[href^='http://127.0.0.1']").count() >= 4
    assert_fits_phone(page)
    page.watch.assert_clean()
    screenshot(page, "union-search-phone")

    admin = UserFactory(username="zhao")
    membership_grant(actor=None, archive=nanjing, user=admin, role="administrator")
    page.goto(f"{live_server.url}/console/login/", wait_until="networkidle")
    page.fill("#id_username", "zhao")
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")
    page.goto(f"{live_server.url}/console/harvesting/", wait_until="networkidle")
    assert "苏州园林档案（演示）" in page.content()
    assert_fits_phone(page)
    screenshot(page, "union-console-phone")
    run = HarvestRun.objects.get()
    page.goto(f"{live_server.url}/console/harvesting/runs/{run.pk}/", wait_until="networkidle")
    assert "读取记录" in page.content()
    assert_fits_phone(page)
