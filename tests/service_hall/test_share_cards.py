"""Share cards: a portal page opened in WeChat's browser carries a JS-SDK config signed with the
account's jsapi_ticket, which the WeChat sandbox (the peer) verifies over real HTTP; the script
comes from WeChat's host only in production, and nothing external loads anywhere else."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from archivox.platforms.wechat.client.tickets import jsapi_ticket_memo_clear
from archivox.sandbox.wechat import services as sandbox
from archivox.sandbox.wechat.models import JsapiTicket
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
)
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile"
CONFIG = re.compile(r'<script id="wechat-jssdk-config" type="application/json">(.*?)</script>')


@pytest.fixture
def sandbox_api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    jsapi_ticket_memo_clear()
    yield settings.WECHAT_API
    jsapi_ticket_memo_clear()


@pytest.fixture
def archive(sandbox_api):
    archive = ArchiveFactory(slug="nanjing-share", name_zh="南京市档案馆")
    sandbox.sandbox_wechat_account_ensure(archive)
    return archive


def config_of(response) -> dict | None:
    found = CONFIG.search(response.content.decode())
    return json.loads(found.group(1)) if found else None


def test_a_page_in_wechat_has_a_config_the_peer_verifies(client, archive, sandbox_api):
    url = f"/archives/{archive.slug}/?from=singlemessage"
    response = client.get(url, HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    config = config_of(response)
    assert config is not None
    assert config["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    page = "http://testserver" + url
    verdict = httpx.post(sandbox_api + "/_jssdk_verify", json={**config, "url": page}).json()
    assert verdict == {"ok": True, "errMsg": "config:ok"}
    # Under the sandbox the script is its stand-in, from our own origin: the CSP stays 'self'.
    body = response.content.decode()
    assert 'src="/sandbox/wechat/_jweixin.js"' in body
    assert "res.wx.qq.com" not in body
    assert "res.wx.qq.com" not in response["Content-Security-Policy"]
    # A second page view signs with the same ticket: nothing is fetched per request.
    client.get(f"/archives/{archive.slug}/catalog/", HTTP_USER_AGENT=WECHAT_UA)
    assert JsapiTicket.objects.count() == 1


def test_outside_wechat_nothing_is_configured(client, archive):
    response = client.get(f"/archives/{archive.slug}/", HTTP_USER_AGENT=PHONE_UA)
    assert response.status_code == 200
    assert config_of(response) is None
    assert "jweixin" not in response.content.decode()
    assert not JsapiTicket.objects.exists()


def test_in_production_the_script_comes_from_wechat_and_the_csp_allows_exactly_that(
    client, archive, settings
):
    settings.SANDBOX = False
    settings.DEBUG = False
    response = client.get(f"/archives/{archive.slug}/", HTTP_USER_AGENT=WECHAT_UA)
    assert config_of(response) is not None
    assert 'src="https://res.wx.qq.com/open/js/jweixin-1.6.0.js"' in response.content.decode()
    policy = dict(
        ([*part.strip().split(" ", 1), ""])[:2]
        for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self' https://res.wx.qq.com"
    assert policy["connect-src"] == "'self'"
    # Outside WeChat's browser the same page loads nothing from WeChat and allows nothing more.
    response = client.get(f"/archives/{archive.slug}/", HTTP_USER_AGENT=PHONE_UA)
    assert "res.wx.qq.com" not in response.content.decode()
    assert "res.wx.qq.com" not in response["Content-Security-Policy"]


def test_in_development_without_the_sandbox_nothing_external_loads(client, archive, settings):
    settings.SANDBOX = False
    settings.DEBUG = True
    response = client.get(f"/archives/{archive.slug}/", HTTP_USER_AGENT=WECHAT_UA)
    assert config_of(response) is None
    assert "res.wx.qq.com" not in response.content.decode()


def test_a_refused_ticket_leaves_a_plain_page(client, archive, sandbox_api):
    sandbox.sandbox_fault_set(
        appid=archive.platform_accounts.get().appid, mode="http500", remaining=10
    )
    response = client.get(f"/archives/{archive.slug}/", HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    assert config_of(response) is None


def test_a_page_without_an_archive_or_account_has_no_config(client, sandbox_api):
    bare = ArchiveFactory(slug="no-wechat")
    assert config_of(client.get(f"/archives/{bare.slug}/", HTTP_USER_AGENT=WECHAT_UA)) is None
    assert config_of(client.get("/", HTTP_USER_AGENT=WECHAT_UA)) is None


@pytest.mark.parametrize("path", ["reservations/", "ask/", "polls/", "exhibitions/", "posts/"])
def test_the_archives_service_pages_carry_the_config(client, archive, path):
    response = client.get(f"/archives/{archive.slug}/{path}", HTTP_USER_AGENT=WECHAT_UA)
    assert response.status_code == 200
    assert config_of(response) is not None
