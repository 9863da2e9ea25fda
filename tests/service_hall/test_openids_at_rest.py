"""Follower openids at rest (issue 20: "never shown, encrypted at rest, purged with the rest of
the personal data"): bookings, records-use requests, poll responses, interest labels and the
consultation inbox (messages to the account's callback, consultations) keep the openid only
encrypted or as a keyed digest. Read from the database's raw rows, on SQLite
and PostgreSQL; a double booking is still refused by the constraint; export finds the
follower; purge removes them; and rows written before the change are converted by the
migrations."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archivox.consultations.models import Consultation, InboundMessage
from archivox.consultations.personal_data import consultations_export, consultations_purge
from archivox.consultations.services import consultation_close
from archivox.core.fields import person_digest
from archivox.polls import selectors as poll_selectors
from archivox.polls import services as polls
from archivox.polls.identity import follower_person, follower_person_id
from archivox.polls.models import PersonLabel, Response
from archivox.polls.personal_data import responses_export, responses_purge
from archivox.records_requests.models import Delivery, Proof, RecordsRequest
from archivox.records_requests.personal_data import requests_export, requests_purge
from archivox.records_requests.services.setup import request_kind_save
from archivox.reservations import services as reservations
from archivox.reservations.models import Booking
from archivox.reservations.personal_data import bookings_export, bookings_purge
from archivox.reservations.services import BookingRefused
from archivox.sandbox.wechat.models import CustomMessage
from tests.consultations.conftest import (  # noqa: F401
    follower,
    fresh_rule_cache,
    inbox_archive,
    staff,
    wechat,
)
from tests.polls.conftest import answers_for, archivist, survey  # noqa: F401

OPENID = "oAtRestFollower0000000000001"


def raw_rows_holding(value: str) -> list[str]:
    """Every table (the WeChat sandbox's aside: it plays the platform) with a raw cell that
    contains ``value``, read with plain SQL, past every field's decryption."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith(("sandbox_", "django_")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            if any(value in str(cell) for row in cursor.fetchall() for cell in row):
                found.append(table)
    return found


def records_request(archive, *, openid: str, code: str = "ATREST0001") -> RecordsRequest:
    kind = request_kind_save(
        actor=None,
        archive=archive,
        category="school",
        years_from=1950,
        years_to=2000,
        working_days=5,
        deliveries=[Delivery.DOWNLOAD],
    )
    return RecordsRequest.objects.create(
        code=code,
        archive=archive,
        holding_archive=archive,
        kind=kind,
        category="school",
        channel=RecordsRequest.Channel.WECHAT,
        proof=Proof.PERSON,
        name="张三",
        id_number="11010519491231002X",
        person_key=f"key-{code}",
        years_from=1960,
        years_to=1970,
        purpose="证明学历",
        email="zhang@example.cn",
        openid=openid,
        delivery=Delivery.DOWNLOAD,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


@pytest.mark.django_db
def test_a_followers_openid_is_nowhere_in_plain_text_and_purge_removes_it(slot, survey):  # noqa: F811
    archive = slot.archive
    token = reservations.follower_token_for(archive=archive, openid=OPENID)
    booking = reservations.reservation_book(
        slot_id=slot.pk, archive=archive, name="李四", contact="li@example.cn", wechat_token=token
    )
    request = records_request(archive, openid=OPENID)
    polls.response_submit(
        questionnaire=survey, person=follower_person(OPENID), answers=answers_for(survey)
    )

    # Read back through the models, the openid is there for what must reach the follower.
    booking.refresh_from_db()
    request.refresh_from_db()
    assert booking.openid == OPENID and request.openid == OPENID
    assert booking.person_key == person_digest(f"wx:{OPENID}")
    assert ("wechat", OPENID) in poll_selectors.people_with_label(archive=archive, label="民国史")
    # In the database's own rows it is not, in any table.
    assert raw_rows_holding(OPENID) == []
    assert raw_rows_holding(OPENID[6:20]) == []

    # The digest still makes the database refuse the same follower's second live booking.
    with pytest.raises(BookingRefused) as refused:
        reservations.reservation_book(
            slot_id=slot.pk,
            archive=archive,
            name="李四",
            contact="other@example.cn",
            wechat_token=token,
        )
    assert refused.value.reason == "duplicate"
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            archive=archive,
            slot=slot,
            code="DUPLICATE01",
            name="李四",
            contact="x@example.cn",
            person_key=booking.person_key,
            channel=Booking.Channel.WECHAT,
        )

    # The person asks what is kept about them, by their openid.
    assert [row["code"] for row in bookings_export(identifier=OPENID)] == [booking.code]
    assert [row["code"] for row in requests_export(identifier=OPENID)] == [request.code]
    assert [row["kind"] for row in responses_export(identifier=OPENID)].count("response") == 1
    # A web booking is found by its contact as before.
    assert bookings_export(identifier="LI@example.cn") != []

    later = timezone.now() + datetime.timedelta(days=1)
    assert bookings_purge(before=later) == 1
    assert requests_purge(before=later) == 1
    assert responses_purge(before=later) == 1
    booking.refresh_from_db()
    request.refresh_from_db()
    assert (booking.openid, booking.person_key) == ("", f"purged-{booking.pk}")
    assert request.openid == ""
    assert not PersonLabel.objects.exists()
    assert Response.objects.get().person_id.startswith("purged-")
    assert bookings_export(identifier=OPENID) == requests_export(identifier=OPENID) == []
    assert raw_rows_holding(person_digest(f"wx:{OPENID}")) == []


MIGRATED_FROM = [
    ("engagement_reservations", "0001_initial"),
    ("records_requests", "0001_initial"),
    ("engagement_polls", "0001_initial"),
    ("engagement_topics", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_upgrade_are_encrypted_and_digested(slot, survey):  # noqa: F811
    """An installation with follower rows in the former layout (openid and ``wx:<openid>`` in
    plain text) migrates: ciphertext and digests after, the same rows, the constraint intact."""
    from django.db.migrations.executor import MigrationExecutor

    archive = slot.archive
    web = reservations.reservation_book(
        slot_id=slot.pk, archive=archive, name="王五", contact="Wang@Example.cn"
    )
    follower = reservations.reservation_book(  # noqa: F811 (a booking, not the fixture)
        slot_id=slot.pk, archive=archive, name="李四", contact="li@example.cn"
    )
    request = records_request(archive, openid="")
    polls.response_submit(
        questionnaire=survey,
        person=polls_person_web("browser-1"),
        answers=answers_for(survey),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(MIGRATED_FROM)
    try:
        old = MigrationExecutor(connection).loader.project_state(MIGRATED_FROM).apps
        # What the former code wrote for a follower, and for a web booking.
        old.get_model("engagement_reservations", "Booking").objects.filter(pk=follower.pk).update(
            channel="wechat", openid=OPENID, person_key=f"wx:{OPENID}"
        )
        old.get_model("engagement_reservations", "Booking").objects.filter(pk=web.pk).update(
            person_key="c:wang@example.cn"
        )
        old.get_model("records_requests", "RecordsRequest").objects.filter(pk=request.pk).update(
            openid=OPENID
        )
        old.get_model("engagement_polls", "Response").objects.update(
            channel="wechat", person_id=OPENID
        )
        old.get_model("engagement_polls", "PersonLabel").objects.update(
            channel="wechat", person_id=OPENID
        )
        assert raw_rows_holding(OPENID) != []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert raw_rows_holding(OPENID) == []
    assert Booking.objects.count() == 2 and RecordsRequest.objects.count() == 1
    follower.refresh_from_db()
    web.refresh_from_db()
    request.refresh_from_db()
    assert follower.openid == OPENID and request.openid == OPENID
    assert follower.person_key == reservations.person_key_for(openid=OPENID)
    assert web.person_key == reservations.person_key_for(contact="wang@example.cn")
    assert Response.objects.get().person_id == follower_person_id(OPENID)
    labels = poll_selectors.people_with_label(archive=archive, label="民国史")
    assert labels == [("wechat", OPENID)]
    # The converted rows still meet the constraint and the services' checks.
    token = reservations.follower_token_for(archive=archive, openid=OPENID)
    with pytest.raises(BookingRefused):
        reservations.reservation_book(
            slot_id=slot.pk, archive=archive, name="李四", contact="x@x.cn", wechat_token=token
        )
    with pytest.raises(BookingRefused):
        reservations.reservation_book(
            slot_id=slot.pk, archive=archive, name="王五", contact="wang@example.CN"
        )
    assert [row["code"] for row in bookings_export(identifier=OPENID)] == [follower.code]


def polls_person_web(person_id: str):
    from archivox.polls.identity import Person

    return Person(channel="web", person_id=person_id)


# ── the consultation inbox: the WeChat callback, answers, export and purge ───────────────────

QUESTION = "请问如何查询我祖父1950年代的工作档案？"


def answer_in_console(client, staff, consultation, text):  # noqa: F811
    client.force_login(staff)
    return client.post(f"/console/inbox/{consultation.pk}/", {"action": "answer", "text": text})


@pytest.mark.django_db(transaction=True)
def test_the_inbox_keeps_a_followers_openid_only_encrypted_or_digested(follower, staff, client):  # noqa: F811
    """A real callback over HTTP (the sandbox's follower, safe mode) is stored and threaded
    without the openid in any raw row; staff answer and the answer reaches the follower in
    the sandbox; their next message joins the same open consultation; export and purge find
    them by their openid."""
    user = follower("safe")
    openid = user.openid
    key = person_digest(f"wx:{openid}")
    assert user.send_text(QUESTION).status == 200

    consultation = Consultation.objects.get()
    message = InboundMessage.objects.get()
    assert message.consultation == consultation
    # Through the models: the digest finds the person, the openid is there for the answer.
    assert (message.sender, consultation.person) == (key, key)
    assert (message.sender_openid, consultation.person_openid) == (openid, openid)
    assert message.payload["FromUserName"] == key and key in message.raw
    # In the database's own rows it is nowhere, whole or in part.
    assert raw_rows_holding(openid) == []
    assert raw_rows_holding(openid[6:20]) == []

    # Staff see a pseudonym, never the openid, on the inbox, the consultation and the API.
    client.force_login(staff)
    pages = [
        client.get("/console/inbox/").content.decode(),
        client.get(f"/console/inbox/{consultation.pk}/").content.decode(),
        client.get("/api/v1/engagement/inbox").content.decode(),
        client.get(f"/api/v1/engagement/consultations/{consultation.pk}").content.decode(),
    ]
    assert all(openid not in page and key not in page for page in pages)
    assert f"WeChat follower {key[:6]}" in pages[2]

    # The answer goes back to the follower as a customer-service message.
    assert (
        answer_in_console(client, staff, consultation, "请携带身份证明到查档大厅。").status_code
        == 302
    )
    sent = CustomMessage.objects.get(follower__openid=openid)
    assert "请携带身份证明到查档大厅" in sent.payload["content"]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED

    # Their next message joins the same consultation, which waits for us again.
    assert user.send_text("谢谢，还需要带户口本吗？").status == 200
    assert Consultation.objects.count() == 1
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.NEW
    assert consultation.messages.count() == 2
    assert raw_rows_holding(openid) == []

    # An event carries no MsgId: its retry key is keyed too, never a plain hash of the sender
    # (with the database and a guessed openid, that would confirm the follower's events).
    assert user.send_event("CLICK", "RECORDS").status == 200
    event = InboundMessage.objects.get(msg_type="event")
    assert event.dedupe_key.startswith("evt:")
    for parts in itertools.product(
        [openid], [event.create_time], ["event"], ["CLICK"], ["", "RECORDS"]
    ):
        plain = hashlib.sha256(json.dumps(list(parts), ensure_ascii=False).encode()).hexdigest()
        assert raw_rows_holding(plain) == []

    # The person asks what is kept about them, by their openid: the event (a menu tap) too.
    rows = consultations_export(identifier=openid)
    assert sorted(row["kind"] for row in rows) == ["consultation", "message", "message", "message"]
    assert {row["content"] for row in rows if row["kind"] == "message"} == {
        QUESTION,
        "谢谢，还需要带户口本吗？",
        "",
    }

    # Purged once closed and old enough: neither the openid nor its digest is left.
    consultation_close(actor=staff, consultation=consultation)
    later = timezone.now() + datetime.timedelta(days=1)
    assert consultations_purge(before=later) == 1
    consultation.refresh_from_db()
    assert consultation.person_openid == "" and consultation.person.startswith("purged-")
    assert set(InboundMessage.objects.values_list("sender_openid", flat=True)) == {""}
    assert consultations_export(identifier=openid) == []
    assert raw_rows_holding(key) == []


@pytest.mark.django_db(transaction=True)
def test_inbox_rows_written_before_the_upgrade_are_digested_and_still_answered(
    follower,  # noqa: F811
    staff,  # noqa: F811
    client,
):
    """Messages and a consultation stored by the former code (the openid in ``sender``,
    ``person``, the payload and the raw XML) are converted by the migration; the follower's
    next message joins that consultation and the answer reaches them."""
    from django.db.migrations.executor import MigrationExecutor

    user = follower("safe")
    openid = user.openid
    key = person_digest(f"wx:{openid}")
    user.send_text(QUESTION)
    consultation = Consultation.objects.get()
    before = [("engagement", "0005_consultation_person_openid")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        messages = old.get_model("engagement", "InboundMessage").objects
        for pk, raw, payload in messages.values_list("pk", "raw", "payload"):
            messages.filter(pk=pk).update(
                sender=openid,
                raw=raw.replace(key, openid),
                payload={**payload, "FromUserName": openid},
            )
        old.get_model("engagement", "Consultation").objects.update(person=openid, person_openid="")
        assert set(raw_rows_holding(openid)) == {
            "engagement_inboundmessage",
            "engagement_consultation",
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert raw_rows_holding(openid) == []
    message = InboundMessage.objects.get()
    consultation.refresh_from_db()
    assert (message.sender, message.sender_openid) == (key, openid)
    assert message.payload["FromUserName"] == key and openid not in message.raw
    assert (consultation.person, consultation.person_openid) == (key, openid)

    # The converted consultation is the follower's: the next message joins it, and the
    # answer reaches them in WeChat.
    user.send_text("还在吗？")
    assert Consultation.objects.count() == 1 and consultation.messages.count() == 2
    answer_in_console(client, staff, consultation, "在的，请周一来馆。")
    assert "请周一来馆" in CustomMessage.objects.get(follower__openid=openid).payload["content"]
    assert [row["kind"] for row in consultations_export(identifier=openid)].count("message") == 2
