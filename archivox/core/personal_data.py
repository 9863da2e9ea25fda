"""Personal data held about members of the public: how long it is kept, and what one person
can ask to see. Each app that stores such data (consultations, reservations, poll responses,
topic comments, inbound messages) registers a source in its ``AppConfig.ready``; the commands
``purge_personal_data`` and ``export_personal_data`` go through every source.

Retention is per source, in days, from ``ARCHIVOX_RETENTION_DAYS`` (default 1095, three years)
or ``ARCHIVOX_RETENTION_<SOURCE>_DAYS`` (e.g. ``ARCHIVOX_RETENTION_RESERVATIONS_DAYS=365``).
Purging removes or anonymises what is older; the statistics the survey needs (counts, times,
ratings) stay, without who gave them.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

DEFAULT_RETENTION_DAYS = 1095


@dataclass(frozen=True)
class PersonalDataSource:
    name: str  # e.g. "consultations"; also the key of its retention setting
    description: str  # what is kept, for the privacy notice and the command's output
    # Remove or anonymise the personal data of records older than ``before``; how many.
    purge: Callable[..., int]
    # Every record about the person known by ``identifier`` (an email address, a WeChat
    # openid, a Weibo uid, a phone number), as JSON-ready dicts.
    export: Callable[..., list[dict[str, Any]]]


# What purged identifiers start with; a purged row is never purged (or exported) again.
PURGED = "purged-"


def purged_key() -> Concat:
    """A replacement identifier unique per row, so "one open consultation per person" style
    constraints still hold after a purge."""
    return Concat(Value(PURGED), F("pk"))


_SOURCES: dict[str, PersonalDataSource] = {}


def personal_data_source_register(source: PersonalDataSource) -> None:
    _SOURCES[source.name] = source


def personal_data_sources() -> list[PersonalDataSource]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


def retention_days(name: str) -> int:
    key = f"ARCHIVOX_RETENTION_{name.upper().replace(' ', '_').replace('-', '_')}_DAYS"
    value = os.environ.get(key) or os.environ.get("ARCHIVOX_RETENTION_DAYS")
    if not value:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(value)
    except ValueError as exc:
        raise ValueError(f"{key} must be a whole number of days, not {value!r}") from exc
    if days < 1:
        raise ValueError(f"{key} must be at least 1 day")
    return days


def personal_data_purge(
    *, now: datetime.datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Purge every source past its retention; the number of records per source."""
    now = now or timezone.now()
    purged: dict[str, int] = {}
    for source in personal_data_sources():
        before = now - datetime.timedelta(days=retention_days(source.name))
        with transaction.atomic():
            count = source.purge(before=before)
            if dry_run:
                transaction.set_rollback(True)
        purged[source.name] = count
    return purged


def personal_data_export(*, identifier: str) -> dict[str, list[dict[str, Any]]]:
    """Everything held about the person known by ``identifier``, per source."""
    identifier = identifier.strip()
    if not identifier:
        raise ValueError("give the person's email address, WeChat openid, Weibo uid or phone")
    return {source.name: source.export(identifier=identifier) for source in personal_data_sources()}
