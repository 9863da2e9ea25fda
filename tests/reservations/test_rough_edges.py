"""Rough edges of the public reservation pages (issue 21): reloading the confirmation shows it
again (the page names its GET address) instead of booking twice; cancelling asks once more;
the contact field does not bring up the e-mail keyboard (a mobile number is as good)."""

import pytest

from archivox.reservations.models import Booking
from tests.reservations.conftest import book

pytestmark = [pytest.mark.django_db, pytest.mark.chinese]


def book_url(slot):
    return f"/archives/{slot.archive.slug}/reservations/{slot.resource.slug}/book/{slot.pk}/"


def test_the_confirmation_has_a_get_address_that_shows_it_again(client, slot):
    form = client.get(book_url(slot)).content.decode()
    assert 'inputmode="email"' not in form
    made = client.post(book_url(slot), {"name": "甲", "contact": "13800000000"})
    assert made.status_code == 201
    done_url = f"/archives/{slot.archive.slug}/reservations/done/"
    assert f'<meta name="archivox-replace-url" content="{done_url}">' in made.content.decode()
    again = client.get(done_url)
    booking = Booking.objects.get()
    assert again.status_code == 200 and booking.code_display in again.content.decode()
    assert Booking.objects.count() == 1
    # Another browser (no session) is sent to the find-my-reservation page instead.
    client.cookies.clear()
    elsewhere = client.get(done_url)
    assert elsewhere.status_code == 302 and elsewhere["Location"].endswith("/reservations/my/")


def test_cancelling_asks_once_more(client, slot):
    booking = book(slot)
    url = "/archives/nanjing/reservations/my/"
    values = {"code": booking.code, "contact": booking.contact}
    asked = client.post(url, {**values, "action": "ask_cancel"}).content.decode()
    assert "确定取消这次预约吗" in asked and 'value="cancel"' in asked
    assert Booking.objects.get().status == Booking.Status.BOOKED
    client.post(url, {**values, "action": "cancel"})
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_the_item_a_visitor_comes_to_see_is_named_through_the_booking(client, slot):
    from archivox.catalog import services as catalog

    item = catalog.description_create(
        actor=None,
        archive=slot.archive,
        parent=None,
        reference_code="NJ-5-1",
        title="白崇禧公馆图纸",
        level="item",
    )
    secret = catalog.description_create(
        actor=None,
        archive=slot.archive,
        parent=None,
        reference_code="NJ-5-2",
        title="机密图纸",
        level="item",
        access_level="confidential",
    )
    index = client.get(f"/archives/{slot.archive.slug}/reservations/", {"item": "NJ-5-1"})
    html = index.content.decode()
    assert "白崇禧公馆图纸" in html and "item=NJ-5-1" in html
    form = client.get(book_url(slot), {"item": "NJ-5-1"}).content.decode()
    assert 'name="item" value="NJ-5-1"' in form
    made = client.post(book_url(slot), {"name": "甲", "contact": "a@example.com", "item": "NJ-5-1"})
    assert made.status_code == 201 and item.title in made.content.decode()
    done = client.get(f"/archives/{slot.archive.slug}/reservations/done/").content.decode()
    assert item.title in done
    hidden = client.get(f"/archives/{slot.archive.slug}/reservations/", {"item": "NJ-5-2"})
    assert secret.title not in hidden.content.decode()
