"""Changes to the catalog: descriptions, their tree and access, digital objects, collections.

Every change is permission-checked, audited, and keeps the search index and the OAI-PMH
deletion records right in the same transaction, so no public surface ever sees stale access.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from archivox.catalog import search
from archivox.catalog.iiif import cache as iiif_cache
from archivox.catalog.models import (
    CollectionEntry,
    DeletedRecord,
    Description,
    DigitalObject,
    FeaturedCollection,
    Level,
)
from archivox.catalog.selectors import set_specs_for
from archivox.catalog.signals import access_changed_on_commit
from archivox.catalog.tree import inherit_from, path_for
from archivox.core.models import Archive, User
from archivox.core.public_files import NotCleanable, public_copy
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record, changes_apply, model_update, snapshot

logger = logging.getLogger(__name__)

DESCRIPTION_FIELDS = (
    "reference_code",
    "title",
    "title_en",
    "date_expression",
    "start_year",
    "end_year",
    "level",
    "extent",
    "creator",
    "scope_content",
    "access_conditions",
    "language",
    "subjects",
    "places",
    "people",
    "access_level",
    "closed_until",
    "position",
)
LIST_FIELDS = ("subjects", "places", "people")


class CatalogError(ValidationError):
    """A catalog change that cannot be made (unknown parent, cycle, duplicate code…)."""


def _check_edit(actor: User | None, archive: Archive) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.CATALOG_EDIT)


def _clean_lists(values: dict[str, Any]) -> dict[str, Any]:
    for name in LIST_FIELDS:
        if name in values:
            value = values[name]
            if isinstance(value, str):
                value = [part.strip() for part in value.replace("；", ";").split(";")]
            values[name] = [str(part).strip() for part in value or [] if str(part).strip()]
    return values


def _validate_years(description: Description) -> None:
    if (
        description.start_year is not None
        and description.end_year is not None
        and description.start_year > description.end_year
    ):
        raise CatalogError({"end_year": "the end year is before the start year"})


def _record_visibility_change(description: Description, was_public: bool) -> None:
    """Keep OAI-PMH's persistent deletion records in step with public visibility."""
    now_public = description.is_public_on()
    if was_public and not now_public:
        DeletedRecord.objects.update_or_create(
            archive_id=description.archive_id,
            reference_code=description.reference_code,
            defaults={
                "description_id_was": description.pk,
                "deleted_at": timezone.now(),
                "set_specs": set_specs_for(description),
            },
        )
    elif now_public:
        DeletedRecord.objects.filter(
            archive_id=description.archive_id, reference_code=description.reference_code
        ).delete()


@transaction.atomic
def description_create(
    *, actor: User | None, archive: Archive, parent: Description | None = None, **values: Any
) -> Description:
    """Create a description under ``parent`` (or as a root, usually a fonds)."""
    _check_edit(actor, archive)
    unknown = set(values) - set(DESCRIPTION_FIELDS) - {"is_demo"}
    if unknown:
        raise CatalogError(f"unknown fields: {', '.join(sorted(unknown))}")
    if parent is not None and parent.archive_id != archive.pk:
        raise CatalogError({"parent": "the parent belongs to another archive"})
    level = values.get("level")
    if (
        parent is not None
        and level in Level.values
        and not level_allowed_below(parent.level, level)
    ):
        raise CatalogError({"level": f"a {level} cannot stand below a {parent.level}"})
    description = Description(archive=archive, parent=parent, **_clean_lists(dict(values)))
    inherit_from(description, parent)
    description.path = "/"  # set once the id is known
    _validate_years(description)
    description.full_clean(exclude=["path"])
    description.save()
    description.path = path_for(description.pk, parent)
    Description.objects.filter(pk=description.pk).update(path=description.path)
    search.index_descriptions([description.pk])
    _record_visibility_change(description, was_public=False)
    audit_record(
        actor=actor,
        action="description.create",
        obj=description,
        archive=archive,
        after=snapshot(description, DESCRIPTION_FIELDS),
    )
    return description


