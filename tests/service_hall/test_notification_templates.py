"""Notification templates in the console, and the one-time subscription message's consent
(issue 20): staff set each purpose's template id and kind per account (the platform's field
limits shown, the ids checked, all rows saved or none, audited); a follower who booked in
WeChat allows the reminder on WeChat's page (the sandbox's, over real HTTP for the sends), and
only then may it go as a subscription message; without a consent the sandbox refuses with
43101 and the reminder falls back like every notification."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from archivox.core.models import AuditEntry, Membership, Role
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.platforms.wechat.client import client_for_account
from archivox.platforms.wechat.errors import WeChatApiError
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking
from archivox.sandbox.wechat.models import CustomMessage, SubscribeConsent, TemplateMessage
from archivox.sandbox.wechat.services import sandbox_follower_subscribe
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from tests.factories import UserFactory
from tests.service_hall.test_known_followers import OPENID, account  # noqa: F401
from tests.service_hall.test_share_cards import WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/console/service-hall/nanjing/templates/"
REMINDER_ID = "Hx7-remind_ONE-time"


def staff(archive, role: str, name: str):
    user = UserFactory(username=name)
    Membership.objects.create(user=user, archive=archive, role=role)
    return user


def form(**rows: tuple[str, str, bool]) -> dict[str, str]:
    data: dict[str, str] = {}
    for purpose in (
        "reservations.confirmation",
        "reservations.reminder",
        "consultations.answer",
        "records_requests.status",
    ):
        template_id, kind, active = rows.get(purpose.replace(".", "__"), ("", "template", True))
        data[f"template_id:{purpose}"] = template_id
        data[f"kind:{purpose}"] = kind
        if active:
            data[f"active:{purpose}"] = "1"
    return data


def test_staff_set_the_templates_per_purpose_checked_and_audited(client, account):  # noqa: F811
    archive = account.archive
    client.force_login(staff(archive, Role.ARCHIVIST, "writer"))
    assert client.get(PAGE).status_code == 403  # templates are the archive's settings
    client.force_login(staff(archive, Role.ADMINISTRATOR, "admin-hall"))
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    # Each purpose with its fields and the platform's limits (thing → 20, code → 32).
    assert "<code>thing1</code>" in html and "<code>character_string3</code>" in html
    assert "20" in html and "32" in html

    # A malformed id in one row: nothing saved, every row keeps what was typed.
    typed = form(
        reservations__confirmation=("TPL-visit", "template", True),
        reservations__reminder=("not an id!", "subscribe", True),
    )
    refused = client.post(PAGE, typed)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'value="TPL-visit"' in html and 'value="not an id!"' in html
    assert "64" in html  # the error says what a template id is
    assert not NotificationTemplate.objects.exists()

    saved = client.post(
        PAGE,
        form(
            reservations__confirmation=("TPL-visit", "template", True),
            reservations__reminder=(REMINDER_ID, "subscribe", True),
            consultations__answer=("TPL-answer", "template", False),
        ),
    )
    assert saved.status_code == 302
    found = {
        t.purpose: (t.template_id, t.kind, t.is_active) for t in NotificationTemplate.objects.all()
    }
    assert found == {
        "reservations.confirmation": ("TPL-visit", "template", True),
        "reservations.reminder": (REMINDER_ID, "subscribe", True),
        "consultations.answer": ("TPL-answer", "template", False),
    }
    assert AuditEntry.objects.filter(action="notification_template.set").count() == 3
    # Saving the same again audits nothing; emptying an id removes the template, audited.
    client.post(
        PAGE,
        form(
            reservations__confirmation=("TPL-visit", "template", True),
            reservations__reminder=(REMINDER_ID, "subscribe", True),
        ),
    )
    assert AuditEntry.objects.filter(action="notification_template.set").count() == 3
    assert AuditEntry.objects.filter(action="notification_template.remove").count() == 1
    assert not NotificationTemplate.objects.filter(purpose="consultations.answer").exists()


def test_a_follower_allows_the_reminder_in_wechat_and_only_then_gets_it_so(
    account,  # noqa: F811
    client,
    slot,
    settings,
    mailoutbox,
):
    settings.WECHAT_MP = "http://testserver/sandbox/wechat"
    archive = account.archive
    sandbox_template_add(appid=account.appid, template_id=REMINDER_ID, keys=["content"])
    sandbox_follower_subscribe(account.appid, OPENID)
    NotificationTemplate.objects.create(
        archive=archive,
        purpose="reservations.reminder",
        template_id=REMINDER_ID,
        kind=NotificationTemplate.Kind.SUBSCRIBE,
    )
    client.cookies["sandbox_wechat_openid"] = OPENID
    token = reservations.follower_token_for(archive=archive, openid=OPENID)
    form_url = f"/archives/nanjing/reservations/reading-room/book/{slot.pk}/?wx={token}"
    done = client.post(
        form_url,
        {"name": "微信读者", "contact": "reader@example.cn", "wx": token},
        HTTP_USER_AGENT=WECHAT_UA,
    )
    assert done.status_code == 201
    consent_url = done.context["consent_url"]
    assert consent_url.startswith("http://testserver/sandbox/wechat/mp/subscribemsg?")
    query = parse_qs(urlsplit(consent_url).query)
    assert query["template_id"] == [REMINDER_ID] and query["action"] == ["get_confirm"]
    assert consent_url in done.content.decode().replace("&amp;", "&")

    # WeChat's page asks; the follower allows, and is back on the confirmation.
    confirm_page = client.get(consent_url, HTTP_USER_AGENT=WECHAT_UA)
    assert confirm_page.status_code == 200 and "允许" in confirm_page.content.decode()
    allowed = client.post(consent_url, {"answer": "confirm"}, HTTP_USER_AGENT=WECHAT_UA)
    back = urlsplit(allowed["Location"])
    assert back.path == "/archives/nanjing/reservations/done/"
    assert parse_qs(back.query)["action"] == ["confirm"]
    again = client.get(f"{back.path}?{back.query}", HTTP_USER_AGENT=WECHAT_UA)
    assert again.context["consent_answer"] == "confirm"
    assert SubscribeConsent.objects.filter(used_at__isnull=True).count() == 1

    # The reminder goes as that one subscription message, once.
    booking = Booking.objects.get()
    for _run in range(2):
        reservations.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    reminder = TemplateMessage.objects.get(template_id=REMINDER_ID)
    assert reminder.data["title"] in ("到馆提醒", "Visit reminder")
    assert booking.code_display in reminder.data["content"]
    row = Notification.objects.get(purpose="reservations.reminder")
    assert row.channel == Notification.Channel.SUBSCRIBE
    assert SubscribeConsent.objects.get().used_at is not None

    # The consent is spent: the platform refuses another, and a second reminder falls back.
    with client_for_account(account) as api, pytest.raises(WeChatApiError) as refused:
        api.subscribe_send(OPENID, REMINDER_ID, scene=2, title="到馆提醒", content="再一次", url="")
    assert refused.value.errcode == 43101


def test_without_consent_the_reminder_falls_back_and_the_sandbox_says_43101(
    account,  # noqa: F811
    slot,
    mailoutbox,
):
    archive = account.archive
    sandbox_template_add(appid=account.appid, template_id=REMINDER_ID, keys=["content"])
    sandbox_follower_subscribe(account.appid, OPENID)
    NotificationTemplate.objects.create(
        archive=archive,
        purpose="reservations.reminder",
        template_id=REMINDER_ID,
        kind=NotificationTemplate.Kind.SUBSCRIBE,
    )
    token = reservations.follower_token_for(archive=archive, openid=OPENID)
    reservations.reservation_book(
        slot_id=slot.pk,
        archive=archive,
        name="微信读者",
        contact="reader@example.cn",
        wechat_token=token,
    )
    reservations.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    row = Notification.objects.get(purpose="reservations.reminder")
    assert "43101" in row.note
    assert row.channel != Notification.Channel.SUBSCRIBE
    assert not TemplateMessage.objects.filter(template_id=REMINDER_ID).exists()
    # The follower has not written lately (no window), so the e-mail carries it.
    assert row.channel == Notification.Channel.EMAIL or CustomMessage.objects.exists()
