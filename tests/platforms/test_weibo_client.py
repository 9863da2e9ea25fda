"""The Weibo client against the Weibo sandbox, over real HTTP (pytest-django's live server)."""

from __future__ import annotations

import io
import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from django.conf import settings as django_settings
from PIL import Image

from archivox.core.models import PlatformAccount
from archivox.platforms.weibo.client import WeiboClient, client_for_account, item_id
from archivox.platforms.weibo.errors import (
    WeiboApiError,
    WeiboAuthError,
    WeiboRateLimited,
    WeiboTransportError,
    WeiboUncertainError,
    WeiboValidationError,
)
from archivox.sandbox.weibo.models import WeiboComment, WeiboRequestLog, WeiboStatus
from archivox.sandbox.weibo.services import (
    sandbox_weibo_account_ensure,
    sandbox_weibo_comment_from_user,
    sandbox_weibo_fault_set,
    sandbox_weibo_limits_set,
    sandbox_weibo_mention,
    sandbox_weibo_token_expire,
)
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

USER_IP = "211.156.0.1"
SHARE = "/2/statuses/share.json"
SHOW = "/2/comments/show.json"


def image(kind: str = "PNG", size: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, kind)
    return out.getvalue()


def link(path: str = "descriptions/1") -> str:
    return f"{django_settings.BASE_URL}/{path}"


@pytest.fixture
def weibo(live_server, settings):
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    archive = ArchiveFactory(name_zh="南京市档案馆")
    credentials = sandbox_weibo_account_ensure(archive)
    account = PlatformAccount.objects.get(archive=archive, platform="weibo")
    return SimpleNamespace(archive=archive, account=account, api=settings.WEIBO_API, **credentials)


@pytest.fixture
def client(weibo):
    with client_for_account(weibo.account, timeout=3.0, backoff=0.05) as client:
        yield client


def requests_logged(weibo, path: str | None = None):
    logged = WeiboRequestLog.objects.filter(authorization__user__uid=weibo.weibo_uid)
    return logged.filter(path=path) if path else logged


def shared(client, text: str = "", **kwargs) -> dict:
    text = text or f"民国建筑档案展今日开幕，详见 {link()}"
    return client.statuses_share(text=text, rip=USER_IP, **kwargs)


# Sharing -------------------------------------------------------------------------------------


def test_share_with_a_link_and_an_image_is_stored_on_the_platform(client, weibo):
    picture = image("JPEG", (64, 48))
    text = f"白崇禧公馆的老照片，欢迎来馆查阅。{link('descriptions/42')}"

    status = client.statuses_share(text=text, rip=USER_IP, pic=picture)

    stored = WeiboStatus.objects.get(pk=item_id(status))
    assert stored.text == text
    assert bytes(stored.pic) == picture and stored.pic_type == "jpg"
    assert stored.rip == USER_IP
    assert stored.user.uid == weibo.weibo_uid
    # The platform shows links as t.cn short links, and serves the picture.
    assert "http://t.cn/" in status["text"] and link("descriptions/42") not in status["text"]
    assert status["user"]["idstr"] == weibo.weibo_uid
    assert httpx.get(status["original_pic"]).content == picture


def test_a_client_is_made_from_the_archives_account_whose_token_is_encrypted_at_rest(weibo):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT weibo_access_token FROM core_platformaccount WHERE id = %s", [weibo.account.pk]
        )
        (stored,) = cursor.fetchone()
    assert stored.startswith("fernet:") and weibo.access_token not in stored

    with client_for_account(weibo.account) as client:
        assert client.access_token == weibo.access_token
        assert client.base_url == weibo.api
        assert client.statuses_user_timeline()["statuses"] == []


