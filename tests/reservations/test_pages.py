"""The public pages, the API and the console of reservations, through Django's test client."""

import datetime
import json

import pytest
from django.utils import timezone

from archivox.core.models import AuditEntry
from archivox.reservations import services
from archivox.reservations.models import Booking, Slot
from tests.helpers import room_in_window
from tests.reservations.conftest import book

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def book_url(slot):
    return f"/archives/{slot.archive.slug}/reservations/{slot.resource.slug}/book/{slot.pk}/"


def test_the_reservations_page_lists_the_rooms_and_their_days(client, reading_room, tomorrow):
    page = client.get("/archives/nanjing/reservations/", **EN)
    assert page.status_code == 200 and "查档阅览室" in page.text
    days = client.get("/archives/nanjing/reservations/reading-room/", **EN)
    assert days.status_code == 200
    assert tomorrow.isoformat() in days.text and "3 places left" in days.text


def test_booking_on_the_portal_shows_the_code_and_escapes_the_name(client, slot):
    answer = client.post(
        book_url(slot), {"name": "<script>alert('x')</script>", "contact": "r@example.com"}, **EN
    )
    assert answer.status_code == 201
    booking = Booking.objects.get()
    assert booking.code_display in answer.text
    assert "<script>alert" not in answer.text and "&lt;script&gt;" in answer.text


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(client, slot):
    answer = client.post(book_url(slot), {"name": "李" * 150, "contact": "138 0000 1234"}, **EN)
    assert answer.status_code == 400
    assert (
        "too long" in answer.text and "138 0000 1234" in answer.text and "李" * 150 in answer.text
    )
    assert not Booking.objects.exists()


def test_a_full_slot_says_so_and_keeps_the_form(client, slot):
    for n in range(3):
        book(slot, contact=f"r{n}@example.com")
    answer = client.post(book_url(slot), {"name": "晚到", "contact": "late@example.com"}, **EN)
    assert answer.status_code == 409 and "fully booked" in answer.text
    assert "late@example.com" in answer.text


def test_booking_twice_says_already_booked(client, slot):
    client.post(book_url(slot), {"name": "甲", "contact": "a@example.com"}, **EN)
    again = client.post(book_url(slot), {"name": "甲", "contact": "a@example.com"}, **EN)
    assert again.status_code == 409 and "already booked" in again.text
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_find_and_cancel_with_the_code_on_the_portal(client, slot):
    booking = book(slot)
    url = "/archives/nanjing/reservations/my/"
    unknown = client.post(url, {"code": "ABCD-EFGH", "contact": booking.contact}, **EN)
    assert unknown.status_code == 404 and "found no reservation" in unknown.text
    assert "ABCD-EFGH" in unknown.text  # what was typed is kept
    found = client.post(url, {"code": booking.code.lower(), "contact": booking.contact}, **EN)
    assert found.status_code == 200 and "Cancel this reservation" in found.text
    done = client.post(
        url, {"code": booking.code, "contact": booking.contact, "action": "cancel"}, **EN
    )
    assert done.status_code == 200 and "cancelled" in done.text
    assert Booking.objects.get().status == Booking.Status.CANCELLED


def test_public_booking_is_rate_limited_per_address(client, slot, settings):
    settings.ARCHIVOX_RESERVATION_RATE_LIMIT = (2, 60)
    room_in_window(60)
    for n in range(2):
        client.post(book_url(slot), {"name": "甲", "contact": f"a{n}@example.com"}, **EN)
    refused = client.post(book_url(slot), {"name": "乙", "contact": "b@example.com"}, **EN)
    assert refused.status_code == 429 and "Too many requests" in refused.text
    assert "b@example.com" in refused.text
    assert Booking.objects.count() == 2


