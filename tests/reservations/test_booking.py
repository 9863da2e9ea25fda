"""Booking, cancelling, checking in and rating a visit, through the real services."""

import datetime
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from archivox.core.models import AuditEntry
from archivox.reservations import selectors, services
from archivox.reservations.models import Booking, Slot
from tests.factories import UserFactory
from tests.reservations.conftest import book

pytestmark = pytest.mark.django_db


# -- slots ---------------------------------------------------------------------------------------


def test_slots_follow_the_weekly_opening_hours_and_generation_is_idempotent(reading_room, tomorrow):
    created = services.slots_generate(resource=reading_room, first_day=tomorrow, last_day=tomorrow)
    assert created == 4  # 9–11, 11–13, 13–15, 15–17
    again = services.slots_generate(resource=reading_room, first_day=tomorrow, last_day=tomorrow)
    assert again == 0
    starts = [
        timezone.localtime(slot.starts_at).time()
        for slot in reading_room.slots.order_by("starts_at")
    ]
    assert starts == [datetime.time(h) for h in (9, 11, 13, 15)]
    assert all(slot.capacity == 3 for slot in reading_room.slots.all())


def test_a_day_without_opening_hours_has_no_slots(reading_room, tomorrow):
    services.opening_hours_set(
        actor=None,
        resource=reading_room,
        periods=[(tomorrow.weekday(), datetime.time(14), datetime.time(16))],
    )
    services.slots_generate(
        resource=reading_room, first_day=tomorrow, last_day=tomorrow + datetime.timedelta(days=6)
    )
    days = {timezone.localtime(slot.starts_at).date() for slot in reading_room.slots.all()}
    assert days == {tomorrow}


def test_closed_days_are_shown_closed_and_cannot_be_booked(reading_room, slot, tomorrow):
    services.closure_add(actor=None, resource=reading_room, first_day=tomorrow, reason="国庆节闭馆")
    days = services.slot_days_public(resource=reading_room, days=3)
    closed = next(day for day in days if day.day == tomorrow)
    assert closed.closed_reason == "国庆节闭馆" and closed.slots == []
    with pytest.raises(services.BookingRefused) as refused:
        book(slot)
    assert refused.value.reason == "closed"
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_a_closure_must_not_end_before_it_starts(reading_room, tomorrow):
    with pytest.raises(ValidationError):
        services.closure_add(
            actor=None,
            resource=reading_room,
            first_day=tomorrow,
            last_day=tomorrow - datetime.timedelta(days=2),
        )


# -- booking -------------------------------------------------------------------------------------


def test_booking_gives_a_short_readable_confirmation_code_and_takes_a_place(slot):
    booking = book(slot)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", booking.code)
    assert not set("01OIL") & set(booking.code)
    assert booking.code_display == f"{booking.code[:4]}-{booking.code[4:]}"
    assert booking.channel == Booking.Channel.WEB and booking.openid == ""
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_codes_are_unique_and_unpredictable():
    codes = {services.code_generate() for _ in range(2000)}
    assert len(codes) == 2000


def test_a_full_slot_refuses_the_next_person_and_counts_nothing(slot):
    for n in range(3):
        book(slot, contact=f"reader{n}@example.com")
    with pytest.raises(services.BookingRefused) as refused:
        book(slot, contact="late@example.com")
    assert refused.value.reason == "full"
    assert Slot.objects.get(pk=slot.pk).booked == 3
    assert Booking.objects.filter(slot=slot).count() == 3


def test_one_person_cannot_book_the_same_slot_twice(slot):
    book(slot, contact="Wang@Example.com")
    with pytest.raises(services.BookingRefused) as refused:
        book(slot, name="王小明（再次）", contact="wang@example.COM")
    assert refused.value.reason == "duplicate"
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_the_same_phone_number_written_differently_is_the_same_person(slot):
    book(slot, contact="138 0000 1234")
    with pytest.raises(services.BookingRefused):
        book(slot, contact="138-0000-1234")


def test_a_past_slot_cannot_be_booked(reading_room):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    services.slots_generate(resource=reading_room, first_day=yesterday, last_day=yesterday)
    past = reading_room.slots.first()
    with pytest.raises(services.BookingRefused) as refused:
        book(past)
    assert refused.value.reason == "past"


