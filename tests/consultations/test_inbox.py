"""The consultation inbox end to end: messages arrive on every channel (the sandbox WeChat user
and Weibo server over real HTTP, an email piped in, the portal's form), staff answer from the
console, and the answer goes back on the channel it came from."""

from __future__ import annotations

import datetime
import io

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from archivox.catalog.models import Access
from archivox.consultations import replies, selectors, services
from archivox.consultations.models import (
    AutoReplyRule,
    Consultation,
    ConsultationAnswer,
    InboundMessage,
)
from archivox.consultations.services import asking, callback, intake
from archivox.consultations.services.lifecycle import add_working_days
from archivox.core.fields import person_digest
from archivox.sandbox.wechat.models import CustomMessage
from archivox.sandbox.wechat.services import sandbox_follower_touch
from archivox.sandbox.weibo.models import WeiboComment
from tests.helpers import room_in_window

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "CANARYinbox41"
ACK = replies.ACKNOWLEDGEMENT


def answer_in_console(client, staff, consultation, text, **extra):
    client.force_login(staff)
    return client.post(
        f"/console/inbox/{consultation.pk}/", {"action": "answer", "text": text, **extra}
    )


# ── WeChat: question → inbox → answer reaches the follower ────────────────────────────────────


def test_a_wechat_question_is_answered_from_the_inbox_and_reaches_the_sandbox_user(
    follower, staff, client
):
    user = follower("safe")
    reply = user.send_text("请问如何查询我祖父1950年代的工作档案？")

    # No rule answers it: the person is told when to expect an answer.
    assert reply.content == ACK
    assert "1个工作日" in reply.content
    consultation = Consultation.objects.get()
    # Who the follower is: a keyed digest, and the openid only encrypted (for the answer).
    assert consultation.channel == "wechat" and consultation.person == person_digest(
        f"wx:{user.openid}"
    )
    assert consultation.person_openid == user.openid
    assert consultation.status == Consultation.Status.NEW
    assert consultation.due_at is not None
    message = InboundMessage.objects.get()
    assert message.consultation == consultation

    response = answer_in_console(client, staff, consultation, "您好，请携带身份证明到查档大厅。")
    assert response.status_code == 302

    sent = CustomMessage.objects.filter(follower__openid=user.openid)
    assert [m.msgtype for m in sent] == ["text"]
    assert "请携带身份证明到查档大厅" in sent[0].payload["content"]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED
    assert consultation.first_response_at is not None
    assert consultation.first_response_seconds >= 0
    answer = ConsultationAnswer.objects.get()
    assert (answer.via, answer.state, answer.author) == ("wechat", "sent", staff)

    # The person writes again: the same consultation waits for us again.
    user.send_text("谢谢，周六开放吗？")
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.NEW
    assert consultation.messages.count() == 2
    assert Consultation.objects.count() == 1


def test_pictures_voice_and_links_join_the_consultation_without_an_automatic_answer(follower):
    user = follower("plain")
    assert user.send_image().is_success
    assert user.send_voice().is_success
    assert user.send_link("家谱", "一张老照片", "https://example.org/p").is_success
    consultation = Consultation.objects.get()
    assert consultation.messages.count() == 3
    assert consultation.subject == "[picture]"


def test_events_do_not_open_consultations(follower):
    user = follower("plain")
    user.send_event("subscribe")
    user.send_event("CLICK", "NO_SUCH_KEY")
    assert not Consultation.objects.exists()


def test_the_48_hour_window_closed_is_told_to_staff_with_another_route(
    follower, wechat, staff, client
):
    user = follower("safe")
    user.send_text("我想预约查档")
    consultation = Consultation.objects.get()
    # The person's last message was 49 hours ago (on the platform and in our records).
    long_ago = timezone.now() - datetime.timedelta(hours=49)
    InboundMessage.objects.update(received_at=long_ago)
    sandbox_follower_touch(wechat.appid, user.openid, at=long_ago)

    response = answer_in_console(client, staff, consultation, "可以，请周一来。")
    assert response.status_code == 302
    answer = ConsultationAnswer.objects.get()
    assert answer.state == ConsultationAnswer.State.WINDOW_CLOSED
    assert "48 hours" in answer.error
    assert "email address" in answer.error  # how to offer another route
    assert not CustomMessage.objects.exists()
    page = client.get(f"/console/inbox/{consultation.pk}/")
    assert "window" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.first_response_at is None  # nothing reached the person

    # The person had given an email address: staff record it and answer by email.
    services.consultation_email_set(actor=staff, consultation=consultation, email="li@example.org")
    routes = {route.via: route.available for route in services.answer_routes(consultation)}
    assert routes == {"wechat": False, "email": True}
    response = answer_in_console(client, staff, consultation, "可以，请周一来。", via="email")
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["li@example.org"]]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED


