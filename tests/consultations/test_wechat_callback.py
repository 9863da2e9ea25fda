"""The WeChat server callback, driven over real HTTP by the simulated WeChat user.

Every test talks to ``live_server`` exactly as WeChat would (signed query string, encrypted
bodies in safe and compatible mode, WeChat's retries) and checks what was stored."""

from __future__ import annotations

import base64
import datetime
import io
import json
import logging
import os
import random
import socket
import threading
import time

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from archivox.consultations import replies, selectors, services
from archivox.consultations.models import InboundMessage
from archivox.consultations.services import callback
from archivox.core.fields import person_digest
from archivox.core.models import PlatformAccount
from archivox.platforms.wechat.client import client_for_account
from archivox.platforms.wechat.crypto import MessageCrypto, signature
from archivox.platforms.wechat.xml import MAX_BODY_BYTES, build_xml, parse_xml
from archivox.sandbox.wechat.models import CustomMessage, Follower
from archivox.sandbox.wechat.services import (
    sandbox_account_update,
    sandbox_follower_touch,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat_user import PreparedCallback, WeChatUser
from tests.factories import ArchiveFactory

pytestmark = pytest.mark.django_db(transaction=True)

ACK = replies.ACKNOWLEDGEMENT
State = InboundMessage.ReplyState


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def wechat_account(slug: str = "nanjing", **values) -> PlatformAccount:
    """An archive with an official account on the WeChat sandbox (its real provisioning path)."""
    archive = ArchiveFactory(slug=slug, name="Nanjing Municipal Archives", name_zh="南京市档案馆")
    sandbox_wechat_account_ensure(archive)
    account = PlatformAccount.objects.get(archive=archive, platform=PlatformAccount.Platform.WECHAT)
    if values:
        for name, value in values.items():
            setattr(account, name, value)
        account.save()
    return account


# How the simulated follower sends → the account setting that takes it (WeChat's console).
ACCOUNT_MODE = {"safe": "safe", "compat": "compatible", "plain": "plaintext"}


def account_mode_set(account: PlatformAccount, mode: str) -> None:
    """Set the account to the mode a follower sends in, as its administrator would."""
    PlatformAccount.objects.filter(pk=account.pk).update(message_mode=ACCOUNT_MODE[mode])
    selectors.wechat_account_cache_clear()


@pytest.fixture
def account(live_server, settings):
    # The API client (deferred replies) talks to the sandbox served by this test's server.
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    return wechat_account()


@pytest.fixture
def user_for(live_server, account):
    users: list[WeChatUser] = []

    def make(mode: str = "safe", **options) -> WeChatUser:
        account_mode_set(account, mode)
        user = WeChatUser(
            live_server.url,
            options.pop("slug", account.archive.slug),
            options.pop("token", account.token),
            options.pop("encoding_aes_key", account.encoding_aes_key),
            options.pop("appid", account.appid),
            mode=mode,
            to=account.original_id,
            **options,
        )
        users.append(user)
        return user

    yield make
    for user in users:
        user.close()


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "wechat callback refused" in r.getMessage()]


# ── address verification (GET) ───────────────────────────────────────────────────────────────


def test_get_verification_answers_echostr_when_signed_with_the_accounts_token(user_for):
    response = user_for("safe").verify_url("8219304712")
    assert response.status_code == 200
    assert response.text == "8219304712"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_get_verification_with_a_forged_signature_is_refused(user_for, caplog):
    response = user_for("safe", token="not-the-token").verify_url("8219304712")
    assert response.status_code == 403
    assert "8219304712" not in response.text
    assert any("signature" in line for line in refusals(caplog))


def test_get_verification_with_a_stale_timestamp_is_refused(user_for):
    stale = str(int(time.time()) - 301)
    assert user_for("plain").verify_url("1", timestamp=stale).status_code == 403