SHARE_LIMITS = [
    ("text_too_long", {"text": "档" * 131 + " " + link()}),
    ("text_empty", {"text": "   "}),
    ("safe_domain_link", {"text": "没有链接的一条微博"}),
    ("safe_domain_link", {"text": "看这里 https://example.com/page"}),
    ("topic", {"text": f"#档案日# 来看展 {link()}"}),
    ("topic", {"text": f"＃档案日＃ 来看展 {link()}"}),
    ("image_too_large", {"pic": b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024)}),
    ("image_type", {"pic": b"%PDF-1.4 not an image"}),
    ("image_type", {"pic": image("BMP")}),
    ("image_type", {"pic": image("PNG")[:40]}),
    ("rip", {"rip": "not-an-ip"}),
    ("rip", {"rip": "127.0.0.1"}),
]


def test_each_limit_of_share_is_refused_before_anything_is_sent(client, weibo):
    for rule, change in SHARE_LIMITS:
        arguments = {"text": f"档案馆新展 {link()}", "rip": USER_IP, **change}
        with pytest.raises(WeiboValidationError) as refused:
            client.statuses_share(**arguments)
        assert refused.value.rule == rule, (rule, change)
        assert str(refused.value)

    assert requests_logged(weibo).count() == 0
    assert WeiboStatus.objects.count() == 0


def test_140_characters_with_a_link_fit_and_141_do_not(client):
    # A link counts as 10 characters whatever its length.
    fits = "档" * 129 + " " + link("a/very/long/path/that/would/count/more/if/it/were/text")
    assert client.statuses_share(text=fits, rip=USER_IP)["idstr"]
    with pytest.raises(WeiboValidationError, match="141 characters"):
        client.statuses_share(text="档" * 130 + " " + link(), rip=USER_IP)


# Comments ------------------------------------------------------------------------------------


def test_comments_are_created_replied_to_and_shown(client, weibo):
    status = shared(client)
    visitor = sandbox_weibo_comment_from_user(status["idstr"], "档案迷", "请问开放时间？")

    ours = client.comments_create(status_id=status["idstr"], text="欢迎大家留言")
    reply = client.comments_reply(
        status_id=status["idstr"], comment_id=visitor.id, text="周二至周日 9:00-17:00"
    )

    assert reply["text"] == "回复@档案迷:周二至周日 9:00-17:00"
    assert item_id(reply["reply_comment"]) == visitor.id
    assert reply["user"]["idstr"] == weibo.weibo_uid
    shown = client.comments_show(status["idstr"])
    assert [item_id(c) for c in shown["comments"]] == [item_id(reply), item_id(ours), visitor.id]
    assert shown["total_number"] == 3
    assert WeiboComment.objects.filter(user__uid=weibo.weibo_uid).count() == 2

    with pytest.raises(WeiboValidationError) as too_long:
        client.comments_reply(status_id=status["idstr"], comment_id=visitor.id, text="答" * 141)
    assert too_long.value.rule == "text_too_long"


def test_comment_on_a_missing_status_is_a_typed_api_error(client):
    with pytest.raises(WeiboApiError) as error:
        client.comments_create(status_id=123, text="你好")
    assert error.value.error_code == 20101
    assert error.value.request == "/2/comments/create.json"


def test_polling_returns_each_new_comment_exactly_once_while_users_keep_commenting(client, weibo):
    sandbox_weibo_limits_set(weibo.weibo_uid, hourly_limit=100_000)
    statuses = [shared(client, f"第{n}期展览 {link(f'exhibitions/{n}')}")["idstr"] for n in (1, 2)]
    before = sandbox_weibo_comment_from_user(statuses[0], "早到的人", "沙发")
    ours = client.comments_create(status_id=statuses[0], text="我们自己的评论不算收到的")
    created: list[int] = [before.id]
    failures: list[str] = []

    def public() -> None:
        with httpx.Client(base_url=weibo.api, timeout=10) as http:
            for n in range(36):
                answer = http.post(
                    "/_simulate/comment",
                    json={
                        "status_id": statuses[n % 2],
                        "user_name": f"visitor{n % 5}",
                        "text": f"第{n}条评论",
                        **({"reply_to": ours["idstr"]} if n % 6 == 0 else {}),
                    },
                )
                if answer.status_code != 200:
                    failures.append(answer.text)
                    return
                created.append(int(answer.json()["idstr"]))
                time.sleep(0.005)

    commenter = threading.Thread(target=public)
    commenter.start()
    seen: list[int] = []
    cursor = 0
    polls = 0
    while commenter.is_alive() or polls == 0:
        items, cursor = client.poll_comments(cursor, count=4)
        seen.extend(item_id(item) for item in items)
        polls += 1
        time.sleep(0.01)
    commenter.join()
    items, cursor = client.poll_comments(cursor, count=4)
    seen.extend(item_id(item) for item in items)

    assert not failures
    assert polls > 1
    assert len(seen) == len(set(seen)), "a comment was read twice"
    assert sorted(seen) == sorted(created), "a comment was missed"
    assert item_id(ours) not in seen
    assert cursor == max(created)
    assert client.poll_comments(cursor) == ([], cursor)