# ── auto-replies ──────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def catalog(make_description, inbox_archive):
    fonds = make_description("MG", "民国建筑档案", level="fonds", archive=inbox_archive)
    make_description(
        "MG-001",
        "白崇禧公馆",
        parent=fonds,
        archive=inbox_archive,
        scope_content="位于南京市秦淮区的民国建筑。",
        date_expression="1946–1948",
    )
    make_description(
        "MG-002",
        f"{CANARY} 公馆密档",
        parent=fonds,
        archive=inbox_archive,
        access_level=Access.CONFIDENTIAL,
    )
    make_description(
        "MG-003", f"{CANARY} 公馆修缮", parent=fonds, archive=inbox_archive,
        access_level=Access.RESTRICTED,
    )  # fmt: skip


def rule(archive, **values) -> AutoReplyRule:
    values.setdefault("name", "rule")
    return services.autoreply_rule_create(actor=None, archive=archive, **values)


@pytest.fixture
def search_rule(inbox_archive, staff):
    return services.autoreply_rule_create(
        actor=staff,
        archive=inbox_archive,
        name="馆藏检索",
        match="any",
        kind="catalog",
        priority=900,
        max_hits=5,
    )


def articles_of(reply) -> list[dict]:
    items = reply.fields["Articles"]["item"]
    return items if isinstance(items, list) else [items]


def test_a_keyword_pulls_an_open_catalog_item_and_never_a_confidential_one(
    follower, catalog, search_rule
):
    reply = follower("safe").send_text("公馆")

    assert reply.msg_type == "news"
    cards = articles_of(reply)
    assert [card["Title"] for card in cards] == ["白崇禧公馆"]
    assert cards[0]["Url"].endswith("/archives/nanjing/catalog/MG-001/")
    assert CANARY not in reply.body and CANARY not in str(reply.fields)
    message = InboundMessage.objects.get()
    assert message.auto_rule == search_rule
    assert CANARY not in str(message.reply_articles)
    # Answered by the catalog: nothing for staff.
    assert not Consultation.objects.exists()


def test_a_search_for_only_confidential_material_finds_nothing_and_goes_to_staff(
    follower, catalog, search_rule
):
    reply = follower("safe").send_text(CANARY)
    assert reply.msg_type == "text" and reply.content == ACK
    assert CANARY not in reply.body
    assert Consultation.objects.count() == 1


def test_a_catalog_reply_too_late_for_the_callback_goes_out_as_customer_service_news(
    follower, catalog, search_rule, monkeypatch
):
    monkeypatch.setattr(callback, "REPLY_BUDGET_SECONDS", 0.0)
    user = follower("safe")
    assert user.send_text("白崇禧").is_success
    sent = CustomMessage.objects.get(follower__openid=user.openid)
    assert sent.msgtype == "news"
    assert [a["title"] for a in sent.payload["articles"]] == ["白崇禧公馆"]
    message = InboundMessage.objects.get()
    assert message.reply_state == InboundMessage.ReplyState.SENT


def test_a_reply_send_a_dead_worker_left_claimed_is_marked_failed_and_shown_never_resent(
    follower, staff, client, monkeypatch
):
    monkeypatch.setattr(callback, "REPLY_BUDGET_SECONDS", 0.0)
    user = follower("safe")
    assert user.send_text("这条回复发送中断").is_success
    message = InboundMessage.objects.get()
    assert message.consultation is not None  # threaded before the send was claimed
    sent_before = CustomMessage.objects.count()
    # As if the worker was killed after claiming the send, before recording its outcome.
    claimed = timezone.now() - services.STRANDED_SENDING - datetime.timedelta(seconds=1)
    InboundMessage.objects.filter(pk=message.pk).update(
        reply_state=InboundMessage.ReplyState.SENDING, reply_claimed_at=claimed
    )
    assert services.inbound_message_replies_resume() == 0  # nothing queued to send again
    message.refresh_from_db()
    assert message.reply_state == InboundMessage.ReplyState.FAILED
    assert "may or may not have reached" in message.reply_error
    assert CustomMessage.objects.count() == sent_before
    client.force_login(staff)
    page = client.get(f"/console/inbox/{message.consultation_id}/").content.decode()
    assert "automatic reply not sent" in page and "may or may not have reached" in page


