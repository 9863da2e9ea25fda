"""Export descriptions as CSV or EAD 2002 XML, in the forms ``catalog.imports`` reads back.

A public export takes descriptions only through the access gateway
(``selectors.description_list_public``), so confidential material and material under a closure
date never leave. A staff export (``user=...``) takes everything, through
``selectors.description_list_for_staff``, which checks ``catalog.view_closed``.
"""

from __future__ import annotations

import csv
import datetime
import re
from typing import IO
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from django.db.models import QuerySet
from django.utils import timezone

from archivox.catalog.imports.cleaning import LIST_FIELDS
from archivox.catalog.imports.csv_records import CSV_COLUMNS
from archivox.catalog.imports.ead import EAD_NAMESPACE
from archivox.catalog.models import Access, Description
from archivox.catalog.selectors import description_list_for_staff, description_list_public
from archivox.core.models import Archive, User

EXPORT_FIELDS = (
    "id",
    "parent_id",
    "path",
    "depth",
    "reference_code",
    "title",
    "title_en",
    "date_expression",
    "start_year",
    "end_year",
    "level",
    "extent",
    "creator",
    "scope_content",
    "access_conditions",
    "language",
    "subjects",
    "places",
    "people",
    "access_level",
    "closed_until",
    "position",
)
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
EAD_SCHEMA = "https://www.loc.gov/ead/ead.xsd"
# Characters XML 1.0 cannot carry at all.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


class ExportError(Exception):
    """The export asked for cannot be made (no such fonds, unknown format)."""


def _queryset(archive: Archive, user: User | None) -> QuerySet[Description]:
    if user is None:
        return description_list_public(archive=archive).select_related(None)
    return description_list_for_staff(user=user, archive=archive)


def _collect(
    archive: Archive, fonds: str | None, user: User | None
) -> tuple[list[Description], dict[int, str], Description | None]:
    """The descriptions to export in tree order (each parent before its children, siblings by
    position and reference code), the reference code of each one's parent, and the top."""
    base = _queryset(archive, user)
    rows = base
    top = None
    if fonds:
        try:
            top = base.only(*EXPORT_FIELDS).get(reference_code=fonds)
        except Description.DoesNotExist:
            visible = "" if user is not None else " that the public may see"
            raise ExportError(
                f"no description {fonds!r}{visible} in archive {archive.slug}"
            ) from None
        rows = rows.filter(path__startswith=top.path)
    descriptions = list(rows.only(*EXPORT_FIELDS).order_by("path").iterator(chunk_size=2000))
    codes = {d.pk: d.reference_code for d in descriptions}
    if top is not None and top.parent_id is not None:
        parent = base.filter(pk=top.parent_id).values_list("reference_code", flat=True).first()
        if parent is not None:
            codes[top.parent_id] = parent
    children: dict[int | None, list[Description]] = {}
    ids = {d.pk for d in descriptions}
    for description in descriptions:
        key = description.parent_id if description.parent_id in ids else None
        children.setdefault(key, []).append(description)
    for siblings in children.values():
        siblings.sort(key=lambda d: (d.position, d.reference_code))
    ordered: list[Description] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        description = stack.pop()
        ordered.append(description)
        stack.extend(reversed(children.get(description.pk, [])))
    parent_codes = {
        d.pk: codes.get(d.parent_id, "") if d.parent_id is not None else "" for d in ordered
    }
    return ordered, parent_codes, top


