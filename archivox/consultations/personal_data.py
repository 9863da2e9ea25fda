"""Personal data of consultations, for ``core.personal_data``: the questions and the messages
behind them. Purging keeps the records (so the survey's counts, times and ratings stay) and
removes who they were. Each app registers its own sources (reservations, polls, topics)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q

from archivox.core.personal_data import (
    PURGED,
    PersonalDataSource,
    personal_data_source_register,
    purged_key,
)


def consultations_purge(*, before: datetime.datetime) -> int:
    from archivox.consultations.models import Consultation, InboundMessage

    old = Consultation.objects.filter(opened_at__lt=before, status="closed").exclude(
        person__startswith=PURGED
    )
    count = old.update(person=purged_key(), person_name="", person_email="", person_openid="")
    InboundMessage.objects.filter(received_at__lt=before).exclude(sender__startswith=PURGED).update(
        sender=purged_key(), sender_openid="", content="", raw="", payload={}
    )
    return count


def consultations_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.consultations.models import Consultation, InboundMessage
    from archivox.consultations.people import sender_keys_for

    # A follower's openid and a Weibo uid are held as keyed digests: looked up by those.
    keys = sender_keys_for(identifier)
    found = list(
        Consultation.objects.filter(
            Q(person__in=keys) | Q(person_email__iexact=identifier)
        ).select_related("archive")
    )
    # A question asked on the portal inside WeChat keeps the follower only encrypted: the few
    # such are decrypted and compared (an export is a rare, staff-run command).
    seen = {consultation.pk for consultation in found}
    found += [
        consultation
        for consultation in Consultation.objects.exclude(person_openid="")
        .exclude(channel="wechat")
        .exclude(pk__in=seen)
        .select_related("archive")
        if consultation.person_openid == identifier
    ]
    rows: list[dict[str, Any]] = []
    for consultation in found:
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
    for message in InboundMessage.objects.filter(sender__in=keys).select_related("archive"):
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


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "consultations",
            "questions and messages from the public, with names and addresses",
            consultations_purge,
            consultations_export,
        )
    )