# ── messages in the three modes ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize("mode", ["safe", "compat", "plain"])
def test_text_message_is_stored_then_acknowledged_by_a_passive_reply(user_for, mode):
    user = user_for(mode)
    reply = user.send_text("白崇禧公馆")

    assert reply.status == 200 and reply.tries == 1
    assert reply.msg_type == "text"
    assert reply.content == ACK
    assert reply.encrypted is (mode != "plain")
    message = InboundMessage.objects.get()
    assert message.transport == mode
    assert message.channel == "wechat"
    # The openid is kept encrypted; ``sender`` and the raw XML hold its keyed digest.
    assert message.sender_openid == user.openid
    assert message.sender == person_digest(f"wx:{user.openid}")
    assert user.openid not in message.raw and message.sender in message.raw
    assert message.recipient == user.to
    assert message.msg_type == "text"
    assert message.content == "白崇禧公馆"
    assert message.msg_id == reply.msg_id
    assert "白崇禧公馆" in message.raw
    assert message.payload["Content"] == "白崇禧公馆"
    assert message.reply_state == State.PASSIVE
    assert message.replied_via == InboundMessage.RepliedVia.PASSIVE
    assert message.reply_text == ACK
    assert message.deliveries == 1


def test_compatible_mode_trusts_the_ciphertext_not_the_plaintext_beside_it(user_for):
    user = user_for("compat")
    plaintext = user.message_xml("text", {"Content": "真的"})
    prepared = user.prepare(plaintext)
    envelope = parse_xml(prepared.body)
    envelope["Content"] = "forged beside the ciphertext"
    response = user.post(PreparedCallback(prepared.params, build_xml(envelope).encode()))
    assert user.read_reply(response).content == ACK
    assert InboundMessage.objects.get().content == "真的"


def test_subscribe_is_welcomed_with_the_accounts_welcome_text(user_for, account):
    account.welcome_text = "欢迎关注南京市档案馆！回复关键词查档。"
    account.save()
    reply = user_for("safe").send_event("subscribe", "")
    assert reply.content == "欢迎关注南京市档案馆！回复关键词查档。"
    message = InboundMessage.objects.get()
    assert (message.msg_type, message.event) == ("event", "subscribe")
    assert message.reply_text == reply.content


def test_subscribe_without_a_welcome_text_gets_the_bilingual_default(user_for):
    reply = user_for("plain").send_event("subscribe")
    assert "感谢关注南京市档案馆" in reply.content
    assert "Thank you for following Nanjing Municipal Archives" in reply.content


@pytest.mark.parametrize(
    ("send", "msg_type", "event"),
    [
        (lambda u: u.send_image(), "image", ""),
        (lambda u: u.send_voice(recognition="你好"), "voice", ""),
        (lambda u: u.send_video(), "video", ""),
        (lambda u: u.send_location(32.0603, 118.7969, label="南京市玄武区"), "location", ""),
        (lambda u: u.send_link("民国档案", "一篇文章", "https://example.org/a"), "link", ""),
        (lambda u: u.send_event("unsubscribe"), "event", "unsubscribe"),
        (lambda u: u.send_event("CLICK", "MENU_SEARCH"), "event", "CLICK"),
        (lambda u: u.send_event("VIEW", "https://example.org/"), "event", "VIEW"),
        (lambda u: u.send_event("SCAN", "123", Ticket="TICKET"), "event", "SCAN"),
        (
            lambda u: u.send_event(
                "PUBLISHJOBFINISH",
                PublishEventInfo={
                    "publish_id": "2247503051",
                    "publish_status": "0",
                    "article_id": "b5O2OUs25HBxRceL7hfReg",
                    "article_detail": {"count": "1", "item": {"idx": "1", "article_url": "U"}},
                },
            ),
            "event",
            "PUBLISHJOBFINISH",
        ),
    ],
)
def test_other_messages_and_events_are_stored_and_answered_success(user_for, send, msg_type, event):
    reply = send(user_for("safe"))
    assert reply.status == 200 and reply.is_success
    message = InboundMessage.objects.get()
    assert (message.msg_type, message.event) == (msg_type, event)
    assert message.reply_state == State.NONE
    assert message.replied_via == InboundMessage.RepliedVia.NONE


