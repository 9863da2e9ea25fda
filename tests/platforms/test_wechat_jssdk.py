"""The JS-SDK page signature against the platform's published sample, and the jsapi_ticket
fetched through the shared store from the WeChat sandbox over real HTTP."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from archivox.platforms.tokens.models import PlatformToken
from archivox.platforms.wechat.client import WeChatApi
from archivox.platforms.wechat.client.tickets import TICKET_PLATFORM, jsapi_ticket_memo_clear
from archivox.platforms.wechat.jssdk import jssdk_config, jssdk_signature, jssdk_string
from archivox.sandbox.wechat import services as sandbox
from archivox.sandbox.wechat.models import JsapiTicket

SHARED = Path(settings.SHARED_DIR) / "data" / "wechat-jssdk-vector.json"
BUNDLED = Path(settings.BASE_DIR) / "data" / "wechat-jssdk-vector.json"


@pytest.fixture(scope="module")
def vector() -> dict:
    return json.loads(BUNDLED.read_text())


def test_the_bundled_vector_is_the_shared_one():
    if not SHARED.exists():
        pytest.skip("no ../shared/data here; the bundled copy is used")
    assert json.loads(BUNDLED.read_text()) == json.loads(SHARED.read_text())


def test_reproduces_the_platforms_published_sample(vector):
    fields = {
        "jsapi_ticket": vector["jsapi_ticket"],
        "noncestr": vector["noncestr"],
        "timestamp": vector["timestamp"],
        "url": vector["url"],
    }
    assert jssdk_string(**fields) == vector["string1"]
    assert jssdk_signature(**fields) == vector["signature"]


def test_the_fragment_is_not_signed_and_the_config_carries_the_signature(vector):
    config = jssdk_config(
        appid="wx0123",
        jsapi_ticket=vector["jsapi_ticket"],
        url=vector["url"] + "#share",
        now=vector["timestamp"],
        nonce=vector["noncestr"],
    )
    assert config.as_json() == {
        "appId": "wx0123",
        "timestamp": vector["timestamp"],
        "nonceStr": vector["noncestr"],
        "signature": vector["signature"],
        "jsApiList": ["updateAppMessageShareData", "updateTimelineShareData"],
    }
    fresh = jssdk_config(appid="wx0123", jsapi_ticket="t", url="http://x/")
    assert len(fresh.nonce_str) == 16 and fresh.nonce_str.isalnum()


# -- against the sandbox ------------------------------------------------------------------------


@pytest.fixture
def sandbox_api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    jsapi_ticket_memo_clear()
    yield settings.WECHAT_API
    jsapi_ticket_memo_clear()


@pytest.fixture
def account(sandbox_api):
    return sandbox.sandbox_account_create(name="测试档案馆")


def api_for(account) -> WeChatApi:
    return WeChatApi(appid=account.appid, secret=account.app_secret, timeout=5.0, backoff=0.01)


@pytest.mark.django_db(transaction=True)
def test_the_ticket_is_fetched_once_for_all_processes_and_renewed_early(account):
    with api_for(account) as first:
        ticket = first.jsapi_ticket()
    assert JsapiTicket.objects.filter(account=account).count() == 1
    assert ticket.value == JsapiTicket.objects.get(account=account).value
    # Another process (no memory of its own) reads the shared row instead of fetching.
    jsapi_ticket_memo_clear()
    with api_for(account) as second:
        assert second.jsapi_ticket().value == ticket.value
        # The same process asks again: from memory, not even the row.
        PlatformToken.objects.filter(platform=TICKET_PLATFORM).update(value="changed elsewhere")
        assert second.jsapi_ticket().value == ticket.value
    assert JsapiTicket.objects.filter(account=account).count() == 1
    # Within 5 minutes of its expiry the ticket is renewed before the platform refuses it.
    jsapi_ticket_memo_clear()
    PlatformToken.objects.filter(platform=TICKET_PLATFORM, key=account.appid).update(
        value=ticket.value, expires_at=timezone.now() + datetime.timedelta(seconds=120)
    )
    with api_for(account) as third:
        renewed = third.jsapi_ticket()
    assert renewed.value != ticket.value
    assert JsapiTicket.objects.filter(account=account).count() == 2
    row = PlatformToken.objects.get(platform=TICKET_PLATFORM, key=account.appid)
    assert row.fetches_today == 2
    assert 7100 < (row.expires_at - timezone.now()).total_seconds() <= 7200


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_refuses_a_wrong_ticket_type_and_a_missing_token(account, sandbox_api):
    with api_for(account) as api:
        token = api.access_token()
    answer = httpx.get(
        sandbox_api + "/cgi-bin/ticket/getticket", params={"access_token": token, "type": "wx"}
    ).json()
    assert answer["errcode"] == 40097
    answer = httpx.get(sandbox_api + "/cgi-bin/ticket/getticket", params={"type": "jsapi"}).json()
    assert answer["errcode"] == 41001
    assert not JsapiTicket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_as_peer_accepts_only_a_signature_with_its_live_ticket(account, sandbox_api):
    with api_for(account) as api:
        ticket = api.jsapi_ticket().value
    url = "http://archives.example/archives/nanjing/?from=timeline"
    config = jssdk_config(appid=account.appid, jsapi_ticket=ticket, url=url + "#top").as_json()

    def verify(**changes):
        body = {**config, "url": url + "#top", **changes}
        return httpx.post(sandbox_api + "/_jssdk_verify", json=body).json()

    assert verify() == {"ok": True, "errMsg": "config:ok"}
    assert verify(url=url + "&x=1")["ok"] is False
    assert (
        verify(signature=jssdk_config(appid="", jsapi_ticket="forged", url=url).signature)["ok"]
        is False
    )
    assert verify(timestamp=config["timestamp"] - 3 * 3600)["ok"] is False
    assert verify(appId="wxnosuchaccount")["errMsg"] == "config:invalid appid"
    bad = httpx.post(sandbox_api + "/_jssdk_verify", json={**config, "timestamp": "soon"})
    assert bad.status_code == 400
