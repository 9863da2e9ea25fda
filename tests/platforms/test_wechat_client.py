"""Our WeChat API client against the WeChat sandbox, over real HTTP (pytest-django's live server).

Nothing of ours is mocked: the sandbox enforces the platform's rules, faults are injected through
its own controls, and time passes through its clock."""

from __future__ import annotations

import datetime
import io
import time

import httpx
import pytest
from django.utils import timezone
from PIL import Image

from archivox.core.models import PlatformAccount
from archivox.platforms.tokens.models import PlatformToken
from archivox.platforms.wechat.client import (
    WeChatApi,
    WeChatApiError,
    WeChatBusyError,
    WeChatCredentialError,
    WeChatDuplicateMassSendError,
    WeChatInvalidContentError,
    WeChatMassQuotaError,
    WeChatOutOfWindowError,
    WeChatRateLimitError,
    WeChatReplyLimitError,
    WeChatTokenQuotaError,
    WeChatUncertainError,
    client_for_account,
)
from archivox.sandbox.wechat import services as sandbox
from archivox.sandbox.wechat.models import AccessToken, CustomMessage, Fault, Publish
from archivox.sandbox.wechat.selectors import account_now, beijing_date
from tests.factories import ArchiveFactory
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oArchivoxReader000000000001"


@pytest.fixture
def sandbox_api(live_server, settings):
    settings.WECHAT_API = live_server.url + "/sandbox/wechat"
    return settings.WECHAT_API


@pytest.fixture
def account(sandbox_api):
    return sandbox.sandbox_account_create(name="测试档案馆")


_open_clients: list[WeChatApi] = []


@pytest.fixture(autouse=True)
def close_clients():
    """Close every client at the end of the test, so the live server's threads (and their
    database sessions) end with their keep-alive connections."""
    yield
    while _open_clients:
        _open_clients.pop().close()


def client(account, **options) -> WeChatApi:
    options.setdefault("timeout", 5.0)
    options.setdefault("backoff", 0.01)
    api = WeChatApi(appid=account.appid, secret=account.app_secret, **options)
    _open_clients.append(api)
    return api


def tokens_issued(account) -> int:
    return AccessToken.objects.filter(account=account).count()


def jpeg(size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def png(size: int = 32) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (40, 40, 180)).save(buffer, "PNG")
    return buffer.getvalue()


def a_draft(api: WeChatApi, title: str = "白崇禧公馆的前世今生") -> str:
    thumb = api.add_thumb_material(jpeg())
    image_url = api.upload_article_image(png())
    return api.draft_add(
        [
            {
                "title": title,
                "author": "南京市档案馆",
                "digest": "一座民国建筑的故事",
                "content": f"<p>公馆建于1930年代。</p><img src='{image_url}'>",
                "thumb_media_id": thumb["media_id"],
            }
        ]
    )


# -- the access token ---------------------------------------------------------------------------


def test_token_is_fetched_once_and_reused_by_another_process(account):
    first, second = client(account), client(account)  # two workers, each with its own client
    first.menu_create({"button": [{"type": "click", "name": "馆藏", "key": "HOLDINGS"}]})
    assert second.menu_get()["menu"]["button"][0]["key"] == "HOLDINGS"
    assert tokens_issued(account) == 1
    row = PlatformToken.objects.get(platform="wechat", key=account.appid)
    assert row.fetches_today == 1
    assert row.value == first.access_token() == second.access_token()


def test_a_live_token_is_read_in_one_statement_without_a_lock(account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client(account).access_token()  # the first client fetches and stores it
    with CaptureQueriesContext(connection) as queries:
        token = client(account).access_token()  # another worker's client: the stored one
    assert token == PlatformToken.objects.get(key=account.appid).value
    statements = [q["sql"].upper() for q in queries]
    assert len(statements) == 1 and "FOR UPDATE" not in statements[0]
    assert tokens_issued(account) == 1


def test_concurrent_workers_do_not_stampede_the_token_endpoint(account):
    sandbox.sandbox_follower_touch(account.appid, OPENID)
    workers = 8
    answers: list[object] = []

    def work() -> None:
        try:
            answers.append(client(account).user_info(OPENID)["subscribe"])
        except Exception as exc:  # reported below
            answers.append(exc)

    run_at_once(work, workers)
    assert answers == [1] * workers
    assert tokens_issued(account) == 1
    assert PlatformToken.objects.get(key=account.appid).fetches_today == 1


def test_a_token_close_to_its_expiry_is_renewed_before_the_platform_refuses_it(account):
    api = client(account)
    api.menu_create({"button": [{"type": "view", "name": "官网", "url": "https://example.org/"}]})
    PlatformToken.objects.filter(key=account.appid).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=60)
    )
    client(account).menu_get()
    assert tokens_issued(account) == 2