def test_a_slot_of_another_archive_is_unknown(slot):
    from tests.factories import ArchiveFactory

    other = ArchiveFactory(slug="suzhou")
    with pytest.raises(services.BookingRefused) as refused:
        services.reservation_book(
            slot_id=slot.pk, archive=other, name="李四", contact="li@example.com"
        )
    assert refused.value.reason == "unknown_slot"


@pytest.mark.parametrize(
    ("name", "contact", "field"),
    [
        ("", "a@example.com", "name"),
        ("名" * 101, "a@example.com", "name"),
        ("张三", "", "contact"),
        ("张三", "not an address@", "contact"),
        ("张三", "12", "contact"),
        ("张三", "a" * 250 + "@example.com", "contact"),
    ],
)
def test_missing_or_oversized_fields_are_refused_per_field_and_nothing_is_booked(
    slot, name, contact, field
):
    with pytest.raises(ValidationError) as refused:
        book(slot, name=name, contact=contact)
    assert field in refused.value.message_dict
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert not Booking.objects.exists()


def test_html_in_a_name_is_kept_as_text(slot):
    booking = book(slot, name="<script>alert(1)</script>")
    assert Booking.objects.get(pk=booking.pk).name == "<script>alert(1)</script>"


# -- cancelling ----------------------------------------------------------------------------------


def test_cancelling_with_the_code_and_contact_frees_the_place(slot):
    booking = book(slot)
    cancelled = services.reservation_cancel(
        archive=slot.archive, code=booking.code_display.lower(), contact=" WANG@example.com "
    )
    assert cancelled.status == Booking.Status.CANCELLED
    assert Slot.objects.get(pk=slot.pk).booked == 0
    # the place can be booked again, even by the same person
    book(slot)
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_an_unknown_code_and_a_wrong_contact_get_the_same_clear_answer(slot):
    booking = book(slot)
    with pytest.raises(services.BookingRefused) as unknown:
        services.reservation_cancel(
            archive=slot.archive, code="ZZZZ-ZZZZ", contact="wang@example.com"
        )
    with pytest.raises(services.BookingRefused) as wrong:
        services.reservation_cancel(
            archive=slot.archive, code=booking.code, contact="x@example.com"
        )
    assert unknown.value.reason == wrong.value.reason == "unknown_code"
    assert unknown.value.message == wrong.value.message
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_cancelling_twice_says_it_is_already_cancelled(slot):
    booking = book(slot)
    services.reservation_cancel(archive=slot.archive, code=booking.code, contact=booking.contact)
    with pytest.raises(services.BookingRefused) as refused:
        services.reservation_cancel(
            archive=slot.archive, code=booking.code, contact=booking.contact
        )
    assert refused.value.reason == "already_cancelled"
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_a_visit_that_has_begun_cannot_be_cancelled_online(slot):
    booking = book(slot)
    later = slot.starts_at + datetime.timedelta(minutes=5)
    with pytest.raises(services.BookingRefused) as refused:
        services.reservation_cancel(
            archive=slot.archive, code=booking.code, contact=booking.contact, now=later
        )
    assert refused.value.reason == "past"


# -- the front desk ------------------------------------------------------------------------------


def test_staff_see_the_days_list_and_check_visitors_in_with_an_audit_entry(slot, desk, tomorrow):
    first = book(slot, name="甲", contact="a@example.com")
    second = book(slot, name="乙", contact="b@example.com")
    services.reservation_cancel(archive=slot.archive, code=second.code, contact=second.contact)
    day = list(selectors.booking_list_for_day(user=desk, archive=slot.archive, day=tomorrow))
    assert {b.name for b in day} == {"甲", "乙"}
    checked = services.reservation_check_in(actor=desk, booking=first, now=slot.starts_at)
    assert checked.status == Booking.Status.CHECKED_IN and checked.checked_in_by == desk
    entry = AuditEntry.objects.get(action="booking.check_in")
    assert entry.actor == desk and entry.object_id == str(first.pk)
    with pytest.raises(services.BookingRefused) as again:
        services.reservation_check_in(actor=desk, booking=first, now=slot.starts_at)
    assert again.value.reason == "checked_in"


def test_someone_without_a_role_in_the_archive_cannot_see_or_check_in(slot, tomorrow):
    booking = book(slot)
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        selectors.booking_list_for_day(user=stranger, archive=slot.archive, day=tomorrow)
    with pytest.raises(PermissionDenied):
        services.reservation_check_in(actor=stranger, booking=booking, now=slot.starts_at)
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.BOOKED