def _propagate_to_subtree(description: Description) -> None:
    """Recompute depth/effective access of every descendant after a change at ``description``.

    Walks level by level (a tree is rarely more than a few levels deep), each level in bulk."""
    parents = {description.pk: description}
    while parents:
        children = list(
            Description.objects.filter(parent_id__in=list(parents)).only(
                "id",
                "archive_id",
                "reference_code",
                "parent_id",
                "access_level",
                "closed_until",
                "effective_access",
                "effective_closed_until",
                "depth",
            )
        )
        changed = []
        now = timezone.now()
        for child in children:
            was_public = child.is_public_on()
            before = (child.depth, child.effective_access, child.effective_closed_until)
            inherit_from(child, parents[child.parent_id])
            if before != (child.depth, child.effective_access, child.effective_closed_until):
                # A new datestamp, so incremental OAI-PMH harvests see the change of access.
                child.updated_at = now
                changed.append(child)
                _record_visibility_change(child, was_public)
        Description.objects.bulk_update(
            changed,
            ["depth", "effective_access", "effective_closed_until", "updated_at"],
            batch_size=500,
        )
        parents = {child.pk: child for child in children}


@transaction.atomic
def description_update(
    *, actor: User | None, description: Description, **changes: Any
) -> Description:
    """Change fields of a description; access changes reach the whole subtree at once."""
    unknown = set(changes) - set(DESCRIPTION_FIELDS)
    if unknown:
        raise CatalogError(f"unknown fields: {', '.join(sorted(unknown))}")
    description = Description.objects.select_for_update().get(pk=description.pk)
    _check_edit(actor, description.archive)
    was_public = description.is_public_on()
    before = changes_apply(description, _clean_lists(dict(changes)))
    if not before:
        return description
    changed = list(before)
    parent = description.parent
    inherit_from(description, parent)
    _validate_years(description)
    description.full_clean()
    description.save()
    if {"access_level", "closed_until"} & set(changed):
        _propagate_to_subtree(description)
        access_changed_on_commit(
            archive_id=description.archive_id, description_ids=[description.pk]
        )
    if "reference_code" in changed:
        DeletedRecord.objects.filter(
            archive_id=description.archive_id, reference_code=before["reference_code"]
        ).delete()
    _record_visibility_change(description, was_public)
    search.index_descriptions([description.pk])
    audit_record(
        actor=actor,
        action="description.update",
        obj=description,
        archive=description.archive,
        before=before,
        after=snapshot(description, changed),
    )
    return description


@transaction.atomic
def description_move(
    *,
    actor: User | None,
    description: Description,
    new_parent: Description | None,
    position: int | None = None,
) -> Description:
    """Move a description and its whole subtree under ``new_parent`` (None: make it a root).

    Paths of the subtree change in one UPDATE; access is re-derived from the new ancestors."""
    description = Description.objects.select_for_update().get(pk=description.pk)
    _check_edit(actor, description.archive)
    if new_parent is not None:
        new_parent = Description.objects.get(pk=new_parent.pk)
        if new_parent.archive_id != description.archive_id:
            raise CatalogError({"parent": "cannot move a description into another archive"})
        if new_parent.path.startswith(description.path):
            raise CatalogError(
                {
                    "parent": f"{new_parent.reference_code} is inside "
                    f"{description.reference_code}; moving there would make a cycle"
                }
            )
        if not level_allowed_below(new_parent.level, description.level):
            raise CatalogError(
                {"parent": f"a {description.level} cannot stand below a {new_parent.level}"}
            )
    before = {
        "parent": description.parent.reference_code if description.parent_id else None,
        "position": description.position,
    }
    was_public = description.is_public_on()
    old_path = description.path
    new_path = path_for(description.pk, new_parent)
    if old_path != new_path:
        _replace_path_prefix(old_path, new_path)
    description.parent = new_parent
    description.path = new_path
    if position is not None:
        description.position = position
    inherit_from(description, new_parent)
    description.save(
        update_fields=[
            "parent",
            "path",
            "position",
            "depth",
            "effective_access",
            "effective_closed_until",
            "updated_at",
        ]
    )
    _propagate_to_subtree(description)
    _record_visibility_change(description, was_public)
    # New ancestors may make the subtree stricter.
    access_changed_on_commit(archive_id=description.archive_id, description_ids=[description.pk])
    audit_record(
        actor=actor,
        action="description.move",
        obj=description,
        archive=description.archive,
        before=before,
        after={
            "parent": new_parent.reference_code if new_parent else None,
            "position": description.position,
        },
    )
    return description


def _replace_path_prefix(old_prefix: str, new_prefix: str) -> None:
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    Description.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1))
    )


