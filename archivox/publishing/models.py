"""Posts, their revisions and review, deliveries to channels (and their recall), email
subscribers and the WARC record of what the archive published. Business rules live in
services/."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Description, FeaturedCollection
from archivox.core.models import Archive

CHANNELS = ("wechat", "weibo", "portal", "feed", "email")
CHANNEL_LABELS = {
    "wechat": _("WeChat official account"),
    "weibo": _("Weibo"),
    "portal": _("The archive's website"),
    "feed": _("Atom and RSS feeds"),
    "email": _("Email to subscribers"),
}


def _new_key() -> str:
    return uuid.uuid4().hex


def _all_channels() -> list[str]:
    return list(CHANNELS)


class RecallReason(models.TextChoices):
    """Why a post's published copies are recalled; strictest first (``REASON_ORDER``)."""

    CONFIDENTIAL = "confidential", _("confidential")
    CLOSED = "closed", pgettext_lazy("access", "closed")
    RESTRICTED = "restricted", _("restricted")


REASON_ORDER = {RecallReason.CONFIDENTIAL: 0, RecallReason.CLOSED: 1, RecallReason.RESTRICTED: 2}


class Post(models.Model):
    """An article or a short post, composed from catalog items, on its way to the channels."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        SHORT = "short", _("short post")

    class Origin(models.TextChoices):
        ORIGINAL = "original", _("original")
        FORWARD = "forward", _("forward")

    class WeChatMode(models.TextChoices):
        PUBLISH = "publish", _("publish (no notification)")
        MASS_SEND = "mass_send", _("mass send to followers")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", pgettext_lazy("post status", "submitted")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        APPROVED = "approved", _("approved")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="posts", verbose_name=_("archive")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=200)
    author = models.CharField(_("author"), max_length=64, blank=True)
    digest = models.CharField(_("digest"), max_length=300, blank=True)
    body_html = models.TextField(_("body"), blank=True)
    text = models.TextField(_("text of a short post"), blank=True)
    # The cover as uploaded stays for staff; the portal, feeds and platforms get ``cover_public``,
    # the same picture without its metadata (core.public_files).
    cover = models.FileField(_("cover image"), upload_to="posts/covers/%Y/%m/", blank=True)
    cover_public = models.FileField(
        _("public cover (no metadata)"), upload_to="posts/covers/public/%Y/%m/", blank=True
    )
    cover_media_type = models.CharField(_("cover media type"), max_length=50, blank=True)
    cover_sha256 = models.CharField(_("cover SHA-256 checksum"), max_length=64, blank=True)
    # The editor's crop of the cover for each platform ratio (services/cover_crops.py):
    # {"wechat": {"box": [x, y, width, height], "file": "<storage name>"}, …} in pixels of
    # ``cover_public``; emptied when the cover changes.
    cover_crops = models.JSONField(_("cover crops"), default=dict, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.ORIGINAL
    )
    forward_source = models.CharField(_("forwarded from"), max_length=500, blank=True)
    column = models.CharField(_("column"), max_length=100, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    featured_collection = models.ForeignKey(
        FeaturedCollection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("featured collection"),
    )
    channels = models.JSONField(_("channels"), default=_all_channels)
    wechat_mode = models.CharField(
        _("WeChat"), max_length=10, choices=WeChatMode.choices, default=WeChatMode.PUBLISH
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("author (staff)"),
    )
    revision_number = models.PositiveIntegerField(_("revision number"), default=0, editable=False)
    # Each submission starts a new round of review; approvals of an earlier round (before changes
    # were requested) do not count for the content submitted now.
    review_round = models.PositiveIntegerField(_("review round"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The recall (services/recall.py): copies of this post quote a catalog item that may no
    # longer be shown as they show it, made confidential or closed (itself, or through a fonds
    # or series above it) or restricted where a copy shows its images. Open from
    # ``recall_found_at`` until ``recall_closed_at``, when no copy needs staff any more; each
    # copy's part is on its delivery. Columns, not a table of their own: a recall is a state of
    # the post, and an upgrade leaves every table's rows as they were.
    recall_reason = models.CharField(
        _("recalled because"), max_length=12, choices=RecallReason.choices, blank=True
    )
    # The quoted items and why each is recalled, as they were when found (title, reference
    # code, reason, closure date, the ancestor it comes from): what staff were told stays true.
    recall_items = models.JSONField(_("recalled items"), default=list, blank=True)
    recall_found_at = models.DateTimeField(_("recall found at"), null=True, blank=True)
    recall_closed_at = models.DateTimeField(_("recall closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["archive", "status"]),
            models.Index(fields=["archive", "recall_found_at"]),
        ]
        verbose_name = _("post")
        verbose_name_plural = pgettext_lazy("model name", "posts")

    def __str__(self) -> str:
        return self.title

    @property
    def recall_open(self) -> bool:
        return self.recall_found_at is not None and self.recall_closed_at is None


class PostItem(models.Model):
    """A catalog item a post draws on: in order, with or without its image and a quote."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="post_items", verbose_name=_("post")
    )
    description = models.ForeignKey(
        Description, on_delete=models.PROTECT, related_name="+", verbose_name=_("description")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    use_image = models.BooleanField(_("use its image"), default=False)
    quote = models.BooleanField(_("quote its description"), default=False)

    class Meta:
        ordering = ["post", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "description"], name="post_item_unique"),
        ]
        verbose_name = _("post item")
        verbose_name_plural = _("post items")

    def __str__(self) -> str:
        return f"{self.post_id} · {self.description_id}"


