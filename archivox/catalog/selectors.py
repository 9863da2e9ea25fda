"""Reads of the catalog. Public surfaces get catalog material ONLY through the ``*_public``
functions here (the access gateway, DESIGN.md): confidential material and material under a
closure date never leave; restricted material shows its description but not its objects."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from archivox.catalog.models import (
    Access,
    CollectionEntry,
    DeletedRecord,
    Description,
    DigitalObject,
    FeaturedCollection,
    PublicDemand,
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


def description_ids_open_public(*, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the descriptions the public may see today that are open (not restricted):
    what an automatic answer may name. One query, however many ids."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set(
        Description.objects.filter(
            public_filter(), effective_access=Access.OPEN, pk__in=wanted
        ).values_list("pk", flat=True)
    )


def descriptions_open_public_by_id(
    *, ids: Iterable[int], archive_id: int, fields: Iterable[str]
) -> dict[int, Description]:
    """Of ``ids``, the descriptions of ``archive_id`` the public may see today that are open
    (``description_ids_open_public``'s rule), by id, with only ``fields`` loaded (attribute
    names; the rest deferred). Hand-written SQL: it runs for every automatic answer from the
    catalog, where building the ORM query cost several times the indexed read itself
    (tests/catalog/test_access_gateway_sql.py holds it to ``public_filter``)."""
    wanted = list(dict.fromkeys(int(pk) for pk in ids))
    if not wanted:
        return {}
    meta = Description._meta
    wanted_fields = {"id", *fields}
    # In the model's order (``from_db`` takes the values so), plain columns only: the values
    # are not converted as the ORM would (a JSON field would stay text).
    names = [field.attname for field in meta.concrete_fields if field.attname in wanted_fields]
    unknown = wanted_fields - set(names)
    plain = {"AutoField", "BigAutoField", "CharField", "TextField", "IntegerField", "ForeignKey"}
    odd = [name for name in names if meta.get_field(name).get_internal_type() not in plain]
    if unknown or odd:
        raise ValueError(f"not plain columns of a description: {sorted(unknown | set(odd))}")
    ops = connection.ops
    column = {field.attname: ops.quote_name(field.column) for field in meta.concrete_fields}
    sql = (
        f"SELECT {', '.join(column[name] for name in names)} "  # noqa: S608 - names are ours
        f"FROM {ops.quote_name(meta.db_table)} "
        f"WHERE {column['id']} IN ({', '.join(['%s'] * len(wanted))}) "
        f"AND {column['archive_id']} = %s AND {column['effective_access']} = %s "
        f"AND ({column['effective_closed_until']} IS NULL "
        f"OR {column['effective_closed_until']} < %s)"
    )
    day = ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*wanted, int(archive_id), Access.OPEN.value, day])
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        description = Description.from_db(connection.alias, names, row)
        found[description.pk] = description
    return found


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
    """The digital objects the public may see: none for restricted or hidden descriptions, and
    only those with a public copy (the original, with its metadata, is for staff)."""
    if not description.objects_public_on():
        return []
    return [obj for obj in description.digital_objects.all() if obj.public_file]


def digital_object_get_public(*, pk: int) -> DigitalObject:
    return (
        DigitalObject.objects.select_related("description")
        .exclude(public_file="")
        .get(objects_public_filter(prefix="description__"), pk=pk)
    )


def image_get_public(*, pk: int) -> DigitalObject:
    """An image the public may see today, for IIIF (its description open, public and out of
    any closure, with a public copy); ``DigitalObject.DoesNotExist`` otherwise, so that a hidden
    image answers exactly as one that never existed."""
    return (
        DigitalObject.objects.select_related("description__archive")
        .exclude(public_file="")
        .get(objects_public_filter(prefix="description__"), kind=DigitalObject.Kind.IMAGE, pk=pk)
    )


def images_public(*, description: Description) -> list[DigitalObject]:
    """The images of a description the public may see, in order (its IIIF canvases)."""
    return [
        obj
        for obj in digital_objects_public(description=description)
        if obj.kind == DigitalObject.Kind.IMAGE
    ]


def description_ids_with_public_images(*, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the descriptions that have a IIIF manifest: public today, open, with at
    least one image with a public copy. One query, however many ids."""
    wanted = list(ids)
    if not wanted:
        return set()
    images = DigitalObject.objects.filter(
        description_id=OuterRef("pk"), kind=DigitalObject.Kind.IMAGE
    ).exclude(public_file="")
    return set(
        Description.objects.filter(objects_public_filter(), Exists(images), pk__in=wanted)
        .order_by()
        .values_list("pk", flat=True)
    )


