"""What is exposed: public descriptions and deletion records, only through the access
gateway (``catalog.selectors``), and the sets they belong to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, TextField
from django.db.models.functions import Cast

from archivox.catalog import selectors
from archivox.catalog.models import CollectionEntry, DeletedRecord, Description, DigitalObject


def _public_descriptions() -> QuerySet[Description]:
    # Whether it has an image with a public copy, in the same query: a record whose images the
    # public may see advertises its IIIF manifest.
    images = DigitalObject.objects.filter(
        description_id=OuterRef("pk"), kind=DigitalObject.Kind.IMAGE
    ).exclude(public_file="")
    return selectors.description_list_public().annotate(has_public_image=Exists(images))


def _deleted_records() -> QuerySet[DeletedRecord]:
    # A deletion record is moot while the description is public again (a closure that lapsed
    # by the calendar rather than through an edit leaves its record behind).
    back_in_view = _public_descriptions().filter(
        archive_id=OuterRef("archive_id"), reference_code=OuterRef("reference_code")
    )
    return selectors.deleted_record_list().filter(~Exists(back_in_view))


def _published_collection_ids() -> QuerySet[Any]:
    return selectors.collection_list_public().order_by().values("pk")


def collection_set_specs(descriptions: Sequence[Description]) -> dict[int, list[str]]:
    """setSpecs of many descriptions in one query: the archive, and archive:collection for each
    published featured collection holding it (``selectors.set_specs_for``, in bulk)."""
    specs = {d.pk: [d.archive.slug] for d in descriptions}
    if not specs:
        return specs
    by_pk = {d.pk: d for d in descriptions}
    entries = (
        CollectionEntry.objects.filter(
            description_id__in=list(specs), collection__in=_published_collection_ids()
        )
        .order_by("collection__position", "collection_id")
        .values_list("description_id", "collection__slug")
    )
    for description_id, collection_slug in entries:
        spec = f"{by_pk[description_id].archive.slug}:{collection_slug}"
        if spec not in specs[description_id]:
            specs[description_id].append(spec)
    return specs


def deleted_set_specs(records: Sequence[DeletedRecord]) -> dict[int, list[str]]:
    """setSpecs of deletion records, as recorded when they left public view, less the
    collections that are not (or no longer) published; one query at most."""
    recorded = {record.pk: [str(spec) for spec in record.set_specs or []] for record in records}
    wanted = {spec.split(":", 1)[1] for specs in recorded.values() for spec in specs if ":" in spec}
    published: set[str] = set()
    if wanted:
        published = set(
            selectors.collection_list_public()
            .filter(slug__in=wanted)
            .order_by()
            .values_list("slug", flat=True)
        )
    specs: dict[int, list[str]] = {}
    for record in records:
        slug = record.archive.slug
        kept = [slug]
        for spec in recorded[record.pk]:
            archive_slug, _, collection_slug = spec.partition(":")
            if archive_slug == slug and collection_slug in published and spec not in kept:
                kept.append(spec)
        specs[record.pk] = kept
    return specs


def _in_set(
    descriptions: QuerySet[Description], deleted: QuerySet[DeletedRecord], set_spec: str
) -> tuple[QuerySet[Description], QuerySet[DeletedRecord]]:
    parts = set_spec.split(":")
    if len(parts) == 1 and parts[0]:
        return descriptions.filter(archive__slug=parts[0]), deleted.filter(archive__slug=parts[0])
    if len(parts) == 2 and all(parts):
        archive_slug, collection_slug = parts
        in_collection = CollectionEntry.objects.filter(
            description_id=OuterRef("pk"),
            collection__in=_published_collection_ids().filter(slug=collection_slug),
        )
        # set_specs is a JSON list of slugs; its text holds each spec as a quoted string.
        deleted = (
            deleted.filter(archive__slug=archive_slug)
            .annotate(set_specs_text=Cast("set_specs", TextField()))
            .filter(set_specs_text__contains=f'"{set_spec}"')
            .filter(Exists(_published_collection_ids().filter(slug=collection_slug)))
        )
        return descriptions.filter(archive__slug=archive_slug).filter(
            Exists(in_collection)
        ), deleted
    return descriptions.none(), deleted.none()
