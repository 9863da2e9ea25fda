"""The public portal. Every read of catalog material goes through catalog.selectors or the
public search (the access gateway); hidden material is a 404, never a 403."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import qrcode
import qrcode.image.svg
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from archivox.catalog import search
from archivox.catalog import selectors as catalog_selectors
from archivox.catalog.demand import demand_record_search, demand_record_view
from archivox.catalog.iiif import manifests as iiif_manifests
from archivox.catalog.models import Description, DigitalObject, FeaturedCollection, Level
from archivox.core import selectors as core_selectors
from archivox.core.access import archive_or_404
from archivox.core.models import ARCHIVE_PROFILE_FIELDS, Archive, PlatformAccount
from archivox.harvesting import selectors as harvesting_selectors
from archivox.portal import selectors


def home(request: HttpRequest) -> HttpResponse:
    """A multi-archive installation's front page: the archives it serves, by region, and what
    is new across them (a handful of queries, whatever the number of archives)."""
    groups = core_selectors.archives_by_region()
    archives = [archive for _region, members in groups for archive in members]
    return render(
        request,
        "portal/home.html",
        {
            "groups": groups,
            "posts": selectors.original_posts_public(archives=archives, limit=6),
            "exhibitions": selectors.current_exhibitions_public(limit=4),
            "events": selectors.upcoming_lectures_public(archives=archives, limit=4),
        },
    )


def _map_links(address: str, map_url: str = "") -> list[tuple[str, str]]:
    # Plain links to a map: no embedded map, no script from another host. The archive's own
    # map link first (it marks the entrance); else a search for its address.
    links = []
    if map_url:
        links.append((_("Open the map"), map_url))
    if address and not map_url:
        query = quote(address)
        links += [
            (
                _("Show on a map (%(label)s)") % {"label": _("Amap")},
                f"https://uri.amap.com/search?keyword={query}",
            ),
            (
                _("Show on a map (%(label)s)") % {"label": "OpenStreetMap"},
                f"https://www.openstreetmap.org/search?query={query}",
            ),
        ]
    return links


def _visit(archive: Archive) -> dict[str, str] | None:
    """What the "Visit us" section needs beyond the archive's fields; None when the archive
    has said nothing about visiting (no empty heading)."""
    if not any(getattr(archive, name) for name in ARCHIVE_PROFILE_FIELDS):
        return None
    # tel: takes digits and a leading +; an extension (转 8) is for the person to dial.
    number = re.split(r"转|ext|x", archive.phone)[0]
    digits = re.sub(r"[^0-9+]", "", number)
    return {
        "phone_href": f"tel:{digits}" if digits else "",
        "website_host": urlsplit(archive.website).netloc if archive.website else "",
    }


WEIBO_PROFILE = "https://m.weibo.cn/u/{uid}"


def _follow(archive: Archive) -> list[dict[str, str]]:
    """How to follow the archive: one entry per platform with a locally drawn QR code."""
    accounts = selectors.follow_accounts_public(archive=archive)
    entries = []
    wechat = accounts.get(PlatformAccount.Platform.WECHAT)
    if wechat is not None:
        # An official account's own follow QR (weixin.qq.com/r/…) is only issued by WeChat; we
        # encode this page, which opens inside WeChat, and say which account to search for.
        entries.append(
            {
                "platform": "wechat",
                "label": _("WeChat"),
                "name": wechat.name,
                "original_id": wechat.original_id,
                "caption": _("Scan to open this page on your phone."),
                "url": "",
            }
        )
    weibo = accounts.get(PlatformAccount.Platform.WEIBO)
    if weibo is not None and weibo.weibo_uid:
        entries.append(
            {
                "platform": "weibo",
                "label": _("Weibo"),
                "name": weibo.name,
                "original_id": "",
                "caption": _("Scan to open the archive's Weibo profile."),
                "url": WEIBO_PROFILE.format(uid=quote(weibo.weibo_uid)),
            }
        )
    if not entries:
        entries.append(
            {
                "platform": "portal",
                "label": "",
                "name": "",
                "original_id": "",
                "caption": _("Scan to open on your phone."),
                "url": "",
            }
        )
    return entries


def archive_home(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
    return render(
        request,
        "portal/archive.html",
        {
            "archive": archive,
            "collections": catalog_selectors.collection_list_public(archive=archive)[:6],
            "shared_collections": harvesting_selectors.shared_collections_public(archive=archive),
            "fonds": catalog_selectors.description_roots_public(archive=archive)[:12],
            "posts": selectors.original_posts_public(archives=[archive], limit=5),
            "exhibitions": selectors.current_exhibitions_public(archive=archive, limit=4),
            "events": selectors.upcoming_lectures_public(archives=[archive], limit=4),
            "topics": selectors.topics_public(archive=archive),
            "polls": selectors.open_polls_public(archive=archive),
            "map_links": _map_links(archive.address, archive.map_url),
            "visit": _visit(archive),
            "follow": _follow(archive),
        },
    )


@require_GET
def archive_qr(request: HttpRequest, slug: str, platform: str) -> HttpResponse:
    """A QR code (SVG drawn here, nothing fetched from elsewhere) for following the archive."""
    archive = archive_or_404(slug)
    entry = next((e for e in _follow(archive) if e["platform"] == platform), None)
    if entry is None:
        raise Http404(platform)
    target = entry["url"] or request.build_absolute_uri(reverse("portal:archive", args=[slug]))
    image = qrcode.make(target, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    response = HttpResponse(image.to_string(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def catalog_roots(request: HttpRequest, slug: str) -> HttpResponse:
    archive = archive_or_404(slug)
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
    if page.page == 1:  # one count per search, not per page of its results
        demand_record_search(archive=archive, query=query, total=page.total)
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


@require_GET
def search_suggestions(request: HttpRequest) -> JsonResponse:
    """Titles for the search box's suggestions (a ``<datalist>`` filled by portal/suggest.js);
    the search itself works without them."""
    archive = None
    if request.GET.get("archive"):
        archive = core_selectors.archive_list().filter(slug=request.GET["archive"]).first()
    found = selectors.title_suggestions_public(text=request.GET.get("q", ""), archive=archive)
    response = JsonResponse({"suggestions": found}, json_dumps_params={"ensure_ascii": False})
    # Short and private: an item re-classified confidential must vanish from suggestions soon.
    response["Cache-Control"] = "private, max-age=60"
    return response


def description_detail(request: HttpRequest, slug: str, reference_code: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        description = catalog_selectors.description_get_public(
            archive=archive, reference_code=reference_code
        )
    except Description.DoesNotExist as exc:
        raise Http404(reference_code) from exc
    objects = catalog_selectors.digital_objects_public(description=description)
    images = [obj for obj in objects if obj.kind == DigitalObject.Kind.IMAGE]
    demand_record_view(archive=archive, kind="description", key=description.reference_code)
    return render(
        request,
        "portal/description.html",
        {
            "archive": archive,
            "description": description,
            "breadcrumbs": catalog_selectors.description_breadcrumbs(description=description),
            "children": catalog_selectors.description_children_public(description=description),
            "digital_objects": objects,
            "has_images": bool(images),
            # The IIIF manifest, for viewers the archives world uses (drag-and-drop link).
            "manifest_url": (
                request.build_absolute_uri(iiif_manifests.manifest_path(description.pk))
                if images
                else ""
            ),
            "share_image": images[0] if images else None,
            "objects_withheld": not description.objects_public_on(),
            "citation": _citation(archive, description),
        },
    )


def _citation(archive: Archive, description: Description) -> dict[str, str]:
    """How to cite the item, in the form Chinese archives ask for and in English."""
    holder = archive.name_zh or archive.name
    chinese = f"{holder}藏，{description.reference_code}，《{description.title}》"
    if description.date_expression:
        chinese += f"，{description.date_expression}"
    english_title = description.title_en or description.title
    english = f"“{english_title}”"
    if description.date_expression:
        english += f", {description.date_expression}"
    english += f", {description.reference_code}, {archive.name or archive.name_zh}."
    return {"zh": chinese + "。", "en": english}


def collection_detail(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        featured = catalog_selectors.collection_get_public(archive=archive, slug=collection)
    except FeaturedCollection.DoesNotExist as exc:
        raise Http404(collection) from exc
    demand_record_view(archive=archive, kind="collection", key=featured.slug)
    return render(
        request,
        "portal/collection.html",
        {
            "archive": archive,
            "collection": featured,
            "cover": catalog_selectors.collection_cover_public(featured),
            # Its IIIF collection, when an entry has images the public may see.
            "iiif_collection_url": (
                request.build_absolute_uri(iiif_manifests.collection_path(slug, featured.slug))
                if catalog_selectors.description_ids_with_public_images(
                    ids=[entry.description_id for entry in featured.public_entries]
                )
                else ""
            ),
        },
    )


def _serve(pk: int, *, thumbnail: bool) -> FileResponse:
    try:
        digital_object = catalog_selectors.digital_object_get_public(pk=pk)
    except DigitalObject.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    # The public copy, never the original: that keeps the camera's or editor's metadata.
    field = digital_object.thumbnail if thumbnail else digital_object.public_file
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
