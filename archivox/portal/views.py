"""The public portal. Every read of catalog material goes through catalog.selectors or the
public search (the access gateway); hidden material is a 404, never a 403."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from archivox.catalog import search
from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.models import Description, DigitalObject, FeaturedCollection, Level
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


def _archive(slug: str) -> Archive:
    return get_object_or_404(core_selectors.archive_list(), slug=slug)


def home(request: HttpRequest) -> HttpResponse:
    """A multi-archive installation's front page: the archives it serves, by region."""
    return render(request, "portal/home.html", {"groups": core_selectors.archives_by_region()})


def archive_home(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _archive(slug)
    return render(
        request,
        "portal/archive.html",
        {
            "archive": archive,
            "collections": catalog_selectors.collection_list_public(archive=archive)[:6],
            "fonds": catalog_selectors.description_roots_public(archive=archive)[:12],
        },
    )


def catalog_roots(request: HttpRequest, slug: str) -> HttpResponse:
    archive = _archive(slug)
    return render(
        request,
        "portal/catalog.html",
        {"archive": archive, "fonds": catalog_selectors.description_roots_public(archive=archive)},
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def catalog_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    archive = None
    if request.GET.get("archive"):
        try:
            archive = core_selectors.archive_get(slug=request.GET["archive"])
        except Archive.DoesNotExist:
            archive = None
    levels = tuple(level for level in request.GET.getlist("level") if level in Level.values)
    filters = search.SearchFilters(
        archive_id=archive.pk if archive else None,
        levels=levels,
        year_from=_int_or_none(request.GET.get("year_from")),
        year_to=_int_or_none(request.GET.get("year_to")),
        collection_id=_int_or_none(request.GET.get("collection")),
    )
    page = search.search_descriptions(
        query, filters=filters, page=_int_or_none(request.GET.get("page")) or 1, public=True
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "archive": archive,
            "page": page,
            "levels": Level.choices,
            "selected_levels": levels,
            "archives": core_selectors.archive_list(),
            "base_query": params.urlencode(),
            "year_from": filters.year_from,
            "year_to": filters.year_to,
        },
    )


def description_detail(request: HttpRequest, slug: str, reference_code: str) -> HttpResponse:
    archive = _archive(slug)
    try:
        description = catalog_selectors.description_get_public(
            archive=archive, reference_code=reference_code
        )
    except Description.DoesNotExist as exc:
        raise Http404(reference_code) from exc
    return render(
        request,
        "portal/description.html",
        {
            "archive": archive,
            "description": description,
            "breadcrumbs": catalog_selectors.description_breadcrumbs(description=description),
            "children": catalog_selectors.description_children_public(description=description),
            "digital_objects": catalog_selectors.digital_objects_public(description=description),
            "objects_withheld": not description.objects_public_on(),
            "citation": _citation(archive, description),
        },
    )


def _citation(archive: Archive, description: Description) -> str:
    parts = [archive.name_zh or archive.name, description.reference_code, description.title]
    if description.date_expression:
        parts.append(description.date_expression)
    return "，".join(parts) + "。"


def collection_detail(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    archive = _archive(slug)
    try:
        featured = catalog_selectors.collection_get_public(archive=archive, slug=collection)
    except FeaturedCollection.DoesNotExist as exc:
        raise Http404(collection) from exc
    return render(
        request,
        "portal/collection.html",
        {
            "archive": archive,
            "collection": featured,
            "cover": catalog_selectors.collection_cover_public(featured),
        },
    )


def _serve(pk: int, *, thumbnail: bool) -> FileResponse:
    try:
        digital_object = catalog_selectors.digital_object_get_public(pk=pk)
    except DigitalObject.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    field = digital_object.thumbnail if thumbnail else digital_object.file
    if not field:
        raise Http404(str(pk))
    response = FileResponse(
        field.open("rb"), content_type="image/jpeg" if thumbnail else digital_object.media_type
    )
    # Never let a browser guess a type, and keep objects out of shared caches in case access
    # changes later.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    if digital_object.kind == DigitalObject.Kind.PDF:
        response["Content-Disposition"] = "inline"
    return response


@require_GET
def digital_object_file(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(pk, thumbnail=False)


@require_GET
def digital_object_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(pk, thumbnail=True)
