"""The last places, booked by many people at the same moment, over real HTTP against the live
server (a thread per request, each with its own database connection). Capacity holds on SQLite
(IMMEDIATE transactions) and on PostgreSQL (the conditional UPDATE)."""

import re
import threading

import httpx
import pytest
from django.db import connection

from archivox.reservations import services
from archivox.reservations.models import Booking, Slot

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 40
PLACES = 8


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    # Every request of the race comes from 127.0.0.1; the limit is not what is tested here.
    settings.ARCHIVOX_RESERVATION_RATE_LIMIT = (10_000, 60)


def race(live_server, slot, contacts: list[str]) -> list[httpx.Response]:
    """Each person loads the form, then all submit at once."""
    url = (
        f"{live_server.url}/archives/{slot.archive.slug}/reservations/"
        f"{slot.resource.slug}/book/{slot.pk}/"
    )
    # A timeout: one person failing before the barrier must fail the test, not hang it.
    start = threading.Barrier(len(contacts), timeout=120)
    answers: list = [None] * len(contacts)

    def person(index: int) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                form = client.get(url)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
                start.wait()
                answers[index] = client.post(
                    url,
                    data={
                        "csrfmiddlewaretoken": token,
                        "name": f"读者{index}",
                        "contact": contacts[index],
                    },
                    headers={"Referer": url},
                )
        except Exception as exc:  # reported by the assertion below
            answers[index] = exc
            start.abort()  # the others stop waiting for someone who will never come
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(i,)) for i in range(len(contacts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(answer, httpx.Response) for answer in answers), answers
    return answers


def test_many_people_booking_the_last_places_at_once_never_exceed_capacity(live_server, slot):
    services.slot_update_for_event(slot=slot, capacity=PLACES)
    answers = race(live_server, slot, [f"reader{n}@example.com" for n in range(PEOPLE)])
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == PLACES
    assert statuses.count(409) == PEOPLE - PLACES  # "fully booked", said clearly
    assert Booking.objects.filter(slot=slot).count() == PLACES
    assert Slot.objects.get(pk=slot.pk).booked == PLACES
    codes = set(Booking.objects.values_list("code", flat=True))
    assert len(codes) == PLACES


def test_one_person_submitting_many_times_at_once_gets_one_booking(live_server, slot):
    answers = race(live_server, slot, ["same@example.com"] * 12)
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert Booking.objects.filter(slot=slot).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
