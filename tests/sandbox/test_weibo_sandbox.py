"""The Weibo sandbox on its own: the platform's rules enforced server-side even when our client's
checks are bypassed, its error shapes, rate limits, faults and simulated users (real HTTP)."""

from __future__ import annotations

import datetime
import io
import time
from types import SimpleNamespace

import httpx
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image

from archivox.core.models import PlatformAccount
from archivox.platforms.weibo.client import client_for_account
from archivox.platforms.weibo.errors import WeiboApiError
from archivox.sandbox.weibo.models import (
    WeiboAuthorization,
    WeiboComment,
    WeiboRequestLog,
    WeiboStatus,
)
from archivox.sandbox.weibo.services import (
    sandbox_weibo_account_ensure,
    sandbox_weibo_comment_from_user,
    sandbox_weibo_fault_set,
    sandbox_weibo_limits_set,
)
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

USER_IP = "211.156.0.1"


def image(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 90, 160)).save(out, kind)
    return out.getvalue()


def link(path: str = "descriptions/1") -> str:
    return f"{django_settings.BASE_URL}/{path}"


@pytest.fixture
def weibo(live_server, settings):
    settings.WEIBO_API = live_server.url + "/sandbox/weibo"
    archive = ArchiveFactory(name_zh="苏州市档案馆")
    credentials = sandbox_weibo_account_ensure(archive)
    http = httpx.Client(base_url=settings.WEIBO_API, timeout=10)
    yield SimpleNamespace(archive=archive, api=settings.WEIBO_API, http=http, **credentials)
    http.close()


def share(weibo, *, files=None, headers=None, **fields) -> httpx.Response:
    data = {"access_token": weibo.access_token, "status": f"新展 {link()}", "rip": USER_IP}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    return weibo.http.post("/2/statuses/share.json", data=data, files=files, headers=headers)


def error_of(response: httpx.Response) -> int:
    body = response.json()
    assert set(body) == {"error", "error_code", "request"}
    assert body["request"].startswith("/2/")
    return body["error_code"]


# statuses/share -------------------------------------------------------------------------------


def test_a_valid_share_is_stored_and_answered_in_the_platforms_shape(weibo):
    answer = share(weibo, files={"pic": ("p.png", image("PNG"), "image/png")})

    assert answer.status_code == 200
    status = answer.json()
    assert {"created_at", "id", "idstr", "mid", "text", "user", "original_pic"} <= set(status)
    assert status["created_at"].endswith(f"+0800 {timezone.now().year}")
    assert WeiboStatus.objects.get(pk=status["id"]).pic_type == "png"


SHARE_RULES = [
    ({"status": "档" * 135 + link()}, None, 20012),
    ({"status": "   "}, None, 20008),
    ({"status": None}, None, 10016),
    ({"status": "没有链接"}, None, 10017),
    ({"status": "链接不在安全域名下 https://example.com/x"}, None, 10017),
    ({"status": f"#档案日# {link()}"}, None, 10017),
    ({"rip": None}, None, 10016),
    ({"rip": "999.1.1.1"}, None, 10017),
    ({"rip": "127.0.0.1"}, None, 10017),
    ({}, ("big.png", b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024), "image/png"), 20006),
    ({}, ("fake.png", b"%PDF-1.4 not a picture", "image/png"), 20005),
    ({}, ("p.bmp", image("BMP"), "image/bmp"), 20005),
]


def test_the_sandbox_refuses_what_breaks_the_rules_when_the_client_is_bypassed(weibo):
    for fields, pic, code in SHARE_RULES:
        answer = share(weibo, files={"pic": pic} if pic else None, **fields)

        assert answer.status_code == 400, (fields, pic and pic[0])
        assert error_of(answer) == code, (fields, pic and pic[0], answer.json())

    assert WeiboStatus.objects.count() == 0


def test_the_same_text_twice_in_a_row_is_repeat_content(weibo):
    assert share(weibo).status_code == 200
    again = share(weibo)
    assert error_of(again) == 20019
    assert again.json()["error"] == "repeat content!"
    assert share(weibo, status=f"另一条 {link()}").status_code == 200
    assert share(weibo).status_code == 200  # not the previous one any more


def test_the_clients_raw_post_maps_sandbox_refusals_to_typed_errors(weibo):
    account = PlatformAccount.objects.get(archive=weibo.archive, platform="weibo")
    with client_for_account(account) as client, pytest.raises(WeiboApiError) as refused:
        client.post("statuses/share.json", {"status": "档" * 150 + link(), "rip": USER_IP})
    assert refused.value.error_code == 20012
    assert refused.value.request == "/2/statuses/share.json"
    assert refused.value.http_status == 400


# Tokens, paths, methods -----------------------------------------------------------------------