def test_an_expired_token_is_renewed_transparently(account):
    client(account).menu_create({"button": [{"type": "click", "name": "展览", "key": "EXHIBIT"}]})
    sandbox.sandbox_clock_advance(appid=account.appid, seconds=7201)  # the platform says 42001
    assert client(account).menu_get()["menu"]["button"][0]["name"] == "展览"
    assert tokens_issued(account) == 2


def test_a_token_replaced_elsewhere_40001_is_renewed_and_the_call_retried_once(
    account, sandbox_api
):
    api = client(account)
    api.menu_create({"button": [{"type": "click", "name": "咨询", "key": "ASK"}]})
    # Someone else uses the AppSecret: our token works 5 more minutes, then gets 40001.
    other = httpx.get(
        sandbox_api + "/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": account.appid,
            "secret": account.app_secret,
        },
    ).json()
    assert "access_token" in other
    sandbox.sandbox_clock_advance(appid=account.appid, seconds=301)
    assert api.menu_get()["menu"]["button"][0]["key"] == "ASK"
    assert tokens_issued(account) == 3


def test_fetches_stop_at_our_daily_cap_without_asking_the_platform(account):
    PlatformToken.objects.create(
        platform="wechat", key=account.appid, fetch_day=timezone.localdate(), fetches_today=2000
    )
    with pytest.raises(WeChatTokenQuotaError) as refused:
        client(account).menu_get()
    assert refused.value.errcode == 45009
    assert tokens_issued(account) == 0


def test_the_platforms_daily_token_quota_is_a_rate_limit_error(account):
    sandbox.sandbox_quota_use(appid=account.appid, api="token", count=2000)
    with pytest.raises(WeChatRateLimitError) as refused:
        client(account).menu_get()
    assert refused.value.errcode == 45009


def test_a_wrong_app_secret_is_a_credential_error(account):
    with (
        WeChatApi(appid=account.appid, secret="not-the-secret", timeout=5) as api,
        pytest.raises(WeChatCredentialError) as refused,
    ):
        api.menu_get()
    assert refused.value.errcode == 40001


# -- retries: only what is safe -----------------------------------------------------------------


def test_busy_on_an_idempotent_call_is_retried_and_succeeds(account):
    sandbox.sandbox_follower_touch(account.appid, OPENID)
    sandbox.sandbox_fault_set(appid=account.appid, mode="busy", api="user/info", remaining=2)
    assert client(account, max_attempts=3).user_info(OPENID)["openid"] == OPENID
    assert not Fault.objects.filter(account=account).exists()  # both busy answers were used


def test_busy_on_a_non_idempotent_call_is_not_retried(account):
    sandbox.sandbox_follower_touch(account.appid, OPENID)
    sandbox.sandbox_fault_set(
        appid=account.appid, mode="busy", api="message/custom/send", remaining=1
    )
    api = client(account)
    with pytest.raises(WeChatBusyError) as refused:
        api.custom_send_text(OPENID, "您好，您的查档申请已受理。")
    assert refused.value.errcode == -1
    assert CustomMessage.objects.count() == 0
    api.custom_send_text(OPENID, "您好，您的查档申请已受理。")  # the fault was used once only
    assert CustomMessage.objects.count() == 1


def test_http_500_is_retried_for_reads_and_uncertain_for_a_publish(account):
    api = client(account)
    sandbox.sandbox_fault_set(appid=account.appid, mode="http500", api="menu/create")
    api.menu_create({"button": [{"type": "click", "name": "预约", "key": "BOOK"}]})
    media_id = a_draft(api)
    sandbox.sandbox_fault_set(appid=account.appid, mode="http500", api="freepublish/submit")
    with pytest.raises(WeChatUncertainError):
        api.freepublish_submit(media_id)
    assert Publish.objects.count() == 0