@transaction.atomic
def description_delete(*, actor: User | None, description: Description) -> None:
    """Delete a description without children; harvesters are told it is deleted."""
    description = Description.objects.select_for_update().get(pk=description.pk)
    _check_edit(actor, description.archive)
    if description.children.exists():
        raise CatalogError(
            f"{description.reference_code} has descriptions below it; move or delete them first"
        )
    was_public = description.is_public_on()
    before = snapshot(description, DESCRIPTION_FIELDS)
    if was_public:
        DeletedRecord.objects.update_or_create(
            archive_id=description.archive_id,
            reference_code=description.reference_code,
            defaults={
                "description_id_was": description.pk,
                "deleted_at": timezone.now(),
                "set_specs": set_specs_for(description),
            },
        )
    search.unindex_descriptions([description.pk])
    audit_record(
        actor=actor,
        action="description.delete",
        obj=description,
        archive=description.archive,
        before=before,
    )
    for digital_object in description.digital_objects.all():
        digital_object_delete(actor=actor, digital_object=digital_object)
    description.delete()


def descriptions_in_subtree(description: Description) -> Iterable[Description]:
    return Description.objects.filter(path__startswith=description.path)


def level_allowed_below(parent_level: str | None, level: str) -> bool:
    """Levels go down the hierarchy (fonds → series → file → item); skipping is allowed."""
    from archivox.catalog.models import LEVEL_ORDER

    if parent_level is None:
        return True
    return LEVEL_ORDER[Level(level)] > LEVEL_ORDER[Level(parent_level)]


# Digital objects ---------------------------------------------------------------------------

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (400, 400)


@dataclasses.dataclass(frozen=True)
class SniffedFile:
    kind: str
    media_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def sniff_digital_object(content: bytes) -> SniffedFile:
    """Decide what an upload is by its bytes, never by its name or the browser's word."""
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-2048:]:
            raise CatalogError({"file": "the PDF is truncated (no end-of-file marker)"})
        return SniffedFile(DigitalObject.Kind.PDF, "application/pdf", "pdf")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CatalogError(
            {"file": "not a supported image (JPEG, PNG, GIF, WebP) or PDF file"}
        ) from exc
    except Image.DecompressionBombError as exc:
        raise CatalogError({"file": f"the image is too large to process ({exc})"}) from exc
    if image_format not in IMAGE_FORMATS:
        raise CatalogError({"file": f"{image_format} images are not accepted; use JPEG or PNG"})
    extension = "jpg" if image_format == "JPEG" else image_format.lower()
    return SniffedFile(
        DigitalObject.Kind.IMAGE, IMAGE_FORMATS[image_format], extension, width, height
    )


def _public_copy(content: bytes) -> bytes | None:
    """The upload without its metadata, or None when none can be made (a PDF that qpdf cannot
    read): the object is then kept for staff and never shown to the public."""
    try:
        return public_copy(content)[0]
    except NotCleanable as exc:
        logger.warning("no public copy of an upload: %s", exc)
        return None


def _thumbnail(content: bytes) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(content)) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82, optimize=True)
        return out.getvalue()


@transaction.atomic
def digital_object_add(
    *,
    actor: User | None,
    description: Description,
    content: bytes,
    original_name: str = "",
    caption: str = "",
) -> DigitalObject:
    """Attach an image or PDF to a description. The type is checked by content, the size is
    limited, the file is stored under a generated name (never the uploader's) and never run."""
    _check_edit(actor, description.archive)
    if not content:
        raise CatalogError({"file": "the file is empty"})
    if len(content) > settings.MAX_UPLOAD_BYTES:
        raise CatalogError(
            {
                "file": f"the file is {len(content) // (1024 * 1024)} MB; "
                f"the limit is {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
            }
        )
    sniffed = sniff_digital_object(content)
    digest = hashlib.sha256(content).hexdigest()
    position = description.digital_objects.count()
    digital_object = DigitalObject(
        description=description,
        kind=sniffed.kind,
        original_name=Path(original_name).name[:255],
        media_type=sniffed.media_type,
        size=len(content),
        sha256=digest,
        width=sniffed.width,
        height=sniffed.height,
        caption=caption,
        position=position,
    )
    stem = f"{digest[:16]}-{uuid.uuid4().hex[:8]}"
    digital_object.file.save(f"{stem}.{sniffed.extension}", ContentFile(content), save=False)
    public = _public_copy(content)
    if public is not None:
        digital_object.public_file.save(
            f"{stem}.{sniffed.extension}", ContentFile(public), save=False
        )
        if sniffed.kind == DigitalObject.Kind.IMAGE:
            # From the public copy: a thumbnail of the original would keep its comments and XMP.
            digital_object.thumbnail.save(
                f"{stem}.jpg", ContentFile(_thumbnail(public)), save=False
            )
    try:
        digital_object.full_clean()
        digital_object.save()
    except Exception:
        _remove_files(digital_object)
        raise
    # A public image lifts the description in a broad search's static order.
    search.refresh_quality([description.pk])
    audit_record(
        actor=actor,
        action="digital_object.add",
        obj=digital_object,
        archive=description.archive,
        after={
            "description": description.reference_code,
            "media_type": sniffed.media_type,
            "size": len(content),
            "sha256": digest,
        },
    )
    return digital_object


