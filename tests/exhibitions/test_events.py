"""Lecture events: registration is a booking of the event's slot (same codes, same capacity
guarantee), cancellation by code, staff cancelling the event tells everyone."""

import json
import re
import threading

import httpx
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from archivox.exhibitions import services
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking, Slot
from tests.exhibitions.conftest import lecture

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.django_db
def test_registering_for_a_lecture_gives_a_confirmation_code(client, nanjing):
    event = lecture(nanjing)
    page = client.get("/archives/nanjing/exhibitions/events/lecture/", **EN)
    assert page.status_code == 200 and "王研究馆员" in page.text and "5 of 5 left" in page.text
    done = client.post(
        "/archives/nanjing/exhibitions/events/lecture/",
        {"name": "<b>听众</b>", "contact": "listener@example.com"},
        **EN,
    )
    assert done.status_code == 201
    booking = Booking.objects.get(slot=event.slot)
    assert booking.code_display in done.text and "&lt;b&gt;听众" in done.text
    assert "档案里的民国建筑" in done.text
    reservations.reservation_cancel(archive=nanjing, code=booking.code, contact=booking.contact)
    assert Slot.objects.get(pk=event.slot_id).booked == 0


@pytest.mark.django_db
def test_a_full_lecture_and_a_second_registration_are_refused_clearly(client, nanjing):
    event = lecture(nanjing, capacity=1)
    services.event_register(event=event, name="甲", contact="a@example.com")
    with pytest.raises(reservations.BookingRefused) as twice:
        services.event_register(event=event, name="甲", contact="a@example.com")
    assert twice.value.reason == "duplicate"
    full = client.post(
        "/archives/nanjing/exhibitions/events/lecture/",
        {"name": "乙", "contact": "b@example.com"},
        **EN,
    )
    assert full.status_code == 409 and "fully booked" in full.text and "b@example.com" in full.text


