"""Collecting from the public (档案征集): an archive's campaigns, the offers people make to them
with their files, and how an accepted offer entered the catalog (its provenance).

An offer's files are originals for staff only; the public never reads them from here. What is
accessioned becomes catalog descriptions and digital objects through ``catalog.services``, which
make the public copies without metadata."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Access, Description, DigitalObject
from archivox.core.models import Archive


class Campaign(models.Model):
    """What an archive is collecting, on what terms."""

    archive = models.ForeignKey(
        Archive,
        on_delete=models.CASCADE,
        related_name="collecting_campaigns",
        verbose_name=_("archive"),
    )
    slug = models.SlugField(_("short name"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what we are collecting"), max_length=4000)
    terms = models.TextField(_("terms of donation or deposit"), max_length=8000)
    rights = models.TextField(_("rights and consent"), max_length=4000)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_open = models.BooleanField(_("open for offers"), default=True)
    # Where accessioned offers go in the catalog; made on the first accession when empty.
    catalog_parent = models.ForeignKey(
        Description,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("catalog parent"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["archive", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="collecting_campaign_slug"),
        ]
        verbose_name = _("collecting campaign")
        verbose_name_plural = _("collecting campaigns")

    def __str__(self) -> str:
        return self.title


class Offer(models.Model):
    """What one person offers to a campaign, and where its review stands."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        QUESTION = "question", _("the archive has a question")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        ACCESSIONED = "accessioned", _("entered the catalog")

    class Transfer(models.TextChoices):
        DONATION = "donation", _("donation (the archive becomes the owner)")
        DEPOSIT = "deposit", _("deposit (I remain the owner)")
        COPY = "copy", _("copy only (I keep the originals)")

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("collecting campaign"),
    )
    archive = models.ForeignKey(
        Archive, on_delete=models.PROTECT, related_name="+", verbose_name=_("archive")
    )
    # The person's link to follow the review (never guessable, never an id).
    token = models.CharField(_("link token"), max_length=43, unique=True)
    title = models.CharField(_("what you offer"), max_length=200)
    story = models.TextField(_("the story"), max_length=8000, blank=True)
    date_expression = models.CharField(_("when"), max_length=100, blank=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    transfer = models.CharField(_("transfer"), max_length=10, choices=Transfer.choices)
    name = models.CharField(_("your name"), max_length=100)
    contact = models.CharField(_("e-mail or mobile phone"), max_length=200)
    # For the personal-data export; "purged-…" once purged.
    person_key = models.CharField(_("person key"), max_length=200, db_index=True)
    credit_name = models.CharField(
        _("credit on the public description"), max_length=100, blank=True
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.SUBMITTED,
    )
    # What the archive says to the person: its question, or the reason it declined.
    staff_message = models.TextField(_("message from the archive"), max_length=4000, blank=True)
    person_reply = models.TextField(_("reply of the person"), max_length=4000, blank=True)
    reviewed_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    accessioned_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accessioned by"),
    )
    accessioned_at = models.DateTimeField(_("accessioned at"), null=True, blank=True)
    access_level = models.CharField(
        _("access level"), max_length=12, choices=Access.choices, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["archive", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="accessioned") | ~Q(access_level=""),
                name="collecting_offer_accessioned_has_access",
            ),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.title


class OfferFile(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("picture")
        PDF = "pdf", _("PDF")
        AUDIO = "audio", _("audio")

    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="files", verbose_name=_("offer")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("uploaded file"), upload_to="collecting/%Y/%m/", max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("file size (bytes)"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Provenance: the description and object this file became.
    description = models.ForeignKey(
        Description,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("description"),
    )
    digital_object = models.ForeignKey(
        DigitalObject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("digital object"),
    )

    class Meta:
        ordering = ["offer", "position", "id"]
        verbose_name = _("offered file")
        verbose_name_plural = _("offered files")

    def __str__(self) -> str:
        return self.original_name or self.file.name
