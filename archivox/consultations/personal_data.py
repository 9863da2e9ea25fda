"""Personal data of the engagement apps, for ``core.personal_data``: consultations and the
messages behind them, bookings, poll responses and interest labels, topic comments. Purging
keeps the records (so the survey's counts, times and ratings stay) and removes who they were."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import Concat

from archivox.core.personal_data import PersonalDataSource, personal_data_source_register

PURGED = "purged-"


def _purged_key():
    # Unique per row, so "one open consultation per person" style constraints still hold.
    return Concat(Value(PURGED), F("pk"))


def consultations_purge(*, before: datetime.datetime) -> int:
    from archivox.consultations.models import Consultation, InboundMessage

    old = Consultation.objects.filter(opened_at__lt=before, status="closed").exclude(
        person__startswith=PURGED
    )
    count = old.update(person=_purged_key(), person_name="", person_email="")
    InboundMessage.objects.filter(received_at__lt=before).exclude(sender__startswith=PURGED).update(
        sender=_purged_key(), content="", raw="", payload={}
    )
    return count


def consultations_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.consultations.models import Consultation, InboundMessage

    rows: list[dict[str, Any]] = []
    for consultation in Consultation.objects.filter(
        Q(person=identifier) | Q(person_email__iexact=identifier)
    ).select_related("archive"):
        rows.append(
            {
                "kind": "consultation",
                "archive": consultation.archive.slug,
                "channel": consultation.channel,
                "name": consultation.person_name,
                "email": consultation.person_email,
                "subject": consultation.subject,
                "status": consultation.status,
                "opened_at": consultation.opened_at,
                "rating": consultation.rating,
            }
        )
    for message in InboundMessage.objects.filter(sender=identifier).select_related("archive"):
        rows.append(
            {
                "kind": "message",
                "archive": message.archive.slug,
                "channel": message.channel,
                "type": message.msg_type,
                "content": message.content,
                "received_at": message.received_at,
                "reply": message.reply_text,
            }
        )
    return rows


def bookings_purge(*, before: datetime.datetime) -> int:
    from archivox.reservations.models import Booking

    return (
        Booking.objects.filter(created_at__lt=before)
        .exclude(person_key__startswith=PURGED)
        .update(name="", contact="", openid="", person_key=_purged_key())
    )


def bookings_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.reservations.models import Booking

    found = Booking.objects.filter(
        Q(contact__iexact=identifier) | Q(openid=identifier) | Q(person_key=identifier.lower())
    ).select_related("archive", "slot")
    return [
        {
            "archive": booking.archive.slug,
            "code": booking.code,
            "name": booking.name,
            "contact": booking.contact,
            "slot": booking.slot.starts_at,
            "status": booking.status,
            "booked_at": booking.created_at,
        }
        for booking in found
    ]


def responses_purge(*, before: datetime.datetime) -> int:
    from archivox.polls.models import PersonLabel, Response

    PersonLabel.objects.filter(assigned_at__lt=before).delete()
    return (
        Response.objects.filter(submitted_at__lt=before)
        .exclude(person_id__startswith=PURGED)
        .update(person_id=_purged_key())
    )


def responses_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.polls.models import PersonLabel, Response

    rows: list[dict[str, Any]] = [
        {
            "kind": "response",
            "questionnaire": response.questionnaire.title,
            "submitted_at": response.submitted_at,
            "answers": [str(answer) for answer in response.answers.all()],
        }
        for response in Response.objects.filter(person_id=identifier).select_related(
            "questionnaire"
        )
    ]
    rows += [
        {"kind": "interest label", "label": str(label.label), "assigned_at": label.assigned_at}
        for label in PersonLabel.objects.filter(person_id=identifier).select_related("label")
    ]
    return rows


def comments_purge(*, before: datetime.datetime) -> int:
    from archivox.topics.models import Comment

    return (
        Comment.objects.filter(created_at__lt=before)
        .exclude(person_id__startswith=PURGED)
        .update(person_id=_purged_key(), display_name="")
    )


def comments_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.topics.models import Comment

    return [
        {
            "topic": comment.topic.name,
            "name": comment.display_name,
            "comment": comment.body,
            "status": comment.status,
            "posted_at": comment.created_at,
        }
        for comment in Comment.objects.filter(person_id=identifier).select_related("topic")
    ]


def register() -> None:
    for source in (
        PersonalDataSource(
            "consultations",
            "questions and messages from the public, with names and addresses",
            consultations_purge,
            consultations_export,
        ),
        PersonalDataSource(
            "reservations",
            "bookings: names, e-mail or phone, openid",
            bookings_purge,
            bookings_export,
        ),
        PersonalDataSource(
            "poll responses",
            "who answered questionnaires, and interest labels",
            responses_purge,
            responses_export,
        ),
        PersonalDataSource(
            "topic comments", "who wrote comments on topics", comments_purge, comments_export
        ),
    ):
        personal_data_source_register(source)
