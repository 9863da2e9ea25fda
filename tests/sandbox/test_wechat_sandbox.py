"""The WeChat API sandbox speaks the platform's contract: its paths, JSON shapes and errcodes,
and its rules — driven over real HTTP as any client would, with httpx."""

from __future__ import annotations

import datetime
import http.server
import io
import threading
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from archivox.core.models import AuditEntry, PlatformAccount
from archivox.platforms.wechat.crypto import MessageCrypto, signature
from archivox.platforms.wechat.xml import parse_xml
from archivox.sandbox.wechat import services
from archivox.sandbox.wechat.faults import parse_fault
from archivox.sandbox.wechat.models import Account, Draft, EventDelivery, Fault, Publish
from archivox.sandbox.wechat.selectors import account_now, article_stats, beijing_date
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oSandboxVisitor00000000000001"


@pytest.fixture
def api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    with httpx.Client(base_url=settings.WECHAT_API, timeout=10) as http:
        yield http


@pytest.fixture
def account(api):
    return services.sandbox_account_create(name="沙盒档案馆")


@pytest.fixture
def token(api, account):
    return fetch_token(api, account)


def fetch_token(api, account) -> str:
    answer = api.get(
        "/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": account.appid,
            "secret": account.app_secret,
        },
    ).json()
    return answer["access_token"]


def call(api, path, token, payload=None, **kwargs):
    if payload is None and "files" not in kwargs:
        return api.get(path, params={"access_token": token, **kwargs.pop("params", {})}, **kwargs)
    return api.post(
        path, params={"access_token": token, **kwargs.pop("params", {})}, json=payload, **kwargs
    )


