"""Campaigns (staff) and the offers the public makes to them, with their files."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.collecting.models import Campaign, Offer, OfferFile
from archivox.collecting.services.common import (
    FILES_PER_OFFER,
    NAME_MAX,
    CollectingError,
    check_capability,
    contact_validate,
    file_check,
    person_key_for,
)
from archivox.core.models import Archive, User
from archivox.core.ratelimit import ratelimit_hit
from archivox.core.selectors import Capability
from archivox.core.services import audit_record, model_update, snapshot

CAMPAIGN_FIELDS = ("slug", "title", "summary", "terms", "rights", "starts_on", "ends_on", "is_open")
# Offers one address may make to one archive per hour.
OFFER_RATE_LIMIT = (10, 3600)


def _campaign_validate(campaign: Campaign) -> None:
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise CollectingError({"ends_on": _("The campaign ends before it starts.")})
    if (
        Campaign.objects.filter(archive=campaign.archive, slug=campaign.slug)
        .exclude(pk=campaign.pk)
        .exists()
    ):
        raise CollectingError({"slug": _("Another campaign of this archive has this name.")})


@transaction.atomic
def campaign_create(*, actor: User | None, archive: Archive, **values: Any) -> Campaign:
    check_capability(actor, archive, Capability.CATALOG_EDIT)
    unknown = set(values) - set(CAMPAIGN_FIELDS) - {"is_demo", "catalog_parent"}
    if unknown:
        raise CollectingError(f"unknown fields: {', '.join(sorted(unknown))}")
    campaign = Campaign(archive=archive, **values)
    _campaign_validate(campaign)
    campaign.full_clean()
    campaign.save()
    audit_record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        archive=archive,
        after=snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: User | None, campaign: Campaign, **changes: Any) -> Campaign:
    check_capability(actor, campaign.archive, Capability.CATALOG_EDIT)
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise CollectingError(f"unknown fields: {', '.join(sorted(unknown))}")
    model_update(
        instance=campaign,
        changes=changes,
        actor=actor,
        action="campaign.update",
        archive=campaign.archive,
        validate=_campaign_validate,
    )
    return campaign


def campaign_accepts_offers(campaign: Campaign) -> bool:
    today = timezone.localdate()
    return (
        campaign.is_open
        and (campaign.starts_on is None or campaign.starts_on <= today)
        and (campaign.ends_on is None or today <= campaign.ends_on)
    )


def offer_rate_allowed(*, archive: Archive, client: str) -> bool:
    limit, window = OFFER_RATE_LIMIT
    return ratelimit_hit(f"collecting:offer:{archive.pk}:{client}", limit=limit, window=window)


def _store_file(offer: Offer, position: int, content: bytes, name: str, caption: str) -> OfferFile:
    checked = file_check(content, name)
    digest = hashlib.sha256(content).hexdigest()
    offered = OfferFile(
        offer=offer,
        kind=checked.kind,
        original_name=Path(name).name[:255],
        media_type=checked.media_type,
        size=len(content),
        sha256=digest,
        caption=caption[:300],
        position=position,
    )
    # A generated name: never the uploader's, never run.
    offered.file.save(
        f"{digest[:16]}-{uuid.uuid4().hex[:8]}.{checked.extension}",
        ContentFile(content),
        save=False,
    )
    offered.save()
    return offered


def _files_remove_on_rollback(stored: list[OfferFile]) -> None:
    for offered in stored:
        if offered.file:
            offered.file.storage.delete(offered.file.name)


def offer_submit(
    *,
    campaign: Campaign,
    title: str,
    name: str,
    contact: str,
    transfer: str,
    consent: bool,
    files: list[tuple[str, bytes]],
    captions: list[str] | None = None,
    story: str = "",
    date_expression: str = "",
    place: str = "",
    credit_name: str = "",
) -> Offer:
    """Record what a person offers, with their files, or raise a CollectingError holding every
    problem at once (field name → message), so the form can show them all and keep the rest."""
    errors: dict[str, list[str]] = {}
    if not campaign_accepts_offers(campaign):
        raise CollectingError(_("This campaign is not accepting offers at the moment."))
    title = " ".join((title or "").split())
    if not title:
        errors.setdefault("title", []).append(_("Please say in a few words what you offer."))
    elif len(title) > 200:
        errors.setdefault("title", []).append(_("The title is too long (at most 200 characters)."))
    name = " ".join((name or "").split())
    if not name:
        errors.setdefault("name", []).append(_("Please give your name."))
    elif len(name) > NAME_MAX:
        errors.setdefault("name", []).append(_("The name is too long."))
    try:
        contact = contact_validate(contact)
    except CollectingError as exc:
        errors.setdefault("contact", []).extend(exc.message_dict["contact"])
    if transfer not in Offer.Transfer.values:
        errors.setdefault("transfer", []).append(_("Please choose how you offer the material."))
    if not consent:
        errors.setdefault("consent", []).append(
            _("Please read the terms and confirm that you agree to them.")
        )
    if len(story) > 8000:
        errors.setdefault("story", []).append(_("The story is too long (at most 8000 characters)."))
    if not files:
        errors.setdefault("files", []).append(_("Please add at least one file."))
    elif len(files) > FILES_PER_OFFER:
        errors.setdefault("files", []).append(
            _("At most %d files per offer; please make a second offer for the rest.")
            % FILES_PER_OFFER
        )
    checked: list[str] = []
    for file_name, content in files[:FILES_PER_OFFER]:
        try:
            file_check(content, file_name)
        except CollectingError as exc:
            checked.extend(exc.messages)
    if checked:
        errors.setdefault("files", []).extend(checked)
    if errors:
        raise CollectingError(errors)
    captions = list(captions or [])
    stored: list[OfferFile] = []
    try:
        with transaction.atomic():
            offer = Offer(
                campaign=campaign,
                archive=campaign.archive,
                token=secrets.token_urlsafe(24),
                title=title,
                story=story.strip(),
                date_expression=date_expression.strip()[:100],
                place=place.strip()[:200],
                transfer=transfer,
                name=name,
                contact=contact,
                person_key=person_key_for(contact),
                credit_name=" ".join(credit_name.split())[:100],
            )
            offer.full_clean()
            offer.save()
            for position, (file_name, content) in enumerate(files):
                caption = captions[position] if position < len(captions) else ""
                stored.append(_store_file(offer, position, content, file_name, caption.strip()))
            audit_record(
                actor=None,
                action="offer.submit",
                obj=offer,
                archive=campaign.archive,
                on_behalf_of="the public",
                after={"campaign": campaign.slug, "files": len(files)},
            )
    except Exception:
        _files_remove_on_rollback(stored)
        raise
    return offer


def offer_get_by_token(*, token: str) -> Offer:
    """The offer a person's link names (the token is the only key they hold)."""
    if not token or len(token) > 43:
        raise Offer.DoesNotExist
    return Offer.objects.select_related("campaign", "archive").get(token=token)


@transaction.atomic
def offer_reply(*, offer: Offer, reply: str) -> Offer:
    """The person answers the archive's question; the offer goes back to review."""
    reply = (reply or "").strip()
    if offer.status != Offer.Status.QUESTION:
        raise CollectingError(_("The archive is not waiting for an answer on this offer."))
    if not reply:
        raise CollectingError({"reply": _("Please write your answer.")})
    if len(reply) > 4000:
        raise CollectingError({"reply": _("The answer is too long (at most 4000 characters).")})
    offer.person_reply = reply
    offer.status = Offer.Status.SUBMITTED
    offer.save(update_fields=["person_reply", "status"])
    audit_record(
        actor=None,
        action="offer.reply",
        obj=offer,
        archive=offer.archive,
        on_behalf_of="the public",
    )
    return offer