def _remove_files(digital_object: DigitalObject) -> None:
    for field in (digital_object.file, digital_object.public_file, digital_object.thumbnail):
        if field:
            field.storage.delete(field.name)


@transaction.atomic
def digital_object_delete(*, actor: User | None, digital_object: DigitalObject) -> None:
    description = digital_object.description
    _check_edit(actor, description.archive)
    audit_record(
        actor=actor,
        action="digital_object.delete",
        obj=digital_object,
        archive=description.archive,
        before={"description": description.reference_code, "sha256": digital_object.sha256},
    )
    object_id = digital_object.pk
    digital_object.delete()
    search.refresh_quality([description.pk])
    # The files go only once the deletion is committed, and its IIIF derivatives with them.
    transaction.on_commit(lambda: _remove_files(digital_object))
    transaction.on_commit(lambda: iiif_cache.derivatives_purge(object_ids=[object_id]))


# Featured collections ----------------------------------------------------------------------

COLLECTION_FIELDS = (
    "slug",
    "title",
    "title_en",
    "introduction",
    "region",
    "position",
    "is_published",
)


@transaction.atomic
def collection_create(
    *, actor: User | None, archive: Archive, slug: str, title: str, **values: Any
) -> FeaturedCollection:
    _check_edit(actor, archive)
    collection = FeaturedCollection(archive=archive, slug=slug, title=title, **values)
    collection.full_clean()
    collection.save()
    audit_record(
        actor=actor,
        action="collection.create",
        obj=collection,
        archive=archive,
        after=snapshot(collection, COLLECTION_FIELDS),
    )
    return collection


@transaction.atomic
def collection_update(
    *, actor: User | None, collection: FeaturedCollection, **changes: Any
) -> FeaturedCollection:
    _check_edit(actor, collection.archive)
    allowed = set(COLLECTION_FIELDS) | {"cover"}
    unknown = set(changes) - allowed
    if unknown:
        raise CatalogError(f"unknown fields: {', '.join(sorted(unknown))}")
    cover = changes.get("cover")
    if cover is not None and cover.description.archive_id != collection.archive_id:
        raise CatalogError({"cover": "the cover image belongs to another archive"})
    model_update(
        actor=actor,
        instance=collection,
        changes=changes,
        action="collection.update",
        archive=collection.archive,
    )
    if "is_published" in changes:
        # Being featured lifts a description in a broad search's static order.
        search.refresh_quality(collection.entries.values_list("description_id", flat=True))
    return collection


@transaction.atomic
def collection_set_entries(
    *, actor: User | None, collection: FeaturedCollection, descriptions: Iterable[Description]
) -> list[CollectionEntry]:
    """Replace the collection's contents with ``descriptions``, in that order."""
    _check_edit(actor, collection.archive)
    descriptions = list(descriptions)
    foreign = [d.reference_code for d in descriptions if d.archive_id != collection.archive_id]
    if foreign:
        raise CatalogError({"entries": f"from another archive: {', '.join(foreign)}"})
    before = list(collection.entries.values_list("description__reference_code", flat=True))
    before_ids = list(collection.entries.values_list("description_id", flat=True))
    collection.entries.all().delete()
    entries = CollectionEntry.objects.bulk_create(
        [
            CollectionEntry(collection=collection, description=description, position=index)
            for index, description in enumerate(descriptions)
        ]
    )
    search.refresh_quality({*before_ids, *(d.pk for d in descriptions)})
    audit_record(
        actor=actor,
        action="collection.set_entries",
        obj=collection,
        archive=collection.archive,
        before={"entries": before},
        after={"entries": [d.reference_code for d in descriptions]},
    )
    return entries
