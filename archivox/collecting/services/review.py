"""Staff review of an offer: accept, ask the person a question, or decline with a reason the
person reads on their tracking page."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.collecting.models import Offer
from archivox.collecting.services.common import CollectingError, check_capability
from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record

REVIEWABLE = (Offer.Status.SUBMITTED, Offer.Status.QUESTION)
MESSAGE_MAX = 4000


def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().select_related("archive", "campaign").get(pk=offer.pk)


def _decide(*, actor: User | None, offer: Offer, status: str, message: str, action: str) -> Offer:
    check_capability(actor, offer.archive, Capability.CATALOG_EDIT)
    offer = _locked(offer)
    if offer.status not in REVIEWABLE:
        raise CollectingError(
            _("This offer has already been decided (%(status)s).")
            % {"status": offer.get_status_display()}
        )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise CollectingError({"message": _("The message is too long (at most 4000 characters).")})
    before = {"status": offer.status}
    offer.status = status
    offer.staff_message = message
    offer.reviewed_by = actor
    offer.reviewed_at = timezone.now()
    offer.save(update_fields=["status", "staff_message", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=actor,
        action=action,
        obj=offer,
        archive=offer.archive,
        before=before,
        after={"status": status, "message": message},
    )
    return offer


@transaction.atomic
def offer_accept(*, actor: User | None, offer: Offer, message: str = "") -> Offer:
    return _decide(
        actor=actor,
        offer=offer,
        status=Offer.Status.ACCEPTED,
        message=message,
        action="offer.accept",
    )


@transaction.atomic
def offer_ask(*, actor: User | None, offer: Offer, message: str) -> Offer:
    if not (message or "").strip():
        raise CollectingError({"message": _("Please write the question the person will read.")})
    return _decide(
        actor=actor,
        offer=offer,
        status=Offer.Status.QUESTION,
        message=message,
        action="offer.ask",
    )


@transaction.atomic
def offer_decline(*, actor: User | None, offer: Offer, message: str) -> Offer:
    if not (message or "").strip():
        raise CollectingError(
            {"message": _("Please give the reason; the person reads it on their tracking page.")}
        )
    return _decide(
        actor=actor,
        offer=offer,
        status=Offer.Status.DECLINED,
        message=message,
        action="offer.decline",
    )