def digital_object_ids_below(*, description_ids: Iterable[int]) -> list[int]:
    """Every digital object of these descriptions and their subtrees, whatever its access
    (what a change of access may concern)."""
    paths = list(
        Description.objects.filter(pk__in=list(description_ids)).values_list("path", flat=True)
    )
    if not paths:
        return []
    below = Q()
    for path in paths:
        below |= Q(description__path__startswith=path)
    return list(DigitalObject.objects.filter(below).values_list("pk", flat=True))


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
    if cover is None or not cover.public_file or not cover.description.objects_public_on():
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


def description_get_for_staff_by_id(*, user: User, archive: Archive, pk: int) -> Description:
    return (
        description_list_for_staff(user=user, archive=archive)
        .select_related("parent", "archive")
        .get(pk=pk)
    )


def description_children_for_staff(
    *, user: User, archive: Archive, parent: Description | None
) -> QuerySet[Description]:
    """One level of the tree (the roots when ``parent`` is None), each row knowing whether it
    has children of its own and how many digital objects, so a tree view needs one query."""
    children = Description.objects.filter(parent_id=OuterRef("pk"))
    objects = (
        DigitalObject.objects.filter(description_id=OuterRef("pk"))
        .order_by()
        .values("description_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        description_list_for_staff(user=user, archive=archive)
        .filter(parent=parent)
        .annotate(has_children=Exists(children), object_count=Subquery(objects))
        .order_by("position", "reference_code")
    )


def digital_object_list_for_staff(*, user: User, description: Description) -> list[DigitalObject]:
    archive_check_capability(
        user=user, archive=description.archive, capability=Capability.CATALOG_VIEW_CLOSED
    )
    return list(description.digital_objects.all())


def digital_object_get_for_staff(*, user: User, pk: int) -> DigitalObject:
    """Any digital object, whatever its access, for staff of its archive (the console's
    thumbnails); ``ArchivePermissionDenied`` for anyone else."""
    digital_object = DigitalObject.objects.select_related("description__archive").get(pk=pk)
    archive_check_capability(
        user=user,
        archive=digital_object.description.archive,
        capability=Capability.CATALOG_VIEW_CLOSED,
    )
    return digital_object


def collection_list_for_staff(*, user: User, archive: Archive) -> QuerySet[FeaturedCollection]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_VIEW_CLOSED)
    return (
        FeaturedCollection.objects.filter(archive=archive)
        .select_related("cover")
        .annotate(entry_count=Count("entries"))
        .order_by("position", "id")
    )


def collection_get_for_staff(*, user: User, archive: Archive, pk: int) -> FeaturedCollection:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_VIEW_CLOSED)
    entries = CollectionEntry.objects.select_related("description").order_by("position", "id")
    return (
        FeaturedCollection.objects.filter(archive=archive)
        .prefetch_related(Prefetch("entries", queryset=entries, to_attr="staff_entries"))
        .get(pk=pk)
    )


def description_closures_ending(
    *, user: User, archive: Archive, within_days: int = 30
) -> QuerySet[Description]:
    """Descriptions whose own closure date ends within ``within_days``: they will open to the
    public on their own, so staff should check them first."""
    today = timezone.localdate()
    return (
        description_list_for_staff(user=user, archive=archive)
        .filter(
            closed_until__gte=today,
            closed_until__lte=today + datetime.timedelta(days=within_days),
        )
        .exclude(effective_access=Access.CONFIDENTIAL)
        .order_by("closed_until", "reference_code")
    )


