"""Surveys of archives on self-media: regions, monitored institutions, their accounts, metric
snapshots and post records, and what a survey recorded (the paper's Tables 1–2, findings and
strategies).

Institutions, accounts, snapshots and post records are shared time series: a survey is a frame
(regions, cut-off, method) through which they are read. Indicators are computed from them by
``archivox.survey.indicators``; nothing derived is stored here.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from archivox.core.models import Archive, Region


class Platform(models.TextChoices):
    WECHAT = "wechat", _("WeChat official account")
    WEIBO = "weibo", _("Weibo")
    WEBSITE = "website", _("website")
    OTHER = "other", _("other")


class FollowersBand(models.TextChoices):
    """The paper's orders of magnitude of followers (粉丝数量级)."""

    FEW = "few", _("a few (under 10)")
    HUNDREDS = "hundreds", _("hundreds")
    THOUSANDS = "thousands", _("thousands")
    TEN_THOUSANDS = "ten_thousands", _("tens of thousands")


class Survey(models.Model):
    """One survey: who looked at which regions' archives, how, and up to which day."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    # A Chinese rendering of the title and method when the survey's own are in another language
    # (the paper's data set is transcribed from its English edition).
    title_zh = models.CharField(_("Chinese title"), max_length=300, blank=True)
    method = models.TextField(_("method"), blank=True)
    method_zh = models.TextField(_("method (Chinese)"), blank=True)
    cutoff = models.DateField(_("cut-off date"), null=True, blank=True)
    # Observations may go past the cut-off (the paper measured a post on 2016-05-04, four weeks
    # after its 2016-04-06 cut-off); indicators are computed as of this day when it is set.
    observed_until = models.DateField(_("observed until"), null=True, blank=True)
    # A monitoring period (issue 18): its first day, so that its indicators cover the period
    # alone, and the series its periods belong to (each compared with the one before it).
    starts_on = models.DateField(_("period starts on"), null=True, blank=True)
    series = models.SlugField(_("series"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Per platform, the table's title and note as printed and their Chinese renderings:
    # {"weibo": {"title_as_printed": …, "title_zh": …, "note_as_printed": …, "note_zh": …}}.
    tables = models.JSONField(_("tables as printed"), default=dict, blank=True)
    # Figures the survey gives without naming an account: [{"platform", "what", "value",
    # "value_zh", "source"}].
    observations = models.JSONField(_("other observations"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    regions = models.ManyToManyField(
        Region, through="SurveyRegion", related_name="surveys", verbose_name=_("regions")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-cutoff", "slug"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title

    @property
    def title_display(self) -> str:
        """The title in the active language: its Chinese rendering (if any) under Chinese."""
        return self.title_zh if _chinese() and self.title_zh else self.title

    @property
    def method_display(self) -> str:
        return self.method_zh if _chinese() and self.method_zh else self.method

    @property
    def method_is_rendering(self) -> bool:
        """The method shown is the data set's Chinese rendering of the paper's English text (a
        survey loaded with the paper's tables as printed), not a survey's own Chinese words
        (a monitoring period, a province's survey)."""
        return bool(_chinese() and self.method_zh and self.tables)


def _chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


class SurveyRegion(models.Model):
    """A region a survey covers, in the order of its tables."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="survey_regions", verbose_name=_("survey")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="survey_links", verbose_name=_("region")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # False for a region the survey names but does not report on (the paper's Yancheng): its
    # absence of accounts is then not evidence of absence.
    reported = models.BooleanField(_("reported"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["survey", "position", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "region"], name="survey_region_unique"),
        ]
        verbose_name = _("surveyed region")
        verbose_name_plural = _("surveyed regions")

    def __str__(self) -> str:
        return f"{self.survey.slug} · {self.region.code}"


class TableEntry(models.Model):
    """One column of the paper's Table 1 (Weibo) or Table 2 (WeChat): what the survey saw of one
    region on one platform. Qualitative cells are kept verbatim."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="table_entries", verbose_name=_("survey")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="table_entries", verbose_name=_("region")
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    opened = models.BooleanField(_("opened"), null=True, blank=True)
    basic_situation = models.TextField(_("basic situation"), blank=True)
    impact = models.TextField(_("impact strength"), blank=True)
    service_level = models.TextField(_("service level"), blank=True)
    # The column's label as the table prints it (the paper's tables label one region
    # differently: "Chengdu" in Table 1, "Sichuan" in Table 2), and its Chinese rendering.
    label = models.CharField(_("column label as printed"), max_length=200, blank=True)
    label_zh = models.CharField(_("column label (Chinese)"), max_length=200, blank=True)
    # Chinese renderings of the cells (the cells above are kept as printed).
    basic_situation_zh = models.TextField(_("basic situation (Chinese)"), blank=True)
    impact_zh = models.TextField(_("impact strength (Chinese)"), blank=True)
    service_level_zh = models.TextField(_("service level (Chinese)"), blank=True)
    # A column without the account printed as one text in every cell (Table 2's "No").
    cells_as_printed = models.CharField(_("every cell as printed"), max_length=100, blank=True)
    cells_zh = models.CharField(_("every cell (Chinese)"), max_length=100, blank=True)
    # The follower bands the impact cell names, read from its words (comma-separated codes).
    impact_bands = models.CharField(_("bands named in the impact cell"), max_length=80, blank=True)

    class Meta:
        ordering = ["survey", "platform", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "platform", "region"], name="survey_table_entry_unique"
            ),
        ]
        verbose_name = _("table entry")
        verbose_name_plural = _("table entries")

    def __str__(self) -> str:
        return f"{self.survey.slug} · {self.platform} · {self.region.code}"