def test_token_errors(weibo):
    assert error_of(weibo.http.get("/2/comments/to_me.json")) == 21301
    forged = weibo.http.get("/2/comments/to_me.json", params={"access_token": "2.00forged"})
    assert forged.status_code == 401 and error_of(forged) == 21332

    WeiboAuthorization.objects.filter(access_token=weibo.access_token).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = weibo.http.get("/2/comments/to_me.json", params={"access_token": weibo.access_token})
    assert error_of(expired) == 21327 and expired.json()["error"] == "expired_token"


def test_the_oauth2_header_is_accepted_too(weibo):
    answer = weibo.http.get(
        "/2/comments/to_me.json", headers={"Authorization": f"OAuth2 {weibo.access_token}"}
    )
    assert answer.status_code == 200 and answer.json()["comments"] == []


def test_unknown_calls_and_wrong_methods(weibo):
    params = {"access_token": weibo.access_token}
    assert error_of(weibo.http.get("/2/statuses/repost.json", params=params)) == 10020
    assert error_of(weibo.http.get("/2/statuses/share.json", params=params)) == 10021


# Comments -------------------------------------------------------------------------------------


def test_comments_to_me_holds_what_others_said_to_us_newest_first(weibo):
    status = share(weibo).json()
    token = {"access_token": weibo.access_token}
    first = sandbox_weibo_comment_from_user(status["idstr"], "游客一", "很好")
    ours = weibo.http.post(
        "/2/comments/reply.json",
        data={**token, "id": status["idstr"], "cid": first.id, "comment": "谢谢"},
    ).json()
    answer_to_us = sandbox_weibo_comment_from_user(
        status["idstr"], "游客二", "不客气", reply_to_comment_id=ours["idstr"]
    )

    to_me = weibo.http.get("/2/comments/to_me.json", params=token).json()

    assert [c["id"] for c in to_me["comments"]] == [answer_to_us.id, first.id]
    assert to_me["comments"][0]["reply_comment"]["id"] == ours["id"]
    assert to_me["total_number"] == 2
    paged = weibo.http.get(
        "/2/comments/to_me.json", params={**token, "count": 1, "max_id": answer_to_us.id - 1}
    ).json()
    assert [c["id"] for c in paged["comments"]] == [first.id]
    since = weibo.http.get("/2/comments/to_me.json", params={**token, "since_id": first.id}).json()
    assert [c["id"] for c in since["comments"]] == [answer_to_us.id]


def test_comment_text_over_140_characters_is_refused(weibo):
    status = share(weibo).json()
    answer = weibo.http.post(
        "/2/comments/create.json",
        data={"access_token": weibo.access_token, "id": status["idstr"], "comment": "评" * 141},
    )
    assert error_of(answer) == 20012
    assert WeiboComment.objects.count() == 0


def test_ids_grow_in_creation_order_and_stay_safe_for_javascript(weibo):
    status = share(weibo).json()
    ids = [
        sandbox_weibo_comment_from_user(status["idstr"], f"u{n}", f"评论{n}").id for n in range(5)
    ]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert status["id"] < ids[0] < 2**53


# Simulated users ------------------------------------------------------------------------------


def test_simulated_users_comment_and_mention_through_the_json_endpoint(weibo):
    status = share(weibo).json()
    comment = weibo.http.post(
        "/_simulate/comment",
        json={"status_id": status["idstr"], "user_name": "档案爱好者", "text": "求高清图"},
    )
    mention = weibo.http.post(
        "/_simulate/mention", json={"uid": weibo.weibo_uid, "user_name": "路人", "text": "推荐"}
    )
    assert comment.status_code == 200 and mention.status_code == 200
    assert mention.json()["kind"] == "status"

    token = {"access_token": weibo.access_token}
    to_me = weibo.http.get("/2/comments/to_me.json", params=token).json()["comments"]
    assert [c["idstr"] for c in to_me] == [comment.json()["idstr"]]
    assert to_me[0]["user"]["screen_name"] == "档案爱好者"
    mentions = weibo.http.get("/2/statuses/mentions.json", params=token).json()["statuses"]
    assert [s["idstr"] for s in mentions] == [mention.json()["idstr"]]

    bad = weibo.http.post("/_simulate/comment", json={"status_id": 1, "user_name": "x"})
    assert bad.status_code == 400 and "error" in bad.json()
    missing = weibo.http.post(
        "/_simulate/comment", json={"status_id": 1, "user_name": "x", "text": "y"}
    )
    assert missing.json()["error_code"] == 20101


# Rate limits ----------------------------------------------------------------------------------


