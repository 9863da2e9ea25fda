"""Reads of collecting: campaigns for the public, offers for the archive's staff."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from archivox.collecting.models import Campaign, Offer, OfferFile
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability


def campaign_list_public(*, archive: Archive) -> QuerySet[Campaign]:
    return Campaign.objects.filter(archive=archive, is_open=True).order_by("-created_at")


def campaign_get_public(*, archive: Archive, slug: str) -> Campaign:
    return Campaign.objects.select_related("archive").get(archive=archive, slug=slug)


def campaign_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Campaign]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_EDIT)
    return Campaign.objects.filter(archive=archive).annotate(
        waiting=Count("offers", filter=Q(offers__status=Offer.Status.SUBMITTED)),
        total=Count("offers"),
    )


def offer_list_for_staff(
    *, user: User, archive: Archive, status: str | None = None
) -> QuerySet[Offer]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_EDIT)
    offers = (
        Offer.objects.filter(archive=archive)
        .select_related("campaign")
        .annotate(file_count=Count("files"))
    )
    if status in Offer.Status.values:
        offers = offers.filter(status=status)
    return offers


def offer_get_for_staff(*, user: User, archive: Archive, pk: int) -> Offer:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_EDIT)
    return (
        Offer.objects.select_related("campaign", "archive", "reviewed_by", "accessioned_by")
        .prefetch_related("files__description")
        .get(archive=archive, pk=pk)
    )


def offer_file_get_for_staff(*, user: User, archive: Archive, pk: int) -> OfferFile:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_EDIT)
    return OfferFile.objects.select_related("offer").get(offer__archive=archive, pk=pk)


def offer_counts_by_status(*, archive: Archive) -> dict[str, int]:
    rows = Offer.objects.filter(archive=archive).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