@pytest.mark.django_db
def test_draft_and_cancelled_lectures_take_no_registration(client, nanjing):
    draft = lecture(nanjing, publish=False)
    assert client.get("/archives/nanjing/exhibitions/events/lecture/").status_code == 404
    with pytest.raises(reservations.BookingRefused):
        services.event_register(event=draft, name="甲", contact="a@example.com")
    services.event_publish(actor=None, event=draft)
    services.event_cancel(actor=None, event=draft)
    page = client.get("/archives/nanjing/exhibitions/events/lecture/", **EN)
    assert "This event is cancelled" in page.text and 'name="contact"' not in page.text
    with pytest.raises(reservations.BookingRefused) as refused:
        services.event_register(event=draft, name="甲", contact="a@example.com")
    assert refused.value.reason == "closed"


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_lecture_tells_everyone_registered(nanjing):
    event = lecture(nanjing)
    services.event_register(event=event, name="甲", contact="a@example.com")
    services.event_register(event=event, name="乙", contact="13800001234")
    services.event_cancel(actor=None, event=event, reason="讲座改期")
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert "讲座改期" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_event_needs_a_place_or_a_link_and_an_end_after_its_start(nanjing):
    import datetime

    from django.utils import timezone

    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.event_create(
            actor=None, archive=nanjing, slug="x", title="x", speaker="y",
            starts_at=start, ends_at=start + datetime.timedelta(hours=1), capacity=5,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.event_create(
            actor=None, archive=nanjing, slug="x", title="x", speaker="y", place="厅",
            starts_at=start, ends_at=start - datetime.timedelta(hours=1), capacity=5,
        )  # fmt: skip
    event = lecture(nanjing, capacity=3)
    services.event_register(event=event, name="甲", contact="a@example.com")
    services.event_register(event=event, name="乙", contact="b@example.com")
    with pytest.raises(ValidationError):
        services.event_update(actor=None, event=event, capacity=1)


@pytest.mark.django_db
def test_the_events_api_registers_and_lists(client, nanjing, curator):
    lecture(nanjing, capacity=2)
    events = client.get("/api/v1/engagement/exhibitions/nanjing/events").json()
    assert events[0]["places_left"] == 2
    made = client.post(
        "/api/v1/engagement/exhibitions/nanjing/events/lecture/registrations",
        data=json.dumps({"slot_id": 0, "name": "API", "contact": "api@example.com"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    assert (
        client.get(
            "/api/v1/engagement/exhibitions/nanjing/events/lecture/registrations"
        ).status_code
        == 401
    )
    client.force_login(curator)
    rows = client.get("/api/v1/engagement/exhibitions/nanjing/events/lecture/registrations").json()
    assert rows[0]["code"] == made.json()["code"]


@pytest.mark.django_db
def test_the_console_creates_an_event_and_lists_registrations(client, nanjing, curator):
    client.force_login(curator)
    bad = client.post(
        "/console/exhibitions/nanjing/",
        {"action": "event", "slug": "talk", "title": "讲座", "speaker": "某", "starts_at": "soon"},
        **EN,
    )
    assert bad.status_code == 200 and "check the dates" in bad.text and "讲座" in bad.text
    created = client.post(
        "/console/exhibitions/nanjing/",
        {
            "action": "event", "slug": "talk", "title": "讲座", "speaker": "某",
            "starts_at": "2099-05-01T14:30", "ends_at": "2099-05-01T16:00",
            "place": "报告厅", "capacity": "40",
        },
    )  # fmt: skip
    assert created.status_code == 302
    event_url = created["Location"]
    client.post(event_url, {"action": "publish"})
    from archivox.exhibitions.models import Event

    event = Event.objects.get(slug="talk")
    assert event.status == "published" and event.slot.capacity == 40
    services.event_register(event=event, name="登记者", contact="r@example.com")
    page = client.get(event_url, **EN)
    assert "登记者" in page.text and "1/40" in page.text


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_the_lecture_capacity(live_server, nanjing, settings):
    settings.ARCHIVOX_RESERVATION_RATE_LIMIT = (10_000, 60)
    event = lecture(nanjing, capacity=5)
    url = f"{live_server.url}/archives/nanjing/exhibitions/events/lecture/"
    people = 25
    start = threading.Barrier(people, timeout=120)
    statuses: list = []

    def person(n: int) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                token = re.search(
                    r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).text
                )[1]
                start.wait()
                answer = client.post(
                    url,
                    data={
                        "csrfmiddlewaretoken": token,
                        "name": f"听众{n}",
                        "contact": f"p{n}@example.com",
                    },
                    headers={"Referer": url},
                )
                statuses.append(answer.status_code)
        except Exception as exc:
            statuses.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses, key=str).count(201) == 5, statuses
    assert statuses.count(409) == people - 5
    assert Booking.objects.filter(slot=event.slot).count() == 5
    assert Slot.objects.get(pk=event.slot_id).booked == 5


@pytest.mark.django_db
def test_the_console_edits_and_cancels_an_event(client, nanjing, curator):
    event = lecture(nanjing, capacity=5)
    client.force_login(curator)
    url = f"/console/exhibitions/nanjing/events/{event.pk}/"
    details = {"action": "details", "title": "新题目", "speaker": "王", "place": "报告厅"}
    bad = client.post(url, {**details, "capacity": "many"}, follow=True, **EN)
    assert "Please check the numbers: Places: Enter a whole number." in bad.text
    event.refresh_from_db()
    assert event.title == "档案里的民国建筑"
    client.post(url, {**details, "capacity": "8", "description": "<p>讲座</p>"})
    event.refresh_from_db()
    assert (event.title, event.capacity, event.description) == ("新题目", 8, "<p>讲座</p>")
    client.post(url, {"action": "cancel", "reason": "讲者生病"})
    event.refresh_from_db()
    assert event.status == "cancelled"
