"""EAD 2002 parsing: the XML read by defusedxml (no entities, no XML bombs), and one
``_Record`` of strings per component, parents before children; the mapping is in
docs/catalog-import.md."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from archivox.catalog.imports.report import ImportReport, _Record
from archivox.catalog.models import Access, Level
from archivox.catalog.services import DESCRIPTION_FIELDS
from archivox.core.safe_xml import XmlLimitExceeded, bounded_parser

logger = logging.getLogger(__name__)

EAD_NAMESPACE = "urn:isbn:1-931666-22-9"
# Markup may nest deeply (<emph> in <emph>…, read without recursion); past this the file is
# refused while it is parsed (issue 17).
EAD_MAX_DEPTH = 10_000
# The catalog holds four levels (fonds, series, file, item), so deeper components are refused
# anyway; refusing them before any is read keeps each component's path (which grows with its
# depth) from costing memory in proportion to the square of the nesting.
EAD_MAX_COMPONENT_DEPTH = 32
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
# <archdesc level="otherlevel" otherlevel="archive"> wraps a whole-archive export: it is not a
# description itself; its components are imported as roots.
EAD_WRAPPER_LEVELS = frozenset({"archive", "repository"})
EAD_LEVEL_ALIASES = {"collection": Level.FONDS.value}
EAD_COMPONENT_TAGS = frozenset({"c", *(f"c{n:02d}" for n in range(1, 13))})
EAD_ENGLISH = frozenset({"en", "eng", "english"})
EAD_CLOSURE_DATE_TYPES = frozenset({"closed-until", "closeduntil", "closed_until", "closure"})
EAD_ACCESS_TYPES = {
    "open": Access.OPEN.value,
    "public": Access.OPEN.value,
    "unrestricted": Access.OPEN.value,
    "restricted": Access.RESTRICTED.value,
    "limited": Access.RESTRICTED.value,
    "confidential": Access.CONFIDENTIAL.value,
    "closed": Access.CONFIDENTIAL.value,
    "internal": Access.CONFIDENTIAL.value,
    "secret": Access.CONFIDENTIAL.value,
}
# Where each field lives in an EAD component, for the report.
EAD_LABELS = {
    "reference_code": "did/unitid",
    "parent_reference_code": "unitid of the enclosing component",
    "level": "@level",
    "title": "did/unittitle",
    "title_en": 'did/unittitle[@type="en"]',
    "date_expression": "did/unitdate",
    "start_year": "did/unitdate/@normal",
    "end_year": "did/unitdate/@normal",
    "extent": "did/physdesc/extent",
    "creator": "did/origination",
    "scope_content": "scopecontent",
    "access_conditions": "accessrestrict",
    "language": "did/langmaterial",
    "subjects": "controlaccess/subject",
    "places": "controlaccess/geogname",
    "people": "controlaccess/persname",
    "access_level": "@audience / accessrestrict/@type",
    "closed_until": 'accessrestrict//date[@type="closed-until"]/@normal',
    "position": "position among sibling components",
}


class _SafeXMLParser(DefusedXMLParser):
    """defusedxml's parser, refusing every entity declaration and external reference and every
    DOCTYPE with an internal subset (where XML bombs and external entities live). A bare
    ``<!DOCTYPE ead PUBLIC "…" "ead.dtd">`` as EAD 2002 files carry is allowed: the DTD is
    never fetched or read. Made by ``core.safe_xml.bounded_parser``, which bounds the depth."""

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if has_internal_subset:
            raise DTDForbidden(name, sysid, pubid)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(element: Element, *names: str) -> list[Element]:
    return [child for child in element if _local(child.tag) in names]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _line(element: Element | None, skip: frozenset[str] = frozenset()) -> str:
    """The text of ``element`` on one line (whitespace collapsed), leaving out ``skip``ped
    child elements."""
    if element is None:
        return ""
    return " ".join(_text_parts(element, skip).split())


def _text_parts(element: Element, skip: frozenset[str]) -> str:
    """Like ``itertext``, but leaving out the subtrees of ``skip``ped elements; iterative, so
    hostile nesting cannot exhaust the stack."""
    parts: list[str] = []
    stack: list[Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        parts.append(item.text or "")
        for child in reversed(item):
            stack.append(child.tail or "")
            if _local(child.tag) not in skip:
                stack.append(child)
    return "".join(parts)


def _title(unittitle: Element) -> str:
    """A unittitle's text; a date inside it ("Letters, <unitdate>1929</unitdate>") is the
    description's date, not part of its title."""
    if _child(unittitle, "unitdate") is None:
        return _line(unittitle)
    return _line(unittitle, frozenset({"unitdate"})).rstrip(" ,，;；:：")


def _joined(elements: Iterable[Element]) -> str:
    return "; ".join(text for text in (_line(element) for element in elements) if text)


