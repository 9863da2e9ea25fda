"""Promotion offline: posters and flyers for a campaign (an exhibition, a lecture, a featured
collection, a collecting campaign, the account itself), each with its own short link, and how
many people came through it per day (a count, nothing about who)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from archivox.catalog.models import DigitalObject
from archivox.core.models import Archive

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written #RRGGBB."))


class Poster(models.Model):
    class Size(models.TextChoices):
        A4 = "a4", _("A4 flyer")
        A3 = "a3", _("A3 poster")
        BUS_STOP = "bus", _("bus-stop poster (1185 × 1750 mm)")

    class Orientation(models.TextChoices):
        PORTRAIT = "portrait", _("portrait")
        LANDSCAPE = "landscape", _("landscape")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="posters", verbose_name=_("archive")
    )
    # The short link's code: /p/<code>. Random, so one poster's count says nothing of another's.
    code = models.CharField(_("short link code"), max_length=12, unique=True)
    name = models.CharField(_("where it hangs (for the count)"), max_length=100)
    title = models.CharField(_("title"), max_length=60)
    subtitle = models.CharField(_("subtitle"), max_length=120, blank=True)
    dates = models.CharField(_("dates"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    # A path on this site, under the archive's pages.
    target_path = models.CharField(_("where the QR code leads"), max_length=300)
    image = models.ForeignKey(
        DigitalObject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("picture (catalog)"),
    )
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.A3)
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.PORTRAIT
    )
    colour = models.CharField(_("colour"), max_length=7, default="#6b1d1d", validators=[COLOUR])
    background = models.CharField(
        _("background"), max_length=7, default="#f8f4ec", validators=[COLOUR]
    )
    # The archive's logo, as a public copy (no metadata).
    logo = models.ImageField(
        _("logo"), upload_to="posters/logos/%Y/%m/", max_length=300, blank=True
    )
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
        ordering = ["-created_at"]
        verbose_name = _("poster")
        verbose_name_plural = _("posters")

    def __str__(self) -> str:
        return f"{self.title} · {self.name}"


class PosterStyle(models.Model):
    """The archive's poster template: the colours and logo every new poster starts from."""

    archive = models.OneToOneField(
        Archive, on_delete=models.CASCADE, related_name="poster_style", verbose_name=_("archive")
    )
    colour = models.CharField(_("colour"), max_length=7, default="#6b1d1d", validators=[COLOUR])
    background = models.CharField(
        _("background"), max_length=7, default="#f8f4ec", validators=[COLOUR]
    )
    # A public copy (no metadata); posters made from the template share the file.
    logo = models.ImageField(
        _("logo"), upload_to="posters/logos/%Y/%m/", max_length=300, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("poster style")
        verbose_name_plural = _("poster styles")

    def __str__(self) -> str:
        return f"{self.archive_id} {self.colour}"


class PosterVisit(models.Model):
    """How many came through a poster's link on a day. No address, no agent, no cookie."""

    poster = models.ForeignKey(
        Poster, on_delete=models.CASCADE, related_name="visits", verbose_name=_("poster")
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poster", "day"], name="poster_visit_day"),
        ]
        verbose_name = _("poster visits")
        verbose_name_plural = _("poster visits")

    def __str__(self) -> str:
        return f"{self.poster_id} {self.day} {self.count}"