def test_feedback_page_takes_a_rating_and_escapes_the_comment(client, slot, desk):
    booking = book(slot)
    services.reservation_check_in(actor=desk, booking=booking, now=slot.starts_at)
    url = f"/archives/nanjing/reservations/feedback/{services.feedback_token_for(booking)}/"
    bad = client.post(url, {"rating": "9", "comment": "<img src=x onerror=alert(1)>"}, **EN)
    assert bad.status_code == 400 and "&lt;img" in bad.text and "<img src=x" not in bad.text
    good = client.post(url, {"rating": "5", "comment": "<img src=x onerror=alert(1)>"}, **EN)
    assert good.status_code == 200 and "Thank you" in good.text
    assert Booking.objects.get().rating == 5
    assert client.get(url.replace("feedback/", "feedback/x"), **EN).status_code == 404


# -- API -----------------------------------------------------------------------------------------


def api(client, method, path, body=None, **extra):
    return getattr(client, method)(
        f"/api/v1/engagement/reservations/{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **EN,
        **extra,
    )


def test_the_api_lists_slots_books_looks_up_and_cancels(client, slot, tomorrow):
    resources = api(client, "get", "nanjing/resources").json()
    assert resources[0]["slug"] == "reading-room" and len(resources[0]["opening_hours"]) == 7
    days = api(
        client, "get", f"nanjing/resources/reading-room/slots?start={tomorrow}&days=1"
    ).json()
    assert days[0]["slots"][0]["places_left"] == 3
    made = api(
        client, "post", "nanjing/bookings",
        {"slot_id": slot.pk, "name": "API 读者", "contact": "api@example.com"},
    )  # fmt: skip
    assert made.status_code == 201
    code = made.json()["code"]
    twice = api(
        client, "post", "nanjing/bookings",
        {"slot_id": slot.pk, "name": "API 读者", "contact": "api@example.com"},
    )  # fmt: skip
    assert twice.status_code == 409 and twice.json()["reason"] == "duplicate"
    bad = api(client, "post", "nanjing/bookings", {"slot_id": slot.pk, "name": "", "contact": "x"})
    assert bad.status_code == 422 and "name" in bad.json()["detail"]
    assert (
        api(
            client, "post", "nanjing/bookings/lookup", {"code": code, "contact": "api@example.com"}
        ).json()["status"]
        == "booked"
    )
    gone = api(
        client,
        "post",
        "nanjing/bookings/cancel",
        {"code": "NOPE2345", "contact": "api@example.com"},
    )
    assert gone.status_code == 404 and gone.json()["reason"] == "unknown_code"
    cancelled = api(
        client, "post", "nanjing/bookings/cancel", {"code": code, "contact": "api@example.com"}
    )
    assert cancelled.json()["status"] == "cancelled"


def test_the_staff_api_needs_a_session_and_a_role(client, slot, desk, tomorrow):
    booking = book(slot)
    assert api(client, "get", f"nanjing/day?date={tomorrow}").status_code == 401
    client.force_login(desk)
    rows = api(client, "get", f"nanjing/day?date={tomorrow}").json()
    assert rows[0]["code"] == booking.code and rows[0]["contact"] == booking.contact
    # check-in is for the day of the visit
    early = api(client, "post", f"nanjing/bookings/{booking.code}/check-in")
    assert early.status_code == 409 and early.json()["reason"] == "too_early"
    stats = api(client, "get", f"nanjing/stats?start={tomorrow}&end={tomorrow}").json()
    assert stats["bookings"] == 1


# -- console -------------------------------------------------------------------------------------


def test_the_front_desk_checks_a_visitor_in_from_the_days_list(client, reading_room, desk):
    today = timezone.localdate()
    services.slots_generate(resource=reading_room, first_day=today, last_day=today)
    later = reading_room.slots.order_by("-starts_at").first()
    booking = book(later, now=later.starts_at - datetime.timedelta(hours=5))
    client.force_login(desk)
    page = client.get(f"/console/reservations/nanjing/?date={today}", **EN)
    assert page.status_code == 200 and booking.code_display in page.text
    client.post(f"/console/reservations/nanjing/check-in/{booking.pk}/", **EN)
    assert Booking.objects.get().status == Booking.Status.CHECKED_IN
    assert AuditEntry.objects.filter(action="booking.check_in", actor=desk).exists()