class PostRevision(models.Model):
    """The post as saved, each time; a correction of a published post says why."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    is_correction = models.BooleanField(_("correction"), default=False)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["post", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="post_revision_unique"),
        ]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post_id} r{self.number}"


class ReviewComment(models.Model):
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["post", "created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self) -> str:
        return self.body[:60]


class ReviewStep(models.Model):
    """One level of review (三审: first, second, final) decided by one reviewer in one round:
    approved, or sent back with what should change. The history staff see and the rule's
    record: one approval per level and per reviewer in a round (the author never approves)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="review_steps", verbose_name=_("post")
    )
    round = models.PositiveIntegerField(_("review round"))
    level = models.PositiveSmallIntegerField(_("level of review"))
    # How many the archive required at the time.
    levels = models.PositiveSmallIntegerField(_("levels required"))
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["post", "round", "level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "round", "level"],
                condition=models.Q(decision="approved"),
                name="review_step_one_approval_per_level",
            ),
            models.UniqueConstraint(
                fields=["post", "round", "reviewer"],
                condition=models.Q(decision="approved"),
                name="review_step_one_level_per_reviewer",
            ),
        ]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.post_id} r{self.round} L{self.level} {self.decision}"


class ScreeningOverride(models.Model):
    """A reviewer accepted one screening warning (identified by kind, field and exact text)."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("post")
    )
    finding_key = models.CharField(_("warning key"), max_length=300)
    reason = models.CharField(_("reason"), max_length=500)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "finding_key"], name="screening_override_once"),
        ]
        verbose_name = _("screening override")
        verbose_name_plural = _("screening overrides")

    def __str__(self) -> str:
        return f"{self.post_id} {self.finding_key}"


class RecallState(models.TextChoices):
    """What became of one published copy of a recalled post."""

    OUT = "out", _("still published")
    WITHDRAWING = "withdrawing", _("being withdrawn")
    WITHDRAWN = "withdrawn", _("withdrawn")
    FAILED = "failed", _("withdrawal failed")
    CANNOT = "cannot", _("cannot be withdrawn")


class Delivery(models.Model):
    """One post sent to one channel. At-most-once: ``sending`` is committed before the platform
    is called, and a delivery found ``sending`` (or flagged ``reconcile_first``) is reconciled
    with the platform before any new attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("post")
    )
    channel = models.CharField(_("channel"), max_length=10)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=64, unique=True, default=_new_key, editable=False
    )
    reconcile_first = models.BooleanField(_("reconcile first"), default=False)
    remote_id = models.CharField(_("remote id"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    payload = models.JSONField(_("payload sent"), default=dict)
    response = models.JSONField(_("platform response"), default=dict, blank=True)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    # The catalog material the payload carries, as rendered at publication: ``{"items": [ids],
    # "images": [ids]}`` (empty for deliveries made before it was recorded). A recall reads it.
    quoted = models.JSONField(_("catalog material quoted"), default=dict, blank=True)
    withdraw_note = models.CharField(_("withdrawal note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, db_index=True
    )
    archived_at = models.DateTimeField(_("archived at (WARC)"), null=True, blank=True)

    # This copy's part in its post's recall ("" when not recalled). ``withdrawn`` only once its
    # channel confirmed it (or hid it, for our own pages); ``recall_claimed_at`` is set by the
    # worker calling the platform, so a second task leaves it alone, and the sweep hands it
    # back when that worker died (deleting twice is harmless).
    recall_state = models.CharField(
        _("recall"), max_length=12, choices=RecallState.choices, blank=True, db_index=True
    )
    # Why it cannot be withdrawn, or the last failure.
    recall_note = models.TextField(_("recall note"), blank=True)
    recall_attempts = models.PositiveIntegerField(_("recall attempts"), default=0)
    recall_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recall requested by"),
    )
    recall_requested_at = models.DateTimeField(_("recall requested at"), null=True, blank=True)
    recall_claimed_at = models.DateTimeField(_("recall claimed at"), null=True, blank=True)
    recall_finished_at = models.DateTimeField(_("recall finished at"), null=True, blank=True)

    class Meta:
        ordering = ["post", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="delivery_once_per_channel"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = pgettext_lazy("model name", "deliveries")

    def __str__(self) -> str:
        # Also the audit log's name of the delivery, so in words: the post, the channel.
        return f"{self.post.title[:80]} → {self.channel_label}"

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def recall_can_withdraw(self) -> bool:
        return self.recall_state in (RecallState.OUT, RecallState.FAILED)


class Notice(models.Model):
    """Something a staff member must know about their post (a delivery failed for good)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="publishing_notices",
        verbose_name=_("user"),
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="notices", verbose_name=_("post")
    )
    message = models.TextField(_("notice text"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff notice")
        verbose_name_plural = _("staff notices")

    def __str__(self) -> str:
        return self.message[:60]


class EmailSubscriber(models.Model):
    """A reader who asked for the archive's posts by email (double opt-in)."""

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="email_subscribers",
        verbose_name=_("archive"),
    )
    email = models.EmailField(_("email"))
    token = models.CharField(
        _("link token"), max_length=64, unique=True, default=_new_key, editable=False
    )
    confirmed = models.BooleanField(_("confirmed"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["archive", "email"], name="email_subscriber_once"),
        ]
        verbose_name = _("email subscriber")
        verbose_name_plural = _("email subscribers")

    def __str__(self) -> str:
        return self.email


class EmailSend(models.Model):
    """One recipient of one email delivery; created (and committed) before the message leaves,
    so that a re-run never mails the same person twice."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="email_sends", verbose_name=_("delivery")
    )
    email = models.EmailField(_("email"))
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "email"], name="email_send_once"),
        ]
        verbose_name = _("email send")
        verbose_name_plural = _("email sends")

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.email}"


class WarcFile(models.Model):
    """The archive's own record of one month of publishing, as a WARC file in VAR_DIR/warc/."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="warc_files", verbose_name=_("archive")
    )
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    path = models.CharField(_("file path"), max_length=500)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    record_count = models.PositiveIntegerField(_("record count"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["archive", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "month"], name="warc_file_per_month"),
        ]
        verbose_name = _("WARC file")
        verbose_name_plural = _("WARC files")

    def __str__(self) -> str:
        return f"{self.archive_id} {self.month}"


class DeskSettings(models.Model):
    """Per-archive settings of the desk (absent: the installation's defaults)."""

    archive = models.OneToOneField(
        Archive,
        on_delete=models.CASCADE,
        related_name="publishing_settings",
        verbose_name=_("archive"),
    )
    freshness_days = models.PositiveIntegerField(
        _("warn after this many days without an original post"), default=7
    )
    review_levels = models.PositiveSmallIntegerField(
        _("levels of review"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return f"{self.archive_id} desk settings"