def _block(element: Element) -> str:
    """The text of a paragraph: line breaks kept, indentation removed."""
    lines = [line.strip() for line in "".join(element.itertext()).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _is_closure_date(element: Element) -> bool:
    return (
        _local(element.tag) == "date"
        and element.get("type", "").strip().lower() in EAD_CLOSURE_DATE_TYPES
    )


def _paragraphs(elements: Iterable[Element]) -> str:
    """Paragraphs of notes (scopecontent, accessrestrict), separated by a blank line; headings
    and paragraphs that only carry a closure date are left out."""
    paragraphs = []
    for element in elements:
        ps = [p for p in element.iter() if _local(p.tag) == "p"]
        if not ps:
            text = _block(element)
            if text:
                paragraphs.append(text)
            continue
        for p in ps:
            if any(_is_closure_date(node) for node in p.iter()):
                continue
            text = _block(p)
            if text:
                paragraphs.append(text)
    return "\n\n".join(paragraphs)


YEAR_PART = re.compile(r"^(-?\d{1,4})(?:-\d{2}(?:-\d{2})?)?$|^(-?\d{4})\d{4}$")


def _normal_years(normal: str) -> tuple[str, str] | None:
    """Start and end year of an ISO 8601 ``normal`` attribute (1927/1949, 1927-03-01/1949-12,
    1927, or an open end such as 1927/); None when it is not one."""
    sides = normal.split("/")
    if len(sides) == 1:
        sides = [sides[0], sides[0]]
    if len(sides) != 2 or not (sides[0] or sides[1]):
        return None
    years = []
    for side in sides:
        side = side.strip()
        if not side:
            years.append("")
            continue
        match = YEAR_PART.match(side)
        if match is None:
            return None
        years.append(str(int(match.group(1) or match.group(2))))
    return years[0], years[1]


def _ead_component(
    element: Element,
    where: str,
    parent_code: str | None,
    position: int,
    order: int,
    report: ImportReport,
) -> _Record:
    """One component (or the archdesc) as a record; ``position`` among its siblings, ``order``
    in the document."""
    did = _child(element, "did")
    raw: dict[str, Any] = {"position": str(position)}
    raw["reference_code"] = code = _line(_child(did, "unitid"))
    where = f"{where} ({code})" if code else where
    titles = _children(did, "unittitle") if did is not None else []

    def is_english(title: Element) -> bool:
        marks = {
            title.get("type", ""),
            title.get("label", ""),
            title.get(f"{{{XML_NAMESPACE}}}lang", ""),
        }
        return bool({mark.strip().lower() for mark in marks} & EAD_ENGLISH)

    main = [title for title in titles if not is_english(title)]
    english = [title for title in titles if is_english(title)]
    raw["title"] = _title(main[0]) if main else ""
    raw["title_en"] = _title(english[0]) if english else ""
    unitdate = _child(did, "unitdate")
    if unitdate is None:
        for title in titles:
            nested = _child(title, "unitdate")
            if nested is not None:
                unitdate = nested
                break
    raw["date_expression"] = _line(unitdate)
    raw["start_year"] = raw["end_year"] = ""
    normal = (unitdate.get("normal") or "").strip() if unitdate is not None else ""
    if normal:
        years = _normal_years(normal)
        if years is None:
            report.add(
                where,
                EAD_LABELS["start_year"],
                f"{normal!r} is not a year or a range of years such as 1927/1949",
                order=order,
            )
        else:
            raw["start_year"], raw["end_year"] = years
    physdescs = _children(did, "physdesc") if did is not None else []
    extents = [_line(e) for p in physdescs for e in _children(p, "extent")]
    if not extents:
        extents = [_line(p) for p in physdescs]
    raw["extent"] = "; ".join(text for text in extents if text)
    raw["creator"] = _joined(_children(did, "origination") if did is not None else [])
    raw["language"] = _joined(_children(did, "langmaterial") if did is not None else [])
    raw["scope_content"] = _paragraphs(_children(element, "scopecontent"))
    restricts = _children(element, "accessrestrict")
    raw["access_conditions"] = _paragraphs(restricts)
    access = ""
    if element.get("audience", "").strip().lower() == "internal":
        access = Access.CONFIDENTIAL.value
    else:
        for restrict in restricts:
            kind = restrict.get("type", "").strip().lower()
            if kind:
                access = EAD_ACCESS_TYPES.get(kind, kind)
                break
    raw["access_level"] = access
    raw["closed_until"] = ""
    for restrict in restricts:
        dates = [node for node in restrict.iter() if _is_closure_date(node)]
        if dates:
            raw["closed_until"] = (dates[0].get("normal") or _line(dates[0])).strip()
            break
    terms: dict[str, list[str]] = {"subject": [], "geogname": [], "persname": []}
    for controlaccess in _children(element, "controlaccess"):
        for node in controlaccess.iter():
            name = _local(node.tag)
            if name in terms:
                text = _line(node)
                if text:
                    terms[name].append(text)
    raw["subjects"], raw["places"], raw["people"] = (
        terms["subject"],
        terms["geogname"],
        terms["persname"],
    )
    level = element.get("level", "").strip().lower()
    raw["level"] = EAD_LEVEL_ALIASES.get(level, level)
    if level == "otherlevel":
        raw["level"] = element.get("otherlevel", "").strip().lower() or "otherlevel"
    return _Record(
        where=where,
        order=order,
        raw=raw,
        present=frozenset(DESCRIPTION_FIELDS),
        parent_given=True,
        parent_code=parent_code,
        labels=EAD_LABELS,
    )


def _refuse(report: ImportReport, where: str, field: str, message: str) -> None:
    """A file refused for safety: a problem in the report, and one log line."""
    report.add(where, field, message)
    logger.warning(f"catalog import refused: {message}", extra={"file": report.file})


def _parse_ead(data: bytes, report: ImportReport) -> list[_Record]:
    parser = bounded_parser(max_depth=EAD_MAX_DEPTH, parser_class=_SafeXMLParser)
    try:
        parser.feed(data)
        root = parser.close()
    except (EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden) as exc:
        what = {
            EntitiesForbidden: f"declares an entity ({getattr(exc, 'name', '')})",
            DTDForbidden: "declares a DTD internal subset",
            ExternalReferenceForbidden: "refers to an external entity",
        }[type(exc)]
        _refuse(
            report,
            "file",
            "",
            f"the XML {what}; entity declarations, internal DTDs and external references are "
            "refused for safety (XML bombs, external entities). Remove them and try again",
        )
        return []
    except XmlLimitExceeded as exc:
        _refuse(report, "file", "", f"the XML has {exc}; nothing was read from it")
        return []
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        message = str(exc).split(":", 1)[0]
        report.add("file", "", f"malformed XML at line {line}, column {column + 1}: {message}")
        return []
    except ValueError as exc:  # e.g. encoding="GB2312": expat reads no multi-byte encodings
        report.add("file", "", f"the XML cannot be read ({exc}); save it as UTF-8")
        return []
    if _local(root.tag) != "ead" or _namespace(root.tag) not in ("", EAD_NAMESPACE):
        report.add(
            "file",
            "",
            f"the root element is <{root.tag}>, not an EAD 2002 <ead> "
            f"(with no namespace or {EAD_NAMESPACE})",
        )
        return []
    archdesc = _child(root, "archdesc")
    if archdesc is None:
        report.add("ead", "archdesc", "the EAD has no <archdesc>")
        return []
    records: list[_Record] = []
    # (element, path, parent code or None, position, depth among components); a stack, so
    # any depth is fine.
    stack: list[tuple[Element, str, str | None, int, int]] = []

    def push_components(container: Element, path: str, parent_code: str | None, depth: int) -> None:
        found: list[tuple[Element, str, str | None, int, int]] = []
        counts: dict[str, int] = {}
        for child in container:
            name = _local(child.tag)
            if name in EAD_COMPONENT_TAGS:
                counts[name] = counts.get(name, 0) + 1
                path_here = f"{path}/{name}[{counts[name]}]"
                found.append((child, path_here, parent_code, len(found), depth))
        stack.extend(reversed(found))

    def push_dsc(element: Element, path: str, parent_code: str | None) -> None:
        dscs = _children(element, "dsc")
        for index, dsc in enumerate(reversed(dscs)):
            number = len(dscs) - index
            suffix = f"[{number}]" if len(dscs) > 1 else ""
            push_components(dsc, f"{path}/dsc{suffix}", parent_code, 1)

    is_wrapper = (
        archdesc.get("level", "").strip().lower() == "otherlevel"
        and archdesc.get("otherlevel", "").strip().lower() in EAD_WRAPPER_LEVELS
    )
    if is_wrapper:
        push_dsc(archdesc, "ead/archdesc", None)
    else:
        stack.append((archdesc, "ead/archdesc", None, 0, 0))
    first = True
    while stack:
        element, path, parent_code, position, depth = stack.pop()
        if depth > EAD_MAX_COMPONENT_DEPTH:
            _refuse(
                report,
                path.rsplit("/", 1)[0],
                "",
                f"components nested deeper than {EAD_MAX_COMPONENT_DEPTH} levels (the catalog "
                "holds four: fonds, series, file, item); nothing is imported from the file",
            )
            return []
        record = _ead_component(element, path, parent_code, position, len(records), report)
        records.append(record)
        code = record.raw["reference_code"]
        child_parent = code or f"\0unusable:{path}"  # children of a component with no unitid
        if first and not is_wrapper:
            push_dsc(element, path, child_parent)
        else:
            push_components(element, path, child_parent, depth + 1)
        first = False
    if not records and report.ok:
        report.add("ead/archdesc", "dsc", "the EAD has no components to import")
    return records