def test_a_timeout_is_retried_for_reads(account):
    api = client(account, timeout=0.5)
    api.menu_create({"button": [{"type": "click", "name": "利用", "key": "USE"}]})
    sandbox.sandbox_fault_set(appid=account.appid, mode="timeout", api="menu/get", seconds=1.5)
    assert api.menu_get()["menu"]["button"][0]["key"] == "USE"
    time.sleep(1.2)  # let the abandoned request finish inside this test


def test_a_timeout_on_a_customer_service_message_is_uncertain_and_it_may_arrive(account):
    sandbox.sandbox_follower_touch(account.appid, OPENID)
    api = client(account, timeout=0.5)
    api.access_token()
    sandbox.sandbox_fault_set(
        appid=account.appid, mode="timeout", api="message/custom/send", seconds=1.5
    )
    with pytest.raises(WeChatUncertainError):
        api.custom_send_text(OPENID, "回复：开放时间为周一至周五。")
    deadline = time.monotonic() + 10
    while CustomMessage.objects.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert CustomMessage.objects.count() == 1  # it did arrive: the caller must reconcile


def test_a_connection_dropped_after_the_publish_committed_is_uncertain_and_publishes_once(
    account,
):
    api = client(account)
    media_id = a_draft(api)
    sandbox.sandbox_fault_set(
        appid=account.appid, mode="drop_after_commit", api="freepublish/submit"
    )
    with pytest.raises(WeChatUncertainError) as lost:
        api.freepublish_submit(media_id)
    assert lost.value.api == "freepublish/submit"
    assert Publish.objects.filter(account=account).count() == 1
    # Reconciling: the draft has left the draft box, and the article is among the published.
    with pytest.raises(WeChatInvalidContentError) as gone:
        api.draft_get(media_id)
    assert gone.value.errcode == 40007
    published = api.freepublish_batchget()
    assert published["total_count"] == 1
    assert published["item"][0]["content"]["news_item"][0]["title"] == "白崇禧公馆的前世今生"


# -- the calls ----------------------------------------------------------------------------------


def test_draft_publish_and_the_published_url_serves_the_article(account):
    api = client(account)
    media_id = a_draft(api)
    assert api.draft_get(media_id)["news_item"][0]["title"] == "白崇禧公馆的前世今生"
    publish_id = api.freepublish_submit(media_id)
    status = api.freepublish_get(publish_id)
    assert status["publish_status"] == 0
    assert status["article_id"]
    (item,) = status["article_detail"]["item"]
    page = httpx.get(item["article_url"])
    assert page.status_code == 200
    assert "白崇禧公馆的前世今生" in page.text
    assert "公馆建于1930年代。" in page.text


def test_a_second_mass_send_the_same_day_is_refused_with_a_quota_error(account):
    sandbox.sandbox_follower_touch(account.appid, OPENID)
    api = client(account)
    sent = api.mass_send_all(msgtype="text", content="本周六档案馆开放日，欢迎参观。")
    assert sent["msg_id"]
    with pytest.raises(WeChatMassQuotaError) as refused:
        api.mass_send_all(msgtype="text", content="开放日改期通知。")
    assert refused.value.errcode == 45028
    assert "masssend quota" in refused.value.errmsg


def test_a_mass_send_repeated_with_its_clientmsgid_names_the_first_send(account):
    api = client(account)
    media_id = a_draft(api)
    sent = api.mass_send_all(msgtype="mpnews", media_id=media_id, clientmsgid="delivery-42")
    assert sent["msg_data_id"]
    sandbox.sandbox_clock_advance(appid=account.appid, seconds=120)
    with pytest.raises(WeChatDuplicateMassSendError) as duplicate:
        api.mass_send_all(msgtype="text", content="重发", clientmsgid="delivery-42")
    assert duplicate.value.errcode == 45065
    assert duplicate.value.msg_id == sent["msg_id"]


def test_a_customer_service_message_outside_the_48_hour_window_is_refused(account):
    moment = account_now(account) - datetime.timedelta(hours=49)
    sandbox.sandbox_follower_touch(account.appid, OPENID, at=moment)
    sandbox.sandbox_follower_subscribe(account.appid, OPENID)
    with pytest.raises(WeChatOutOfWindowError) as refused:
        client(account).custom_send_text(OPENID, "您好")
    assert refused.value.errcode == 45015
    assert not isinstance(refused.value, WeChatReplyLimitError)