def jpeg(size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (120, 90, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def thumb_id(api, token) -> str:
    answer = call(
        api,
        "/cgi-bin/material/add_material",
        token,
        params={"type": "thumb"},
        files={"media": ("t.jpg", jpeg(), "image/jpeg")},
    ).json()
    return answer["media_id"]


def draft(api, token, **article) -> dict:
    article = {
        "title": "馆藏珍品：民国南京地图",
        "content": "<p>一张1930年代的地图。</p><script>alert(1)</script>",
        "thumb_media_id": thumb_id(api, token),
        **article,
    }
    return call(api, "/cgi-bin/draft/add", token, {"articles": [article]}).json()


class Recorder:
    """A stand-in for an archive's callback URL: records each POST and answers ``success``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                recorder.requests.append((query, self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "7")
                self.end_headers()
                self.wfile.write(b"success")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/wechat/sandbox/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    recorder = Recorder()
    yield recorder
    recorder.close()


# -- tokens -------------------------------------------------------------------------------------


def test_token_answers_like_the_platform(api, account):
    answer = api.get(
        "/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": account.appid,
            "secret": account.app_secret,
        },
    ).json()
    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200
    wrong = {"grant_type": "client_credential", "appid": account.appid, "secret": "x"}
    assert api.get("/cgi-bin/token", params=wrong).json()["errcode"] == 40001
    unknown = {**wrong, "appid": "wx0000000000000000"}
    assert api.get("/cgi-bin/token", params=unknown).json()["errcode"] == 40013
    grant = {**wrong, "grant_type": "password"}
    assert api.get("/cgi-bin/token", params=grant).json()["errcode"] == 40002


def test_calls_without_a_good_token_are_refused(api, token):
    assert api.get("/cgi-bin/menu/get").json()["errcode"] == 41001
    assert call(api, "/cgi-bin/menu/get", "garbage").json()["errcode"] == 40014
    refused = call(api, "/cgi-bin/draft/add", token)  # a GET where the platform wants POST
    assert refused.json()["errcode"] == 43002
    assert "rid:" in refused.json()["errmsg"]


def test_a_new_token_leaves_the_old_one_five_minutes(api, account, token):
    newer = fetch_token(api, account)
    assert call(api, "/cgi-bin/menu/get", token).json()["errcode"] == 46003  # still accepted
    services.sandbox_clock_advance(appid=account.appid, seconds=301)
    assert call(api, "/cgi-bin/menu/get", token).json()["errcode"] == 40001
    assert call(api, "/cgi-bin/menu/get", newer).json()["errcode"] == 46003


def test_a_token_expires_after_7200_seconds(api, account, token):
    services.sandbox_clock_advance(appid=account.appid, seconds=7200)
    assert call(api, "/cgi-bin/menu/get", token).json()["errcode"] == 42001


def test_token_fetches_stop_at_2000_a_day_and_start_again_the_next_day(api, account):
    services.sandbox_quota_use(appid=account.appid, api="token", count=2000)
    params = {
        "grant_type": "client_credential",
        "appid": account.appid,
        "secret": account.app_secret,
    }
    assert api.get("/cgi-bin/token", params=params).json()["errcode"] == 45009
    services.sandbox_clock_advance(appid=account.appid, seconds=86400)
    assert "access_token" in api.get("/cgi-bin/token", params=params).json()


# -- faults -------------------------------------------------------------------------------------


def test_faults_chosen_per_request(api, token):
    busy = call(api, "/cgi-bin/menu/get", token, headers={"X-Sandbox-Fault": "busy"})
    assert busy.status_code == 200 and busy.json()["errcode"] == -1
    broken = call(api, "/cgi-bin/menu/get", token, headers={"X-Sandbox-Fault": "http500"})
    assert broken.status_code == 500
    started = time.monotonic()
    late = call(api, "/cgi-bin/menu/get", token, headers={"X-Sandbox-Fault": "delay=0.5"})
    assert time.monotonic() - started >= 0.5 and late.json()["errcode"] == 46003
    with pytest.raises(httpx.ReadTimeout):
        call(
            api,
            "/cgi-bin/menu/get",
            token,
            headers={"X-Sandbox-Fault": "timeout=1"},
            timeout=0.3,
        )
    time.sleep(1)  # let the abandoned request finish inside this test


def test_a_dropped_connection_comes_after_the_commit(api, account, token):
    media_id = thumb_id(api, token)
    payload = {
        "articles": [{"title": "标题", "content": "<p>正文</p>", "thumb_media_id": media_id}]
    }
    with pytest.raises(httpx.RemoteProtocolError):
        call(
            api,
            "/cgi-bin/draft/add",
            token,
            payload,
            headers={"X-Sandbox-Fault": "drop_after_commit"},
        )
    assert Draft.objects.filter(account=account).count() == 1


def test_faults_set_per_account_through_the_control_endpoint(api, account, token):
    created = api.post(
        "/_faults", json={"appid": account.appid, "mode": "busy", "api": "menu/get", "remaining": 2}
    )
    assert created.status_code == 200 and created.json()["fault"]["remaining"] == 2
    assert call(api, "/cgi-bin/menu/get", token).json()["errcode"] == -1
    listed = api.get("/_faults", params={"appid": account.appid}).json()["faults"]
    assert [f["remaining"] for f in listed] == [1]
    assert api.delete("/_faults", params={"appid": account.appid}).json() == {"deleted": 1}
    assert call(api, "/cgi-bin/menu/get", token).json()["errcode"] == 46003
    assert api.post("/_faults", json={"appid": account.appid, "mode": "nope"}).status_code == 400
    assert api.get("/_faults", params={"appid": "wx-none"}).status_code == 404


def test_fault_header_values():
    assert parse_fault("delay=2").seconds == 2
    assert parse_fault("timeout").seconds == 15
    assert parse_fault("drop_after_commit").mode == "drop_after_commit"
    assert parse_fault("explode") is None
    assert parse_fault("") is None


# -- drafts, publishing and the publish-job-finished event -------------------------------------


def test_article_limits(api, token):
    assert draft(api, token, title="长" * 33)["errcode"] == 45003
    assert draft(api, token, digest="摘" * 129)["errcode"] == 45004
    assert draft(api, token, author="作" * 17)["errcode"] == 45110
    assert draft(api, token, content="字" * 20_001)["errcode"] == 45002
    assert draft(api, token, thumb_media_id="no-such-media")["errcode"] == 40007
    assert call(api, "/cgi-bin/draft/add", token, {"articles": []}).json()["errcode"] == 44003
    assert "media_id" in draft(api, token, title="长" * 32, digest="摘" * 128)


def test_image_limits(api, token):
    def upload(path, data, **params):
        return call(
            api, path, token, params=params, files={"media": ("f", data, "image/jpeg")}
        ).json()

    png_header = b"\x89PNG\r\n\x1a\n"
    assert upload("/cgi-bin/media/uploadimg", b"GIF89a" + b"\0" * 10)["errcode"] == 40005
    assert upload("/cgi-bin/media/uploadimg", png_header + b"\0" * (1024 * 1024))["errcode"] == (
        40009
    )
    assert "url" in upload("/cgi-bin/media/uploadimg", png_header + b"\0" * 100)
    thumb = "/cgi-bin/material/add_material"
    assert upload(thumb, png_header + b"\0" * 100, type="thumb")["errcode"] == 40005
    assert upload(thumb, jpeg()[:3] + b"\0" * (64 * 1024), type="thumb")["errcode"] == 40012
    assert upload(thumb, jpeg(), type="voice")["errcode"] == 40004
    added = upload(thumb, jpeg(), type="thumb")
    image = api.get(urlsplit(added["url"]).path.removeprefix("/sandbox/wechat"))
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"


def test_publish_fires_the_finished_event_signed_and_encrypted(api, account, token, recorder):
    services.sandbox_account_update(appid=account.appid, callback_url=recorder.url)
    media_id = draft(api, token)["media_id"]
    submitted = call(api, "/cgi-bin/freepublish/submit", token, {"media_id": media_id}).json()
    assert submitted["errcode"] == 0
    publish_id = submitted["publish_id"]
    status = call(api, "/cgi-bin/freepublish/get", token, {"publish_id": publish_id}).json()
    assert status["publish_status"] == 0
    assert status["article_detail"]["count"] == 1

    ((query, body),) = recorder.requests
    assert query["encrypt_type"] == "aes"
    assert query["signature"] == signature(account.token, query["timestamp"], query["nonce"])
    crypto = MessageCrypto(
        token=account.token, encoding_aes_key=account.encoding_aes_key, appid=account.appid
    )
    event = parse_xml(
        crypto.decrypt_message(
            body,
            msg_signature=query["msg_signature"],
            timestamp=query["timestamp"],
            nonce=query["nonce"],
        )
    )
    assert event["ToUserName"] == account.original_id
    assert query["openid"] == event["FromUserName"]
    assert abs(int(event["CreateTime"]) - time.time()) < 60
    assert event["MsgType"] == "event" and event["Event"] == "PUBLISHJOBFINISH"
    info = event["PublishEventInfo"]
    assert info["publish_id"] == publish_id
    assert info["publish_status"] == "0"
    assert info["article_id"] == status["article_id"]
    assert info["article_detail"]["count"] == "1"
    assert (
        info["article_detail"]["item"]["article_url"]
        == (status["article_detail"]["item"][0]["article_url"])
    )
    delivery = EventDelivery.objects.get(event="PUBLISHJOBFINISH")
    assert delivery.delivered_at is not None and delivery.response == "success"


def test_plaintext_and_compatible_mode_events(api, account, token, recorder):
    services.sandbox_account_update(
        appid=account.appid, callback_url=recorder.url, message_mode="plaintext"
    )
    call(api, "/cgi-bin/freepublish/submit", token, {"media_id": draft(api, token)["media_id"]})
    services.sandbox_account_update(appid=account.appid, message_mode="compatible")
    call(api, "/cgi-bin/freepublish/submit", token, {"media_id": draft(api, token)["media_id"]})
    (plain_query, plain_body), (compat_query, compat_body) = recorder.requests
    assert "encrypt_type" not in plain_query
    assert parse_xml(plain_body)["Event"] == "PUBLISHJOBFINISH"
    compat = parse_xml(compat_body)
    assert compat["Event"] == "PUBLISHJOBFINISH" and compat["Encrypt"]
    assert compat_query["msg_signature"] == signature(
        account.token, compat_query["timestamp"], compat_query["nonce"], compat["Encrypt"]
    )


def test_a_failed_publish_job_returns_the_draft_and_says_so(api, account, token, recorder):
    services.sandbox_account_update(appid=account.appid, callback_url=recorder.url)
    services.sandbox_fault_set(appid=account.appid, mode="publish_fail")
    media_id = draft(api, token)["media_id"]
    publish_id = call(api, "/cgi-bin/freepublish/submit", token, {"media_id": media_id}).json()[
        "publish_id"
    ]
    status = call(api, "/cgi-bin/freepublish/get", token, {"publish_id": publish_id}).json()
    assert status["publish_status"] == 3 and status["fail_idx"] == [1]
    assert call(api, "/cgi-bin/draft/get", token, {"media_id": media_id}).json()["news_item"]
    event = MessageCrypto(
        token=account.token, encoding_aes_key=account.encoding_aes_key, appid=account.appid
    ).decrypt(parse_xml(recorder.requests[0][1])["Encrypt"])
    assert parse_xml(event)["PublishEventInfo"]["fail_idx"] == "1"


def test_a_published_draft_leaves_the_draft_box_and_cannot_be_published_twice(api, token):
    media_id = draft(api, token)["media_id"]
    first = call(api, "/cgi-bin/freepublish/submit", token, {"media_id": media_id}).json()
    assert first["errcode"] == 0
    again = call(api, "/cgi-bin/freepublish/submit", token, {"media_id": media_id}).json()
    assert again["errcode"] == 40007
    assert Publish.objects.count() == 1


def test_published_pages_strip_scripts_and_reads_grow_over_time(api, account, token):
    media_id = draft(api, token)["media_id"]
    publish_id = call(api, "/cgi-bin/freepublish/submit", token, {"media_id": media_id}).json()[
        "publish_id"
    ]
    status = call(api, "/cgi-bin/freepublish/get", token, {"publish_id": publish_id}).json()
    page = httpx.get(status["article_detail"]["item"][0]["article_url"])
    assert "民国南京地图" in page.text and "<script>" not in page.text
    article = Publish.objects.get(publish_id=publish_id).published.get()
    early = article_stats(article)["reads"]
    later = article_stats(article, article.published_at + datetime.timedelta(hours=12))["reads"]
    assert early >= 1 and later > early


# -- mass sends ---------------------------------------------------------------------------------


def sendall(api, token, content: str, **extra) -> dict:
    payload = {"filter": {"is_to_all": True}, "msgtype": "text", "text": {"content": content}}
    return call(api, "/cgi-bin/message/mass/sendall", token, {**payload, **extra}).json()


def test_a_subscription_account_mass_sends_once_a_day(api, account, token):
    first = sendall(api, token, "今日推送")
    assert first["errcode"] == 0 and first["msg_id"]
    assert sendall(api, token, "第二次推送")["errcode"] == 45028
    services.sandbox_clock_advance(appid=account.appid, seconds=86400)
    token = fetch_token(api, account)  # the old one has expired meanwhile
    assert sendall(api, token, "明日推送")["errcode"] == 0
    status = call(api, "/cgi-bin/message/mass/get", token, {"msg_id": first["msg_id"]}).json()
    assert status["msg_status"] == "SEND_SUCCESS"


def test_a_service_account_mass_sends_four_times_a_month(api, account, token):
    services.sandbox_account_update(appid=account.appid, account_type="service")
    answers = [sendall(api, token, f"第{n}次")["errcode"] for n in range(5)]
    assert answers == [0, 0, 0, 0, 45028]


def test_mass_send_frequency_limit_and_clientmsgid(api, account, token):
    first = sendall(api, token, "通知", clientmsgid="k-1")
    assert sendall(api, token, "通知", clientmsgid="k-1")["errcode"] == 45066  # within a minute
    services.sandbox_clock_advance(appid=account.appid, seconds=120)
    repeat = sendall(api, token, "通知", clientmsgid="k-1")
    assert repeat["errcode"] == 45065 and repeat["msg_id"] == first["msg_id"]
    assert sendall(api, token, "x", clientmsgid="k" * 65)["errcode"] == 45067
    services.sandbox_quota_use(
        appid=account.appid, api="message/mass/sendall", count=60, period="minute"
    )
    assert sendall(api, token, "太快")["errcode"] == 45011


# -- followers and customer-service messages ----------------------------------------------------


def custom_text(api, token, openid: str, content: str = "您好") -> int:
    payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
    return call(api, "/cgi-bin/message/custom/send", token, payload).json()["errcode"]


def test_the_customer_service_window(api, account, token):
    assert custom_text(api, token, OPENID) == 40003  # never followed
    follow = api.post("/_followers", json={"appid": account.appid, "openid": OPENID})
    assert follow.status_code == 200 and follow.json()["subscribed"] is True
    services.sandbox_clock_advance(appid=account.appid, seconds=120)  # past the follow minute
    assert [custom_text(api, token, OPENID) for _ in range(6)] == [0, 0, 0, 0, 0, 45047]
    services.sandbox_clock_advance(appid=account.appid, seconds=48 * 3600 + 1)
    token = fetch_token(api, account)
    assert custom_text(api, token, OPENID) == 45015
    services.sandbox_follower_touch(account.appid, OPENID)
    assert custom_text(api, token, OPENID) == 0
    services.sandbox_follower_unsubscribe(account.appid, OPENID)
    assert custom_text(api, token, OPENID) == 45015
    info = call(api, "/cgi-bin/user/info", token, params={"openid": OPENID}).json()
    assert info == {"subscribe": 0, "openid": OPENID}


def test_menus_are_checked_like_the_platform(api, token):
    def create(buttons):
        return call(api, "/cgi-bin/menu/create", token, {"button": buttons}).json()["errcode"]

    click = {"type": "click", "name": "馆藏", "key": "K"}
    assert create([click] * 4) == 40016
    assert create([{**click, "name": "很长很长很长的菜单名"}]) == 40018
    assert create([{**click, "type": "teleport"}]) == 40017
    assert create([{"name": "更多", "sub_button": [click] * 6}]) == 40023
    assert create([{"type": "view", "name": "官网"}]) == 40020
    assert create([click, {"name": "更多", "sub_button": [click]}]) == 0
    menu = call(api, "/cgi-bin/menu/get", token).json()["menu"]
    assert [b["name"] for b in menu["button"]] == ["馆藏", "更多"]


def test_statistics_are_for_past_days_only(api, account, token):
    # "Today" is the account's day in Beijing, as WeChat counts it (16:00-24:00 UTC is tomorrow).
    today = beijing_date(account_now(account)).isoformat()
    span = {"begin_date": today, "end_date": today}
    assert call(api, "/datacube/getusersummary", token, span).json()["errcode"] == 61501
    bad = {"begin_date": "yesterday", "end_date": today}
    assert call(api, "/datacube/getarticlesummary", token, bad).json()["errcode"] == 61500


# -- provisioning ---------------------------------------------------------------------------------


def test_an_archive_gets_a_sandbox_account_and_its_platform_account_points_at_it(settings):
    archive = ArchiveFactory(slug="suzhou", name_zh="苏州市档案馆")
    credentials = services.sandbox_wechat_account_ensure(archive)
    assert set(credentials) == {"appid", "app_secret", "token", "encoding_aes_key", "original_id"}
    assert len(credentials["encoding_aes_key"]) == 43
    sandbox_account = Account.objects.get(appid=credentials["appid"])
    assert sandbox_account.callback_url == f"{settings.BASE_URL}/wechat/suzhou/callback"
    platform_account = PlatformAccount.objects.get(archive=archive, platform="wechat")
    assert platform_account.app_secret == credentials["app_secret"]
    assert platform_account.encoding_aes_key == credentials["encoding_aes_key"]
    assert platform_account.original_id == credentials["original_id"]
    assert services.sandbox_wechat_account_ensure(archive) == credentials  # idempotent
    assert Account.objects.count() == 1
    entries = AuditEntry.objects.filter(action="platform_account.sandbox_provision")
    assert entries.count() == 1
    assert credentials["app_secret"] not in str(entries.get().after)


def test_account_faults_are_used_up(account):
    services.sandbox_fault_set(appid=account.appid, mode="busy", api="menu/get", remaining=1)
    assert services.sandbox_fault_take(account=account, api="draft/add") is None
    assert services.sandbox_fault_take(account=account, api="menu/get").mode == "busy"
    assert not Fault.objects.exists()
