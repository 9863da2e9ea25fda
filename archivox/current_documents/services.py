"""Writes of current documents: record, publish (and announce through the publishing desk),
amend, repeal. The catalog side (description, PDF object, collection) goes through
``catalog.services``; the announcement through ``publishing.services``, whose screening and
review apply to it as to any post."""

from __future__ import annotations

import datetime
from html import escape
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archivox.catalog import services as catalog_services
from archivox.catalog.models import Access, Description, FeaturedCollection, Level
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record
from archivox.current_documents.models import CurrentDocument, DocumentChange, Validity
from archivox.publishing import services as publishing_services

FONDS_CODE = "XXWJ"
COLLECTION_SLUG = "current-documents"
VALIDITY_WORDS = {
    Validity.IN_FORCE: "现行有效",
    Validity.AMENDED: "已修改",
    Validity.REPEALED: "已废止",
}


class DocumentError(ValidationError):
    """A current document that cannot be recorded or changed; messages for the archivist."""


def _check(actor: User | None, archive: Archive, capability: str) -> None:
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=capability)


def _fonds(actor: User | None, archive: Archive) -> Description:
    fonds = Description.objects.filter(archive=archive, reference_code=FONDS_CODE).first()
    if fonds is None:
        fonds = catalog_services.description_create(
            actor=actor,
            archive=archive,
            reference_code=FONDS_CODE,
            title="现行文件",
            level=Level.FONDS,
            scope_content="本馆向社会公开的现行文件：党政机关公开发布、仍在执行或已修改、废止的文件。",
            access_level=Access.OPEN,
        )
    return fonds


def _collection(actor: User | None, archive: Archive) -> FeaturedCollection:
    collection = FeaturedCollection.objects.filter(archive=archive, slug=COLLECTION_SLUG).first()
    if collection is None:
        collection = catalog_services.collection_create(
            actor=actor,
            archive=archive,
            slug=COLLECTION_SLUG,
            title="现行文件",
            introduction="本馆公开的现行文件，可按发文机关、文号和主题检索。",
        )
    return collection


def _access_conditions(document: CurrentDocument, note: str = "") -> str:
    words = f"效力：{VALIDITY_WORDS[Validity(document.validity)]}"
    return f"{words}。{note}" if note else f"{words}。"


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    for name, message in (
        ("issuer", _("Please give the issuing body.")),
        ("doc_number", _("Please give the document number.")),
        ("title", _("Please give the title.")),
    ):
        values[name] = " ".join(str(values.get(name) or "").split())
        if not values[name]:
            errors.setdefault(name, []).append(message)
    if not isinstance(values.get("issued_on"), datetime.date):
        errors.setdefault("issued_on", []).append(_("Please give the date of issue."))
    elif values["issued_on"] > timezone.localdate():
        errors.setdefault("issued_on", []).append(_("The date of issue is in the future."))
    if not (values.get("full_text") or "").strip() and not values.get("pdf"):
        errors.setdefault("full_text", []).append(_("Please give the full text or a PDF."))
    if errors:
        raise DocumentError(errors)
    return values


