"""Known followers: a reservations page opened in WeChat's browser learns the follower by a
silent snsapi_base authorisation against the WeChat sandbox (authorise redirect in-process,
the code exchanged over real HTTP), with the state checked against CSRF; the booking is tied
to the follower and its reminder reaches them in WeChat. Outside WeChat nothing changes."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking
from archivox.sandbox.wechat.models import Account, CustomMessage, OAuthCode, TemplateMessage
from archivox.sandbox.wechat.services import (
    sandbox_follower_subscribe,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from tests.factories import UserFactory
from tests.service_hall.test_share_cards import PHONE_UA, WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oKnownFollower00000000000001"
VISIT_KEYS = ["thing1", "time2", "character_string3", "thing4"]


@pytest.fixture
def account(live_server, settings, nanjing):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    settings.WECHAT_OPEN = "http://testserver/sandbox/wechat"
    settings.BASE_URL = "http://testserver"
    sandbox_wechat_account_ensure(nanjing)
    Account.objects.filter(archive_slug="nanjing").update(account_type=Account.Type.SERVICE)
    sandbox_wechat_account_ensure(nanjing)  # copies the account type to ours
    found = PlatformAccount.objects.get(archive=nanjing, platform="wechat")
    assert found.wechat_type == PlatformAccount.WeChatType.SERVICE
    return found


@pytest.fixture
def follower(client):
    client.cookies["sandbox_wechat_openid"] = OPENID
    return client


def test_a_follower_is_known_silently_books_and_is_reminded_in_wechat(account, follower, slot):
    # The archive's templates for the confirmation and the reminder, added in WeChat's console.
    sandbox_template_add(appid=account.appid, template_id="TPL-visit", keys=VISIT_KEYS)
    sandbox_follower_subscribe(account.appid, OPENID)  # a follower of the account
    for purpose in ("reservations.confirmation", "reservations.reminder"):
        NotificationTemplate.objects.create(
            archive=account.archive, purpose=purpose, template_id="TPL-visit"
        )
    response = follower.get(
        "/archives/nanjing/reservations/reading-room/", HTTP_USER_AGENT=WECHAT_UA, follow=True
    )
    assert response.status_code == 200
    hops = [url for url, _status in response.redirect_chain]
    assert "/sandbox/wechat/connect/oauth2/authorize?" in hops[0]
    assert parse_qs(urlsplit(hops[0]).query)["scope"] == ["snsapi_base"]
    assert "/archives/nanjing/wechat/authorised/?code=" in hops[1]
    final = urlsplit(hops[-1])
    assert final.path == "/archives/nanjing/reservations/reading-room/"
    token = parse_qs(final.query)["wx"][0]
    assert OPENID not in response.content.decode()  # the openid is never shown
    assert OAuthCode.objects.get().used_at is not None

    form = f"/archives/nanjing/reservations/reading-room/book/{slot.pk}/?wx={token}"
    assert follower.get(form, HTTP_USER_AGENT=WECHAT_UA).status_code == 200
    done = follower.post(
        form,
        {"name": "微信读者", "contact": "13800001234", "wx": token},
        HTTP_USER_AGENT=WECHAT_UA,
    )
    assert done.status_code == 201
    booking = Booking.objects.get()
    assert booking.channel == Booking.Channel.WECHAT and booking.openid == OPENID

    # The confirmation reached the follower as a template message (no window needed) …
    confirmation = TemplateMessage.objects.get(follower__openid=OPENID)
    assert confirmation.data["character_string3"] == booking.code_display
    # … and so does the reminder, once, the day before; both are in the staff's log.
    for _run in range(2):
        reservations.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    assert TemplateMessage.objects.filter(follower__openid=OPENID).count() == 2
    assert not CustomMessage.objects.exists()
    log = Notification.objects.order_by("pk")
    assert [(n.purpose, n.channel) for n in log] == [
        ("reservations.confirmation", "template"),
        ("reservations.reminder", "template"),
    ]
    staff = UserFactory(username="desk-hall")
    Membership.objects.create(user=staff, archive=account.archive, role=Role.ARCHIVIST)
    follower.force_login(staff)
    page = follower.get("/console/service-hall/nanjing/notifications/").content.decode()
    assert page.count("<td>Visit reminder</td>") == 1 and OPENID not in page
    assert "<td>Reservation confirmation</td>" in page


def test_a_state_not_of_this_session_is_refused(account, follower, slot):
    start = follower.get("/archives/nanjing/reservations/", HTTP_USER_AGENT=WECHAT_UA)
    assert start.status_code == 302
    authorised = follower.get(start["Location"], HTTP_USER_AGENT=WECHAT_UA)
    back = urlsplit(authorised["Location"])
    code = parse_qs(back.query)["code"][0]
    forged = follower.get(f"{back.path}?code={code}&state=forged", HTTP_USER_AGENT=WECHAT_UA)
    assert forged.status_code == 400
    assert OAuthCode.objects.get().used_at is None  # the code was not even exchanged


def test_a_used_code_leaves_the_page_working_without_the_follower(account, follower, slot):
    start = follower.get("/archives/nanjing/reservations/", HTTP_USER_AGENT=WECHAT_UA)
    authorised = follower.get(start["Location"], HTTP_USER_AGENT=WECHAT_UA)
    OAuthCode.objects.update(used_at=OAuthCode.objects.get().issued_at)  # spent elsewhere
    page = follower.get(authorised["Location"], HTTP_USER_AGENT=WECHAT_UA, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == "/archives/nanjing/reservations/"
    # Not asked again at once: the next page is shown directly.
    again = follower.get("/archives/nanjing/reservations/", HTTP_USER_AGENT=WECHAT_UA)
    assert again.status_code == 200


def test_outside_wechat_or_for_a_subscription_account_nothing_is_asked(account, client, slot):
    assert (
        client.get("/archives/nanjing/reservations/", HTTP_USER_AGENT=PHONE_UA).status_code == 200
    )
    PlatformAccount.objects.filter(pk=account.pk).update(
        wechat_type=PlatformAccount.WeChatType.SUBSCRIPTION
    )
    assert (
        client.get("/archives/nanjing/reservations/", HTTP_USER_AGENT=WECHAT_UA).status_code == 200
    )


def test_the_sandbox_authorises_only_service_accounts_and_codes_once(account, live_server):
    sandbox = f"{live_server.url}/sandbox/wechat"
    query = {
        "appid": account.appid,
        "redirect_uri": "http://testserver/back/",
        "response_type": "code",
        "scope": "snsapi_base",
        "state": "s1",
    }
    with httpx.Client(timeout=10) as http:
        hop = http.get(f"{sandbox}/connect/oauth2/authorize", params=query)
        assert hop.status_code == 302
        code = parse_qs(urlsplit(hop.headers["location"]).query)["code"][0]
        exchange = {
            "appid": account.appid,
            "secret": account.app_secret,
            "code": code,
            "grant_type": "authorization_code",
        }
        first = http.get(f"{sandbox}/sns/oauth2/access_token", params=exchange).json()
        assert first["scope"] == "snsapi_base" and first["openid"].startswith("o")
        assert (
            http.get(f"{sandbox}/sns/oauth2/access_token", params=exchange).json()["errcode"]
            == 40163
        )
        unknown = {**exchange, "code": "nosuchcode"}
        assert (
            http.get(f"{sandbox}/sns/oauth2/access_token", params=unknown).json()["errcode"]
            == 40029
        )
        Account.objects.filter(appid=account.appid).update(account_type="subscription")
        refused = http.get(f"{sandbox}/connect/oauth2/authorize", params=query)
        assert refused.status_code == 400 and "10005" in refused.text