def test_five_customer_service_messages_fit_in_the_window_the_sixth_does_not(account):
    sandbox.sandbox_follower_touch(
        account.appid, OPENID, at=account_now(account) - datetime.timedelta(hours=1)
    )
    api = client(account)
    for n in range(5):
        api.custom_send_text(OPENID, f"第{n + 1}条回复")
    with pytest.raises(WeChatReplyLimitError) as refused:
        api.custom_send_text(OPENID, "第6条回复")
    assert refused.value.errcode == 45047
    assert isinstance(refused.value, WeChatOutOfWindowError)
    sandbox.sandbox_follower_touch(account.appid, OPENID)  # the user writes again
    api.custom_send_text(OPENID, "新的窗口")


def test_a_title_over_the_limit_is_refused_by_the_platform(account):
    api = client(account)
    thumb = api.add_thumb_material(jpeg())
    with pytest.raises(WeChatInvalidContentError) as refused:
        api.draft_add(
            [{"title": "档" * 65, "content": "<p>正文</p>", "thumb_media_id": thumb["media_id"]}]
        )
    assert refused.value.errcode == 45003
    assert isinstance(refused.value, WeChatApiError)


def test_an_oversized_thumb_is_refused(account):
    with pytest.raises(WeChatInvalidContentError) as refused:
        client(account).add_thumb_material(b"\xff\xd8\xff\xe0" + b"\0" * (64 * 1024))
    assert refused.value.errcode == 40012


def test_preview_user_info_and_statistics(account):
    sandbox.sandbox_follower_subscribe(
        account.appid, OPENID, at=account_now(account) - datetime.timedelta(days=1)
    )
    api = client(account)
    assert api.mass_preview(touser=OPENID, msgtype="text", content="预览")["msg_id"]
    info = api.user_info(OPENID)
    assert info["subscribe"] == 1 and info["openid"] == OPENID
    publish_id = api.freepublish_submit(a_draft(api))
    assert api.freepublish_get(publish_id)["publish_status"] == 0
    # Two days later, yesterday's reads are in the statistics.
    sandbox.sandbox_clock_advance(appid=account.appid, seconds=2 * 86400)
    account.refresh_from_db()
    yesterday = beijing_date(account_now(account)) - datetime.timedelta(days=1)
    articles = api.datacube_article_summary(yesterday, yesterday)
    assert articles and articles[0]["title"] == "白崇禧公馆的前世今生"
    assert articles[0]["int_page_read_count"] > 0
    users = api.datacube_user_summary(yesterday - datetime.timedelta(days=6), yesterday)
    assert len(users) == 7
    assert sum(day["new_user"] for day in users) == 1


def test_the_client_of_an_archives_account_works_against_its_sandbox_account(sandbox_api):
    archive = ArchiveFactory(slug="nanjing", name_zh="南京市档案馆")
    credentials = sandbox.sandbox_wechat_account_ensure(archive)
    platform_account = PlatformAccount.objects.get(archive=archive, platform="wechat")
    assert platform_account.appid == credentials["appid"]
    with client_for_account(platform_account) as api:
        api.menu_create({"button": [{"type": "click", "name": "查档", "key": "SEARCH"}]})
        assert api.menu_get()["menu"]["button"][0]["key"] == "SEARCH"


def test_tokens_and_secrets_never_reach_the_logs(account, caplog):
    caplog.set_level("INFO", logger="httpx")  # settings keep httpx at WARNING; prove the filter too
    api = client(account)
    api.menu_create({"button": [{"type": "click", "name": "日志", "key": "LOG"}]})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "access_token=***" in logged and "secret=***" in logged
    assert account.app_secret not in logged
    assert api.access_token() not in logged
    assert account.app_secret not in repr(api)


def test_only_a_wechat_account_with_credentials_makes_a_client(sandbox_api):
    archive = ArchiveFactory(slug="beijing")
    weibo = PlatformAccount.objects.create(archive=archive, platform="weibo", weibo_uid="1")
    with pytest.raises(ValueError, match="not a WeChat account"):
        client_for_account(weibo)
    empty = PlatformAccount(archive=archive, platform="wechat")
    with pytest.raises(ValueError, match="no AppID"):
        client_for_account(empty)
