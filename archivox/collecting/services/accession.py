"""Accession: an accepted offer becomes draft catalog descriptions, its pictures and PDFs the
descriptions' digital objects, through ``catalog.services`` (which checks, audits, indexes and
makes the public copies without metadata).

The offer becomes one description at file level under the campaign's place in the catalog, and
each file an item below it: a picture or PDF with its digital object, a sound recording
described with its original kept with the offer (the catalog holds no sound). The access level
is the archivist's choice and there is no default that shows anything: the form preselects
"confidential". Provenance stays both ways: the description says where it came from, and each
offered file records what it became."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access, Description, Level
from archivox.collecting.models import Campaign, Offer, OfferFile
from archivox.collecting.services.common import CollectingError, check_capability
from archivox.core.models import User
from archivox.core.selectors import Capability
from archivox.core.services import audit_record

TRANSFER_WORDS = {
    Offer.Transfer.DONATION: "捐赠",
    Offer.Transfer.DEPOSIT: "寄存",
    Offer.Transfer.COPY: "提供复制件",
}


def _campaign_parent(actor: User | None, campaign: Campaign, access_level: str) -> Description:
    """The campaign's place in the catalog: a series chosen by the archive, or a fonds made on
    the first accession (at the chosen access level, so it shows no more than its items)."""
    if campaign.catalog_parent_id is not None:
        return campaign.catalog_parent
    code = f"ZJ-{campaign.slug}"[:100]
    parent = Description.objects.filter(archive=campaign.archive, reference_code=code).first()
    if parent is None:
        parent = catalog_services.description_create(
            actor=actor,
            archive=campaign.archive,
            reference_code=code,
            title=f"{campaign.title}征集档案"[:500],
            level=Level.FONDS,
            scope_content=campaign.summary,
            access_level=access_level,
        )
    Campaign.objects.filter(pk=campaign.pk).update(catalog_parent=parent)
    return parent


def _free_code(archive_id: int, wanted: str) -> str:
    code, n = wanted, 1
    while Description.objects.filter(archive_id=archive_id, reference_code=code).exists():
        n += 1
        code = f"{wanted}-{n}"
    return code


def _provenance(offer: Offer) -> str:
    day = timezone.localtime(offer.created_at).date()
    words = [
        f"来源：{day.year}年{day.month}月{day.day}日经“{offer.campaign.title}”征集，"
        f"由社会公众{TRANSFER_WORDS[offer.transfer]}（征集编号 {offer.pk}）。"
    ]
    if offer.credit_name:
        # Only the name the person chose for the credit; their own name stays in the offer.
        words.append(f"捐赠者：{offer.credit_name}。")
    return "".join(words)


@transaction.atomic
def offer_accession(
    *,
    actor: User | None,
    offer: Offer,
    access_level: str,
    parent: Description | None = None,
) -> Description:
    """Make the accepted ``offer`` draft catalog descriptions at ``access_level``; the file-level
    description made for it."""
    check_capability(actor, offer.archive, Capability.CATALOG_EDIT)
    offer = Offer.objects.select_for_update().select_related("campaign", "archive").get(pk=offer.pk)
    if offer.status != Offer.Status.ACCEPTED:
        raise CollectingError(_("Only an accepted offer can enter the catalog."))
    if access_level not in Access.values:
        raise CollectingError({"access_level": _("Please choose an access level.")})
    if parent is not None and parent.archive_id != offer.archive_id:
        raise CollectingError({"parent": _("The place in the catalog belongs to another archive.")})
    parent = parent or _campaign_parent(actor, offer.campaign, access_level)
    if parent.level not in (Level.FONDS, Level.SERIES):
        raise CollectingError({"parent": _("Offers go below a fonds or a series.")})
    base = _free_code(offer.archive_id, f"{parent.reference_code}-ZJ{offer.pk}")
    provenance = _provenance(offer)
    record = catalog_services.description_create(
        actor=actor,
        archive=offer.archive,
        parent=parent,
        reference_code=base,
        title=offer.title,
        level=Level.FILE,
        date_expression=offer.date_expression,
        scope_content="\n\n".join(part for part in (offer.story, provenance) if part),
        places=[offer.place] if offer.place else [],
        access_level=access_level,
    )
    files = list(offer.files.all())
    for number, offered in enumerate(files, start=1):
        audio = offered.kind == OfferFile.Kind.AUDIO
        scope = provenance
        if audio:
            # The catalog holds pictures and PDFs; a recording (an oral memory) is described
            # like the rest, and its original stays with the offer, which the item names.
            scope = (
                f"{provenance}录音原件（{offered.media_type}，{offered.size // 1024} KB，"
                f"SHA-256 {offered.sha256[:16]}）保存于征集记录 ZJ-{offer.pk:06d}。"
            )
        item = catalog_services.description_create(
            actor=actor,
            archive=offer.archive,
            parent=record,
            reference_code=f"{base}-{number:03d}",
            title=offered.caption
            or (f"{offer.title}（录音）" if audio else f"{offer.title}（之{number}）"),
            level=Level.ITEM,
            date_expression=offer.date_expression,
            scope_content=scope,
            access_level=access_level,
        )
        offered.description = item
        if not audio:
            with offered.file.open("rb") as handle:
                content = handle.read()
            offered.digital_object = catalog_services.digital_object_add(
                actor=actor,
                description=item,
                content=content,
                original_name=offered.original_name,
                caption=offered.caption,
            )
        offered.save(update_fields=["description", "digital_object"])
    offer.status = Offer.Status.ACCESSIONED
    offer.access_level = access_level
    offer.accessioned_by = actor
    offer.accessioned_at = timezone.now()
    offer.save(update_fields=["status", "access_level", "accessioned_by", "accessioned_at"])
    audit_record(
        actor=actor,
        action="offer.accession",
        obj=offer,
        archive=offer.archive,
        after={"description": record.reference_code, "items": len(files), "access": access_level},
    )
    return record