def test_mentions_are_polled_with_their_own_cursors(client, weibo):
    status = shared(client)
    in_status = sandbox_weibo_mention(weibo.weibo_uid, "路人甲", "这家档案馆的展览真好")
    in_comment = sandbox_weibo_mention(
        weibo.weibo_uid, "路人乙", "快来看", status_id=status["idstr"]
    )

    statuses, status_cursor = client.poll_mentions(0)
    comments, comment_cursor = client.poll_comment_mentions(0)

    assert [item_id(item) for item in statuses] == [in_status.id]
    assert statuses[0]["text"].startswith("@")
    assert [item_id(item) for item in comments] == [in_comment.id]
    assert client.poll_mentions(status_cursor) == ([], status_cursor)
    assert client.poll_comment_mentions(comment_cursor) == ([], comment_cursor)


# Rate limits ---------------------------------------------------------------------------------


def test_rate_limit_raises_a_typed_error_and_the_client_backs_off_without_hammering(client, weibo):
    status = shared(client)
    sandbox_weibo_limits_set(weibo.weibo_uid, hourly_limit=4)
    for _ in range(3):
        client.comments_show(status["idstr"])

    with pytest.raises(WeiboRateLimited) as limited:
        client.comments_show(status["idstr"])
    assert limited.value.error_code == 10023
    assert limited.value.http_status == 403
    assert limited.value.sent
    assert 0 < limited.value.retry_after <= 3601
    reached = requests_logged(weibo).count()

    for _ in range(5):
        with pytest.raises(WeiboRateLimited) as again:
            client.comments_show(status["idstr"])
        assert not again.value.sent
    # Another client (another task) for the same account backs off too.
    with client_for_account(weibo.account) as other, pytest.raises(WeiboRateLimited):
        other.comments_to_me()
    assert requests_logged(weibo).count() == reached


def test_the_posting_limit_stops_only_posting(client, weibo):
    sandbox_weibo_limits_set(weibo.weibo_uid, hourly_post_limit=1)
    shared(client)

    with pytest.raises(WeiboRateLimited) as limited:
        shared(client, f"又一条 {link('x')}")
    assert limited.value.error_code == 10024
    assert limited.value.request == SHARE
    with pytest.raises(WeiboRateLimited):
        shared(client, f"再一条 {link('y')}")

    assert client.comments_to_me()["comments"] == []
    assert requests_logged(weibo, SHARE).count() == 2
    assert WeiboStatus.objects.count() == 1


# Faults --------------------------------------------------------------------------------------


def test_server_errors_on_a_read_are_retried_with_back_off(client, weibo):
    status = shared(client)
    for mode in ("http500", "http502", "http503"):
        sandbox_weibo_fault_set(weibo.weibo_uid, mode=mode, count=2, path=SHOW)
        first = requests_logged(weibo, SHOW).count()

        shown = client.comments_show(status["idstr"])

        assert shown["comments"] == []
        faults = requests_logged(weibo, SHOW).order_by("id").values_list("fault", flat=True)
        assert list(faults[first:]) == [mode, mode, ""]


