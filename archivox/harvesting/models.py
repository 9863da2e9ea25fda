"""Other repositories' records, harvested over OAI-PMH into a union catalog (issue 22).

Harvested records are never descriptions of ours: they live in their own table with their own
full-text index, so nothing that publishes our holdings (OAI-PMH, feeds, sitemaps, the
publishing desk) can pick them up by accident. Each one keeps its repository and a link back
to the record where it is held."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.core.models import Archive


class Repository(models.Model):
    class MetadataPrefix(models.TextChoices):
        OAI_DC = "oai_dc", _("Dublin Core (oai_dc)")
        OAI_EAD = "oai_ead", _("EAD (oai_ead)")

    class Schedule(models.TextChoices):
        MANUAL = "manual", _("only by hand")
        HOURLY = "hourly", _("every hour")
        DAILY = "daily", _("every day")
        WEEKLY = "weekly", _("every week")

    # The archive that registered the repository and manages its harvests; the records are
    # shown installation-wide (the province's union catalog).
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("base URL"), max_length=500)
    metadata_prefix = models.CharField(
        _("metadata format"),
        max_length=20,
        choices=MetadataPrefix.choices,
        default=MetadataPrefix.OAI_DC,
    )
    set_specs = models.JSONField(_("sets"), default=list, blank=True)
    schedule = models.CharField(
        _("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.DAILY
    )
    is_active = models.BooleanField(_("active"), default=True)
    # What Identify said at the last harvest.
    remote_name = models.CharField(_("repository's own name"), max_length=300, blank=True)
    granularity = models.CharField(_("datestamp granularity"), max_length=30, blank=True)
    deleted_record = models.CharField(_("deleted-record policy"), max_length=12, blank=True)
    # The responseDate of the last complete harvest: the ``from`` of the next one.
    harvested_until = models.DateTimeField(_("harvested until"), null=True, blank=True)
    last_harvest_at = models.DateTimeField(_("last harvested at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["base_url", "metadata_prefix"], name="repository_url_prefix_unique"
            )
        ]
        verbose_name = _("repository")
        verbose_name_plural = _("repositories")

    def __str__(self) -> str:
        return self.name


class HarvestRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="runs", verbose_name=_("repository")
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.QUEUED,
    )
    full = models.BooleanField(_("full harvest"), default=False)
    from_date = models.DateTimeField(_("harvest from"), null=True, blank=True)
    until_date = models.DateTimeField(_("harvest until"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("response pages"), default=0)
    seen = models.PositiveIntegerField(_("records seen"), default=0)
    added = models.PositiveIntegerField(_("records added"), default=0)
    changed = models.PositiveIntegerField(_("records changed"), default=0)
    deleted = models.PositiveIntegerField(_("records deleted"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    # The run's log, a line per event (pages, retries, records skipped and why), bounded.
    log = models.TextField(_("log"), blank=True)
    message = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("harvest run")
        verbose_name_plural = _("harvest runs")

    def __str__(self) -> str:
        return f"{self.repository} #{self.pk}"


class HarvestedRecord(models.Model):
    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="records", verbose_name=_("repository")
    )
    identifier = models.CharField(_("OAI identifier"), max_length=500)
    datestamp = models.DateTimeField(_("datestamp"), null=True, blank=True)
    set_specs = models.JSONField(_("OAI sets"), default=list, blank=True)
    title = models.CharField(_("title"), max_length=1000)
    reference_code = models.CharField(_("reference code"), max_length=300, blank=True)
    level = models.CharField(_("level of description"), max_length=50, blank=True)
    date_expression = models.CharField(_("dates (as written)"), max_length=300, blank=True)
    creator = models.CharField(_("creator"), max_length=500, blank=True)
    # The archive holding the material, as the source names it (dc:publisher, EAD repository).
    holder = models.CharField(_("holding institution"), max_length=300, blank=True, db_index=True)
    scope_content = models.TextField(_("scope and content"), blank=True)
    extent = models.CharField(_("extent and medium"), max_length=500, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    places = models.JSONField(_("place names"), default=list, blank=True)
    language = models.CharField(_("language of material"), max_length=100, blank=True)
    rights = models.TextField(_("rights"), blank=True)
    source_url = models.URLField(_("source record link"), max_length=1000, blank=True)
    # A IIIF Presentation manifest the source advertises for the record (issue 22, item 4).
    manifest_url = models.URLField(_("IIIF manifest link"), max_length=1000, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    harvested_at = models.DateTimeField(_("harvested at"), auto_now=True)
    # The run that last saw the record: a full harvest of a repository that keeps no (or only
    # transient) deletions removes what it did not see.
    last_run = models.ForeignKey(
        HarvestRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last run"),
    )

    class Meta:
        ordering = ["repository", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "identifier"], name="harvested_identifier_unique"
            )
        ]
        verbose_name = _("harvested record")
        verbose_name_plural = _("harvested records")

    def __str__(self) -> str:
        return self.title


class HarvestedSearchText(models.Model):
    """The jieba-segmented text of a harvested record (FTS5 on SQLite, tsvector on PostgreSQL),
    segmented as catalog.search segments our own descriptions."""

    record = models.OneToOneField(
        HarvestedRecord,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_text",
        verbose_name=_("harvested record"),
    )
    title = models.TextField(_("title (segmented)"))
    body = models.TextField(_("text (segmented)"))

    class Meta:
        verbose_name = _("harvested search text")
        verbose_name_plural = _("harvested search texts")

    def __str__(self) -> str:
        return self.title[:80]


class SharedCollection(models.Model):
    """Harvested records an archive shows on its home, e.g. Republican-era buildings held in
    Suzhou next to Nanjing's own (paper §4.3, §4.6): a repository's set, narrowed by words."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    repository = models.ForeignKey(
        Repository,
        on_delete=models.CASCADE,
        related_name="shared_collections",
        verbose_name=_("repository"),
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    set_spec = models.CharField(_("set"), max_length=300, blank=True)
    query = models.CharField(_("words"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["archive", "position", "id"]
        verbose_name = _("shared collection")
        verbose_name_plural = _("shared collections")

    def __str__(self) -> str:
        return self.title