def test_an_administrator_sets_hours_and_a_closure_in_the_console(
    client, reading_room, admin, tomorrow
):
    client.force_login(admin)
    url = "/console/reservations/nanjing/resources/reading-room/"
    client.post(url, {"action": "hours", "opens_0": "09:00", "closes_0": "12:00"}, **EN)
    assert [str(p) for p in reading_room.opening_hours.all()] == ["Monday 09:00–12:00"]
    bad = client.post(url, {"action": "closure", "first_day": "not a date"}, follow=True, **EN)
    assert "check the dates" in bad.text
    client.post(
        url, {"action": "closure", "first_day": tomorrow.isoformat(), "reason": "盘点"}, **EN
    )
    assert reading_room.closures.get().reason == "盘点"


def test_someone_without_a_role_gets_403_in_the_console(client, reading_room):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="outsider"))
    assert client.get("/console/reservations/nanjing/").status_code == 403


def test_the_days_list_does_not_grow_queries_with_bookings(
    client, reading_room, desk, django_assert_max_num_queries
):
    today = timezone.localdate()
    services.slots_generate(resource=reading_room, first_day=today, last_day=today)
    slots = list(reading_room.slots.order_by("starts_at"))
    for n, slot in enumerate(slots * 3):
        book(slot, contact=f"many{n}@example.com", now=slot.starts_at - datetime.timedelta(days=1))
    client.force_login(desk)
    with django_assert_max_num_queries(15):
        page = client.get(f"/console/reservations/nanjing/?date={today}")
    assert page.text.count('class="booking-booked"') == 12


def test_a_desk_archivist_cannot_add_rooms_and_is_told_so(client, reading_room, desk):
    client.force_login(desk)
    answer = client.post(
        "/console/reservations/nanjing/resources/",
        {"slug": "hall", "kind": "exhibition_hall", "name": "展厅", "capacity": "5"},
        follow=True,
        **EN,
    )
    assert "Only an administrator" in answer.text
    assert not reading_room.archive.reservation_resources.filter(slug="hall").exists()


def test_a_bad_number_for_a_new_room_keeps_what_was_typed_and_creates_nothing(
    client, reading_room, admin
):
    client.force_login(admin)
    answer = client.post(
        "/console/reservations/nanjing/resources/",
        {"slug": "hall", "kind": "exhibition_hall", "name": "展厅", "capacity": "many"},
        **EN,
    )
    assert answer.status_code == 200
    assert "Places per slot: Enter a whole number." in answer.text
    assert 'value="展厅"' in answer.text and 'value="many"' in answer.text
    assert '<option value="exhibition_hall" selected>' in answer.text
    assert not reading_room.archive.reservation_resources.filter(slug="hall").exists()


def test_a_rooms_settings_bad_time_and_removed_closure_in_the_console(
    client, reading_room, admin, tomorrow
):
    client.force_login(admin)
    url = "/console/reservations/nanjing/resources/reading-room/"
    hours = [str(period) for period in reading_room.opening_hours.all()]
    bad = client.post(url, {"action": "hours", "opens_1": "9h", "closes_1": "12:00"}, follow=True)
    assert "9h is not a time (HH:MM)." in bad.text
    assert [str(period) for period in reading_room.opening_hours.all()] == hours
    client.post(url, {"action": "settings", "name": " 阅览室 ", "capacity": "", "location": "二楼"})
    reading_room.refresh_from_db()
    assert (reading_room.name, reading_room.location) == ("阅览室", "二楼")
    assert reading_room.capacity == 3 and reading_room.is_active is False
    services.closure_add(actor=None, resource=reading_room, first_day=tomorrow)
    closure = reading_room.closures.get()
    client.post(url, {"action": "remove_closure", "closure": str(closure.pk)})
    assert not reading_room.closures.exists()
    assert AuditEntry.objects.filter(action="closure.remove", actor=admin).exists()