def test_a_timeout_on_a_read_is_retried(weibo):
    with client_for_account(weibo.account, timeout=0.5, backoff=0.05) as client:
        sandbox_weibo_fault_set(weibo.weibo_uid, mode="timeout", count=1, seconds=2)
        started = time.monotonic()
        assert client.comments_to_me()["comments"] == []
    assert time.monotonic() - started < 2
    assert requests_logged(weibo, "/2/comments/to_me.json").count() == 2


def test_a_read_that_keeps_failing_ends_in_a_typed_error_after_the_last_attempt(client, weibo):
    sandbox_weibo_fault_set(weibo.weibo_uid, mode="http500", count=3)
    with pytest.raises(WeiboApiError) as error:
        client.comments_to_me()
    assert error.value.error_code == 10001
    assert error.value.http_status == 500
    assert requests_logged(weibo).count() == client.attempts == 3

    # A proxy's 502 page carries no Weibo error: the platform was not reached.
    sandbox_weibo_fault_set(weibo.weibo_uid, mode="http502", count=3)
    with pytest.raises(WeiboTransportError, match="HTTP 502"):
        client.comments_to_me()
    assert requests_logged(weibo).count() == 6


def test_an_unreachable_platform_is_a_transport_error_after_retries(weibo):
    with WeiboClient(
        access_token=weibo.access_token, base_url="http://127.0.0.1:9", backoff=0.01
    ) as client:
        with pytest.raises(WeiboTransportError):
            client.comments_to_me()
        # Not sent at all, so even a share may be retried; it still ends typed.
        with pytest.raises(WeiboTransportError):
            client.post(SHARE, {"status": "x", "rip": USER_IP})


def test_a_share_dropped_after_the_platform_committed_is_uncertain_and_posted_once(
    weibo,
):
    sandbox_weibo_fault_set(weibo.weibo_uid, mode="drop_after_commit", count=1, path=SHARE)
    text = f"档案里的南京城墙 {link('descriptions/7')}"
    with client_for_account(weibo.account, timeout=2.0, backoff=0.05) as client:
        with pytest.raises(WeiboUncertainError) as uncertain:
            client.statuses_share(text=text, rip=USER_IP)
        assert uncertain.value.request == SHARE

        assert requests_logged(weibo, SHARE).count() == 1, "a share must never be re-sent"
        assert WeiboStatus.objects.filter(text=text).count() == 1
        # The caller reconciles by looking at the account's timeline.
        timeline = client.statuses_user_timeline()["statuses"]
        assert [item_id(s) for s in timeline] == [WeiboStatus.objects.get(text=text).pk]
        # Posting the same text again would be refused as repeated content.
        with pytest.raises(WeiboApiError) as repeated:
            client.statuses_share(text=text, rip=USER_IP)
        assert repeated.value.error_code == 20019


def test_a_server_error_on_a_share_is_uncertain_and_not_retried(client, weibo):
    sandbox_weibo_fault_set(weibo.weibo_uid, mode="http500", count=1, path=SHARE)
    with pytest.raises(WeiboUncertainError):
        shared(client)
    assert requests_logged(weibo, SHARE).count() == 1


# Tokens --------------------------------------------------------------------------------------


def test_an_invalid_token_is_a_typed_auth_error_and_not_retried(weibo):
    with (
        WeiboClient(access_token="2.00forged", base_url=weibo.api) as client,
        pytest.raises(WeiboAuthError) as error,
    ):
        client.comments_to_me()
    assert error.value.error_code == 21332
    assert error.value.error == "invalid_access_token"
    assert WeiboRequestLog.objects.filter(authorization=None).count() == 1


def test_an_expired_token_is_a_typed_auth_error(client, weibo):
    sandbox_weibo_token_expire(weibo.weibo_uid)
    with pytest.raises(WeiboAuthError) as error:
        client.comments_to_me()
    assert error.value.error_code == 21327


def test_the_factory_refuses_an_account_of_another_platform(weibo):
    wechat = PlatformAccount(archive=weibo.archive, platform="wechat", appid="wx1")
    with pytest.raises(WeiboValidationError):
        client_for_account(wechat)