def test_a_retry_of_a_news_reply_is_answered_with_the_same_news(follower, catalog, search_rule):
    user = follower("safe")
    plaintext = user.message_xml("text", {"Content": "公馆"})
    first = user.deliver(plaintext)
    second = user.deliver(plaintext)
    assert articles_of(first) == articles_of(second)
    assert InboundMessage.objects.get().deliveries == 2


def test_rules_answer_in_priority_order_with_text_link_and_news(follower, inbox_archive):
    rule(inbox_archive, name="hours", match="contains", pattern="开放时间", kind="text",
         text="周一至周五 9:00–17:00", priority=10)  # fmt: skip
    rule(inbox_archive, name="hours2", match="contains", pattern="时间", kind="text",
         text="not me", priority=20)  # fmt: skip
    rule(inbox_archive, name="book", match="exact", pattern="预约", kind="link",
         title="预约查档", url="https://example.org/book")  # fmt: skip
    rule(inbox_archive, name="expo", match="regex", pattern=r"^展览\s*(\d+)?$", kind="news",
         title="民国建筑展", description="正在展出", url="https://example.org/expo",
         picurl="https://example.org/expo.jpg")  # fmt: skip
    user = follower("plain")
    assert user.send_text("请问开放时间？").content == "周一至周五 9:00–17:00"
    link = user.send_text("预约").content
    assert '<a href="https://example.org/book">预约查档</a>' in link
    news = user.send_text("展览 2")
    assert news.msg_type == "news"
    assert articles_of(news)[0]["PicUrl"] == "https://example.org/expo.jpg"
    assert not Consultation.objects.exists()


def test_replies_come_from_memory_once_cached_and_never_search_the_catalog_there(
    inbox_archive, staff, search_rule
):
    rule(inbox_archive, name="hours", match="contains", pattern="开放时间", kind="text",
         text="周一至周五", priority=10)  # fmt: skip
    hours = InboundMessage(archive=inbox_archive, msg_type="text", content="开放时间？")
    question = InboundMessage(archive=inbox_archive, msg_type="text", content="白崇禧")
    replies.rules_cache_clear()
    with pytest.raises(replies.NotInMemory):  # a cold cache: the callback asks in a thread
        replies.reply_for(hours, memory_only=True)
    assert replies.reply_for(hours).text == "周一至周五"  # fills the rules' cache
    assert replies.reply_for(hours, memory_only=True).text == "周一至周五"
    with pytest.raises(replies.NotInMemory):  # a catalog search is never done in the request
        replies.reply_for(question, memory_only=True)


def test_a_rule_deleted_by_another_process_while_cached_here_neither_loses_nor_misanswers(
    follower, inbox_archive
):
    hours = rule(inbox_archive, name="hours", match="contains", pattern="开放时间", kind="text",
                 text="周一至周五", priority=10)  # fmt: skip
    user = follower("safe")
    assert user.send_text("开放时间？").content == "周一至周五"  # the rule is now cached here
    # Another process deletes it as Django does there: references set to NULL, then the row.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE engagement_inboundmessage SET auto_rule_id = NULL WHERE auto_rule_id = %s",
            [hours.pk],
        )
        cursor.execute("DELETE FROM engagement_autoreplyrule WHERE id = %s", [hours.pk])

    reply = user.send_text("开放时间是几点？")

    assert (reply.status, reply.tries) == (200, 1)
    assert reply.content == ACK  # no rule answers any more
    message = InboundMessage.objects.get(content="开放时间是几点？")
    assert (message.reply_state, message.auto_rule_id) == (InboundMessage.ReplyState.PASSIVE, None)


def test_a_menu_click_is_answered_by_its_rule(follower, inbox_archive):
    rule(inbox_archive, name="menu", match="click", pattern="MENU_HOURS", kind="text",
         text="开放时间：工作日")  # fmt: skip
    reply = follower("safe").send_event("CLICK", "MENU_HOURS")
    assert reply.content == "开放时间：工作日"


def test_subscribe_still_gets_the_welcome(follower):
    assert "感谢关注" in follower("plain").send_event("subscribe").content


