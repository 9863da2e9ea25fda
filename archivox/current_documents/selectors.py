"""Reads of current documents. The public ones go through the catalog's access gateway: a
document shows only while its description is public."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import FeaturedCollection
from archivox.catalog.search import SearchFilters, search_descriptions
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.current_documents.models import CurrentDocument, Validity

COLLECTION_SLUG = "current-documents"


def document_list_public(
    *, archive: Archive, validity: str | None = None
) -> QuerySet[CurrentDocument]:
    documents = CurrentDocument.objects.filter(
        archive=archive,
        status=CurrentDocument.Status.PUBLISHED,
        description__in=catalog_selectors.description_list_public(archive=archive),
    ).select_related("archive", "pdf")
    if validity in Validity.values:
        documents = documents.filter(validity=validity)
    return documents


def document_get_public(*, archive: Archive, pk: int) -> CurrentDocument:
    return document_list_public(archive=archive).get(pk=pk)


@dataclass
class DocumentHit:
    document: CurrentDocument
    title_html: str
    snippet_html: str


def document_search_public(*, archive: Archive, query: str, limit: int = 50) -> list[DocumentHit]:
    """Documents matching ``query`` with the catalog's Chinese search, in its ranking."""
    collection = FeaturedCollection.objects.filter(archive=archive, slug=COLLECTION_SLUG).first()
    if collection is None:
        return []
    page = search_descriptions(
        query,
        filters=SearchFilters(archive_id=archive.pk, collection_id=collection.pk),
        per_page=limit,
    )
    by_description = {
        document.description_id: document
        for document in document_list_public(archive=archive).filter(
            description_id__in=[hit.description.pk for hit in page.hits]
        )
    }
    return [
        DocumentHit(by_description[hit.description.pk], hit.title_html, hit.snippet_html)
        for hit in page.hits
        if hit.description.pk in by_description
    ]


def document_list_feed(*, archive: Archive, limit: int = 50) -> QuerySet[CurrentDocument]:
    return document_list_public(archive=archive).order_by("-published_at")[:limit]


def document_list_for_staff(*, user: User, archive: Archive) -> QuerySet[CurrentDocument]:
    archive_check_capability(user=user, archive=archive, capability=Capability.CATALOG_EDIT)
    return CurrentDocument.objects.filter(archive=archive).select_related("announcement")


def document_get_for_staff(*, user: User, archive: Archive, pk: int) -> CurrentDocument:
    return (
        document_list_for_staff(user=user, archive=archive)
        .select_related("description", "pdf")
        .prefetch_related("changes__actor")
        .get(pk=pk)
    )
