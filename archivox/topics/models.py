"""#Topics# (#话题#): a page about catalog items and images, with a moderated discussion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Description
from archivox.core.models import Archive


class DiscussionSettings(models.Model):
    """How an archive moderates its discussion areas."""

    class Moderation(models.TextChoices):
        PRE = "pre", _("pre-moderation: hidden until a moderator approves")
        POST = "post", _("post-moderation: shown at once, a moderator may hide")

    archive = models.OneToOneField(
        Archive,
        on_delete=models.CASCADE,
        related_name="discussion_settings",
        verbose_name=_("archive"),
    )
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.PRE
    )

    class Meta:
        verbose_name = _("discussion settings")
        verbose_name_plural = _("discussion settings")

    def __str__(self) -> str:
        return f"{self.archive.slug}: {self.moderation}"


class Topic(models.Model):
    archive = models.ForeignKey(
        Archive, on_delete=models.CASCADE, related_name="topics", verbose_name=_("archive")
    )
    # As written between the # marks: #南京民国建筑# → 南京民国建筑.
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60)
    # Sanitised with nh3 when saved.
    description = models.TextField(
        pgettext_lazy("model field", "description"), blank=True, max_length=20000
    )
    is_published = models.BooleanField(_("published"), default=True)
    comments_open = models.BooleanField(_("open for comments"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["archive", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "slug"], name="topic_unique_slug"),
            models.UniqueConstraint(fields=["archive", "name"], name="topic_unique_name"),
        ]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return f"#{self.name}#"


class TopicItem(models.Model):
    """A catalog description the topic is about. Staff may link any of their archive's
    descriptions; the public page shows only what the access gateway lets through."""

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="items", verbose_name=_("topic")
    )
    description = models.ForeignKey(
        Description,
        on_delete=models.CASCADE,
        related_name="topic_items",
        verbose_name=_("description"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["topic", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "description"], name="topic_item_unique")
        ]
        verbose_name = _("topic item")
        verbose_name_plural = _("topic items")

    def __str__(self) -> str:
        return f"{self.topic} · {self.description_id}"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting moderation")
        PUBLISHED = "published", _("published")
        HIDDEN = "hidden", _("hidden")

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="comments", verbose_name=_("topic")
    )
    channel = models.CharField(_("channel"), max_length=10)
    person_id = models.CharField(_("person"), max_length=128)
    display_name = models.CharField(_("name shown"), max_length=40)
    # Plain text, shown escaped.
    body = models.TextField(_("comment"), max_length=2000)
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    # Why it waits for a moderator although the archive post-moderates (screening warnings).
    flags = models.JSONField(_("screening findings"), default=list, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )

    class Meta:
        ordering = ["topic", "created_at", "pk"]
        indexes = [models.Index(fields=["topic", "status", "created_at"])]
        verbose_name = _("comment")
        verbose_name_plural = pgettext_lazy("model name", "comments")

    def __str__(self) -> str:
        return f"{self.display_name}: {self.body[:30]}"