def test_publish_job_finished_keeps_its_details(user_for):
    user_for("safe").send_event(
        "PUBLISHJOBFINISH", PublishEventInfo={"publish_id": "77", "publish_status": "0"}
    )
    payload = InboundMessage.objects.get().payload
    assert payload["PublishEventInfo"] == {"publish_id": "77", "publish_status": "0"}


def test_unknown_message_type_is_stored_and_ignored(user_for, caplog):
    caplog.set_level(logging.INFO)
    reply = user_for("safe").send_message("hologram", {"Shape": "cube"})
    assert reply.status == 200 and reply.is_success
    message = InboundMessage.objects.get()
    assert message.msg_type == "hologram"
    assert message.payload["Shape"] == "cube"
    assert message.reply_state == State.NONE
    assert any("unknown type" in r.getMessage() for r in caplog.records)


def test_unknown_event_is_stored_and_ignored(user_for):
    reply = user_for("plain").send_event("TEMPLATESENDJOBFINISH", Status="success")
    assert reply.is_success
    assert InboundMessage.objects.get().event == "TEMPLATESENDJOBFINISH"


# ── retries and duplicates ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("mode", ["safe", "plain"])
def test_a_retry_of_the_same_msgid_is_stored_once_and_answered_identically(user_for, mode):
    user = user_for(mode)
    plaintext = user.message_xml("text", {"Content": "查档"})
    first = user.deliver(plaintext)
    second = user.deliver(plaintext)  # WeChat's retry: same MsgId, new signature and nonce
    assert first.content == second.content == ACK
    message = InboundMessage.objects.get()
    assert message.deliveries == 2
    assert message.reply_state == State.PASSIVE


def test_a_retried_event_is_recognised_by_sender_and_create_time(user_for):
    user = user_for("safe")
    plaintext = user.message_xml("event", {"Event": "subscribe", "EventKey": ""})
    assert user.deliver(plaintext).content == user.deliver(plaintext).content
    assert InboundMessage.objects.count() == 1
    # A later subscription by the same user is a new event.
    later = user.message_xml("event", {"Event": "subscribe"}, create_time=int(time.time()) + 1)
    user.deliver(later)
    assert InboundMessage.objects.count() == 2


def test_the_same_msgid_in_another_archive_is_another_message(user_for, live_server):
    other = wechat_account("suzhou", message_mode="plaintext")
    nanjing = user_for("plain")
    suzhou = WeChatUser(
        live_server.url, "suzhou", other.token, other.encoding_aes_key, other.appid,
        openid=nanjing.openid, mode="plain", to=other.original_id,
    )  # fmt: skip
    nanjing.deliver(nanjing.message_xml("text", {"Content": "同一条"}, msg_id="42"))
    suzhou.deliver(suzhou.message_xml("text", {"Content": "同一条"}, msg_id="42"))
    suzhou.close()
    assert InboundMessage.objects.count() == 2


def test_an_answer_from_memory_is_committed_with_its_message_in_one_write(user_for, account):
    from urllib.parse import urlencode

    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    user = user_for("safe")
    user.send_text("预热")  # fills this process's caches of rules and inbox settings
    prepared = user.prepare(user.message_xml("text", {"Content": "白崇禧公馆"}))
    account = selectors.wechat_account_for_callback(slug=account.archive.slug)
    with CaptureQueriesContext(connection) as queries:
        answer = services.wechat_callback_receive(
            account=account, query=QueryDict(urlencode(prepared.params)), body=prepared.body
        )
    table = '"engagement_inboundmessage"'
    inserts = [q for q in queries if q["sql"].startswith(f"INSERT INTO {table}")]
    reply_updates = [
        q for q in queries if q["sql"].startswith(f"UPDATE {table}") and "reply" in q["sql"]
    ]
    # The reply is stored by the message's own INSERT, with no UPDATE after it (the task that
    # threads the message into the inbox runs inline in tests and writes other tables).
    assert (len(inserts), reply_updates) == (1, [])
    assert answer.message.reply_state == State.PASSIVE
    stored = InboundMessage.objects.get(pk=answer.message.pk)
    assert (stored.reply_state, stored.reply_text) == (State.PASSIVE, ACK)