def test_the_promise_of_the_archive_is_what_the_person_is_told(follower, inbox_archive):
    from archivox.consultations.models import InboxSettings

    InboxSettings.objects.create(archive=inbox_archive, promise_working_days=3)
    assert "3个工作日" in follower("plain").send_text("你好").content


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a+)+$", "repetition inside a repetition"),
        ("(x|xx)*y", "alternation inside a repetition"),
        ("([a-z]*)*", "repetition inside a repetition"),
        (r"(a)\1", "backreferences"),
        ("(?=a)a", "look-ahead"),
        ("a{1,5000}", "count above"),
        ("[unclosed", "not a valid regular expression"),
        ("a" * 201, "longer than 200"),
    ],
)
def test_a_dangerous_or_broken_regex_is_refused_with_a_clear_message(
    inbox_archive, staff, pattern, reason
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.autoreply_rule_create(
            actor=staff, archive=inbox_archive, name="bad", match="regex", pattern=pattern,
            kind="text", text="x",
        )  # fmt: skip
    assert reason in " ".join(refused.value.message_dict["pattern"])
    assert not AutoReplyRule.objects.exists()


def test_the_console_refuses_a_bad_regex_and_keeps_the_form(client, inbox_archive, staff):
    client.force_login(staff)
    response = client.post(
        "/console/inbox/rules/nanjing/",
        {"action": "create_rule", "name": "bad", "match": "regex", "pattern": "(a+)+",
         "kind": "text", "text": "hello", "priority": "5"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "too long on some messages" in page
    assert 'value="(a+)+"' in page
    assert not AutoReplyRule.objects.exists()


def test_the_console_tells_which_rule_answers_a_test_message(
    client, inbox_archive, staff, catalog, search_rule
):
    rule(inbox_archive, name="hours", match="contains", pattern="时间", kind="text", text="9-17")
    client.force_login(staff)
    page = client.get("/console/inbox/rules/nanjing/", {"test": "开放时间"}).content.decode()
    assert "hours" in page and "9-17" in page
    page = client.get("/console/inbox/rules/nanjing/", {"test": "公馆"}).content.decode()
    assert "馆藏检索" in page and "白崇禧公馆" in page and CANARY not in page
    page = client.get("/console/inbox/rules/nanjing/", {"test": "无关的问题"}).content.decode()
    assert "goes to the inbox" in page


def test_a_regex_rule_searches_the_catalog_with_its_group(inbox_archive, catalog):
    rule(inbox_archive, name="查", match="regex", pattern=r"^查\s*(.+)$", kind="catalog")
    reply = replies.answer_text(inbox_archive, "查 白崇禧")
    assert reply is not None and [a.title for a in reply.articles] == ["白崇禧公馆"]
    assert replies.answer_text(inbox_archive, "白崇禧") is None


# ── floods and oversized messages ─────────────────────────────────────────────────────────────


def test_a_flood_from_one_sender_is_stored_but_not_answered_each_time(follower, inbox_archive):
    from archivox.consultations.models import InboxSettings

    InboxSettings.objects.create(archive=inbox_archive, flood_per_minute=3)
    user = follower("plain")
    replies_ = [user.send_text(f"刷屏 {n}") for n in range(6)]
    assert [r.content for r in replies_[:3]] == [ACK] * 3
    assert all(r.is_success for r in replies_[3:])
    assert InboundMessage.objects.count() == 6  # nothing lost
    assert InboundMessage.objects.filter(flood=True).count() == 3
    consultation = Consultation.objects.get()
    assert consultation.flood and consultation.messages.count() == 6
    # Another person is not affected.
    assert follower("plain").send_text("正常提问").content == ACK


def _digest(n: int) -> str:
    """A sender as the callback stores it: a keyed digest (people.sender_key)."""
    import hashlib

    return hashlib.sha256(str(n).encode()).hexdigest()


def test_the_flood_check_reads_only_the_senders_messages(inbox_archive):
    """The check runs on every callback: it must read the sender's index, never every message
    of the archive (PostgreSQL's planner once took the delivery constraint's index, which
    leads with the archive, and filtered a whole inbox for the sender)."""
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    InboundMessage.objects.bulk_create(
        InboundMessage(
            archive=inbox_archive,
            channel=InboundMessage.Channel.WECHAT,
            sender=_digest(n % 4000),
            msg_type="text",
            create_time=1,
            content="你好",
            dedupe_key=f"wechat:msg:{_digest(n)}",
            received_at=now - datetime.timedelta(seconds=n % 90),
        )
        for n in range(8000)
    )
    # Not analyzed since (a new inbox, or one that grew fast): the planner has no statistics.
    message = InboundMessage(
        archive=inbox_archive,
        channel=InboundMessage.Channel.WECHAT,
        sender=_digest(7),
        msg_type="text",
        create_time=1,
        dedupe_key="new",
        received_at=now,
    )
    with CaptureQueriesContext(connection) as captured:
        assert not intake.inbound_flooding(message=message, stored=False)
    (statement,) = [q["sql"] for q in captured.captured_queries if "COUNT" in q["sql"]]
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + statement)
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    assert "inbound_sender_received" in plan, plan


def test_an_oversized_email_is_truncated_and_the_fact_recorded(inbox_archive):
    body = "长" * (intake.MAX_CONTENT_CHARS + 5000)
    raw = email_bytes(body=body)
    call_command("receive_email", "nanjing", stdin=io.BytesIO(raw), stdout=io.StringIO())
    message = InboundMessage.objects.get()
    assert message.truncated
    assert len(message.content) == intake.MAX_CONTENT_CHARS
    assert message.original_length > intake.MAX_CONTENT_CHARS


# ── email ─────────────────────────────────────────────────────────────────────────────────────


def email_bytes(
    *,
    body: str = "您好，我想申请开具婚姻登记档案证明。",
    sender: str = "Zhang San <zhang@example.org>",
    subject: str = "档案证明",
    message_id: str = "<q1@example.org>",
    html: bool = False,
) -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ask@nanjing.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if html:
        message.set_content(body, subtype="html")
    else:
        message.set_content(body)
    return bytes(message)


def test_an_email_piped_in_is_answered_by_email_in_the_same_thread(
    inbox_archive, staff, client, mailoutbox
):
    out = io.StringIO()
    call_command("receive_email", "nanjing", stdin=io.BytesIO(email_bytes()), stdout=out)
    assert "stored" in out.getvalue()
    # The MTA delivers it twice: stored once.
    call_command("receive_email", "nanjing", stdin=io.BytesIO(email_bytes()), stdout=out)
    assert "already stored" in out.getvalue()
    consultation = Consultation.objects.get()
    assert (consultation.channel, consultation.person) == ("email", "zhang@example.org")
    assert consultation.person_name == "Zhang San"
    assert consultation.subject == "档案证明"

    answer_in_console(client, staff, consultation, "请携带身份证到婚姻档案查询窗口。")

    [sent] = mailoutbox
    assert sent.to == ["zhang@example.org"]
    assert sent.subject == "Re: 档案证明"
    assert sent.extra_headers["In-Reply-To"] == "<q1@example.org>"
    assert "<q1@example.org>" in sent.extra_headers["References"]
    assert "请携带身份证" in sent.body
    assert consultation.token in sent.body  # the feedback link
    answer = ConsultationAnswer.objects.get()
    assert answer.external_id == sent.extra_headers["Message-ID"]
    consultation.refresh_from_db()
    assert consultation.status == "answered" and consultation.first_response_at


def test_an_html_only_email_is_read_as_text_without_markup(inbox_archive):
    raw = email_bytes(body="<p>查询<script>alert(1)</script><b>族谱</b></p>", html=True)
    services.email_receive(archive=inbox_archive, raw=raw)
    content = InboundMessage.objects.get().content
    assert "族谱" in content and "<" not in content and "alert" not in content


def test_an_email_without_a_sender_is_refused_with_the_mta_status_and_nothing_half_stored(
    inbox_archive,
):
    raw = b"Subject: hello\r\n\r\nno sender\r\n"
    with pytest.raises(CommandError) as refused:
        call_command("receive_email", "nanjing", stdin=io.BytesIO(raw))
    assert refused.value.returncode == 65
    assert "From" in str(refused.value)
    assert not InboundMessage.objects.exists()


def test_an_email_for_an_unknown_archive_is_refused(db):
    with pytest.raises(CommandError) as refused:
        call_command("receive_email", "nowhere", stdin=io.BytesIO(email_bytes()))
    assert refused.value.returncode == 67


def test_hostile_email_headers_and_charsets_do_not_crash_the_parser():
    from archivox.platforms.mail.parse import parse_email

    raw = (
        b"From: =?x-unknown?q?=FF?= <a@example.org>\r\n"
        b"Subject: =?utf-8?b?broken\r\n"
        b"Message-ID: <<<>>>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"!!!not base64!!!\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.from_address == "a@example.org"
    assert parsed.message_id == ""


# ── Weibo ─────────────────────────────────────────────────────────────────────────────────────


def test_a_weibo_comment_is_polled_and_answered_by_a_comment_reply(weibo, staff, client):
    from django.conf import settings

    from archivox.platforms.weibo.client import client_for_account

    with client_for_account(weibo.account) as api:
        status = api.statuses_share(
            text=f"民国建筑档案展开幕，详见 {settings.BASE_URL}/archives/nanjing/",
            rip="211.156.0.1",
        )
    status_id = status["idstr"]
    with httpx.Client(base_url=weibo.api, timeout=10) as http:
        made = http.post(
            "/_simulate/comment",
            json={"status_id": str(status_id), "user_name": "visitor1", "text": "展览几点开门？"},
        )
        assert made.status_code == 200, made.text
    comment_id = int(made.json()["idstr"])

    assert services.weibo_poll(account=weibo.account) == 1
    assert services.weibo_poll(account=weibo.account) == 0  # the cursor holds
    consultation = Consultation.objects.get()
    assert consultation.channel == "weibo" and consultation.person_name == "visitor1"
    assert consultation.messages.get().content == "展览几点开门？"

    too_long = "长" * 141
    response = answer_in_console(client, staff, consultation, too_long)
    assert response.status_code == 400
    assert "at most 140" in response.content.decode()
    assert not ConsultationAnswer.objects.exists()

    answer_in_console(client, staff, consultation, "每天9点开门。")
    reply = WeiboComment.objects.get(reply_to_id=comment_id)
    assert "每天9点开门" in reply.text
    answer = ConsultationAnswer.objects.get()
    assert answer.state == "sent" and answer.external_id == str(reply.id)
    # Our own reply is not read back as a question.
    services.weibo_poll(account=weibo.account)
    assert InboundMessage.objects.count() == 1


# ── the portal's form, the private page and feedback ──────────────────────────────────────────


def test_the_ask_form_confirms_the_expected_answer_time_and_escapes_what_was_sent(
    client, inbox_archive
):
    page = client.get("/archives/nanjing/ask/")
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    response = client.post(
        "/archives/nanjing/ask/",
        {
            "name": "<b>Li</b>",
            "email": "Li@Example.org",
            "question": "<script>alert('x')</script> 查询族谱",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "1 working day" in html or "1 个工作日" in html or "工作日" in html
    consultation = Consultation.objects.get()
    assert consultation.person == "li@example.org" and consultation.channel == "web"
    assert consultation.token in html

    private = client.get(f"/archives/nanjing/ask/c/{consultation.token}/").content.decode()
    assert "&lt;script&gt;" in private and "<script>alert" not in private


def test_the_ask_form_refuses_a_bad_address_and_keeps_the_question(client, inbox_archive):
    response = client.post(
        "/archives/nanjing/ask/", {"name": "", "email": "not-an-address", "question": "我的问题"}
    )
    assert response.status_code == 400
    assert "我的问题" in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_the_ask_form_is_rate_limited_per_address_with_a_clear_message(client, inbox_archive):
    room_in_window(asking.ASK_WINDOW_SECONDS)
    for n in range(asking.ASK_LIMIT_PER_IP):
        ok = client.post(
            "/archives/nanjing/ask/", {"email": "a@example.org", "question": f"问题{n}"}
        )
        assert ok.status_code == 200
    refused = client.post("/archives/nanjing/ask/", {"email": "a@example.org", "question": "再问"})
    assert refused.status_code == 429
    assert "wait a few minutes" in refused.content.decode()
    assert "再问" in refused.content.decode()


def test_a_web_question_is_answered_by_email_and_on_the_private_page_then_rated(
    client, inbox_archive, staff, mailoutbox
):
    receipt = services.consultation_ask(
        archive=inbox_archive, name="王", email="wang@example.org", question="能否复制地图？"
    )
    consultation = receipt.consultation
    answer_in_console(client, staff, consultation, "可以，每张10元。")
    [sent] = mailoutbox
    assert sent.to == ["wang@example.org"] and "每张10元" in sent.body
    assert receipt.private_url in sent.body

    client.logout()
    page = client.get(f"/archives/nanjing/ask/c/{consultation.token}/")
    assert "每张10元" in page.content.decode()
    bad = client.post(f"/archives/nanjing/ask/c/{consultation.token}/", {"rating": "9"})
    assert bad.status_code == 400
    rated = client.post(
        f"/archives/nanjing/ask/c/{consultation.token}/", {"rating": "4", "comment": "很快"}
    )
    assert rated.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.rating, consultation.feedback) == (4, "很快")
    assert client.get("/archives/nanjing/ask/c/not-a-token/").status_code == 404

    today = timezone.localdate()
    stats = selectors.consultation_stats(
        archive=inbox_archive, start=today, end=today + datetime.timedelta(days=1)
    )
    assert (stats.opened, stats.answered, stats.rated) == (1, 1, 1)
    assert stats.answered_share == 1.0
    assert stats.satisfaction_mean == 4.0
    assert stats.first_response_median is not None and stats.first_response_median >= 0

    services.consultation_close(actor=staff, consultation=consultation)
    stats = selectors.consultation_stats(
        archive=inbox_archive, start=today, end=today + datetime.timedelta(days=1)
    )
    assert stats.closed == 1 and stats.resolution_median is not None


def test_feedback_before_any_answer_is_refused_clearly(client, inbox_archive):
    receipt = services.consultation_ask(
        archive=inbox_archive, name="", email="x@example.org", question="?"
    )
    response = client.post(receipt.private_url.split("testserver")[-1], {"rating": "5"})
    assert response.status_code in (400, 404)


# ── overdue queue and working days ────────────────────────────────────────────────────────────


def test_working_days_skip_the_weekend():
    zone = timezone.get_current_timezone()
    friday = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=zone)
    saturday = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=zone)
    assert add_working_days(friday, 1) == datetime.datetime(2026, 11, 30, 17, 0, tzinfo=zone)
    assert add_working_days(saturday, 1).date() == datetime.date(2026, 11, 30)
    assert add_working_days(friday, 2).date() == datetime.date(2026, 12, 1)


def test_the_overdue_queue_shows_consultations_past_the_promise(client, inbox_archive, staff):
    old = services.consultation_ask(
        archive=inbox_archive, name="", email="old@example.org", question="旧问题"
    ).consultation
    services.consultation_ask(
        archive=inbox_archive, name="", email="new@example.org", question="新"
    )
    Consultation.objects.filter(pk=old.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    overdue = selectors.consultation_overdue_list(user=staff)
    assert [c.pk for c in overdue] == [old.pk]
    client.force_login(staff)
    page = client.get("/console/inbox/overdue/").content.decode()
    assert "旧问题" in page and "新" not in page.split("<tbody>")[1].split("</tbody>")[0]


def test_the_inbox_list_needs_a_fixed_number_of_queries(
    client, inbox_archive, staff, django_assert_max_num_queries
):
    for n in range(25):
        receipt = services.consultation_ask(
            archive=inbox_archive, name="", email=f"p{n}@example.org", question=f"问题{n}"
        )
        services.consultation_tag(actor=staff, consultation=receipt.consultation, add=["genealogy"])
        services.consultation_assign(actor=staff, consultation=receipt.consultation, assignee=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(15):
        page = client.get("/console/inbox/", {"status": "open", "channel": "web"})
    assert page.status_code == 200
    assert page.content.decode().count("genealogy") >= 25


def test_staff_of_another_archive_cannot_see_or_answer(client, inbox_archive, staff):
    from archivox.core.models import Role
    from archivox.core.services import membership_grant
    from tests.factories import ArchiveFactory, UserFactory

    other = UserFactory(username="elsewhere")
    membership_grant(actor=None, archive=ArchiveFactory(slug="suzhou"), user=other,
                     role=Role.ARCHIVIST)  # fmt: skip
    receipt = services.consultation_ask(
        archive=inbox_archive, name="", email="p@example.org", question="?"
    )
    client.force_login(other)
    assert client.get(f"/console/inbox/{receipt.consultation.pk}/").status_code == 404
    assert "p@example.org" not in client.get("/console/inbox/").content.decode()


def test_assign_tag_note_and_close_are_audited(client, inbox_archive, staff):
    from archivox.core.models import AuditEntry

    consultation = services.consultation_ask(
        archive=inbox_archive, name="", email="p@example.org", question="?"
    ).consultation
    client.force_login(staff)
    url = f"/console/inbox/{consultation.pk}/"
    client.post(url, {"action": "assign", "assignee": staff.pk})
    client.post(url, {"action": "tag", "tag": "genealogy", "free_tag": "家谱"})
    client.post(url, {"action": "note", "note": "<i>内部</i>备注"})
    page = client.get(url).content.decode()
    assert "&lt;i&gt;内部&lt;/i&gt;备注" in page
    client.post(url, {"action": "close"})
    consultation.refresh_from_db()
    assert consultation.status == "closed" and consultation.assignee == staff
    assert sorted(t.name for t in consultation.tags.all()) == ["genealogy", "家谱"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"consultation.assign", "consultation.tag", "consultation.note",
            "consultation.close"} <= actions  # fmt: skip
    # A new question from the same person opens a new consultation.
    services.consultation_ask(archive=inbox_archive, name="", email="p@example.org", question="又")
    assert Consultation.objects.count() == 2


def test_a_weibo_mention_is_polled_and_answered_by_a_comment_on_that_status(weibo, staff, client):
    with httpx.Client(base_url=weibo.api, timeout=10) as http:
        made = http.post(
            "/_simulate/mention",
            json={
                "uid": weibo.weibo_uid,
                "user_name": "history_fan",
                "text": "有拉贝日记的档案吗？",
            },
        )
        assert made.status_code == 200, made.text
    status_id = int(made.json()["idstr"])

    assert services.weibo_poll(account=weibo.account) == 1
    consultation = Consultation.objects.get()
    assert consultation.messages.get().msg_type == "mention"

    answer_in_console(client, staff, consultation, "有，欢迎来馆查阅。")
    [ours] = WeiboComment.objects.filter(status_id=status_id)
    assert "欢迎来馆查阅" in ours.text
    assert ConsultationAnswer.objects.get().state == "sent"


def test_an_oversized_question_is_kept_truncated_and_staff_see_it_escaped(
    client, inbox_archive, staff
):
    question = "<img src=x onerror=alert(1)>" + "问" * (intake.MAX_CONTENT_CHARS + 100)
    receipt = services.consultation_ask(
        archive=inbox_archive, name="", email="big@example.org", question=question
    )
    assert receipt.message.truncated
    assert receipt.message.original_length == len(question)
    assert len(receipt.message.content) == intake.MAX_CONTENT_CHARS
    client.force_login(staff)
    page = client.get(f"/console/inbox/{receipt.consultation.pk}/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    assert "truncated" in page


def test_the_periodic_task_and_the_command_poll_weibo(weibo):
    from archivox.consultations import tasks

    with httpx.Client(base_url=weibo.api, timeout=10) as http:
        http.post(
            "/_simulate/mention",
            json={"uid": weibo.weibo_uid, "user_name": "fan2", "text": "请问有家谱吗"},
        ).raise_for_status()
    tasks.weibo_poll_every_two_minutes()
    assert Consultation.objects.filter(channel="weibo").count() == 1
    out = io.StringIO()
    call_command("poll_inbox", "--weibo", stdout=out)
    assert "weibo: 0 new messages" in out.getvalue()


def test_the_callback_answers_first_and_a_queued_task_threads_the_message(follower, huey_immediate):
    huey_immediate.immediate = False  # the real queue: the task waits for a worker
    huey_immediate.flush()
    reply = follower("safe").send_text("请问有民国地图吗")
    assert "received your message" in reply.fields["Content"]
    message = InboundMessage.objects.get()
    assert message.consultation is None and Consultation.objects.count() == 0
    queued = huey_immediate.dequeue()
    assert queued is not None and huey_immediate.dequeue() is None
    huey_immediate.execute(queued)  # what the worker does
    message.refresh_from_db()
    assert message.consultation.subject.startswith("请问有民国地图吗")


def test_a_wechat_message_the_callback_could_not_thread_is_threaded_by_the_sweep(follower):
    follower("plain").send_text("补登")
    message = InboundMessage.objects.get()
    Consultation.objects.all().delete()  # as if threading had failed after the store
    InboundMessage.objects.update(received_at=timezone.now() - datetime.timedelta(minutes=5))
    assert services.consultation_ingest_sweep() == 1
    message.refresh_from_db()
    assert message.consultation is not None
    assert services.consultation_ingest_sweep() == 0
