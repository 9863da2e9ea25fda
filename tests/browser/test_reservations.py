"""On a phone: book a reading-room place, then cancel it with the confirmation code."""

import datetime

import pytest
from django.utils import timezone

from archivox.reservations import services
from archivox.reservations.models import Booking, Slot
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import ArchiveFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reading_room():
    nanjing = ArchiveFactory(slug="nanjing", name="Nanjing Archives", name_zh="南京市档案馆")
    room = services.resource_create(
        actor=None,
        archive=nanjing,
        slug="reading-room",
        kind="reading_room",
        name="查档阅览室",
        capacity=2,
        slot_minutes=120,
        location="北京东路41号",
    )
    services.opening_hours_set(
        actor=None,
        resource=room,
        periods=[(day, datetime.time(9), datetime.time(17)) for day in range(7)],
    )
    return room


def test_a_visitor_books_a_reading_room_place_and_cancels_it(phone, live_server, reading_room):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    phone.goto(f"{live_server.url}/archives/nanjing/reservations/")
    phone.click("text=查档阅览室")
    phone.wait_for_url("**/reservations/reading-room/")
    assert_fits_phone(phone)
    day = phone.locator("section.day", has_text=tomorrow.isoformat())
    day.locator("a.slot").first.click()
    phone.wait_for_url("**/book/**")
    phone.fill("#name", "王小明")
    phone.fill("#contact", "wang@example.com")
    phone.click("button.primary")
    code = phone.locator("#confirmation-code").inner_text().strip()
    booking = Booking.objects.get()
    assert code == booking.code_display
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    assert_fits_phone(phone)
    screenshot(phone, "reservations-booked")
    # Reloading the confirmation shows it again; it does not book a second time (issue 21).
    phone.wait_for_url("**/reservations/done/")
    phone.reload()
    assert phone.locator("#confirmation-code").inner_text().strip() == code
    assert Booking.objects.count() == 1

    phone.click("a.button[href*='/reservations/my/']")
    phone.wait_for_url("**/reservations/my/**")
    assert phone.input_value("#code") == booking.code
    phone.fill("#contact", "wang@example.com")
    phone.click("button.primary")
    phone.click("button.danger")
    # One more tap, on a page that says what is cancelled (issue 21).
    phone.wait_for_selector("button.danger[value=cancel]")
    assert Booking.objects.get().status == Booking.Status.BOOKED
    phone.click("button.danger[value=cancel]")
    phone.wait_for_selector(".notice.success")
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    assert Slot.objects.get(pk=booking.slot_id).booked == 0
    assert_fits_phone(phone)
    screenshot(phone, "reservations-cancelled")
    phone.watch.assert_clean()


def test_an_unknown_code_gets_a_clear_message_on_the_phone(phone, live_server, reading_room):
    phone.goto(f"{live_server.url}/archives/nanjing/reservations/my/")
    phone.fill("#code", "ABCD-EFGH")
    phone.fill("#contact", "nobody@example.com")
    phone.click("button.primary")
    alert = phone.locator(".notice.error")
    assert alert.count() == 1 and "ABCD" in alert.inner_text()
    assert phone.input_value("#code") == "ABCD-EFGH"
