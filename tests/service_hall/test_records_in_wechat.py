"""Records-use requests in WeChat: the apply page opened in WeChat's browser learns the follower
silently (snsapi_base against the sandbox), the request keeps the openid, and each status change
reaches the follower through ``notifications.notify`` (the records app's notifier hook,
registered by the service hall) — once per change. Outside WeChat nothing of it happens; the
menu editor offers the records-use page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from archivox.core.models import PlatformAccount
from archivox.notifications.models import Notification, NotificationTemplate
from archivox.records_requests.codes import code_display
from archivox.records_requests.models import RecordsRequest
from archivox.records_requests.services.followers import follower_token_for
from archivox.sandbox.wechat.models import Account, TemplateMessage
from archivox.sandbox.wechat.services import (
    sandbox_follower_subscribe,
    sandbox_wechat_account_ensure,
)
from archivox.sandbox.wechat.services.templates import sandbox_template_add
from archivox.service_hall.selectors import menu_action_choices
from tests.factories import ArchiveFactory
from tests.records_requests.conftest import (  # noqa: F401
    APPLY_FORM,
    ID_NUMBER,
    _var_dir,
    desk,
    kinds,
    png_bytes,
    xuanwu,
)
from tests.service_hall.test_share_cards import PHONE_UA, WECHAT_UA

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oRecordsFollower000000000001"
APPLY = "/archives/nanjing/records/apply/"
FORM = APPLY_FORM


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
        appid=found.appid,
        template_id="TPL-records",
        keys=["character_string1", "thing2", "thing3", "thing4"],
    )
    NotificationTemplate.objects.create(
        archive=nanjing, purpose="records_requests.status", template_id="TPL-records"
    )
    sandbox_follower_subscribe(found.appid, OPENID)
    return found


@pytest.fixture
def follower(client):
    client.cookies["sandbox_wechat_openid"] = OPENID
    return client


def post(client, user_agent, **changes):
    data = {**FORM, **changes}
    data["upload_id"] = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    return client.post(APPLY, data, HTTP_USER_AGENT=user_agent)


def test_a_follower_applies_in_wechat_and_is_told_each_status_change_there(
    account,
    follower,
    kinds,  # noqa: F811
    desk,  # noqa: F811
):
    page = follower.get(APPLY, HTTP_USER_AGENT=WECHAT_UA, follow=True)
    assert page.status_code == 200
    hops = [url for url, _status in page.redirect_chain]
    assert "/sandbox/wechat/connect/oauth2/authorize?" in hops[0]
    final = urlsplit(hops[-1])
    assert final.path == APPLY
    token = parse_qs(final.query)["wx"][0]
    html = page.content.decode()
    assert f'name="wx" value="{token}"' in html and OPENID not in html
    # Only the apply page asks: the records' index is shown at once.
    assert follower.get("/archives/nanjing/records/", HTTP_USER_AGENT=WECHAT_UA).status_code == 200

    assert post(follower, WECHAT_UA, wx=token).status_code == 302
    request = RecordsRequest.objects.get()
    assert request.openid == OPENID and request.channel == RecordsRequest.Channel.WECHAT
    first = TemplateMessage.objects.get(follower__openid=OPENID)
    assert first.data["character_string1"] == code_display(request.code)
    assert first.url.endswith(f"/archives/nanjing/records/r/{request.code}/")
    assert len(mail.outbox) == 1  # the records app's own e-mail still goes

    # Staff accept it: one more message; the same change told twice is sent once.
    follower.force_login(desk)
    act = f"/console/records/nanjing/{request.pk}/act/"
    follower.post(act, {"action": "claim", "version": request.version})
    request.refresh_from_db()
    follower.post(act, {"action": "accept", "version": request.version})
    request.refresh_from_db()
    assert request.status == RecordsRequest.Status.ACCEPTED
    assert TemplateMessage.objects.filter(follower__openid=OPENID).count() == 2
    from archivox.records_requests.services.notify import request_notify

    request_notify(request)
    assert TemplateMessage.objects.filter(follower__openid=OPENID).count() == 2
    log = list(Notification.objects.order_by("pk").values_list("purpose", "channel"))
    assert log == [("records_requests.status", "template")] * 2
    staff_page = follower.get("/console/service-hall/nanjing/notifications/").content.decode()
    assert OPENID not in staff_page


def test_outside_wechat_or_with_a_forged_token_no_follower_is_kept(
    account,
    follower,
    kinds,  # noqa: F811
):
    assert follower.get(APPLY, HTTP_USER_AGENT=PHONE_UA).status_code == 200
    other = ArchiveFactory(slug="elsewhere")
    foreign = follower_token_for(archive=other, openid=OPENID)
    mine = follower_token_for(archive=account.archive, openid=OPENID)
    assert post(follower, PHONE_UA, wx=mine).status_code == 302
    assert post(follower, WECHAT_UA, wx=foreign, email="li@example.com").status_code == 302
    assert post(follower, WECHAT_UA, wx="forged", email="zhao@example.com").status_code == 302
    assert list(RecordsRequest.objects.values_list("openid", flat=True)) == ["", "", ""]
    assert not TemplateMessage.objects.exists() and not Notification.objects.exists()


def test_the_menu_editor_offers_the_records_use_page(account):
    pages = dict(menu_action_choices(archive=account.archive))
    values = {choice.value: choice.button for group in pages.values() for choice in group}
    assert values["view:records"]["url"] == "http://testserver/archives/nanjing/records/"
