"""The service hall's records: the WeChat custom menu, drafted, reviewed and published like a
post. One row per version; the one published is what the platform shows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.core.models import Archive, PlatformAccount


class WeChatMenu(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("replaced by a newer menu")

    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    account = models.ForeignKey(
        PlatformAccount, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
    )
    # What the editor chose (names and actions, see menu_rules); the platform's JSON is built
    # from it when the menu is sent, so a link follows the site's address at that moment.
    items = models.JSONField(_("buttons"), default=list)
    sent = models.JSONField(_("menu sent"), default=dict, blank=True)
    live = models.JSONField(_("menu on WeChat"), default=dict, blank=True)
    live_matches = models.BooleanField(_("WeChat shows the menu sent"), null=True, blank=True)
    live_checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    error = models.CharField(_("last refusal"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One menu being worked on per account, and one published.
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status__in=["draft", "in_review"]),
                name="wechat_menu_one_open",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(status="published"),
                name="wechat_menu_one_published",
            ),
        ]
        verbose_name = _("WeChat menu")
        verbose_name_plural = _("WeChat menus")

    def __str__(self) -> str:
        return f"{self.account} · {self.get_status_display()}"


class ShareDefaults(models.Model):
    """How an archive's pages look when shared in WeChat, where the page has nothing of its own
    (the site-wide image and description): the archive's image and a sentence."""

    archive = models.OneToOneField(
        Archive, on_delete=models.CASCADE, related_name="+", verbose_name=_("archive")
    )
    image_url = models.URLField(_("share image (address)"), max_length=500, blank=True)
    description = models.CharField(_("share description"), max_length=120, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("share card defaults")
        verbose_name_plural = _("share card defaults")

    def __str__(self) -> str:
        return str(self.archive)
