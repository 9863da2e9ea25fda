"""Archival descriptions (ISAD(G)), their digital objects and featured collections.

The tree is stored as an adjacency list plus a materialised path (``/12/45/678/``), so children,
breadcrumbs and whole subtrees are each one indexed query, and moving a subtree is one UPDATE.
The effective access of a description (its own level, made stricter by every ancestor) is stored
on the row, so the public gateway filters with a plain WHERE at any size of catalog.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archivox.core.models import Archive, Region


class Level(models.TextChoices):
    FONDS = "fonds", _("fonds")
    SERIES = "series", _("series")
    FILE = "file", _("file")
    ITEM = "item", _("item")


LEVEL_ORDER = {Level.FONDS: 0, Level.SERIES: 1, Level.FILE: 2, Level.ITEM: 3}


class Access(models.TextChoices):
    OPEN = "open", _("open")
    RESTRICTED = "restricted", _("restricted")
    CONFIDENTIAL = "confidential", _("confidential")


ACCESS_STRICTNESS = {Access.OPEN: 0, Access.RESTRICTED: 1, Access.CONFIDENTIAL: 2}


def stricter_access(first: str, second: str) -> str:
    return first if ACCESS_STRICTNESS[first] >= ACCESS_STRICTNESS[second] else second


class Description(models.Model):
    archive = models.ForeignKey(
        Archive, on_delete=models.PROTECT, related_name="descriptions", verbose_name=_("archive")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent description"),
    )
    # Materialised path of ancestor ids and this id, e.g. "/12/45/678/"; depth 0 is a root.
    path = models.CharField(
        _("materialised path"), max_length=255, db_index=True, editable=False, default=""
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    position = models.PositiveIntegerField(_("position among siblings"), default=0)

    # ISAD(G) 3.1 identity statement
    reference_code = models.CharField(_("reference code"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title in English"), max_length=500, blank=True)
    date_expression = models.CharField(_("dates (as written)"), max_length=200, blank=True)
    start_year = models.SmallIntegerField(_("start year"), null=True, blank=True)
    end_year = models.SmallIntegerField(_("end year"), null=True, blank=True)
    level = models.CharField(_("level of description"), max_length=10, choices=Level.choices)
    extent = models.CharField(_("extent and medium"), max_length=300, blank=True)
    # 3.2 context, 3.3 content, 3.4 conditions of access and use
    creator = models.CharField(_("creator"), max_length=300, blank=True)
    scope_content = models.TextField(_("scope and content"), blank=True)
    access_conditions = models.TextField(_("conditions governing access"), blank=True)
    language = models.CharField(_("language of material"), max_length=100, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    places = models.JSONField(_("place names"), default=list, blank=True)
    people = models.JSONField(_("people"), default=list, blank=True)

    access_level = models.CharField(
        _("access level"), max_length=12, choices=Access.choices, default=Access.OPEN
    )
    closed_until = models.DateField(_("closed until"), null=True, blank=True)
    # Derived from the ancestors by catalog.services; never set by hand.
    effective_access = models.CharField(
        _("effective access level"),
        max_length=12,
        choices=Access.choices,
        default=Access.OPEN,
        editable=False,
    )
    effective_closed_until = models.DateField(
        _("effective closure date"), null=True, blank=True, editable=False
    )

    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "reference_code"], name="description_reference_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "position"]),
            models.Index(fields=["archive", "level"]),
            models.Index(fields=["effective_access", "effective_closed_until"]),
            models.Index(fields=["start_year", "end_year"]),
            # A broad search looks up the description titled exactly as the query.
            models.Index(fields=["title"], name="catalog_des_title_idx"),
            # The descriptions the public may not see today or ever (confidential, restricted
            # or with a closure date; about 5 % of a catalog): PostgreSQL ranks a search's
            # window from the index rows alone and looks up only whether each match is among
            # these (issue 24: the rare band's window, 2.8 -> 2.3 ms at a million).
            models.Index(
                fields=["id"],
                condition=~models.Q(effective_access="open")
                | models.Q(effective_closed_until__isnull=False),
                name="catalog_des_maybe_hidden",
            ),
        ]
        verbose_name = _("description")
        verbose_name_plural = _("descriptions")

    def __str__(self) -> str:
        return f"{self.reference_code} {self.title}"

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_public_on(self, day: datetime.date | None = None) -> bool:
        """Whether the public may see this description at all (not whether its objects show)."""
        day = day or timezone.localdate()
        if self.effective_access == Access.CONFIDENTIAL:
            return False
        return self.effective_closed_until is None or self.effective_closed_until < day

    def objects_public_on(self, day: datetime.date | None = None) -> bool:
        return self.is_public_on(day) and self.effective_access == Access.OPEN


class SearchText(models.Model):
    """The jieba-segmented text of a description, as the full-text index reads it.

    On SQLite an FTS5 table indexes these rows (kept in step by triggers); on PostgreSQL a
    generated tsvector column with a GIN index does. Being an ordinary table, it is deleted with
    its description and flushed with the rest, so the index can never outlive its rows."""

    description = models.OneToOneField(
        Description,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_text",
        verbose_name=_("description"),
    )
    title = models.TextField(_("title (segmented)"))
    body = models.TextField(_("text (segmented)"))
    # The description's static worth for a broad query (featured, has images, level; see
    # search.quality_of) and its place in the static order: rank_key is (7 - quality) << 40 | id,
    # so the best descriptions come first. SQLite's FTS5 table uses it as its rowid, so a posting
    # list is read in that order and a broad query stops after the first few thousand.
    quality = models.SmallIntegerField(_("static quality"), default=0)
    rank_key = models.BigIntegerField(_("rank key"), unique=True, null=True)
    # The description's archive, copied here so that PostgreSQL reads one archive's matches in
    # the static order from an index of its own (archive, rank_key) instead of every archive's
    # (issue 24: an auto-reply or an archive's search page). Only a shortcut: the archive
    # filter is still applied to the description row. No constraint: the row goes with its
    # description, and adding one would make SQLite rebuild the table without its triggers.
    archive_id = models.BigIntegerField(_("archive ID (copy)"), null=True)
    # The description's titles as written, copied here for the ranking's title tier (the title
    # as written first, then the shortest title holding the query): PostgreSQL ranks a window
    # from these rows without reading each match's description (issue 24). Written with the
    # rest of the row (search.index_rows); null only until then (adding a non-null column
    # would make SQLite rebuild the table without its triggers).
    written_title = models.TextField(_("title as written"), null=True)  # noqa: DJ001 - see above
    written_title_en = models.TextField(_("title in English as written"), null=True)  # noqa: DJ001 - see above

    class Meta:
        indexes = [
            models.Index(fields=["archive_id", "rank_key"], name="catalog_searchtext_archive"),
        ]
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")

    def __str__(self) -> str:
        return self.title[:80]


class DigitalObject(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("image")
        PDF = "pdf", _("PDF")

    description = models.ForeignKey(
        Description,
        on_delete=models.CASCADE,
        related_name="digital_objects",
        verbose_name=_("description"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The original as uploaded, for staff only (console); the public and the platforms get
    # ``public_file``, the same picture or PDF without its metadata (core.public_files), or
    # nothing when no such copy could be made.
    file = models.FileField(_("original file"), upload_to="objects/%Y/%m/", max_length=300)
    public_file = models.FileField(
        _("public copy"), upload_to="public/%Y/%m/", max_length=300, blank=True
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="thumbnails/%Y/%m/", max_length=300, blank=True
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("file size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    width = models.PositiveIntegerField(_("width (pixels)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (pixels)"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["description", "position", "id"]
        verbose_name = _("digital object")
        verbose_name_plural = _("digital objects")

    def __str__(self) -> str:
        return self.original_name or self.file.name


class FeaturedCollection(models.Model):
    """A curated, ordered set of descriptions, e.g. "Jinling historical archives" (paper §4.3)."""

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="featured_collections",
        verbose_name=_("archive"),
    )
    slug = models.SlugField(_("short name"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    cover = models.ForeignKey(
        DigitalObject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("region")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["archive", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="collection_slug_unique"),
        ]
        verbose_name = _("featured collection")
        verbose_name_plural = _("featured collections")

    def __str__(self) -> str:
        return self.title


class CollectionEntry(models.Model):
    collection = models.ForeignKey(
        FeaturedCollection,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("featured collection"),
    )
    description = models.ForeignKey(
        Description,
        on_delete=models.CASCADE,
        related_name="collection_entries",
        verbose_name=_("description"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["collection", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "description"], name="collection_entry_unique"
            ),
        ]
        verbose_name = _("collection entry")
        verbose_name_plural = _("collection entries")

    def __str__(self) -> str:
        return f"{self.collection} · {self.description}"


class DeletedRecord(models.Model):
    """A description that harvesters saw and that is gone from public view (deleted, or made
    confidential or closed). OAI-PMH reports it as deleted, persistently."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    description_id_was = models.BigIntegerField(_("former description ID"), db_index=True)
    reference_code = models.CharField(_("reference code"), max_length=100)
    set_specs = models.JSONField(_("OAI sets"), default=list)
    deleted_at = models.DateTimeField(_("deleted at"), db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "reference_code"], name="deleted_record_unique"
            ),
        ]
        ordering = ["deleted_at", "id"]
        verbose_name = _("deleted record")
        verbose_name_plural = _("deleted records")

    def __str__(self) -> str:
        return f"deleted {self.reference_code}"


class PublicDemand(models.Model):
    """What the public asks of the catalog, counted per day: the terms searched (and those that
    found nothing), the descriptions and collections looked at. A count and a key, nothing about
    who asked (issue 23: demand analytics)."""

    class Kind(models.TextChoices):
        SEARCH = "search", _("search")
        ZERO_HITS = "zero_hits", _("search without results")
        DESCRIPTION = "description", _("description viewed")
        COLLECTION = "collection", _("collection viewed")

    # Empty for a search of every archive at once.
    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("archive"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The normalised search term, the reference code, or the collection's slug.
    key = models.CharField(_("search term or key"), max_length=200)
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "kind", "key", "day"],
                condition=models.Q(archive__isnull=False),
                name="public_demand_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "day"],
                condition=models.Q(archive__isnull=True),
                name="public_demand_once_everywhere",
            ),
        ]
        indexes = [models.Index(fields=["kind", "day"])]
        verbose_name = _("public demand")
        verbose_name_plural = _("public demand figures")

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.day} {self.count}"