def test_resource_changes_need_the_manage_capability_and_are_audited(reading_room, desk, admin):
    with pytest.raises(PermissionDenied):
        services.resource_update(actor=desk, resource=reading_room, capacity=50)
    services.resource_update(actor=admin, resource=reading_room, capacity=50)
    entry = AuditEntry.objects.get(action="resource.update")
    assert entry.before == {"capacity": 3} and entry.after == {"capacity": 50}


# -- feedback and statistics ---------------------------------------------------------------------


def test_a_checked_in_visitor_rates_the_visit_once_with_the_token(slot, desk):
    booking = book(slot)
    token = services.feedback_token_for(booking)
    with pytest.raises(services.BookingRefused) as early:
        services.reservation_rate(token=token, rating=5)
    assert early.value.reason == "not_visited"
    services.reservation_check_in(actor=desk, booking=booking, now=slot.starts_at)
    with pytest.raises(ValidationError):
        services.reservation_rate(token=token, rating=6)
    with pytest.raises(ValidationError):
        services.reservation_rate(token=token, rating=4, comment="长" * 2001)
    rated = services.reservation_rate(token=token, rating="4", comment="<b>很好</b>")
    assert rated.rating == 4 and rated.comment == "<b>很好</b>"
    with pytest.raises(services.BookingRefused) as twice:
        services.reservation_rate(token=token, rating=1)
    assert twice.value.reason == "already_rated"
    assert Booking.objects.get(pk=booking.pk).rating == 4


def test_a_forged_feedback_token_is_refused(slot):
    booking = book(slot)
    forged = signing.dumps({"b": booking.pk, "c": booking.code}, salt="another-salt")
    with pytest.raises(services.BookingRefused) as refused:
        services.reservation_rate(token=forged, rating=5)
    assert refused.value.reason == "link_invalid"


def test_visit_stats_count_bookings_attendance_and_mean_rating(slot, desk, tomorrow):
    came = [book(slot, contact=f"v{n}@example.com") for n in range(2)]
    book(slot, contact="absent@example.com")
    for booking in came:
        services.reservation_check_in(actor=desk, booking=booking, now=slot.starts_at)
    services.reservation_rate(token=services.feedback_token_for(came[0]), rating=5)
    services.reservation_rate(token=services.feedback_token_for(came[1]), rating=2)
    stats = selectors.visit_stats(
        archive=slot.archive, start=tomorrow, end=tomorrow, now=slot.ends_at
    )
    assert stats.bookings == 3 and stats.attended == 2 and stats.due == 3
    assert stats.attendance_rate == pytest.approx(2 / 3, abs=1e-3)
    assert stats.ratings == 2 and stats.mean_rating == 3.5
    empty = selectors.visit_stats(
        archive=slot.archive,
        start=tomorrow + datetime.timedelta(days=1),
        end=tomorrow + datetime.timedelta(days=2),
    )
    assert empty.bookings == 0 and empty.attendance_rate is None and empty.mean_rating is None


# -- reminders by e-mail -------------------------------------------------------------------------


def test_an_email_reminder_is_sent_once_the_day_before(slot):
    booking = book(slot, now=slot.starts_at - datetime.timedelta(days=2))
    phone = book(slot, contact="13800001234", now=slot.starts_at - datetime.timedelta(days=2))
    before = slot.starts_at - datetime.timedelta(hours=20)
    counts = services.reservation_reminders_send(now=before)
    assert counts == {"sent": 1, "undeliverable": 1}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [booking.contact]
    assert booking.code_display in mail.outbox[0].body
    services.reservation_reminders_send(now=before + datetime.timedelta(hours=1))
    assert len(mail.outbox) == 1
    assert Booking.objects.get(pk=booking.pk).reminder == Booking.Reminder.SENT
    phone.refresh_from_db()
    assert phone.reminder == Booking.Reminder.UNDELIVERABLE
    assert "no e-mail" in phone.reminder_note


def test_no_reminder_for_cancelled_bookings_or_visits_far_ahead(slot):
    booking = book(slot, now=slot.starts_at - datetime.timedelta(days=3))
    assert services.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(days=2)) == {
        "sent": 0,
        "undeliverable": 0,
    }
    services.reservation_cancel(
        archive=slot.archive,
        code=booking.code,
        contact=booking.contact,
        now=slot.starts_at - datetime.timedelta(days=2),
    )
    services.reservation_reminders_send(now=slot.starts_at - datetime.timedelta(hours=2))
    assert mail.outbox == []
