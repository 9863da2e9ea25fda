"""Online exhibitions (an ordered story of sections with catalog items) and lecture events.

An exhibition only points at catalog descriptions; what the public sees of them is decided at
display time by the catalog's access gateway, so a description closed later disappears from the
exhibition without anyone editing it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Description
from archivox.core.models import Archive
from archivox.reservations.models import Slot


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    CANCELLED = "cancelled", _("cancelled")  # events only


class Exhibition(models.Model):
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="exhibitions", verbose_name=_("archive")
    )
    slug = models.SlugField(_("short name"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary (share card)"), max_length=300, blank=True
    )  # plain text: the WeChat share card's description
    introduction = models.TextField(_("introduction (HTML)"), blank=True, max_length=20000)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="exhibition_slug_per_archive")
        ]
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    exhibition = models.ForeignKey(
        Exhibition, on_delete=models.CASCADE, related_name="sections", verbose_name=_("exhibition")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (HTML)"), blank=True, max_length=50000)

    class Meta:
        ordering = ["exhibition", "position", "pk"]
        verbose_name = _("exhibition section")
        verbose_name_plural = _("exhibition sections")

    def __str__(self) -> str:
        return self.title


class SectionItem(models.Model):
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("exhibition section"),
    )
    description = models.ForeignKey(
        Description, on_delete=models.CASCADE, related_name="+", verbose_name=_("description")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["section", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "description"], name="exhibition_item_once_per_section"
            )
        ]
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")

    def __str__(self) -> str:
        return f"{self.section} · {self.description_id}"


class Event(models.Model):
    """A lecture (or other event) the public registers for; registration is a booking of its
    slot, with the reservations' capacity guarantee and confirmation codes."""

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="events", verbose_name=_("archive")
    )
    slug = models.SlugField(_("short name"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=200)
    speaker_bio = models.CharField(_("about the speaker"), max_length=500, blank=True)
    description = models.TextField(_("description (HTML)"), blank=True, max_length=20000)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    capacity = models.PositiveIntegerField(_("places"))
    exhibition = models.ForeignKey(
        Exhibition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("exhibition"),
    )
    slot = models.OneToOneField(
        Slot, on_delete=models.PROTECT, related_name="event", verbose_name=_("booking slot")
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="event_slug_per_archive"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_order"
            ),
        ]
        verbose_name = _("lecture or event")
        verbose_name_plural = _("lectures and events")

    def __str__(self) -> str:
        return self.title
