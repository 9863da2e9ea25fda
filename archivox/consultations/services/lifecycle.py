"""A consultation's life once it is in the inbox: assigned, tagged, annotated and closed by staff,
due within the archive's promise (working days), and the inbox settings behind that promise.

Reading the settings (and their per-process cache) is ``selectors``'s; changing them is here."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.consultations.models import (
    Consultation,
    ConsultationNote,
    ConsultationTag,
    InboxSettings,
)
from archivox.consultations.selectors import (
    inbox_settings_cache_clear,
    inbox_settings_cached,
    inbox_settings_for,
)
from archivox.consultations.services.common import may, may_answer
from archivox.core.models import Archive
from archivox.core.selectors import Capability
from archivox.core.services import audit_record

Status = Consultation.Status


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """``start`` plus ``days`` working days (Monday to Friday) in the archive's time zone: a
    question of Friday 17:00 with a 1-day promise is due Monday 17:00; one of Saturday, Monday."""
    local = timezone.localtime(start)
    remaining = max(0, days)
    while remaining:
        local += datetime.timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    if days == 0:
        return start
    return local


def due_for(archive: Archive, since: datetime.datetime) -> datetime.datetime:
    return add_working_days(since, inbox_settings_cached(archive.pk).promise_working_days)


@transaction.atomic
def inbox_settings_update(
    *,
    actor: Any,
    archive: Archive,
    promise_working_days: int | None = None,
    flood_per_minute: int | None = None,
    tags: list[str] | None = None,
) -> InboxSettings:
    may(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)
    current = inbox_settings_for(archive)
    before = {
        "promise_working_days": current.promise_working_days,
        "flood_per_minute": current.flood_per_minute,
        "tags": list(current.tags),
    }
    if promise_working_days is not None:
        current.promise_working_days = promise_working_days
    if flood_per_minute is not None:
        current.flood_per_minute = flood_per_minute
    if tags is not None:
        current.tags = _clean_tags(tags)
    if not 0 <= current.promise_working_days <= 30:
        raise ValidationError({"promise_working_days": _("Between 0 and 30 working days.")})
    if not 1 <= current.flood_per_minute <= 1000:
        raise ValidationError({"flood_per_minute": _("Between 1 and 1000 messages a minute.")})
    current.full_clean()
    current.save()
    transaction.on_commit(inbox_settings_cache_clear)
    inbox_settings_cache_clear()
    audit_record(
        actor=actor,
        action="inbox_settings.update",
        obj=current,
        archive=archive,
        before=before,
        after={
            "promise_working_days": current.promise_working_days,
            "flood_per_minute": current.flood_per_minute,
            "tags": current.tags,
        },
    )
    return current


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(str(tag).split())[:50]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned[:50]


# ── staff actions ─────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def consultation_assign(*, actor: Any, consultation: Consultation, assignee: Any) -> Consultation:
    may_answer(actor, consultation)
    if assignee is not None:
        may(
            user=assignee,
            archive=consultation.archive,
            capability=Capability.CONSULTATION_ANSWER,
        )
    before = {"assignee": str(consultation.assignee or ""), "status": consultation.status}
    consultation.assignee = assignee
    if consultation.status == Status.NEW and assignee is not None:
        consultation.status = Status.ASSIGNED
    elif consultation.status == Status.ASSIGNED and assignee is None:
        consultation.status = Status.NEW
    consultation.save(update_fields=["assignee", "status"])
    audit_record(
        actor=actor,
        action="consultation.assign",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"assignee": str(assignee or ""), "status": consultation.status},
    )
    return consultation


@transaction.atomic
def consultation_tag(
    *, actor: Any, consultation: Consultation, add: list[str] = (), remove: list[str] = ()
) -> list[str]:
    may_answer(actor, consultation)
    before = sorted(consultation.tags.values_list("name", flat=True))
    for name in _clean_tags(list(add)):
        ConsultationTag.objects.get_or_create(consultation=consultation, name=name)
    names = _clean_tags(list(remove))
    if names:
        consultation.tags.filter(name__in=names).delete()
    after = sorted(consultation.tags.values_list("name", flat=True))
    if before != after:
        audit_record(
            actor=actor,
            action="consultation.tag",
            obj=consultation,
            archive=consultation.archive,
            before={"tags": before},
            after={"tags": after},
        )
    return after


@transaction.atomic
def consultation_note_add(*, actor: Any, consultation: Consultation, text: str) -> ConsultationNote:
    may_answer(actor, consultation)
    note = ConsultationNote(consultation=consultation, author=actor, text=(text or "").strip())
    if not note.text:
        raise ValidationError({"text": _("The note is empty.")})
    note.full_clean()
    note.save()
    audit_record(
        actor=actor,
        action="consultation.note",
        obj=consultation,
        archive=consultation.archive,
        after={"note": note.text[:200]},
    )
    return note


@transaction.atomic
def consultation_close(*, actor: Any, consultation: Consultation) -> Consultation:
    may_answer(actor, consultation)
    if consultation.status == Status.CLOSED:
        return consultation
    before = {"status": consultation.status}
    consultation.status = Status.CLOSED
    consultation.closed_at = timezone.now()
    consultation.awaiting_since = consultation.due_at = None
    consultation.save(update_fields=["status", "closed_at", "awaiting_since", "due_at"])
    audit_record(
        actor=actor,
        action="consultation.close",
        obj=consultation,
        archive=consultation.archive,
        before=before,
        after={"status": consultation.status},
    )
    return consultation
