"""IIIF Presentation API 3.0: a manifest for each public description with images, a
collection for each published featured collection. Built only from what the access gateway
(``catalog.selectors``) returns; labels are language maps in Chinese (zh-Hans) and English.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from django.urls import reverse

from archivox.catalog import selectors
from archivox.catalog.iiif import image as iiif_image
from archivox.catalog.models import Description, DigitalObject, FeaturedCollection

logger = logging.getLogger(__name__)

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SUMMARY_LENGTH = 500


def manifest_path(description_id: int) -> str:
    return reverse("iiif:manifest", args=[description_id])


def collection_path(archive_slug: str, collection_slug: str) -> str:
    return reverse("iiif:collection", args=[archive_slug, collection_slug])


def image_service_path(object_id: int) -> str:
    return reverse("iiif:image_base", args=[str(object_id)])


def _map(chinese: str, english: str = "") -> dict[str, list[str]]:
    """A language map: Chinese first, English when there is an English text."""
    labels = {"zh-Hans": [chinese or english]}
    if english:
        labels["en"] = [english]
    return labels


def _entry(chinese: str, english: str, value: str) -> dict[str, Any]:
    return {"label": _map(chinese, english), "value": {"none": [value]}}


def _description_metadata(description: Description) -> list[dict[str, Any]]:
    entries = [_entry("档号", "Reference code", description.reference_code)]
    if description.date_expression:
        entries.append(_entry("日期", "Dates", description.date_expression))
    if description.creator:
        entries.append(_entry("形成者", "Creator", description.creator))
    if description.extent:
        entries.append(_entry("数量及载体", "Extent and medium", description.extent))
    if description.subjects:
        entries.append(_entry("主题", "Subjects", "、".join(map(str, description.subjects))))
    if description.places:
        entries.append(_entry("地名", "Places", "、".join(map(str, description.places))))
    return entries


def _archive_labels(description: Description) -> dict[str, list[str]]:
    archive = description.archive
    return _map(archive.name_zh or archive.name, archive.name if archive.name_zh else "")


def _portal_path(description: Description) -> str:
    code = quote(description.reference_code, safe="")
    return f"/archives/{description.archive.slug}/catalog/{code}/"


def _canvas(
    base: str, manifest_id: str, number: int, obj: DigitalObject, max_dimension: int
) -> dict[str, Any] | None:
    try:
        with obj.public_file.open("rb") as source:
            width, height = iiif_image.image_size(source)
    except (OSError, iiif_image.UnreadableImage) as exc:
        # A damaged copy is left out (and logged), not the whole manifest.
        logger.warning("iiif: the public copy of object %s cannot be read: %s", obj.pk, exc)
        return None
    full = iiif_image.parse_request(
        image_width=width,
        image_height=height,
        region="full",
        size="max",
        rotation="0",
        quality_format="default.jpg",
        max_dimension=max_dimension,
    )
    service_id = base + image_service_path(obj.pk)
    canvas_id = f"{manifest_id}/canvas/{number}"
    label = obj.caption or f"第 {number} 幅"
    return {
        "id": canvas_id,
        "type": "Canvas",
        "label": _map(label, "" if obj.caption else f"Image {number}"),
        "width": width,
        "height": height,
        "items": [
            {
                "id": f"{manifest_id}/page/{number}",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{manifest_id}/annotation/{number}",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas_id,
                        "body": {
                            "id": f"{service_id}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": full.output_width,
                            "height": full.output_height,
                            "service": [
                                {"id": service_id, "type": "ImageService3", "profile": "level1"}
                            ],
                        },
                    }
                ],
            }
        ],
        "thumbnail": [
            {
                "id": f"{service_id}/full/{min(width, 200)},/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "service": [{"id": service_id, "type": "ImageService3", "profile": "level1"}],
            }
        ],
    }


def description_manifest(*, description: Description, base: str, max_dimension: int) -> dict:
    """The manifest of a public description. ``base`` is the site's scheme and host. Raises
    ``Description.DoesNotExist`` when the description has no image the public may see."""
    images = selectors.images_public(description=description)
    if not images:
        raise Description.DoesNotExist("no public images")
    manifest_id = base + manifest_path(description.pk)
    made = (
        _canvas(base, manifest_id, number, obj, max_dimension)
        for number, obj in enumerate(images, start=1)
    )
    canvases = [canvas for canvas in made if canvas is not None]
    if not canvases:
        raise Description.DoesNotExist("no readable public images")
    manifest: dict[str, Any] = {
        "@context": CONTEXT,
        "id": manifest_id,
        "type": "Manifest",
        "label": _map(description.title, description.title_en),
        "metadata": _description_metadata(description),
        "requiredStatement": {
            "label": _map("收藏单位", "Held by"),
            "value": _archive_labels(description),
        },
        "provider": [
            {
                "id": f"{base}/archives/{description.archive.slug}/",
                "type": "Agent",
                "label": _archive_labels(description),
            }
        ],
        "homepage": [
            {
                "id": base + _portal_path(description),
                "type": "Text",
                "label": _map(description.title, description.title_en),
                "format": "text/html",
            }
        ],
        "thumbnail": canvases[0]["thumbnail"],
        "items": canvases,
    }
    if description.scope_content:
        manifest["summary"] = _map(description.scope_content[:SUMMARY_LENGTH])
    return manifest


def collection_document(*, collection: FeaturedCollection, base: str) -> dict:
    """The IIIF collection of a published featured collection: the manifests of its entries
    that have public images, in the collection's order (``selectors.collection_get_public``
    gives the entries the public may see)."""
    entries = [entry.description for entry in collection.public_entries]
    with_images = selectors.description_ids_with_public_images(ids=[d.pk for d in entries])
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": base + collection_path(collection.archive.slug, collection.slug),
        "type": "Collection",
        "label": _map(collection.title, collection.title_en),
        "homepage": [
            {
                "id": f"{base}/archives/{collection.archive.slug}/collections/{collection.slug}/",
                "type": "Text",
                "label": _map(collection.title, collection.title_en),
                "format": "text/html",
            }
        ],
        "items": [
            {
                "id": base + manifest_path(description.pk),
                "type": "Manifest",
                "label": _map(description.title, description.title_en),
            }
            for description in entries
            if description.pk in with_images
        ],
    }
    if collection.introduction:
        document["summary"] = _map(collection.introduction[:SUMMARY_LENGTH])
    return document
