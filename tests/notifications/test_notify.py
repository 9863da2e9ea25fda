"""``notify`` against the WeChat sandbox over real HTTP: the template message first (service
account, the archive's template id, values clipped to the platform's field limits), then the
customer-service window, then e-mail; each key at most once; logged without showing to whom."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation

from archivox.core.models import Membership, Role
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.notifications.services import field_clip, notify
from archivox.platforms.wechat.client import WeChatApiError, client_for_account
from archivox.sandbox.wechat.models import Account, CustomMessage, TemplateMessage
from archivox.sandbox.wechat.services import sandbox_follower_touch, sandbox_wechat_account_ensure
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from tests.factories import ArchiveFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oNotifiedFollower000000000001"
KEYS = ["thing1", "time2", "character_string3", "thing4"]
FIELDS = {
    "thing1": "查档阅览室（一楼东侧，靠窗的第三排座位，请携带身份证）",
    "time2": "2026-12-07 09:00",
    "character_string3": "K7Q-42M",
    "thing4": "南京市档案馆",
}


@pytest.fixture
def archive(live_server, settings):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    archive = ArchiveFactory(slug="nanjing-notify", name_zh="南京市档案馆")
    sandbox_wechat_account_ensure(archive)
    return archive


def service_account(archive) -> str:
    account = Account.objects.get(archive_slug=archive.slug)
    account.account_type = Account.Type.SERVICE
    account.save(update_fields=["account_type"])
    sandbox_wechat_account_ensure(archive)
    return account.appid


def send(archive, key="reservations.reminder:1", **options):
    values = {
        "archive": archive,
        "purpose": "reservations.reminder",
        "key": key,
        "text": "提醒：您预约了明天的查档。",
        "subject": "预约提醒",
        "openid": OPENID,
        "fields": FIELDS,
    }
    return notify(**{**values, **options})


def test_values_are_clipped_to_the_platforms_field_limits():
    assert len(field_clip("thing1", FIELDS["thing1"])) == 20
    assert field_clip("thing1", FIELDS["thing1"]).endswith("…")
    assert field_clip("phrase2", "已经预约成功") == "已经预约…"
    assert field_clip("character_string3", "K7Q-42M") == "K7Q-42M"


def test_a_template_message_first_and_never_twice(archive):
    appid = service_account(archive)
    sandbox_follower_touch(appid, OPENID)
    sandbox_template_add(appid=appid, template_id="TPL-remind", keys=KEYS, title="预约提醒")
    NotificationTemplate.objects.create(
        archive=archive, purpose="reservations.reminder", template_id="TPL-remind"
    )
    result = send(archive)
    assert result.delivered and result.channel == "template"
    message = TemplateMessage.objects.get(follower__openid=OPENID)
    assert message.data["character_string3"] == "K7Q-42M"
    assert len(message.data["thing1"]) == 20
    again = send(archive)
    assert not again.delivered and again.note == "already sent once"
    assert TemplateMessage.objects.count() == 1 and not CustomMessage.objects.exists()
    row = Notification.objects.get()
    assert (row.status, row.channel) == ("sent", "template")
    assert row.openid == OPENID
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT openid FROM notifications_notification")
        assert OPENID not in cursor.fetchone()[0]


def test_a_refused_template_falls_back_to_the_customer_service_window(archive):
    appid = service_account(archive)
    sandbox_follower_touch(appid, OPENID)
    NotificationTemplate.objects.create(
        archive=archive, purpose="reservations.reminder", template_id="TPL-not-added"
    )
    result = send(archive)
    assert result.delivered and result.channel == "customer_service"
    assert "40037" in Notification.objects.get().note
    assert CustomMessage.objects.filter(follower__openid=OPENID).count() == 1


def test_outside_the_window_it_falls_back_to_e_mail_and_then_says_so(archive):
    result = send(archive, email="reader@example.com")
    assert result.delivered and result.channel == "email"
    assert mail.outbox[0].to == ["reader@example.com"]
    assert "not deliverable on WeChat" in Notification.objects.get().note
    nowhere = send(archive, key="reservations.reminder:2")
    assert not nowhere.delivered
    assert Notification.objects.get(key="reservations.reminder:2").status == "undeliverable"


def test_the_sandbox_enforces_the_template_rules(archive):
    from archivox.core.models import PlatformAccount

    account = PlatformAccount.objects.get(archive=archive, platform="wechat")
    appid = account.appid
    sandbox_follower_touch(appid, OPENID)
    sandbox_template_add(appid=appid, template_id="TPL", keys=["thing1"])
    with client_for_account(account) as api:
        with pytest.raises(WeChatApiError) as refused:
            api.template_send(OPENID, "TPL", {"thing1": "ok"})
        assert refused.value.errcode == 48001  # a subscription account
        service_account(archive)
        with pytest.raises(WeChatApiError) as refused:
            api.template_send(OPENID, "TPL", {"thing1": "超" * 21})
        assert refused.value.errcode == 47003
        with pytest.raises(WeChatApiError) as refused:
            api.template_send("oNoSuchFollower", "TPL", {"thing1": "好"})
        assert refused.value.errcode == 40003
        assert api.template_send(OPENID, "TPL", {"thing1": "好"}) > 0


@pytest.mark.chinese
def test_every_note_staff_read_is_chinese_whatever_the_senders_language(archive, client):
    """The log's notes are written in the installation's language (Chinese), also when the
    message went out during a request in English; the console page shows them so, with the
    platform's errcode and without the English of WeChat's errmsg or of the mail transport."""
    appid = service_account(archive)
    sandbox_follower_touch(appid, OPENID)
    NotificationTemplate.objects.create(
        archive=archive, purpose="reservations.reminder", template_id="TPL-not-added"
    )
    with translation.override("en"):  # e.g. a visitor whose browser asks for English
        fallback = send(archive)
        again = send(archive)
        nowhere = send(archive, key="reservations.reminder:2", openid="", email="")
    assert fallback.delivered and fallback.channel == "customer_service"
    assert again.note == "已发送过一次，不再重发"
    assert not nowhere.delivered
    notes = dict(Notification.objects.values_list("key", "note"))
    assert notes == {
        "reservations.reminder:1": "模板消息未发出：模板 ID 不属于本公众号，错误码 40037",
        "reservations.reminder:2": "既没有微信关注者身份，也没有电子邮件地址",
    }

    staff = UserFactory(username="hall-notes")
    Membership.objects.create(user=staff, archive=archive, role=Role.ARCHIVIST)
    client.force_login(staff)
    page = client.get(f"/console/service-hall/{archive.slug}/notifications/").content.decode()
    assert "模板消息未发出：模板 ID 不属于本公众号，错误码 40037" in page
    assert "既没有微信关注者身份，也没有电子邮件地址" in page
    assert "invalid template_id" not in page and "refused" not in page
    assert OPENID not in page
