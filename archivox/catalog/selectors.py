"""Reads of the catalog. Public surfaces get catalog material ONLY through the ``*_public``
functions here (the access gateway, DESIGN.md): confidential material and material under a
closure date never leave; restricted material shows its description but not its objects."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from archivox.catalog.models import (
    Access,
    CollectionEntry,
    DeletedRecord,
    Description,
    DigitalObject,
    FeaturedCollection,
)
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability


def public_filter(day: datetime.date | None = None, prefix: str = "") -> Q:
    """The condition a description must meet to be seen by the public on ``day``."""
    day = day or timezone.localdate()
    return Q(**{f"{prefix}effective_access__in": [Access.OPEN, Access.RESTRICTED]}) & (
        Q(**{f"{prefix}effective_closed_until__isnull": True})
        | Q(**{f"{prefix}effective_closed_until__lt": day})
    )


def objects_public_filter(day: datetime.date | None = None, prefix: str = "") -> Q:
    """The condition for a description's digital objects to be shown to the public."""
    return public_filter(day, prefix) & Q(**{f"{prefix}effective_access": Access.OPEN})


def description_list_public(*, archive: Archive | None = None) -> QuerySet[Description]:
    descriptions = Description.objects.filter(public_filter()).select_related("archive")
    if archive is not None:
        descriptions = descriptions.filter(archive=archive)
    return descriptions


def description_get_public(*, archive: Archive, reference_code: str) -> Description:
    """A description the public may see; ``Description.DoesNotExist`` otherwise, so that a
    confidential item is indistinguishable from one that does not exist (404, not 403)."""
    return description_list_public(archive=archive).get(reference_code=reference_code)


def description_get_public_by_id(*, pk: int) -> Description:
    return description_list_public().get(pk=pk)


def description_children_public(*, description: Description) -> QuerySet[Description]:
    return (
        description_list_public(archive=description.archive)
        .filter(parent=description)
        .order_by("position", "reference_code")
    )


def description_roots_public(*, archive: Archive) -> QuerySet[Description]:
    return (
        description_list_public(archive=archive)
        .filter(parent__isnull=True)
        .order_by("position", "reference_code")
    )


def description_breadcrumbs(*, description: Description) -> list[Description]:
    """Ancestors from the root down, in one query. An ancestor is always at least as open as
    its descendant, so a public description never has a hidden ancestor."""
    ids = description.ancestor_ids
    by_id = Description.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def digital_objects_public(*, description: Description) -> list[DigitalObject]:
    """The digital objects the public may see: none for restricted or hidden descriptions."""
    if not description.objects_public_on():
        return []
    return list(description.digital_objects.all())


def digital_object_get_public(*, pk: int) -> DigitalObject:
    return DigitalObject.objects.select_related("description").get(
        objects_public_filter(prefix="description__"), pk=pk
    )


def collection_list_public(*, archive: Archive | None = None) -> QuerySet[FeaturedCollection]:
    collections = FeaturedCollection.objects.filter(is_published=True).select_related(
        "archive", "region", "cover__description"
    )
    if archive is not None:
        collections = collections.filter(archive=archive)
    return collections


def collection_get_public(*, archive: Archive, slug: str) -> FeaturedCollection:
    entries = CollectionEntry.objects.filter(public_filter(prefix="description__")).select_related(
        "description"
    )
    return (
        collection_list_public(archive=archive)
        .prefetch_related(Prefetch("entries", queryset=entries, to_attr="public_entries"))
        .get(slug=slug)
    )


def collection_cover_public(collection: FeaturedCollection) -> DigitalObject | None:
    cover = collection.cover
    if cover is None or not cover.description.objects_public_on():
        return None
    return cover


def set_specs_for(description: Description) -> list[str]:
    """OAI-PMH sets of a description: its archive, and archive:collection for each collection."""
    slug = description.archive.slug
    collections = FeaturedCollection.objects.filter(
        entries__description=description, is_published=True
    ).values_list("slug", flat=True)
    return [slug, *(f"{slug}:{collection}" for collection in collections)]


def deleted_record_list(*, archive: Archive | None = None) -> QuerySet[DeletedRecord]:
    records = DeletedRecord.objects.select_related("archive")
    return records.filter(archive=archive) if archive is not None else records


# Staff reads: every description of an archive, for those who may see closed material.


def description_list_for_staff(*, user: User, archive: Archive) -> QuerySet[Description]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_VIEW_CLOSED)
    return Description.objects.filter(archive=archive)


def description_get_for_staff(*, user: User, archive: Archive, reference_code: str) -> Description:
    return description_list_for_staff(user=user, archive=archive).get(reference_code=reference_code)
