"""Personal data of polls, for ``core.personal_data``: who answered questionnaires, and the
interest labels their answers gave them. Purging keeps the answers and removes who gave them."""

from __future__ import annotations

import datetime
from typing import Any

from archivox.core.personal_data import (
    PURGED,
    PersonalDataSource,
    personal_data_source_register,
    purged_key,
)


def responses_purge(*, before: datetime.datetime) -> int:
    from archivox.polls.models import PersonLabel, Response

    PersonLabel.objects.filter(assigned_at__lt=before).delete()
    return (
        Response.objects.filter(submitted_at__lt=before)
        .exclude(person_id__startswith=PURGED)
        .update(person_id=purged_key())
    )


def responses_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.polls.identity import follower_person_id
    from archivox.polls.models import PersonLabel, Response

    # A follower is held by the digest of their openid, a browser by its id.
    people = [identifier, follower_person_id(identifier)]

    rows: list[dict[str, Any]] = [
        {
            "kind": "response",
            "questionnaire": response.questionnaire.title,
            "submitted_at": response.submitted_at,
            "answers": [str(answer) for answer in response.answers.all()],
        }
        for response in Response.objects.filter(person_id__in=people).select_related(
            "questionnaire"
        )
    ]
    rows += [
        {"kind": "interest label", "label": str(label.label), "assigned_at": label.assigned_at}
        for label in PersonLabel.objects.filter(person_id__in=people).select_related("label")
    ]
    return rows


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "poll responses",
            "who answered questionnaires, and interest labels",
            responses_purge,
            responses_export,
        )
    )
