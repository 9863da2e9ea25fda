"""Public pages of current documents: the list (searchable, by validity), one document with its
history, and the Atom and RSS feeds."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from archivox.core.access import archive_or_404
from archivox.core.models import Archive
from archivox.current_documents import selectors
from archivox.current_documents.models import CurrentDocument, Validity

QUERY_MAX = 100


def index(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    validity = request.GET.get("validity", "")
    context = {
        "archive": archive,
        "query": query,
        "validity": validity if validity in Validity.values else "",
        "validities": Validity.choices,
    }
    if query:
        hits = selectors.document_search_public(archive=archive, query=query)
        if context["validity"]:
            hits = [hit for hit in hits if hit.document.validity == validity]
        context["hits"] = hits
    else:
        context["documents"] = selectors.document_list_public(archive=archive, validity=validity)[
            :200
        ]
    return render(request, "current_documents/index.html", context)


def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        document = selectors.document_get_public(archive=archive, pk=pk)
    except CurrentDocument.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    return render(
        request,
        "current_documents/detail.html",
        {
            "archive": archive,
            "document": document,
            "changes": [c for c in document.changes.all() if c.kind != "created"],
        },
    )


class RssFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, slug: str) -> Archive:
        return archive_or_404(slug)

    def title(self, archive: Archive) -> str:
        return _("Current documents of %(archive)s") % {"archive": archive.name_zh or archive.name}

    def link(self, archive: Archive) -> str:
        return f"{settings.BASE_URL}{reverse('current_documents:index', args=[archive.slug])}"

    def description(self, archive: Archive) -> str:
        return self.title(archive)

    def items(self, archive: Archive):
        return selectors.document_list_feed(archive=archive)

    def item_title(self, document: CurrentDocument) -> str:
        prefix = (
            ""
            if document.validity == Validity.IN_FORCE
            else f"[{document.get_validity_display()}] "
        )
        return f"{prefix}{document.title}（{document.doc_number}）"

    def item_link(self, document: CurrentDocument) -> str:
        path = reverse("current_documents:detail", args=[document.archive.slug, document.pk])
        return f"{settings.BASE_URL}{path}"

    def item_description(self, document: CurrentDocument) -> str:
        return f"{document.issuer} {document.doc_number} {document.issued_on.isoformat()}"

    def item_author_name(self, document: CurrentDocument) -> str:
        return document.issuer

    def item_pubdate(self, document: CurrentDocument):
        return document.published_at

    def item_updateddate(self, document: CurrentDocument):
        return document.updated_at

    def item_categories(self, document: CurrentDocument):
        return [document.subject] if document.subject else []


class AtomFeed(RssFeed):
    feed_type = Atom1Feed

    def subtitle(self, archive: Archive) -> str:
        return self.description(archive)
