"""Questions asked in WeChat: the ask page opened in WeChat's browser learns the follower
silently, the consultation keeps the openid (encrypted at rest), and each answer reaches the
follower through ``notifications.notify`` besides the e-mail — once per answer. Outside WeChat
nothing of it happens."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.db import connection

from archivox.consultations.models import Consultation
from archivox.consultations.personal_data import consultations_purge
from archivox.consultations.services.answers import consultation_answer
from archivox.consultations.services.followers import follower_token_for
from archivox.core.models import PlatformAccount, Role
from archivox.core.services import membership_grant
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.sandbox.wechat.models import Account, TemplateMessage
from archivox.sandbox.wechat.services import (
    sandbox_follower_subscribe,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from tests.factories import UserFactory
from tests.service_hall.test_share_cards import PHONE_UA, WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oAskingFollower0000000000001"
ASK = "/archives/nanjing/ask/"


@pytest.fixture
def account(live_server, settings, nanjing):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.WECHAT_OPEN = "http://testserver/sandbox/wechat"
    settings.BASE_URL = "http://testserver"
    sandbox_wechat_account_ensure(nanjing)
    Account.objects.filter(archive_slug="nanjing").update(account_type=Account.Type.SERVICE)
    sandbox_wechat_account_ensure(nanjing)
    found = PlatformAccount.objects.get(archive=nanjing, platform="wechat")
    sandbox_template_add(
        appid=found.appid, template_id="TPL-answer", keys=["thing1", "thing2", "thing3"]
    )
    NotificationTemplate.objects.create(
        archive=nanjing, purpose="consultations.answer", template_id="TPL-answer"
    )
    sandbox_follower_subscribe(found.appid, OPENID)
    return found


@pytest.fixture
def answerer(nanjing):
    user = UserFactory(username="hall-answerer")
    membership_grant(actor=None, archive=nanjing, user=user, role=Role.ADMINISTRATOR)
    return user


def test_a_follower_asks_in_wechat_and_each_answer_reaches_them_there(account, client, answerer):
    client.cookies["sandbox_wechat_openid"] = OPENID
    page = client.get(ASK, HTTP_USER_AGENT=WECHAT_UA, follow=True)
    assert page.status_code == 200
    final = urlsplit(page.redirect_chain[-1][0])
    assert final.path == ASK
    token = parse_qs(final.query)["wx"][0]
    html = page.content.decode()
    assert f'name="wx" value="{token}"' in html and OPENID not in html
    question = {"name": "王小明", "email": "wang@example.com", "question": "白崇禧的档案可以查吗？"}
    done = client.post(ASK, {**question, "wx": token}, HTTP_USER_AGENT=WECHAT_UA)
    assert done.status_code == 200
    consultation = Consultation.objects.get()
    assert consultation.person_openid == OPENID
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_openid FROM engagement_consultation WHERE id = %s",
            [consultation.pk],
        )
        assert OPENID not in cursor.fetchone()[0]  # encrypted at rest

    first = consultation_answer(
        actor=answerer, consultation=consultation, text="可以，请来馆查阅。"
    )
    assert first.state == "sent" and len(mail.outbox) == 1  # the e-mail still goes
    message = TemplateMessage.objects.get(follower__openid=OPENID)
    assert message.data["thing2"] == "可以，请来馆查阅。"
    assert message.url.startswith("http://testserver/archives/nanjing/ask/c/")
    consultation.refresh_from_db()
    consultation_answer(actor=answerer, consultation=consultation, text="补充：周一闭馆。")
    assert TemplateMessage.objects.filter(follower__openid=OPENID).count() == 2
    log = list(Notification.objects.order_by("pk").values_list("purpose", "channel"))
    assert log == [("consultations.answer", "template")] * 2


def test_outside_wechat_or_with_a_forged_token_no_follower_is_kept(account, client, answerer):
    mine = follower_token_for(archive=account.archive, openid=OPENID)
    ask = {"name": "李", "email": "li@example.com", "question": "开放时间？", "wx": mine}
    assert client.post(ASK, ask, HTTP_USER_AGENT=PHONE_UA).status_code == 200
    forged = {**ask, "email": "zhao@example.com", "wx": "forged"}
    assert client.post(ASK, forged, HTTP_USER_AGENT=WECHAT_UA).status_code == 200
    assert list(Consultation.objects.values_list("person_openid", flat=True)) == ["", ""]
    for consultation in Consultation.objects.all():
        consultation_answer(actor=answerer, consultation=consultation, text="九点到五点。")
    assert len(mail.outbox) == 2
    assert not TemplateMessage.objects.exists() and not Notification.objects.exists()


def test_the_follower_is_purged_with_the_rest(account, client, answerer):
    import datetime

    from django.utils import timezone

    token = follower_token_for(archive=account.archive, openid=OPENID)
    ask = {"name": "王", "email": "wang@example.com", "question": "问", "wx": token}
    client.post(ASK, ask, HTTP_USER_AGENT=WECHAT_UA)
    Consultation.objects.update(
        status="closed", opened_at=timezone.now() - datetime.timedelta(days=800)
    )
    assert consultations_purge(before=timezone.now() - datetime.timedelta(days=1)) == 1
    assert Consultation.objects.get().person_openid == ""