class Finding(models.Model):
    """A finding the survey recorded (the paper's §3.2), by code."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="findings", verbose_name=_("survey")
    )
    code = models.SlugField(_("code"), max_length=60)
    section = models.CharField(_("section"), max_length=20, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="survey_finding_unique"),
        ]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text


class Strategy(models.Model):
    """A strategy the survey proposed (the paper's §4), by code."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("survey")
    )
    code = models.SlugField(_("code"), max_length=60)
    section = models.CharField(_("section"), max_length=20, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="survey_strategy_unique"),
        ]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.text


class MonitoredInstitution(models.Model):
    """An archives institution whose accounts are monitored: an archive served by Archivox, or an
    outside institution that does not use it (then ``archive`` is empty)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    level = models.CharField(_("administrative level"), max_length=20, choices=Archive.Level)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("region")
    )
    archive = models.OneToOneField(
        Archive,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitored",
        verbose_name=_("archive in Archivox"),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["region__code", "slug"]
        indexes = [models.Index(fields=["region", "level"])]
        verbose_name = _("monitored institution")
        verbose_name_plural = _("monitored institutions")

    def __str__(self) -> str:
        return self.name_zh or self.name


class Account(models.Model):
    """An institution's presence on one platform, as observed (opened or found missing)."""

    institution = models.ForeignKey(
        MonitoredInstitution,
        on_delete=models.CASCADE,
        related_name="accounts",
        verbose_name=_("monitored institution"),
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    name = models.CharField(_("account name"), max_length=200, blank=True)
    opened = models.BooleanField(_("opened"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    verified = models.BooleanField(_("verified"), null=True, blank=True)
    # What a survey recorded when it had no snapshots: a figure, a band or an upper bound.
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    followers_band = models.CharField(
        _("followers band"), max_length=20, choices=FollowersBand.choices, blank=True
    )
    followers_below = models.PositiveBigIntegerField(_("followers below"), null=True, blank=True)
    last_update_before = models.DateField(_("last update before"), null=True, blank=True)
    originals_column = models.CharField(_("column of original posts"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["institution__slug", "platform", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "platform", "handle"], name="survey_account_unique"
            ),
        ]
        indexes = [models.Index(fields=["platform", "opened"])]
        verbose_name = _("monitored account")
        verbose_name_plural = _("monitored accounts")

    def __str__(self) -> str:
        label = self.name or str(self.institution)
        return f"{label} · {self.get_platform_display()}"


class MetricSnapshot(models.Model):
    """An account's counters on one day."""

    # No index of its own: the (account, date) unique constraint's index serves every lookup by
    # account, and a second index would be written for every imported row.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="snapshots",
        db_index=False,
        verbose_name=_("account"),
    )
    date = models.DateField(_("date"))
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    posts_total = models.PositiveBigIntegerField(_("posts in total"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["account", "date"]
        constraints = [
            models.UniqueConstraint(fields=["account", "date"], name="survey_snapshot_unique"),
        ]
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")

    def __str__(self) -> str:
        return f"{self.account} @ {self.date}"


class PostRecord(models.Model):
    """One post of a monitored account, with its counters as last measured."""

    # No index of its own: the (account, day, counters) index and the unique constraint's both
    # start with the account and serve every lookup by it; a third would only slow imports.
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="posts",
        db_index=False,
        verbose_name=_("account"),
    )
    published_at = models.DateTimeField(_("published at"))
    # The local (TIME_ZONE) day of publication, kept beside the instant so that periods are
    # grouped by the database's own date functions (no per-row time-zone conversion).
    published_on = models.DateField(_("published on"))
    title = models.CharField(_("title"), max_length=300)
    column = models.CharField(_("column"), max_length=200, blank=True)
    # What a source says around the post without saying it of the post (not evidence of its column).
    # A database default: the CSV import writes post records by raw INSERT without this column.
    context = models.TextField(_("context"), blank=True, db_default="")
    # True original, False forward/repost, None not known.
    is_original = models.BooleanField(_("original"), null=True, blank=True)
    reads = models.PositiveBigIntegerField(_("reads"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    measured_at = models.DateTimeField(_("measured"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    # Security risks the post carries (``archivox.survey.post_flags``), comma-separated; NULL
    # when it was never screened, "" when screened and clean.
    flags = models.CharField(_("risk flags"), max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["account", "published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "published_at", "title"], name="survey_post_unique"
            ),
        ]
        indexes = [
            # The (account, day) index also carries the counters the indicators add up, so that
            # their one scan of the posts reads the index alone, never the table's rows.
            models.Index(
                fields=[
                    "account",
                    "published_on",
                    "is_original",
                    "reads",
                    "likes",
                    "comments",
                    "shares",
                ],
                name="survey_post_account_counters",
            ),
            models.Index(fields=["published_on"]),
            # Only the posts that carry a risk (few): 3.2.6 reads them without a scan of all.
            models.Index(
                fields=["account", "published_on"],
                condition=models.Q(flags__gt=""),
                name="survey_post_flagged",
            ),
        ]
        verbose_name = _("post record")
        verbose_name_plural = _("post records")

    def __str__(self) -> str:
        return f"{self.account} · {self.published_on} · {self.title}"


class PostMonth(models.Model):
    """The post records of an account in one calendar month, added up: what the indicators read
    for the whole months of a window instead of every post (a year of a national survey is 144,000
    of these against 12 million posts). Kept by ``survey.services.post_months`` wherever post
    records are written; never edited by hand."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="post_months",
        db_index=False,
        verbose_name=_("account"),
    )
    month = models.DateField(_("month"))  # its first day
    posts = models.PositiveIntegerField(_("posts"))
    originals = models.PositiveIntegerField(_("originals"))
    forwards = models.PositiveIntegerField(_("forwards"))
    # Each counter as the indicators use it: how many posts were measured, the sum, the maximum.
    reads_posts = models.PositiveIntegerField(_("posts with reads"))
    reads_sum = models.PositiveBigIntegerField(_("reads"), null=True)
    reads_max = models.PositiveBigIntegerField(_("most reads of a post"), null=True)
    likes_posts = models.PositiveIntegerField(_("posts with likes"))
    likes_sum = models.PositiveBigIntegerField(_("likes"), null=True)
    likes_max = models.PositiveBigIntegerField(_("most likes of a post"), null=True)
    comments_posts = models.PositiveIntegerField(_("posts with comments"))
    comments_sum = models.PositiveBigIntegerField(_("comments"), null=True)
    shares_sum = models.PositiveBigIntegerField(_("shares"), null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="survey_post_month_unique"),
        ]
        verbose_name = _("posts of a month")
        verbose_name_plural = _("posts by month")

    def __str__(self) -> str:
        return f"{self.account} · {self.month:%Y-%m}"
