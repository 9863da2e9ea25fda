"""One row per credential a platform issues to us (a WeChat access_token per AppID).

Every process reads the token from here, so it is fetched once for all of them; the row also
counts the day's fetches (WeChat allows 2,000) and holds a short lease while one process fetches,
so that the others wait for its result instead of fetching too."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from archivox.core.fields import EncryptedTextField


class PlatformToken(models.Model):
    platform = models.CharField(_("platform"), max_length=16)
    key = models.CharField(_("key"), max_length=128, help_text=_("the AppID the token is for"))
    value = EncryptedTextField(_("token"), blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"), null=True, blank=True)
    fetch_day = models.DateField(_("day of the fetch count"), null=True, blank=True)
    fetches_today = models.PositiveIntegerField(_("fetches that day"), default=0)
    # A process fetching a new token holds the lease; the others wait for its result.
    lease_owner = models.CharField(_("lease holder"), max_length=64, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "key"], name="platform_token_unique_key"),
        ]
        verbose_name = _("platform token")
        verbose_name_plural = _("platform tokens")

    def __str__(self) -> str:
        return f"{self.platform} · {self.key}"
