"""The console's account page: the health panel (token and ticket age, last callback, last
errors) and the share-card defaults, which WeChat pages then carry."""

from __future__ import annotations

import json
import re

import pytest

from archivox.core.models import AuditEntry, Membership, Role
from archivox.platforms.wechat.client.tickets import jsapi_ticket_memo_clear
from archivox.sandbox.wechat import services as sandbox
from archivox.service_hall.models import ShareDefaults
from tests.factories import ArchiveFactory, UserFactory
from tests.service_hall.test_share_cards import WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULTS = re.compile(r'<script id="wechat-share-defaults" type="application/json">(.*?)</script>')


@pytest.fixture
def archive(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    jsapi_ticket_memo_clear()
    archive = ArchiveFactory(slug="nanjing-hall", name_zh="南京市档案馆")
    sandbox.sandbox_wechat_account_ensure(archive)
    yield archive
    jsapi_ticket_memo_clear()


@pytest.fixture
def editor(client, archive):
    user = UserFactory(username="wang-hall")
    Membership.objects.create(user=user, archive=archive, role=Role.ARCHIVIST)
    client.force_login(user)
    return client


def test_the_health_panel_shows_the_ages_of_token_and_ticket(editor, archive):
    page = editor.get("/console/service-hall/nanjing-hall/").content.decode()
    assert page.count("not fetched yet") == 2
    editor.get("/archives/nanjing-hall/", HTTP_USER_AGENT=WECHAT_UA)  # a share card: a ticket
    page = editor.get("/console/service-hall/nanjing-hall/").content.decode()
    assert "not fetched yet" not in page
    assert page.count("valid until") == 2


def test_share_defaults_are_checked_saved_audited_and_carried_by_wechat_pages(editor, archive):
    bad = {"image_url": "not a url", "description": "南京档案 · 馆藏与服务"}
    page = editor.post("/console/service-hall/nanjing-hall/", bad).content.decode()
    assert "full address" in page
    assert 'value="not a url"' in page and 'value="南京档案 · 馆藏与服务"' in page
    assert not ShareDefaults.objects.exists()
    good = {**bad, "image_url": "https://archives.example/nanjing.jpg"}
    assert editor.post("/console/service-hall/nanjing-hall/", good).status_code == 302
    assert AuditEntry.objects.filter(action="share_defaults.update").count() == 1
    page = editor.get("/archives/nanjing-hall/", HTTP_USER_AGENT=WECHAT_UA).content.decode()
    share = json.loads(DEFAULTS.search(page).group(1))
    assert share["imgUrl"] == "https://archives.example/nanjing.jpg"
    assert share["desc"] == "南京档案 · 馆藏与服务"
    assert share["siteImage"].endswith("/static/portal/share.png")