def test_concurrent_duplicate_deliveries_are_stored_once_and_answered_alike(user_for):
    user = user_for("safe")
    plaintext = user.message_xml("text", {"Content": "并发"})
    prepared = [user.prepare(plaintext) for _ in range(8)]
    barrier = threading.Barrier(len(prepared), timeout=120)
    answers: list[object] = [None] * len(prepared)

    def deliver(index: int) -> None:
        with httpx.Client() as client:
            barrier.wait()
            answers[index] = client.post(
                user.url, params=prepared[index].params, content=prepared[index].body, timeout=10
            )

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(len(prepared))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [200] * len(prepared)
    assert {user.read_reply(a).content for a in answers} == {ACK}
    message = InboundMessage.objects.get()
    assert message.deliveries == len(prepared)
    assert message.reply_state == State.PASSIVE


def test_without_time_for_a_reply_it_answers_success_and_sends_a_customer_service_message(
    user_for, monkeypatch
):
    monkeypatch.setattr(callback, "REPLY_BUDGET_SECONDS", 0.0)
    user = user_for("safe")
    plaintext = user.message_xml("text", {"Content": "慢"})

    began = time.monotonic()
    first = user.deliver(plaintext)
    elapsed = time.monotonic() - began
    assert first.is_success and first.tries == 1
    assert elapsed < 5

    message = InboundMessage.objects.get()
    # The deferred task ran (Huey's immediate mode) and the sandbox received the message.
    assert message.reply_state == State.SENT, message.reply_error
    assert message.replied_via == InboundMessage.RepliedVia.CUSTOMER_SERVICE
    assert message.reply_text == ACK
    sent = CustomMessage.objects.filter(follower__openid=user.openid)
    assert [(m.msgtype, m.payload["content"]) for m in sent] == [("text", ACK)]

    # WeChat's retry of it is answered the same way and nothing is sent a second time.
    settled = (message.reply_state, message.replied_at)
    second = user.deliver(plaintext)
    assert second.is_success
    message.refresh_from_db()
    assert (message.reply_state, message.replied_at) == settled
    assert message.deliveries == 2
    assert sent.count() == 1


def test_a_deferred_reply_outside_the_service_window_is_recorded_as_failed(
    user_for, account, monkeypatch
):
    """The sandbox enforces the 48-hour rule; the refusal is recorded, and never retried."""
    monkeypatch.setattr(callback, "REPLY_BUDGET_SECONDS", 0.0)
    user = user_for("safe", touch_sandbox=False)
    long_ago = timezone.now() - datetime.timedelta(hours=49)
    sandbox_follower_touch(account.appid, user.openid, at=long_ago)

    assert user.send_text("两天前的窗口").is_success
    message = InboundMessage.objects.get()
    assert message.reply_state == State.FAILED
    assert "45015" in message.reply_error
    assert not CustomMessage.objects.exists()


def test_the_sandbox_delivers_publish_job_finished_to_the_callback(account, live_server):
    """The WeChat sandbox pushes PUBLISHJOBFINISH like the platform; the callback stores it."""
    sandbox_account_update(
        appid=account.appid, callback_url=f"{live_server.url}/wechat/nanjing/callback"
    )
    api = client_for_account(account)
    cover = io.BytesIO()
    Image.new("RGB", (64, 64), "#8b0000").save(cover, "JPEG")
    thumb = api.add_thumb_material(cover.getvalue())["media_id"]
    draft = api.draft_add(
        [{"title": "白崇禧公馆", "content": "<p>档案</p>", "thumb_media_id": thumb}]
    )

    publish_id = api.freepublish_submit(draft)  # the job finishes and the event is pushed

    message = InboundMessage.objects.get(event="PUBLISHJOBFINISH")
    assert message.payload["PublishEventInfo"]["publish_id"] == publish_id
    assert message.reply_state == State.NONE
    assert message.transport == "safe"


