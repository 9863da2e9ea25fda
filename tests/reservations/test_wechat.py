"""Bookings from a WeChat menu link, and reminders back on WeChat through the sandbox over real
HTTP (the sandbox enforces the 48-hour customer-service window)."""

import datetime
import time

import httpx
import pytest
from django.core import signing

from archivox.core.models import PlatformAccount
from archivox.reservations import services
from archivox.reservations.models import Booking
from archivox.sandbox.wechat.models import Account, CustomMessage
from archivox.sandbox.wechat.selectors import account_now
from archivox.sandbox.wechat.services import sandbox_follower_touch, sandbox_wechat_account_ensure
from tests.factories import ArchiveFactory
from tests.reservations.conftest import book

pytestmark = pytest.mark.django_db(transaction=True)

OPENID = "oReservationReader0000000001"


@pytest.fixture
def account(live_server, settings, nanjing):
    settings.WECHAT_API = f"{live_server.url}/sandbox/wechat"
    sandbox_wechat_account_ensure(nanjing)
    return PlatformAccount.objects.get(archive=nanjing, platform=PlatformAccount.Platform.WECHAT)


def test_the_follower_link_carries_a_signed_openid_that_the_booking_remembers(slot):
    link = services.reservation_link_for_follower(archive=slot.archive, openid=OPENID)
    assert link.startswith("http") and "/archives/nanjing/reservations/?wx=" in link
    token = link.split("wx=", 1)[1]
    assert OPENID not in link or signing.loads(token, salt=services.WECHAT_LINK_SALT)
    booking = book(slot, contact="13800001234", wechat_token=token)
    assert booking.channel == Booking.Channel.WECHAT and booking.openid == OPENID


def test_a_forged_or_foreign_or_expired_follower_link_is_refused(slot):
    forged = signing.dumps({"a": slot.archive_id, "o": OPENID}, salt="not-our-salt")
    other = ArchiveFactory(slug="suzhou")
    foreign = services.reservation_link_for_follower(archive=other, openid=OPENID).split("wx=")[1]

    class OldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - services.WECHAT_LINK_MAX_AGE - 60)

    expired = OldSigner(salt=services.WECHAT_LINK_SALT).sign_object(
        {"a": slot.archive_id, "o": OPENID}, serializer=signing.JSONSerializer, compress=False
    )
    reasons = []
    for token in (forged, foreign, expired):
        with pytest.raises(services.BookingRefused) as refused:
            book(slot, wechat_token=token)
        reasons.append(refused.value.reason)
    assert reasons == ["link_invalid", "link_invalid", "link_expired"]
    assert not Booking.objects.exists()


def test_a_wechat_reminder_reaches_the_follower_within_the_window(account, slot):
    link = services.reservation_link_for_follower(archive=slot.archive, openid=OPENID)
    booking = book(
        slot,
        contact="13800001234",
        wechat_token=link.split("wx=")[1],
        now=slot.starts_at - datetime.timedelta(days=2),
    )
    sandbox_follower_touch(account.appid, OPENID)  # the follower wrote to the account just now
    counts = services.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    assert counts == {"sent": 1, "undeliverable": 0}
    message = CustomMessage.objects.get(follower__openid=OPENID)
    assert booking.code_display in str(message.payload)
    booking.refresh_from_db()
    assert booking.reminder == Booking.Reminder.SENT
    # each reminder once: another run sends nothing
    services.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=19))
    assert CustomMessage.objects.filter(follower__openid=OPENID).count() == 1


def test_a_closed_window_is_recorded_as_not_deliverable_on_wechat(account, slot):
    link = services.reservation_link_for_follower(archive=slot.archive, openid=OPENID)
    booking = book(
        slot,
        contact="13800001234",
        wechat_token=link.split("wx=")[1],
        now=slot.starts_at - datetime.timedelta(days=3),
    )
    sandbox_account = Account.objects.get(appid=account.appid)
    sandbox_follower_touch(
        account.appid, OPENID, at=account_now(sandbox_account) - datetime.timedelta(hours=49)
    )
    counts = services.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=20))
    assert counts == {"sent": 0, "undeliverable": 1}
    booking.refresh_from_db()
    assert booking.reminder == Booking.Reminder.UNDELIVERABLE
    assert booking.reminder_note.startswith("reminder not deliverable on WeChat")
    assert not CustomMessage.objects.exists()


def test_booking_through_the_portal_from_a_menu_link(account, live_server, slot):
    link = services.reservation_link_for_follower(archive=slot.archive, openid=OPENID)
    link = link.replace(services.settings.BASE_URL, live_server.url)
    with httpx.Client(follow_redirects=True, timeout=20) as client:
        page = client.get(link)
        assert page.status_code == 200
        assert 'name="wx"' not in page.text  # carried in links until the form
        form_url = (
            f"{live_server.url}/archives/nanjing/reservations/reading-room/book/{slot.pk}/"
            f"?wx={link.split('wx=')[1]}"
        )
        form = client.get(form_url)
        assert 'name="wx"' in form.text
        csrf = client.cookies["csrftoken"]
        done = client.post(
            form_url,
            data={
                "csrfmiddlewaretoken": csrf,
                "name": "微信读者",
                "contact": "13800001234",
                "wx": link.split("wx=")[1],
            },
            headers={"Referer": form_url},
        )
    assert done.status_code == 201, done.text[:2000]
    booking = Booking.objects.get()
    assert booking.channel == Booking.Channel.WECHAT and booking.openid == OPENID
    assert booking.code_display in done.text