def closure_ending_counts(
    *, user: User, archives: list[Archive], within_days: int = 30
) -> dict[int, int]:
    """How many descriptions' closure ends within ``within_days``, per archive, in one query;
    only for archives where ``user`` may see closed material."""
    from archivox.core.selectors import user_capabilities_by_archive

    capabilities = user_capabilities_by_archive(user=user, archives=archives)
    allowed = [pk for pk, caps in capabilities.items() if Capability.CATALOG_VIEW_CLOSED in caps]
    today = timezone.localdate()
    rows = (
        Description.objects.filter(
            archive_id__in=allowed,
            closed_until__gte=today,
            closed_until__lte=today + datetime.timedelta(days=within_days),
        )
        .exclude(effective_access=Access.CONFIDENTIAL)
        .order_by()
        .values("archive_id")
        .annotate(count=Count("id"))
    )
    return {row["archive_id"]: row["count"] for row in rows}


def collection_cover_candidates(
    *, user: User, collection: FeaturedCollection
) -> list[DigitalObject]:
    """The images of a collection's descriptions, any of which may be its cover."""
    archive_check_capability(
        user=user, archive=collection.archive, capability=Capability.CATALOG_VIEW_CLOSED
    )
    return list(
        DigitalObject.objects.filter(
            description__collection_entries__collection=collection,
            kind=DigitalObject.Kind.IMAGE,
        )
        .select_related("description")
        .order_by("description__collection_entries__position", "position", "id")
    )


# Demand (issue 23): what the public asked of the catalog, as counts only. ------------------


def public_demand_counts(
    *, archives: Iterable[Archive] | None, kind: str, since: datetime.date
) -> list[tuple[str, int]]:
    """(key, count) since ``since``, most first: search terms, reference codes or collection
    slugs of ``archives`` (every archive, and searches of all of them, when None)."""
    rows = PublicDemand.objects.filter(kind=kind, day__gte=since)
    if archives is not None:
        rows = rows.filter(archive__in=list(archives))
    return list(
        rows.values("key").annotate(n=Sum("count")).order_by("-n", "key").values_list("key", "n")
    )


def demand_min_count() -> int:
    """The smallest count of public demand shown anywhere (``ARCHIVOX_DEMAND_MIN_COUNT``,
    default 5, never under 2): a smaller one could point at one person."""
    return max(2, int(getattr(settings, "ARCHIVOX_DEMAND_MIN_COUNT", 5)))


def public_demand_top_by_archive(
    *,
    archive_ids: Iterable[int],
    kind: str,
    since: datetime.date,
    until: datetime.date | None = None,
    top: int = 5,
) -> dict[int, list[tuple[str, int]]]:
    """Each archive's ``top`` keys of ``kind`` counted at least ``demand_min_count()`` times
    from ``since`` to ``until``, most first, in one query (for the survey's indicators)."""
    rows = PublicDemand.objects.filter(kind=kind, day__gte=since, archive_id__in=list(archive_ids))
    if until is not None:
        rows = rows.filter(day__lte=until)
    found: dict[int, list[tuple[str, int]]] = {}
    for archive_id, key, n in (
        rows.values("archive_id", "key")
        .annotate(n=Sum("count"))
        .filter(n__gte=demand_min_count())
        .order_by("archive_id", "-n", "key")
        .values_list("archive_id", "key", "n")
    ):
        kept = found.setdefault(archive_id, [])
        if len(kept) < top:
            kept.append((key, n))
    return found


def public_demand_by_day(
    *, archives: Iterable[Archive] | None, kind: str, since: datetime.date
) -> list[tuple[datetime.date, int]]:
    rows = PublicDemand.objects.filter(kind=kind, day__gte=since)
    if archives is not None:
        rows = rows.filter(archive__in=list(archives))
    return list(rows.values("day").annotate(n=Sum("count")).order_by("day").values_list("day", "n"))


def description_titles(*, archive_ids: Iterable[int], codes: Iterable[str]) -> dict[str, str]:
    """Titles of public descriptions by reference code (for the demand dashboard)."""
    found = description_list_public().filter(
        archive_id__in=list(archive_ids), reference_code__in=list(codes)
    )
    return dict(found.values_list("reference_code", "title"))