# ── hostile input: refused with a log line, nothing stored, never a 500 ─────────────────────


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    "<xml><ToUserName>gh_nanjing0001</ToUserName><FromUserName>o1</FromUserName>"
    "<CreateTime>{now}</CreateTime><MsgType>text</MsgType><Content>&d;</Content>"
    "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh_nanjing0001</ToUserName><FromUserName>o1</FromUserName>"
    "<CreateTime>{now}</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content>"
    "<MsgId>1</MsgId></xml>"
)


def _forged_signature(user):
    prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
    return prepared.params | {"signature": "0" * 40}, prepared.body


def _forged_msg_signature(user):
    prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
    return prepared.params | {"msg_signature": "f" * 40}, prepared.body


def _timestamp(offset):
    def build(user):
        prepared = user.prepare(
            user.message_xml("text", {"Content": "x"}), timestamp=str(int(time.time()) + offset)
        )
        return prepared.params, prepared.body

    return build


def _truncated(user):
    prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
    return prepared.params, prepared.body[: len(prepared.body) // 2]


def _oversized(user):
    prepared = user.prepare(user.message_xml("text", {"Content": "长" * MAX_BODY_BYTES}))
    return prepared.params, prepared.body


def _plaintext(template):
    def build(user):
        prepared = user.prepare(template.format(now=int(time.time())))
        return prepared.params, prepared.body

    return build


def _ciphertext(make):
    def build(user):
        plaintext = user.message_xml("text", {"Content": "x"})
        prepared = user.prepare(plaintext, encrypted=make(user, plaintext))
        return prepared.params, prepared.body

    return build


def _foreign_appid(user, plaintext):
    return MessageCrypto(
        token=user.token, encoding_aes_key=user.encoding_aes_key, appid="wx0000000000000bad"
    ).encrypt(plaintext)


def _missing(*names):
    def build(user):
        prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
        return {k: v for k, v in prepared.params.items() if k not in names}, prepared.body

    return build


def _no_encrypt_element(user):
    prepared = user.prepare(user.message_xml("text", {"Content": "x"}))
    plain = user.message_xml("text", {"Content": "x"})
    timestamp, nonce = prepared.params["timestamp"], prepared.params["nonce"]
    params = prepared.params | {"msg_signature": signature(user.token, timestamp, nonce, "")}
    return params, plain.encode()


def _missing_field(user):
    plaintext = build_xml(
        {"ToUserName": "gh", "CreateTime": str(int(time.time())), "MsgType": "text"}
    )
    prepared = user.prepare(plaintext)
    return prepared.params, prepared.body


def _not_utf8(user):
    prepared = user.prepare("x")
    return prepared.params, "<xml><Content>档案</Content></xml>".encode("gb18030")


HOSTILE = {
    "forged signature": ("plain", _forged_signature, 403),
    "forged signature in safe mode": ("safe", _forged_signature, 403),
    "forged msg_signature": ("safe", _forged_msg_signature, 403),
    "forged msg_signature in compatible mode": ("compat", _forged_msg_signature, 403),
    "replayed old timestamp": ("safe", _timestamp(-301), 403),
    # Well past the 300 s: whole seconds are compared, so +301 reads as +300 (accepted) once a
    # second has ticked between signing and arrival, as it does on a loaded machine.
    "timestamp far in the future": ("safe", _timestamp(+330), 403),
    "truncated plaintext body": ("plain", _truncated, 400),
    "truncated encrypted body": ("safe", _truncated, 400),
    "oversized body": ("plain", _oversized, 413),
    "oversized encrypted body": ("safe", _oversized, 413),
    "XML bomb": ("plain", _plaintext(BOMB), 400),
    "XML bomb inside the ciphertext": ("safe", _plaintext(BOMB), 400),
    "external entity": ("plain", _plaintext(EXTERNAL_ENTITY), 400),
    "external entity inside the ciphertext": ("compat", _plaintext(EXTERNAL_ENTITY), 400),
    "wrong AppID inside the ciphertext": ("safe", _ciphertext(_foreign_appid), 400),
    "garbage ciphertext": ("safe", _ciphertext(lambda u, p: "not*base64!"), 400),
    "bad padding": (
        "safe",
        _ciphertext(lambda u, p: base64.b64encode(os.urandom(48)).decode()),
        400,
    ),
    "ciphertext of a wrong length": ("safe", _ciphertext(lambda u, p: "QUJD"), 400),
    "no Encrypt element with encrypt_type=aes": ("safe", _no_encrypt_element, 400),
    "missing signature": ("plain", _missing("signature"), 400),
    "missing timestamp": ("plain", _missing("timestamp"), 400),
    "missing msg_signature": ("safe", _missing("msg_signature"), 400),
    "message without a sender": ("safe", _missing_field, 400),
    "body that is not UTF-8": ("plain", _not_utf8, 400),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_deliveries_are_refused_with_a_log_line_and_nothing_stored(user_for, caplog, case):
    mode, build, status = HOSTILE[case]
    user = user_for(mode)
    params, body = build(user)
    response = user.post(PreparedCallback(params, body))
    assert response.status_code == status, response.text
    assert InboundMessage.objects.count() == 0
    assert len(refusals(caplog)) == 1


def test_an_empty_post_and_a_wrong_method_are_refused(user_for):
    user = user_for("plain")
    prepared = user.prepare("")
    assert user.post(PreparedCallback(prepared.params, b"")).status_code == 400
    assert httpx.put(user.url, params=prepared.params, content=b"x").status_code == 405
    assert InboundMessage.objects.count() == 0


def test_unknown_archive_is_404(user_for, caplog):
    reply = user_for("safe", slug="atlantis").send_text("hello")
    assert reply.status == 404 and reply.tries == 1
    assert InboundMessage.objects.count() == 0
    assert refusals(caplog)


def test_archive_without_a_wechat_account_is_404(user_for):
    ArchiveFactory(slug="suzhou")
    assert user_for("safe", slug="suzhou").send_text("hello").status == 404
    assert InboundMessage.objects.count() == 0


def test_inactive_wechat_account_is_404(user_for, account):
    account.is_active = False
    account.save()
    assert user_for("plain").send_text("hello").status == 404
    assert InboundMessage.objects.count() == 0


def test_an_account_with_an_unusable_aes_key_answers_503_so_wechat_retries(
    user_for, account, caplog
):
    user = user_for("safe")  # encrypts with the key WeChat has
    PlatformAccount.objects.filter(pk=account.pk).update(encoding_aes_key="too-short")
    selectors.wechat_account_cache_clear()
    assert user.send_text("你好").status == 503
    assert InboundMessage.objects.count() == 0
    assert any(r.levelno == logging.ERROR for r in caplog.records if "refused" in r.getMessage())


def test_credentials_changed_by_another_process_are_used_at_once(user_for, account):
    old = user_for("safe")
    assert old.send_text("一").content == ACK  # the account is now cached in this process
    # Another process rotates the token (no signal reaches this process's cache).
    PlatformAccount.objects.filter(pk=account.pk).update(token="RotatedToken2016")
    new = user_for("safe", token="RotatedToken2016")
    assert new.send_text("二").content == ACK
    assert old.send_text("三").status == 403
    assert InboundMessage.objects.count() == 2


def test_random_corruptions_never_cause_a_server_error(user_for):
    """Signed but mangled bodies: every answer is a refusal or a stored message, never a 500."""
    rng = random.Random(20161126)
    for mode in ("plain", "safe"):
        user = user_for(mode)
        for index in range(40):
            plaintext = user.message_xml("text", {"Content": f"第{index}条"})
            if mode == "plain":
                data = bytearray(plaintext.encode())
                for _ in range(rng.randint(1, 4)):
                    position = rng.randrange(len(data))
                    data[position] = rng.choice(b"<>&;/\x00\xff\xe6\"' xA0")
                prepared = user.prepare(data.decode("utf-8", "replace"))
            else:
                ciphertext = list(user.crypto.encrypt(plaintext))
                for _ in range(rng.randint(1, 3)):
                    ciphertext[rng.randrange(len(ciphertext))] = rng.choice("AZaz09+/=")
                prepared = user.prepare(plaintext, encrypted="".join(ciphertext))
            response = user.post(prepared)
            assert response.status_code in {200, 400}, (mode, index, response.text)


# ── the simulated user ──────────────────────────────────────────────────────────────────────


def test_the_simulated_user_tries_three_times_when_the_server_does_not_answer():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)  # accepts connections, never answers
        port = server.getsockname()[1]
        user = WeChatUser(
            f"http://127.0.0.1:{port}", "nanjing", "t", new_aes_key(), "wx1",
            mode="safe", timeout=0.2, touch_sandbox=False,
        )  # fmt: skip
        reply = user.send_text("有人吗")
        user.close()
    assert reply.status is None
    assert reply.tries == 3
    assert len(reply.latencies) == 3


# ── manage.py wechat_user ───────────────────────────────────────────────────────────────────


def run_wechat_user(*args: str) -> str:
    out = io.StringIO()
    call_command("wechat_user", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["safe", "compat", "plain"])
def test_wechat_user_command_sends_a_message_and_prints_the_reply(live_server, account, mode):
    account_mode_set(account, mode)
    output = run_wechat_user(
        "--archive", "nanjing", "--mode", mode, "--base-url", live_server.url, "白崇禧公馆"
    )
    assert "HTTP 200 after 1 try" in output
    assert f"text: {ACK}" in output
    message = InboundMessage.objects.get()
    assert (message.content, message.transport) == ("白崇禧公馆", mode)
    assert message.recipient == account.original_id
    assert Follower.objects.filter(openid=message.sender_openid).exists()


def test_wechat_user_command_sends_an_event_and_prints_json(live_server, account):
    output = run_wechat_user(
        "--archive", "nanjing", "--event", "subscribe", "--base-url", live_server.url, "--json",
        "--openid", "oSandboxUser0000000000000001",
    )  # fmt: skip
    answer = json.loads(output)
    assert answer["status"] == 200 and answer["encrypted"] is True
    assert answer["openid"] == "oSandboxUser0000000000000001"
    assert "感谢关注" in answer["fields"]["Content"]
    assert InboundMessage.objects.get().sender_openid == "oSandboxUser0000000000000001"


def test_wechat_user_command_takes_credentials_from_the_command_line(live_server, account):
    output = run_wechat_user(
        "--archive", "nanjing", "--base-url", live_server.url, "--appid", account.appid,
        "--token", account.token, "--aes-key", account.encoding_aes_key, "档案",
    )  # fmt: skip
    assert ACK in output


def test_wechat_user_command_reports_a_refusal(live_server, account):
    with pytest.raises(CommandError, match="HTTP 403"):
        run_wechat_user(
            "--archive", "nanjing", "--base-url", live_server.url, "--appid", account.appid,
            "--token", "wrong", "--aes-key", account.encoding_aes_key, "档案",
        )  # fmt: skip
    assert InboundMessage.objects.count() == 0


def test_wechat_user_command_needs_an_archive_with_a_wechat_account(live_server):
    with pytest.raises(CommandError, match="no archive with the slug 'atlantis'"):
        run_wechat_user("--archive", "atlantis", "--base-url", live_server.url, "hello")
    ArchiveFactory(slug="suzhou")
    with pytest.raises(CommandError, match="has no WeChat account"):
        run_wechat_user("--archive", "suzhou", "--base-url", live_server.url, "hello")
