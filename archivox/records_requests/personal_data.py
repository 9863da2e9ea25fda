"""Personal data of records-use requests, for ``core.personal_data``: who applied (name, ID
number, e-mail, address, openid) and the ID and authorisation uploads. Purging deletes the
uploads and removes who applied; the requests stay for the statistics (category, times)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from archivox.core.personal_data import (
    PURGED,
    PersonalDataSource,
    personal_data_source_register,
    purged_key,
)


def requests_purge(*, before: datetime.datetime) -> int:
    from archivox.records_requests.models import RecordsRequest, RequestUpload

    old = RecordsRequest.objects.filter(created_at__lt=before).exclude(
        person_key__startswith=PURGED
    )
    uploads = RequestUpload.objects.filter(request__in=old)
    # The files go once the purge is committed: a dry run (rolled back) keeps them.
    names = [upload.file.name for upload in uploads]
    storage = RequestUpload._meta.get_field("file").storage
    uploads.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])
    return old.update(
        name="",
        id_number="",
        email="",
        openid="",
        postal_address="",
        place="",
        purpose="",
        message="",
        person_key=purged_key(),
    )


def requests_export(*, identifier: str) -> list[dict[str, Any]]:
    from archivox.records_requests.codes import id_number_normalise
    from archivox.records_requests.models import RecordsRequest
    from archivox.records_requests.services.common import person_key_for

    key = person_key_for(id_number_normalise(identifier))
    found = list(
        RecordsRequest.objects.filter(
            Q(email__iexact=identifier) | Q(person_key=key)
        ).select_related("archive", "holding_archive")
    )
    # The openid is stored encrypted: a follower's requests are found by decrypting the few
    # that came through WeChat (an export is a rare, staff-run command).
    seen = {request.pk for request in found}
    found += [
        request
        for request in RecordsRequest.objects.exclude(openid="")
        .exclude(pk__in=seen)
        .select_related("archive", "holding_archive")
        if request.openid == identifier
    ]
    return [
        {
            "archive": request.archive.slug,
            "holding_archive": request.holding_archive.slug,
            "code": request.code,
            "category": request.category,
            "name": request.name,
            "id_number": request.id_number,
            "email": request.email,
            "postal_address": request.postal_address,
            "purpose": request.purpose,
            "status": request.status,
            "created_at": request.created_at,
            "uploads": [upload.get_kind_display() for upload in request.uploads.all()],
        }
        for request in found
    ]


def register() -> None:
    personal_data_source_register(
        PersonalDataSource(
            "records_requests",
            "records-use requests: names, ID numbers, e-mail, postal address, ID uploads",
            requests_purge,
            requests_export,
        )
    )
