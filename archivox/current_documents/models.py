"""Current documents (现行文件): government documents an archive opens to the public while they
are in force, with their validity and the history of their amendments.

Each document is also a catalog description (an item under the archive's 现行文件 fonds, in the
featured collection ``current-documents``), so the catalog's Chinese search, its access gateway
and OAI-PMH (the set ``<archive>:current-documents``) serve it with no code of their own; this
app holds what the catalog has no place for: the issuing body's number, validity and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from archivox.catalog.models import Description, DigitalObject
from archivox.core.models import Archive


class Validity(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    AMENDED = "amended", _("amended")
    REPEALED = "repealed", _("repealed")


class CurrentDocument(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    archive = models.ForeignKey(
        Archive,
        on_delete=models.PROTECT,
        related_name="current_documents",
        verbose_name=_("archive"),
    )
    description = models.OneToOneField(
        Description,
        on_delete=models.PROTECT,
        related_name="current_document",
        verbose_name=_("description"),
    )
    issuer = models.CharField(_("issuing body"), max_length=200)
    doc_number = models.CharField(_("document number"), max_length=100)
    issued_on = models.DateField(_("date of issue"))
    title = models.CharField(_("title"), max_length=300)
    subject = models.CharField(_("subject category"), max_length=100, blank=True)
    full_text = models.TextField(_("full text"), max_length=200_000, blank=True)
    pdf = models.ForeignKey(
        DigitalObject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("PDF copy"),
    )
    validity = models.CharField(
        _("validity"), max_length=10, choices=Validity.choices, default=Validity.IN_FORCE
    )
    status = models.CharField(
        pgettext_lazy("model field", "status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    # The publishing desk's announcement (reviewed and screened there).
    announcement = models.ForeignKey(
        "publishing.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("announcement"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["archive", "issuer", "doc_number"], name="current_document_number"
            ),
        ]
        indexes = [models.Index(fields=["archive", "status", "validity"])]
        verbose_name = _("current document")
        verbose_name_plural = _("current documents")

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"


class DocumentChange(models.Model):
    """One step of a document's history: published, amended (with the text it replaced) or its
    validity changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("recorded")
        PUBLISHED = "published", _("published")
        AMENDED = "amended", _("amended")
        REPEALED = "repealed", _("repealed")

    document = models.ForeignKey(
        CurrentDocument,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("current document"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The number of the document that amended or repealed this one, if any.
    by_number = models.CharField(_("by document number"), max_length=100, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    previous_text = models.TextField(_("previous text"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["document", "changed_at", "id"]
        verbose_name = _("document change")
        verbose_name_plural = _("document changes")

    def __str__(self) -> str:
        return f"{self.document} · {self.kind}"