def test_requests_over_the_hourly_limit_get_403_10023(weibo):
    sandbox_weibo_limits_set(weibo.weibo_uid, hourly_limit=2)
    token = {"access_token": weibo.access_token}
    for _ in range(2):
        assert weibo.http.get("/2/comments/to_me.json", params=token).status_code == 200

    over = weibo.http.get("/2/comments/to_me.json", params=token)

    assert over.status_code == 403 and error_of(over) == 10023
    status = weibo.http.get("/2/account/rate_limit_status.json", params=token).json()
    assert status["user_limit"] == 2 and status["remaining_user_hits"] == 0
    assert 0 < status["reset_time_in_seconds"] <= 3600


def test_posting_over_its_own_limit_gets_403_10024(weibo):
    sandbox_weibo_limits_set(weibo.weibo_uid, hourly_post_limit=1, hourly_comment_limit=1)
    assert share(weibo).status_code == 200
    over = share(weibo, status=f"第二条 {link()}")
    assert over.status_code == 403 and error_of(over) == 10024
    assert "/2/statuses/share.json" in over.json()["error"]


# Faults ---------------------------------------------------------------------------------------


def test_fault_header_delay_answers_late_but_normally(weibo):
    started = time.monotonic()
    answer = weibo.http.get(
        "/2/comments/to_me.json",
        params={"access_token": weibo.access_token},
        headers={"X-Sandbox-Fault": "delay=1"},
    )
    assert answer.status_code == 200
    assert time.monotonic() - started >= 1


def test_fault_header_server_errors_change_nothing(weibo):
    for fault, status in (("http500", 500), ("http502", 502), ("http503", 503)):
        answer = share(weibo, headers={"X-Sandbox-Fault": fault})
        assert answer.status_code == status
    assert WeiboStatus.objects.count() == 0


def test_fault_header_timeout_holds_the_request(weibo):
    with pytest.raises(httpx.ReadTimeout):
        weibo.http.get(
            "/2/comments/to_me.json",
            params={"access_token": weibo.access_token},
            headers={"X-Sandbox-Fault": "timeout=2"},
            timeout=0.5,
        )


def test_fault_header_drop_after_commit_commits_then_breaks_the_answer(weibo):
    status = share(weibo).json()
    with pytest.raises(httpx.RemoteProtocolError):
        weibo.http.post(
            "/2/comments/create.json",
            data={"access_token": weibo.access_token, "id": status["idstr"], "comment": "在吗"},
            headers={"X-Sandbox-Fault": "drop_after_commit"},
        )
    assert WeiboComment.objects.filter(text="在吗").count() == 1


def test_an_unknown_fault_is_refused(weibo):
    answer = share(weibo, headers={"X-Sandbox-Fault": "explode"})
    assert error_of(answer) == 10008


def test_an_accounts_fault_applies_to_its_next_requests_only(weibo):
    sandbox_weibo_fault_set(weibo.weibo_uid, mode="http503", count=2)
    token = {"access_token": weibo.access_token}
    codes = [weibo.http.get("/2/comments/to_me.json", params=token).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert list(WeiboRequestLog.objects.order_by("id").values_list("fault", flat=True)) == [
        "http503",
        "http503",
        "",
    ]
    weibo.http.post(
        "/_simulate/fault", json={"uid": weibo.weibo_uid, "mode": "http500", "count": 1}
    )
    assert weibo.http.get("/2/comments/to_me.json", params=token).status_code == 500


# Provisioning ---------------------------------------------------------------------------------


def test_account_ensure_is_idempotent_and_fills_the_archives_platform_account(weibo):
    again = sandbox_weibo_account_ensure(weibo.archive)
    assert again == {
        "weibo_uid": weibo.weibo_uid,
        "access_token": weibo.access_token,
        "safe_domain": "127.0.0.1",
    }
    account = PlatformAccount.objects.get(archive=weibo.archive, platform="weibo")
    assert account.weibo_uid == weibo.weibo_uid
    assert account.weibo_access_token == weibo.access_token
    assert account.safe_domain == "127.0.0.1"
    assert account.name == "苏州市档案馆"


def test_account_ensure_renews_an_expired_token(weibo):
    WeiboAuthorization.objects.filter(access_token=weibo.access_token).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    renewed = sandbox_weibo_account_ensure(weibo.archive)
    assert renewed["weibo_uid"] == weibo.weibo_uid
    assert renewed["access_token"] != weibo.access_token
    assert (
        PlatformAccount.objects.get(archive=weibo.archive, platform="weibo").weibo_access_token
        == renewed["access_token"]
    )


def test_each_archive_gets_its_own_account(weibo):
    other = sandbox_weibo_account_ensure(ArchiveFactory(name_zh="苏州市档案馆"))
    assert other["weibo_uid"] != weibo.weibo_uid
    assert other["access_token"] != weibo.access_token
