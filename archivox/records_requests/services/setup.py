"""Request kinds and the holiday calendar of an archive (the admin, the demo data and
tests go through here)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.records_requests.models import Category, Delivery, Holiday, Proof, RequestKind


def _may(actor: User | None, archive: Archive) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.ARCHIVE_MANAGE)


@transaction.atomic
def request_kind_save(
    *,
    actor: User | None,
    archive: Archive,
    category: str,
    years_from: int,
    years_to: int,
    districts: Iterable[str] = (),
    proofs: Iterable[str] = (Proof.PERSON, Proof.AGENT),
    working_days: int = 5,
    fee: str = "",
    deliveries: Iterable[str] = (Delivery.DOWNLOAD, Delivery.EMAIL),
    notes: str = "",
    is_active: bool = True,
) -> RequestKind:
    """Create or change what ``archive`` serves for ``category``."""
    _may(actor, archive)
    proofs, deliveries = list(proofs), list(deliveries)
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Unknown category.")
    if not proofs or set(proofs) - set(Proof.values):
        errors["proofs"] = _("Choose the proof accepted.")
    if not deliveries or set(deliveries) - set(Delivery.values):
        errors["deliveries"] = _("Choose the delivery options.")
    if errors:
        raise ValidationError(errors)
    kind, _created = RequestKind.objects.get_or_create(
        archive=archive,
        category=category,
        defaults={"years_from": years_from, "years_to": years_to},
    )
    kind.years_from, kind.years_to = years_from, years_to
    kind.districts = "\n".join(d.strip() for d in districts if d.strip())
    kind.proofs, kind.deliveries = proofs, deliveries
    kind.working_days, kind.fee, kind.notes, kind.is_active = working_days, fee, notes, is_active
    kind.full_clean()
    kind.save()
    audit_record(actor=actor, action="request_kind.save", obj=kind, archive=archive)
    return kind


@transaction.atomic
def holidays_set(
    *,
    actor: User | None,
    archive: Archive,
    days_off: Iterable[tuple[datetime.date, str]] = (),
    days_worked: Iterable[tuple[datetime.date, str]] = (),
) -> int:
    """Add days off and adjusted working days (调休) to the archive's calendar; how many."""
    _may(actor, archive)
    count = 0
    for days, worked in ((days_off, False), (days_worked, True)):
        for day, name in days:
            Holiday.objects.update_or_create(
                archive=archive, day=day, defaults={"is_working_day": worked, "name": name[:100]}
            )
            count += 1
    audit_record(
        actor=actor,
        action="holiday.set",
        archive=archive,
        object_type="records_requests.holiday",
        object_repr=f"{count} days",
    )
    return count
