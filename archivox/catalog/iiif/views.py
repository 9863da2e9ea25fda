"""IIIF endpoints, thin: the gateway first (``catalog.selectors``), then the picture or the
document. A hidden or unknown image, manifest or collection is a 404, the same for both."""

from __future__ import annotations

import hashlib
import json
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from archivox.catalog import selectors
from archivox.catalog.iiif import cache, manifests, services
from archivox.catalog.iiif import image as iiif_image
from archivox.catalog.models import Description, DigitalObject, FeaturedCollection
from archivox.core.access import archive_or_404, client_address

logger = logging.getLogger(__name__)

IMAGE_PROFILE = "http://iiif.io/api/image/3/context.json"
PRESENTATION_PROFILE = "http://iiif.io/api/presentation/3/context.json"
LEVEL_PROFILE = "http://iiif.io/api/image/3/level1.json"
# Revalidated on every use: the gateway answers again each time, so a reclassified image stops
# at once even in a browser that has it (a 304 costs no picture work).
CACHE_CONTROL = "private, no-cache"


def _with_headers(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _not_found() -> HttpResponse:
    return _with_headers(HttpResponse("not found", status=404, content_type="text/plain"))


def _bad_request(message: str) -> HttpResponse:
    return _with_headers(HttpResponse(message, status=400, content_type="text/plain"))


def _json(request: HttpRequest, document: dict, profile: str) -> HttpResponse:
    if "application/ld+json" in request.headers.get("Accept", ""):
        content_type = f'application/ld+json;profile="{profile}"'
    else:
        content_type = "application/json"
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return _with_headers(HttpResponse(body, content_type=content_type))


def _site(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _image_or_none(identifier: str) -> tuple[DigitalObject, int, int] | None:
    """The public image an identifier names, with its width and height; None when it is
    unknown, hidden by the gateway, or its public copy cannot be read (logged)."""
    if not identifier.isdigit() or len(identifier) > 18:
        return None
    try:
        obj = selectors.image_get_public(pk=int(identifier))
    except DigitalObject.DoesNotExist:
        return None
    try:
        width, height = _dimensions(obj.pk, obj.public_file.name)
    except (OSError, iiif_image.UnreadableImage) as exc:
        logger.warning("iiif: the public copy of object %s cannot be read: %s", obj.pk, exc)
        return None
    return obj, width, height


@lru_cache(maxsize=4096)
def _dimensions(object_id: int, source_name: str) -> tuple[int, int]:
    # Keyed by the public copy's name, so a new copy is measured again; only ever called
    # after the gateway has let the object out.
    from django.core.files.storage import default_storage

    with default_storage.open(source_name, "rb") as source:
        return iiif_image.image_size(source)


@require_safe
def image_base(request: HttpRequest, identifier: str) -> HttpResponse:
    if _image_or_none(identifier) is None:
        return _not_found()
    response = HttpResponseRedirect(reverse("iiif:image_info", args=[identifier]), status=303)
    return _with_headers(response)


@require_safe
def image_info(request: HttpRequest, identifier: str) -> HttpResponse:
    found = _image_or_none(identifier)
    if found is None:
        return _not_found()
    obj, width, height = found
    info = iiif_image.image_information(
        service_id=_site(request) + manifests.image_service_path(obj.pk),
        width=width,
        height=height,
        max_dimension=settings.IIIF_MAX_DIMENSION,
    )
    response = _json(request, info, IMAGE_PROFILE)
    response["Link"] = f'<{LEVEL_PROFILE}>;rel="profile"'
    return response


@require_safe
def image(
    request: HttpRequest,
    identifier: str,
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
) -> HttpResponse:
    found = _image_or_none(identifier)
    if found is None:
        return _not_found()
    obj, width, height = found
    try:
        wanted = iiif_image.parse_request(
            image_width=width,
            image_height=height,
            region=region,
            size=size,
            rotation=rotation,
            quality_format=quality_format,
            max_dimension=settings.IIIF_MAX_DIMENSION,
        )
    except iiif_image.ImageRequestError as exc:
        return _bad_request(str(exc))
    source_name = obj.public_file.name
    digest = hashlib.sha256(f"{source_name}\n{wanted.canonical}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    service = _site(request) + manifests.image_service_path(obj.pk)
    links = f'<{service}/{wanted.canonical}>;rel="canonical", <{LEVEL_PROFILE}>;rel="profile"'
    if etag in request.headers.get("If-None-Match", ""):
        response = _with_headers(HttpResponse(status=304))
    else:
        data = cache.derivative_get(
            object_id=obj.pk, source_name=source_name, canonical=wanted.canonical
        )
        if data is None:
            if not services.iiif_render_allowed(client=client_address(request)):
                response = _with_headers(
                    HttpResponse(
                        "too many new pictures asked for; try again in a minute",
                        status=429,
                        content_type="text/plain",
                    )
                )
                response["Retry-After"] = str(settings.IIIF_RENDER_RATE[1])
                return response
            try:
                with obj.public_file.open("rb") as source:
                    data = iiif_image.render(source, wanted)
            except (OSError, iiif_image.UnreadableImage) as exc:
                logger.warning("iiif: cannot cut object %s: %s", obj.pk, exc)
                return _not_found()
            cache.derivative_put(
                object_id=obj.pk, source_name=source_name, canonical=wanted.canonical, data=data
            )
        response = _with_headers(HttpResponse(data, content_type=wanted.media_type))
    response["ETag"] = etag
    response["Link"] = links
    return response


@require_safe
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        description = selectors.description_get_public_by_id(pk=pk)
        document = manifests.description_manifest(
            description=description,
            base=_site(request),
            max_dimension=settings.IIIF_MAX_DIMENSION,
        )
    except Description.DoesNotExist:
        return _not_found()
    return _json(request, document, PRESENTATION_PROFILE)


@require_safe
def collection(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    archive = archive_or_404(slug)
    try:
        featured = selectors.collection_get_public(archive=archive, slug=collection)
    except FeaturedCollection.DoesNotExist:
        return _not_found()
    document = manifests.collection_document(collection=featured, base=_site(request))
    return _json(request, document, PRESENTATION_PROFILE)