@transaction.atomic
def document_create(
    *,
    actor: User | None,
    archive: Archive,
    issuer: str,
    doc_number: str,
    issued_on: datetime.date | None,
    title: str,
    subject: str = "",
    full_text: str = "",
    pdf: bytes | None = None,
    pdf_name: str = "",
) -> CurrentDocument:
    """Record a document as a draft: a confidential catalog item nobody outside sees yet."""
    _check(actor, archive, Capability.CATALOG_EDIT)
    values = _validate(
        {
            "issuer": issuer,
            "doc_number": doc_number,
            "issued_on": issued_on,
            "title": title,
            "full_text": full_text,
            "pdf": pdf,
        }
    )
    if CurrentDocument.objects.filter(
        archive=archive, issuer=values["issuer"], doc_number=values["doc_number"]
    ).exists():
        raise DocumentError({"doc_number": _("This issuing body's number is recorded already.")})
    fonds = _fonds(actor, archive)
    code, n = f"{FONDS_CODE}-{values['issued_on'].year}-", 1
    while Description.objects.filter(archive=archive, reference_code=f"{code}{n:04d}").exists():
        n += 1
    description = catalog_services.description_create(
        actor=actor,
        archive=archive,
        parent=fonds,
        reference_code=f"{code}{n:04d}",
        title=values["title"][:500],
        level=Level.ITEM,
        creator=values["issuer"],
        date_expression=values["issued_on"].isoformat(),
        start_year=values["issued_on"].year,
        end_year=values["issued_on"].year,
        extent=values["doc_number"],
        scope_content=full_text.strip(),
        subjects=[subject.strip()] if subject.strip() else [],
        access_conditions="效力：现行有效。",
        access_level=Access.CONFIDENTIAL,
    )
    pdf_object = None
    if pdf:
        if not pdf.startswith(b"%PDF-"):
            raise DocumentError({"pdf": _("Please give a PDF file.")})
        try:
            pdf_object = catalog_services.digital_object_add(
                actor=actor, description=description, content=pdf, original_name=pdf_name
            )
        except catalog_services.CatalogError as exc:
            message = _("The PDF cannot be used: %s") % " ".join(exc.messages)
            raise DocumentError({"pdf": message}) from exc
    document = CurrentDocument(
        archive=archive,
        description=description,
        issuer=values["issuer"],
        doc_number=values["doc_number"],
        issued_on=values["issued_on"],
        title=values["title"],
        subject=subject.strip(),
        full_text=full_text.strip(),
        pdf=pdf_object,
    )
    document.full_clean()
    document.save()
    DocumentChange.objects.create(document=document, kind=DocumentChange.Kind.CREATED, actor=actor)
    audit_record(
        actor=actor,
        action="current_document.create",
        obj=document,
        archive=archive,
        after={"doc_number": document.doc_number, "issuer": document.issuer},
    )
    return document


def _screen(archive: Archive, *, title: str, full_text: str) -> None:
    """Refuse text that may not go public: a sensitive word the archive's list blocks, or a
    resident ID number (a current document names offices, never a person's ID). Mobile numbers,
    e-mails and addresses pass: a public office publishes its own. The desk screens the
    announcement again, with a reviewer for its warnings."""
    from archivox.core.screening import screen_text

    labels = {"title": _("Title"), "full_text": _("Full text")}
    problems = [
        _("%(field)s: %(message)s («%(text)s»)")
        % {
            "field": labels[finding.field],
            "message": finding.message,
            "text": finding.text if finding.blocks else finding.text[:6] + "…",
        }
        for finding in screen_text(
            archive=archive, fields={"title": title, "full_text": full_text or ""}
        )
        if finding.blocks or finding.kind == "resident_id"
    ]
    if problems:
        raise DocumentError({"screening": problems})


def document_url(document: CurrentDocument) -> str:
    path = reverse(
        "current_documents:detail", kwargs={"slug": document.archive.slug, "pk": document.pk}
    )
    return f"{settings.BASE_URL}{path}"


def _announcement_html(document: CurrentDocument) -> str:
    summary = document.full_text.strip().splitlines()[0][:200] if document.full_text else ""
    return (
        f"<p>发文机关：{escape(document.issuer)}<br>文号：{escape(document.doc_number)}<br>"
        f"成文日期：{document.issued_on.isoformat()}</p>"
        + (f"<p>{escape(summary)}</p>" if summary else "")
        + f'<p><a href="{escape(document_url(document))}">查看全文</a></p>'
    )


