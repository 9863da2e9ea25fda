"""Rendering the XML: the OAI-PMH envelope, record headers and ``oai_dc`` metadata from the
ISAD(G) fields of a description."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from urllib.parse import quote
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from archivox.catalog.iiif.manifests import manifest_path
from archivox.catalog.models import DeletedRecord, Description
from archivox.catalog.oai.protocol import (
    DC_NS,
    OAI_DC_NS,
    OAI_DC_SCHEMA,
    OAI_NS,
    OAI_SCHEMA,
    XSI_NS,
    base_url,
    description_datestamp,
    format_datestamp,
    identifier_for,
)

# Characters XML 1.0 cannot carry at all, even escaped.
ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return ILLEGAL_XML_CHARS.sub("", text)


def _text(
    parent: ET.Element, tag: str, text: str, attributes: dict[str, str] | None = None
) -> None:
    element = ET.SubElement(parent, tag, attributes or {})
    element.text = _clean(text)


def _header(
    parent: ET.Element,
    identifier: str,
    datestamp: datetime.datetime,
    set_specs: Sequence[str],
    *,
    deleted: bool = False,
) -> None:
    header = ET.SubElement(parent, "header", {"status": "deleted"} if deleted else {})
    _text(header, "identifier", identifier)
    _text(header, "datestamp", format_datestamp(datestamp))
    for spec in set_specs:
        _text(header, "setSpec", spec)


def portal_url(description: Description) -> str:
    code = quote(description.reference_code, safe="")
    return f"{settings.BASE_URL}/archives/{description.archive.slug}/catalog/{code}/"


def _dates_of(description: Description) -> str:
    if description.date_expression:
        return description.date_expression
    start, end = description.start_year, description.end_year
    if start is not None and end is not None and start != end:
        return f"{start}/{end}"
    year = start if start is not None else end
    return "" if year is None else str(year)


def _oai_dc(parent: ET.Element, description: Description) -> None:
    """Dublin Core from the ISAD(G) fields of a public description."""
    dc = ET.SubElement(
        parent,
        "oai_dc:dc",
        {
            "xmlns:oai_dc": OAI_DC_NS,
            "xmlns:dc": DC_NS,
            "xsi:schemaLocation": f"{OAI_DC_NS} {OAI_DC_SCHEMA}",
        },
    )
    _text(dc, "dc:title", description.title)
    if description.title_en:
        _text(dc, "dc:title", description.title_en, {"xml:lang": "en"})
    if description.creator:
        _text(dc, "dc:creator", description.creator)
    for subject in description.subjects or []:
        _text(dc, "dc:subject", str(subject))
    if description.scope_content:
        _text(dc, "dc:description", description.scope_content)
    _text(dc, "dc:publisher", str(description.archive))
    dates = _dates_of(description)
    if dates:
        _text(dc, "dc:date", dates)
    _text(dc, "dc:type", description.level)
    if description.extent:
        _text(dc, "dc:format", description.extent)
    _text(dc, "dc:identifier", description.reference_code)
    _text(dc, "dc:identifier", portal_url(description))
    if description.language:
        _text(dc, "dc:language", description.language)
    for place in description.places or []:
        _text(dc, "dc:coverage", str(place))
    if description.access_conditions:
        _text(dc, "dc:rights", description.access_conditions)
    if getattr(description, "has_public_image", False) and description.objects_public_on():
        # Its IIIF manifest, for viewers and for other Archivox installations harvesting us.
        _text(dc, "dc:relation", settings.BASE_URL + manifest_path(description.pk))


def _record(
    parent: ET.Element, description: Description, set_specs: Sequence[str], *, with_metadata: bool
) -> None:
    identifier = identifier_for(description.archive.slug, description.reference_code)
    if not with_metadata:
        _header(parent, identifier, description_datestamp(description), set_specs)
        return
    record = ET.SubElement(parent, "record")
    _header(record, identifier, description_datestamp(description), set_specs)
    _oai_dc(ET.SubElement(record, "metadata"), description)


def _deleted_record(
    parent: ET.Element, deleted: DeletedRecord, set_specs: Sequence[str], *, with_metadata: bool
) -> None:
    identifier = identifier_for(deleted.archive.slug, deleted.reference_code)
    if with_metadata:
        parent = ET.SubElement(parent, "record")
    _header(parent, identifier, deleted.deleted_at, set_specs, deleted=True)


def _envelope(arguments: dict[str, str] | None) -> ET.Element:
    root = ET.Element(
        "OAI-PMH",
        {
            "xmlns": OAI_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{OAI_NS} {OAI_SCHEMA}",
        },
    )
    _text(root, "responseDate", format_datestamp(timezone.now()))
    _text(root, "request", base_url(), {k: _clean(v) for k, v in (arguments or {}).items()})
    return root


def _serialise(root: ET.Element) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