def _cell(description: Description, name: str) -> str:
    value = getattr(description, name)
    if value is None:
        return ""
    if name in LIST_FIELDS:
        return "; ".join(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_csv(descriptions: list[Description], parent_codes: dict[int, str], out: IO[str]) -> None:
    """One row per description, the columns of docs/catalog-import.md, parents first."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for description in descriptions:
        writer.writerow(
            [
                parent_codes.get(description.pk, "")
                if column == "parent_reference_code"
                else _cell(description, column)
                for column in CSV_COLUMNS
            ]
        )


def _text(value: str) -> str:
    return NOT_XML.sub("", value)


def _add(parent: Element, tag: str, text: str = "", **attributes: str) -> Element:
    element = SubElement(parent, tag, attributes)
    if text:
        element.text = _text(text)
    return element


def _paragraphs(parent: Element, text: str) -> None:
    for paragraph in PARAGRAPH_BREAK.split(text.strip()):
        if paragraph.strip():
            _add(parent, "p", paragraph.strip())


def _normal(description: Description) -> str:
    start, end = description.start_year, description.end_year
    if start is None and end is None:
        return ""
    if start == end:
        return str(start)
    return f"{'' if start is None else start}/{'' if end is None else end}"


def _component(parent: Element, tag: str, description: Description) -> Element:
    """The EAD of one description (children are added by the caller)."""
    attributes = {"level": description.level}
    if description.access_level == Access.CONFIDENTIAL:
        attributes["audience"] = "internal"
    component = _add(parent, tag, **attributes)
    did = _add(component, "did")
    _add(did, "unitid", description.reference_code)
    _add(did, "unittitle", description.title)
    if description.title_en:
        _add(did, "unittitle", description.title_en, type="en")
    normal = _normal(description)
    if description.date_expression or normal:
        unitdate = _add(did, "unitdate", description.date_expression)
        if normal:
            unitdate.set("normal", normal)
    if description.extent:
        _add(_add(did, "physdesc"), "extent", description.extent)
    if description.creator:
        _add(did, "origination", description.creator)
    if description.language:
        _add(did, "langmaterial", description.language)
    if (
        description.access_level != Access.OPEN
        or description.access_conditions
        or description.closed_until
    ):
        restrict = _add(component, "accessrestrict", type=description.access_level)
        _paragraphs(restrict, description.access_conditions)
        if description.closed_until:
            day = description.closed_until.isoformat()
            _add(_add(restrict, "p"), "date", day, type="closed-until", normal=day)
    if description.scope_content:
        _paragraphs(_add(component, "scopecontent"), description.scope_content)
    if description.subjects or description.places or description.people:
        controlaccess = _add(component, "controlaccess")
        for tag_name, values in (
            ("subject", description.subjects),
            ("geogname", description.places),
            ("persname", description.people),
        ):
            for value in values:
                _add(controlaccess, tag_name, value)
    return component


def _component_tag(level: int) -> str:
    return f"c{level:02d}" if level <= 12 else "c"


def build_ead(
    archive: Archive,
    descriptions: list[Description],
    *,
    top: Description | None,
) -> Element:
    """An EAD 2002 document (namespaced, schema version). A fonds export has the fonds as its
    <archdesc>; a whole-archive export has <archdesc level="otherlevel" otherlevel="archive">
    holding every fonds as a <c01>, which the importer reads back as roots."""
    ead = Element(
        "ead",
        {
            "xmlns": EAD_NAMESPACE,
            "xmlns:xsi": XSI_NAMESPACE,
            "xsi:schemaLocation": f"{EAD_NAMESPACE} {EAD_SCHEMA}",
        },
    )
    header = _add(ead, "eadheader", langencoding="iso639-2b", countryencoding="iso3166-1")
    _add(header, "eadid", f"{archive.slug}:{top.reference_code}" if top else archive.slug)
    titlestmt = _add(_add(header, "filedesc"), "titlestmt")
    archive_name = archive.name_zh or archive.name
    _add(titlestmt, "titleproper", f"{archive_name}: {top.title}" if top else archive_name)
    today = timezone.localdate().isoformat()
    creation = _add(_add(header, "profiledesc"), "creation", "Exported by Archivox on ")
    _add(creation, "date", today, normal=today)

    by_parent: dict[int, list[Description]] = {}
    ids = {d.pk for d in descriptions}
    for description in descriptions:  # already in tree order
        if description.parent_id in ids:
            by_parent.setdefault(description.parent_id, []).append(description)

    def add_children(element: Element, description: Description, level: int) -> None:
        """Depth-first with an explicit stack, so deep trees cannot exhaust recursion."""
        stack = [(element, description, level)]
        while stack:
            parent_element, parent, depth = stack.pop()
            kids = by_parent.get(parent.pk, [])
            if not kids:
                continue
            container = parent_element
            if depth == 1 and parent_element.tag == "archdesc":
                container = _add(parent_element, "dsc")
            pending = []
            for kid in kids:
                pending.append((_component(container, _component_tag(depth), kid), kid, depth + 1))
            stack.extend(reversed(pending))

    if top is not None:
        archdesc = _component(ead, "archdesc", top)
        add_children(archdesc, top, 1)
    else:
        archdesc = _add(ead, "archdesc", level="otherlevel", otherlevel="archive")
        did = _add(archdesc, "did")
        _add(did, "unittitle", archive_name)
        _add(_add(did, "repository"), "corpname", archive_name)
        dsc = _add(archdesc, "dsc")
        roots = [d for d in descriptions if d.parent_id not in ids]
        for root in roots:
            add_children(_component(dsc, "c01", root), root, 2)
    return ead


def write_ead(
    archive: Archive, descriptions: list[Description], out: IO[str], *, top: Description | None
) -> None:
    ead = build_ead(archive, descriptions, top=top)
    indent(ead)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(tostring(ead, encoding="unicode"))
    out.write("\n")


def catalog_export(
    *,
    archive: Archive,
    out: IO[str],
    format: str = "csv",
    fonds: str | None = None,
    user: User | None = None,
) -> int:
    """Write the catalog of ``archive`` (or the subtree of the description ``fonds``) to the
    text stream ``out`` as CSV or EAD; returns how many descriptions were written.

    ``user=None`` is a public export through the access gateway; with a user it is a staff
    export of everything, which needs ``catalog.view_closed`` (``ArchivePermissionDenied``)."""
    if format not in ("csv", "ead"):
        raise ExportError(f"unknown export format {format!r}; use csv or ead")
    descriptions, parent_codes, top = _collect(archive, fonds, user)
    if format == "csv":
        write_csv(descriptions, parent_codes, out)
    else:
        write_ead(archive, descriptions, out, top=top)
    return len(descriptions)
