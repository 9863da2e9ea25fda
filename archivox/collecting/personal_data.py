"""Personal data of collecting, for ``core.personal_data``: who offered (name, e-mail or phone),
their story and their files. Purging an offer that never entered the catalog removes its files
and who made it; an accessioned offer keeps the files the catalog now holds and the name on the
deed of gift (a record of ownership), and loses the contact."""

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


def offers_purge(*, before: datetime.datetime) -> int:
    from archivox.collecting.models import Offer, OfferFile

    old = Offer.objects.filter(created_at__lt=before).exclude(person_key__startswith=PURGED)
    kept = old.filter(status=Offer.Status.ACCESSIONED)
    gone = old.exclude(status=Offer.Status.ACCESSIONED)
    for offered in OfferFile.objects.filter(offer__in=gone):
        if offered.file:
            offered.file.storage.delete(offered.file.name)
    OfferFile.objects.filter(offer__in=gone).delete()
    count = gone.update(
        name="", contact="", story="", person_reply="", credit_name="", person_key=purged_key()
    )
    return count + kept.update(contact="", person_reply="", person_key=purged_key())


def offers_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.collecting.models import Offer

    key = identifier.strip().lower()
    found = Offer.objects.filter(
        Q(contact__iexact=identifier.strip()) | Q(person_key=key)
    ).select_related("archive", "campaign")
    return [
        {
            "archive": offer.archive.slug,
            "campaign": offer.campaign.title,
            "title": offer.title,
            "name": offer.name,
            "contact": offer.contact,
            "story": offer.story,
            "credit_name": offer.credit_name,
            "status": offer.status,
            "files": [f.original_name for f in offer.files.all()],
            "offered_at": offer.created_at,
        }
        for offer in found
    ]


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "collecting",
            "offers to collecting campaigns: names, e-mail or phone, stories, files",
            offers_purge,
            offers_export,
        )
    )