@transaction.atomic
def document_publish(
    *, actor: User | None, document: CurrentDocument, announce: bool = True
) -> CurrentDocument:
    """Open the document to the public (catalog access open, in the current-documents
    collection) and, with ``announce``, submit an announcement to the publishing desk's review
    (its screening refuses what it blocks, and then nothing is published)."""
    _check(actor, document.archive, Capability.CATALOG_EDIT)
    document = CurrentDocument.objects.select_for_update().get(pk=document.pk)
    if document.status == CurrentDocument.Status.PUBLISHED:
        raise DocumentError(_("The document is published already."))
    archive = document.archive
    _screen(archive, title=document.title, full_text=document.full_text)
    catalog_services.description_update(
        actor=actor, description=document.description, access_level=Access.OPEN
    )
    collection = _collection(actor, archive)
    entries = list(collection.entries.select_related("description").order_by("position"))
    catalog_services.collection_set_entries(
        actor=actor,
        collection=collection,
        descriptions=[document.description, *(entry.description for entry in entries)],
    )
    document.status = CurrentDocument.Status.PUBLISHED
    document.published_at = timezone.now()
    if announce:
        post = publishing_services.post_create(
            actor=actor,
            archive=archive,
            title=f"现行文件公开：{document.title}"[:200],
            digest=f"{document.issuer} {document.doc_number}"[:300],
            body_html=_announcement_html(document),
            featured_collection=collection,
            items=[{"description": document.description, "use_image": False, "quote": ""}],
        )
        publishing_services.post_submit(actor=actor, post=post)
        document.announcement = post
    document.save(update_fields=["status", "published_at", "announcement", "updated_at"])
    DocumentChange.objects.create(
        document=document, kind=DocumentChange.Kind.PUBLISHED, actor=actor
    )
    audit_record(
        actor=actor,
        action="current_document.publish",
        obj=document,
        archive=archive,
        after={"announcement": document.announcement_id},
    )
    return document


def _change_validity(
    *,
    actor: User | None,
    document: CurrentDocument,
    kind: str,
    action: str,
    validity: str,
    by_number: str,
    effective_on: datetime.date | None,
    note: str,
    full_text: str | None = None,
) -> CurrentDocument:
    _check(actor, document.archive, Capability.CATALOG_EDIT)
    document = CurrentDocument.objects.select_for_update().get(pk=document.pk)
    if document.validity == Validity.REPEALED:
        raise DocumentError(_("A repealed document cannot change any more."))
    if len(note) > 4000:
        raise DocumentError({"note": _("The note is too long (at most 4000 characters).")})
    previous_text = document.full_text
    before = {"validity": document.validity}
    document.validity = validity
    changes: dict[str, Any] = {}
    if full_text is not None:
        document.full_text = full_text.strip()
        changes["scope_content"] = document.full_text
    when = f"{effective_on.isoformat()}起" if effective_on else ""
    by = f"依据{by_number}" if by_number else ""
    changes["access_conditions"] = _access_conditions(document, f"{when}{by}".strip())
    catalog_services.description_update(actor=actor, description=document.description, **changes)
    document.save(update_fields=["validity", "full_text", "updated_at"])
    DocumentChange.objects.create(
        document=document,
        kind=kind,
        by_number=by_number.strip()[:100],
        effective_on=effective_on,
        note=note.strip(),
        previous_text=previous_text if full_text is not None else "",
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=action,
        obj=document,
        archive=document.archive,
        before=before,
        after={"validity": validity, "by_number": by_number},
    )
    return document


@transaction.atomic
def document_amend(
    *,
    actor: User | None,
    document: CurrentDocument,
    full_text: str,
    by_number: str = "",
    effective_on: datetime.date | None = None,
    note: str = "",
) -> CurrentDocument:
    """The document as amended: the new text replaces the old, which stays in the history."""
    if not (full_text or "").strip():
        raise DocumentError({"full_text": _("Please give the amended full text.")})
    _screen(document.archive, title=document.title, full_text=full_text)
    return _change_validity(
        actor=actor,
        document=document,
        kind=DocumentChange.Kind.AMENDED,
        action="current_document.amend",
        validity=Validity.AMENDED,
        by_number=by_number,
        effective_on=effective_on,
        note=note,
        full_text=full_text,
    )


@transaction.atomic
def document_repeal(
    *,
    actor: User | None,
    document: CurrentDocument,
    by_number: str = "",
    effective_on: datetime.date | None = None,
    note: str = "",
) -> CurrentDocument:
    """Mark the document repealed; it stays public, its validity said everywhere it shows."""
    return _change_validity(
        actor=actor,
        document=document,
        kind=DocumentChange.Kind.REPEALED,
        action="current_document.repeal",
        validity=Validity.REPEALED,
        by_number=by_number,
        effective_on=effective_on,
        note=note,
    )
