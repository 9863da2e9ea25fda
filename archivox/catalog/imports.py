"""Import descriptions from CSV or EAD 2002 XML, all or nothing.

The whole file is read and checked before anything is written: a file with one bad row imports
nothing and yields an ``ImportReport`` that names every problem (row number or XML element path,
column or field, what is wrong). A good file is written in one transaction by a bulk path that
computes exactly what ``catalog.services.description_create``/``description_update`` compute
(tree fields through ``catalog.tree``, the search index through ``catalog.search``, OAI-PMH
deletion records), and records one audit entry for the whole import.

The CSV columns and the EAD mapping are documented in docs/catalog-import.md.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime
import io
import multiprocessing
import queue
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archivox.catalog import search
from archivox.catalog.models import Access, DeletedRecord, Description, Level
from archivox.catalog.selectors import set_specs_for
from archivox.catalog.services import DESCRIPTION_FIELDS, level_allowed_below
from archivox.catalog.tree import inherit_from, path_for
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record

# The CSV columns, in the order exports write them (docs/catalog-import.md).
CSV_COLUMNS = (
    "reference_code",
    "parent_reference_code",
    "level",
    "title",
    "title_en",
    "date_expression",
    "start_year",
    "end_year",
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
REQUIRED_COLUMNS = ("reference_code", "level", "title")
LIST_FIELDS = ("subjects", "places", "people")
MAX_LENGTHS: dict[str, int] = {
    name: Description._meta.get_field(name).max_length
    for name in DESCRIPTION_FIELDS
    if getattr(Description._meta.get_field(name), "max_length", None)
    and name not in ("level", "access_level")
}
YEAR_RANGE = (-9999, 9999)
POSITION_MAX = 2_147_483_647
MAX_IMPORT_BYTES = 256 * 1024 * 1024
MAX_REPORTED_PROBLEMS = 1000
WRITE_BATCH = 2000
BACKGROUND_SEGMENT_MIN = 1000  # new rows from which a second process helps segment index text
SEGMENT_CHUNK = 500
INSERT_BATCH = 1000  # rows per INSERT on PostgreSQL; SQLite's parameter limit makes it less
LOOKUP_BATCH = 500

EAD_NAMESPACE = "urn:isbn:1-931666-22-9"
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

# Files that are plainly not text, recognised by their first bytes.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one: save it as CSV UTF-8)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.xls or .doc)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF file (WebP, WAV or AVI)"),
    (b"\x7fELF", "a program"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages are "checking", "saving" and "indexing"."""


class ImportFormatError(ValueError):
    """The caller asked for a format that does not exist (not a problem of the file)."""


@dataclasses.dataclass(frozen=True)
class ImportProblem:
    where: str  # "row 12", "file", or an EAD element path such as "ead/archdesc/dsc/c01[2]"
    field: str  # the CSV column or EAD element/attribute; empty for the whole row or file
    message: str
    order: int = dataclasses.field(default=0, compare=False, repr=False)  # place in the file

    def __str__(self) -> str:
        if self.field:
            return f"{self.where}, {self.field}: {self.message}"
        return f"{self.where}: {self.message}"


@dataclasses.dataclass
class ImportReport:
    """What an import did, or why it did nothing (``ok`` is False, nothing was saved).
    ``problems`` are in file order."""

    file: str
    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, field: str, message: str, *, order: int = 0) -> None:
        self.problems.append(ImportProblem(where, field, message, order))

    def lines(self, limit: int = MAX_REPORTED_PROBLEMS) -> list[str]:
        """One line per problem, as the command prints them; past ``limit``, a count."""
        lines = [str(problem) for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit:,} more problems")
        return lines


@dataclasses.dataclass(eq=False)
class _Record:
    """One description as read from the file, before and after checking."""

    where: str
    order: int  # place in the file, to list problems in file order
    raw: dict[str, Any]  # field -> str (or list[str] for list fields from EAD)
    present: frozenset[str]  # fields the file gives; absent CSV columns keep current values
    parent_given: bool  # False: no parent column (update: keep the parent; create: a root)
    parent_code: str | None  # None: a root
    labels: dict[str, str] | None = None  # field -> name in the report (EAD)
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Filled in while resolving the tree:
    target: Description | None = None  # the existing description this row updates
    parent_record: _Record | None = None
    parent_existing_id: int | None = None
    depth_in_file: int = 0
    obj: Description | None = None

    def label(self, field: str) -> str:
        return (self.labels or {}).get(field, field)

    @property
    def code(self) -> str:
        return self.values.get("reference_code") or ""


# Reading the file -------------------------------------------------------------------------


def _name_of(file_path_or_fileobj: str | Path | IO[Any]) -> str:
    if isinstance(file_path_or_fileobj, str | Path):
        return Path(file_path_or_fileobj).name
    return Path(str(getattr(file_path_or_fileobj, "name", "") or "upload")).name


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _read(file_path_or_fileobj: str | Path | IO[Any]) -> tuple[str, bytes]:
    """The file's name (for the report and the audit entry) and its bytes, size-limited."""
    if isinstance(file_path_or_fileobj, str | Path):
        path = Path(file_path_or_fileobj)
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise _TooLarge(size)
        return path.name, path.read_bytes()
    name = _name_of(file_path_or_fileobj)
    content = file_path_or_fileobj.read(MAX_IMPORT_BYTES + 1)
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > MAX_IMPORT_BYTES:
        raise _TooLarge(len(content))
    return name, content


def _sniff_binary(data: bytes) -> str | None:
    """What the file is if it is plainly not text, else None."""
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            return what
    if b"\0" in data[:65536]:
        return "binary data"
    return None


def _looks_like_xml(data: bytes) -> bool:
    return data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"<"


def _decode(data: bytes, report: ImportReport) -> str | None:
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = "save it as “CSV UTF-8”"
        try:
            data.decode("gb18030")
            hint = "it looks like GBK/GB18030 (Chinese Windows); save it as “CSV UTF-8”"
        except UnicodeDecodeError:
            pass
        report.add(
            "file",
            "",
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} on line {line}); {hint}",
        )
        return None


def _parse_csv(data: bytes, report: ImportReport) -> list[_Record]:
    text = _decode(data, report)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        report.add("row 1", "", f"malformed CSV: {exc}", order=1)
        return []
    if header is None or not any(cell.strip() for cell in header):
        report.add("file", "", "the file is empty; the first row must name the columns")
        return []
    columns = [cell.strip().lower() for cell in header]
    header_ok = True
    for index, column in enumerate(columns):
        if column not in CSV_COLUMNS:
            header_ok = False
            report.add(
                "row 1",
                column or f"column {index + 1}",
                "unknown column; the columns are " + ", ".join(CSV_COLUMNS),
                order=1,
            )
        elif columns.index(column) != index:
            header_ok = False
            report.add("row 1", column, "the column appears more than once", order=1)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            header_ok = False
            hint = ""
            if len(columns) == 1 and (";" in header[0] or "\t" in header[0]):
                hint = " (the columns must be separated by commas)"
            report.add("row 1", column, f"the required column is missing{hint}", order=1)
    if not header_ok:
        return []
    present = frozenset(columns) - {"parent_reference_code"}
    parent_given = "parent_reference_code" in columns
    records: list[_Record] = []
    row_number = 1
    try:
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                report.add(
                    f"row {row_number}",
                    "",
                    f"the row has {len(row)} values but the header has {len(columns)} columns",
                    order=row_number,
                )
                continue
            raw = {column: cell.strip() for column, cell in zip(columns, row, strict=True)}
            parent_code = raw.pop("parent_reference_code", "") or None
            records.append(
                _Record(
                    where=f"row {row_number}",
                    order=row_number,
                    raw=raw,
                    present=present,
                    parent_given=parent_given,
                    parent_code=parent_code,
                )
            )
    except csv.Error as exc:
        message = f"malformed CSV: {exc}"
        if "field larger than field limit" in str(exc):
            message = f"a value is longer than {csv.field_size_limit():,} characters"
        report.add(f"row {row_number + 1}", "", message, order=row_number + 1)
    if not records and report.ok:
        report.add("file", "", "the file has a header but no descriptions")
    return records


class _SafeXMLParser(DefusedXMLParser):
    """defusedxml's parser, refusing every entity declaration and external reference and every
    DOCTYPE with an internal subset (where XML bombs and external entities live). A bare
    ``<!DOCTYPE ead PUBLIC "…" "ead.dtd">`` as EAD 2002 files carry is allowed: the DTD is
    never fetched or read."""

    def __init__(self) -> None:
        super().__init__(
            target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
        )

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


def _parse_ead(data: bytes, report: ImportReport) -> list[_Record]:
    parser = _SafeXMLParser()
    try:
        parser.feed(data)
        root = parser.close()
    except (EntitiesForbidden, DTDForbidden, ExternalReferenceForbidden) as exc:
        what = {
            EntitiesForbidden: f"declares an entity ({getattr(exc, 'name', '')})",
            DTDForbidden: "declares a DTD internal subset",
            ExternalReferenceForbidden: "refers to an external entity",
        }[type(exc)]
        report.add(
            "file",
            "",
            f"the XML {what}; entity declarations, internal DTDs and external references are "
            "refused for safety (XML bombs, external entities). Remove them and try again",
        )
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
    # (element, path, parent code or None, position); a stack, so any depth is fine.
    stack: list[tuple[Element, str, str | None, int]] = []

    def push_components(container: Element, path: str, parent_code: str | None) -> None:
        found: list[tuple[Element, str, str | None, int]] = []
        counts: dict[str, int] = {}
        for child in container:
            name = _local(child.tag)
            if name in EAD_COMPONENT_TAGS:
                counts[name] = counts.get(name, 0) + 1
                found.append((child, f"{path}/{name}[{counts[name]}]", parent_code, len(found)))
        stack.extend(reversed(found))

    def push_dsc(element: Element, path: str, parent_code: str | None) -> None:
        dscs = _children(element, "dsc")
        for index, dsc in enumerate(reversed(dscs)):
            number = len(dscs) - index
            suffix = f"[{number}]" if len(dscs) > 1 else ""
            push_components(dsc, f"{path}/dsc{suffix}", parent_code)

    is_wrapper = (
        archdesc.get("level", "").strip().lower() == "otherlevel"
        and archdesc.get("otherlevel", "").strip().lower() in EAD_WRAPPER_LEVELS
    )
    if is_wrapper:
        push_dsc(archdesc, "ead/archdesc", None)
    else:
        stack.append((archdesc, "ead/archdesc", None, 0))
    first = True
    while stack:
        element, path, parent_code, position = stack.pop()
        record = _ead_component(element, path, parent_code, position, len(records), report)
        records.append(record)
        code = record.raw["reference_code"]
        child_parent = code or f"\0unusable:{path}"  # children of a component with no unitid
        if first and not is_wrapper:
            push_dsc(element, path, child_parent)
        else:
            push_components(element, path, child_parent)
        first = False
    if not records and report.ok:
        report.add("ead/archdesc", "dsc", "the EAD has no components to import")
    return records


# Checking ---------------------------------------------------------------------------------

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _split_list(value: str | list[str]) -> list[str]:
    """Lists are separated by ';' (or the full-width '；'), as catalog.services does."""
    if isinstance(value, str):
        value = value.replace("；", ";").split(";")
    return [str(part).strip() for part in value if str(part).strip()]


def _clean(record: _Record, report: ImportReport) -> None:
    """Typed values of the record's fields into ``record.values``; problems into ``report``."""
    raw, values = record.raw, record.values

    def bad(field: str, message: str) -> None:
        report.add(record.where, record.label(field), message, order=record.order)

    for name in ("reference_code", "level", "title"):
        if name in record.present and not raw.get(name):
            bad(name, "required, but empty")
    for name, limit in MAX_LENGTHS.items():
        if name in record.present and name in raw:
            value = raw[name]
            if len(value) > limit:
                bad(name, f"{len(value):,} characters long; at most {limit:,} are allowed")
            else:
                values[name] = value
    for name in ("scope_content", "access_conditions"):
        if name in record.present:
            values[name] = raw.get(name, "")
    if "level" in record.present and raw.get("level"):
        level = raw["level"].lower()
        if level in Level.values:
            values["level"] = level
        else:
            bad("level", f"unknown level {raw['level']!r}; use fonds, series, file or item")
    years_ok = True
    for name in ("start_year", "end_year"):
        if name not in record.present:
            continue
        text = raw.get(name, "")
        if not text:
            values[name] = None
            continue
        try:
            year = int(text)
        except ValueError:
            year = None
        if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            years_ok = False
            bad(name, f"{text!r} is not a year (a whole number such as 1927)")
        else:
            values[name] = year
    start, end = values.get("start_year"), values.get("end_year")
    if years_ok and start is not None and end is not None and start > end:
        bad("end_year", f"the end year {end} is before the start year {start}")
    for name in LIST_FIELDS:
        if name in record.present:
            values[name] = _split_list(raw.get(name) or "")
    if "access_level" in record.present:
        text = raw.get("access_level", "")
        access = (text or Access.OPEN.value).lower()
        if access in Access.values:
            values["access_level"] = access
        else:
            bad(
                "access_level",
                f"unknown access level {text!r}; use open, restricted or confidential",
            )
    if "closed_until" in record.present:
        text = raw.get("closed_until", "")
        if not text:
            values["closed_until"] = None
        else:
            try:
                if not DATE.match(text):
                    raise ValueError(text)
                values["closed_until"] = datetime.date.fromisoformat(text)
            except ValueError:
                bad("closed_until", f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2030-01-01")
    if "position" in record.present:
        text = raw.get("position", "")
        if not text:
            values["position"] = 0
        elif text.isdigit() and int(text) <= POSITION_MAX:
            values["position"] = int(text)
        else:
            bad("position", f"{text!r} is not a position (a whole number, 0 or more)")


@dataclasses.dataclass
class _Plan:
    updates: list[_Record]
    new_generations: list[list[_Record]]
    by_id: dict[int, Description]  # every existing description the import touches or hangs on


def _load(archive: Archive, codes: Iterable[str], *, lock: bool) -> dict[str, Description]:
    codes = sorted(set(codes))
    found: dict[str, Description] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        rows = Description.objects.filter(
            archive=archive, reference_code__in=codes[start : start + LOOKUP_BATCH]
        )
        if lock:
            rows = rows.select_for_update()
        for description in rows:
            description.archive = archive
            found[description.reference_code] = description
    return found


def _resolve(
    records: list[_Record], archive: Archive, *, update: bool, report: ImportReport
) -> _Plan:
    """Match rows with each other and with the catalog: duplicates, parents, cycles, levels."""
    by_code: dict[str, _Record] = {}
    for record in records:
        code = record.code
        if not code:
            continue
        if code in by_code:
            report.add(
                record.where,
                record.label("reference_code"),
                f"{code!r} appears more than once in the file (first at {by_code[code].where})",
                order=record.order,
            )
            continue
        by_code[code] = record
    parent_codes = {r.parent_code for r in records if r.parent_code}
    existing = _load(archive, set(by_code) | parent_codes, lock=update)
    by_id = {description.pk: description for description in existing.values()}

    for code, record in by_code.items():
        if code not in existing:
            continue
        if not update:
            report.add(
                record.where,
                record.label("reference_code"),
                f"{code!r} already exists in archive {archive.slug}; import with --update "
                "(update=True) to change existing descriptions",
                order=record.order,
            )
            continue
        record.target = existing[code]
    # Parents of the descriptions being updated, for the move check and for inheritance.
    missing = {r.target.parent_id for r in by_code.values() if r.target is not None}
    missing = sorted(pk for pk in missing - set(by_id) if pk is not None)
    for start in range(0, len(missing), LOOKUP_BATCH):
        for description in Description.objects.filter(pk__in=missing[start : start + LOOKUP_BATCH]):
            description.archive = archive
            by_id[description.pk] = description

    for record in records:
        if record.parent_code is not None and record.parent_code.startswith("\0"):
            continue  # the enclosing EAD component has no unitid; reported there
        if not record.parent_given:
            if record.target is not None:
                record.parent_existing_id = record.target.parent_id
            continue
        code = record.parent_code
        if code is None:
            pass
        elif code in by_code:
            record.parent_record = by_code[code]
        elif code in existing:
            record.parent_existing_id = existing[code].pk
        else:
            report.add(
                record.where,
                record.label("parent_reference_code"),
                f"no description {code!r} in the file or in archive {archive.slug}",
                order=record.order,
            )
            continue
        if record.target is not None and record.parent_record is not record:
            _check_not_moved(record, by_id, report)

    cyclic = _find_cycles(records, report)
    _set_depths(records, cyclic)
    for record in records:
        if record in cyclic:
            continue
        _check_level(record, by_id, report)
    _check_children_levels(records, by_code, report)

    # Existing descriptions are not moved, so their depth in the catalog orders them.
    updates = sorted(
        (r for r in by_code.values() if r.target is not None), key=lambda r: r.target.depth
    )
    generations: dict[int, list[_Record]] = {}
    for record in records:
        if record.target is None and by_code.get(record.code) is record:
            generations.setdefault(record.depth_in_file, []).append(record)
    return _Plan(updates, [generations[depth] for depth in sorted(generations)], by_id)


def _check_not_moved(record: _Record, by_id: dict[int, Description], report: ImportReport) -> None:
    target = record.target
    assert target is not None
    if record.parent_record is not None:
        parent_target = record.parent_record.target
        new_parent_id = parent_target.pk if parent_target is not None else -1
    else:
        new_parent_id = record.parent_existing_id
    if new_parent_id == target.parent_id:
        return
    current = by_id.get(target.parent_id) if target.parent_id else None
    where_now = f"under {current.reference_code!r}" if current is not None else "a root"
    report.add(
        record.where,
        record.label("parent_reference_code"),
        f"{target.reference_code!r} is {where_now} in the catalog; an import does not move "
        "descriptions (move it in the console first)",
        order=record.order,
    )


def _find_cycles(records: list[_Record], report: ImportReport) -> set[_Record]:
    """Rows whose parent links, followed within the file, come back to themselves."""
    state: dict[int, int] = {}  # id(record) -> 1 on the current walk, 2 done
    cyclic: set[_Record] = set()
    for record in records:
        chain: list[_Record] = []
        node: _Record | None = record
        while node is not None and id(node) not in state:
            state[id(node)] = 1
            chain.append(node)
            node = node.parent_record
        if node is not None and state[id(node)] == 1:
            loop = chain[chain.index(node) :]
            codes = " → ".join([*(member.code for member in loop), loop[0].code])
            for member in loop:
                cyclic.add(member)
                report.add(
                    member.where,
                    member.label("parent_reference_code"),
                    f"the parent links {codes} form a cycle",
                    order=member.order,
                )
        for member in chain:
            state[id(member)] = 2
    return cyclic


def _set_depths(records: list[_Record], cyclic: set[_Record]) -> None:
    done: set[int] = set()
    for record in records:
        chain = []
        node: _Record | None = record
        while node is not None and id(node) not in done and node not in cyclic:
            chain.append(node)
            node = node.parent_record
        depth = node.depth_in_file + 1 if node is not None and id(node) in done else 0
        for member in reversed(chain):
            member.depth_in_file = depth
            done.add(id(member))
            depth += 1


def _level_of(record: _Record) -> str | None:
    if "level" in record.values:
        return record.values["level"]
    if record.target is not None and "level" not in record.present:
        return record.target.level
    return None


def _check_level(record: _Record, by_id: dict[int, Description], report: ImportReport) -> None:
    level = _level_of(record)
    if level is None:
        return
    if record.parent_record is not None:
        parent_level, parent_code = _level_of(record.parent_record), record.parent_record.code
    elif record.parent_existing_id is not None and record.parent_existing_id in by_id:
        parent = by_id[record.parent_existing_id]
        parent_level, parent_code = parent.level, parent.reference_code
    else:
        return
    if parent_level is not None and not level_allowed_below(parent_level, level):
        report.add(
            record.where,
            record.label("level"),
            f"a {level} cannot stand below a {parent_level} ({parent_code!r}); levels go "
            "fonds → series → file → item",
            order=record.order,
        )


def _check_children_levels(
    records: list[_Record], by_code: dict[str, _Record], report: ImportReport
) -> None:
    """A description whose level an update changes must still stand above its children."""
    changed = {
        r.target.pk: r
        for r in records
        if r.target is not None and r.values.get("level", r.target.level) != r.target.level
    }
    ids = sorted(changed)
    for start in range(0, len(ids), LOOKUP_BATCH):
        children = Description.objects.filter(parent_id__in=ids[start : start + LOOKUP_BATCH])
        for parent_id, code, level in children.values_list("parent_id", "reference_code", "level"):
            if code in by_code and by_code[code].target is not None:
                continue  # a row of the file; checked against its new parent above
            record = changed[parent_id]
            if not level_allowed_below(record.values["level"], level):
                report.add(
                    record.where,
                    record.label("level"),
                    f"{record.code!r} cannot become a {record.values['level']}: "
                    f"{code!r} below it is a {level}",
                    order=record.order,
                )


# Writing ----------------------------------------------------------------------------------

DERIVED_FIELDS = ("depth", "effective_access", "effective_closed_until")
PROPAGATION_FIELDS = (
    "id",
    "archive_id",
    "reference_code",
    "parent_id",
    "path",
    "access_level",
    "closed_until",
    "effective_access",
    "effective_closed_until",
    "depth",
)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _derived(description: Description) -> tuple[Any, ...]:
    return description.depth, description.effective_access, description.effective_closed_until


def _record_visibility(description: Description, was_public: bool, today: datetime.date) -> None:
    """As services keep OAI-PMH's deletion records in step with public visibility."""
    now_public = description.is_public_on(today)
    if was_public and not now_public:
        DeletedRecord.objects.update_or_create(
            archive_id=description.archive_id,
            reference_code=description.reference_code,
            defaults={
                "description_id_was": description.pk,
                "deleted_at": timezone.now(),
                "set_specs": set_specs_for(description),
            },
        )
    elif now_public and not was_public:
        DeletedRecord.objects.filter(
            archive_id=description.archive_id, reference_code=description.reference_code
        ).delete()


def _apply_updates(
    plan: _Plan, archive: Archive, today: datetime.date
) -> tuple[list[Description], int]:
    """Change the existing descriptions, then re-derive access below those whose effective
    access changed. Returns those whose own fields changed, and how many did not change."""
    now = timezone.now()
    changed_rows: list[Description] = []
    derived_rows: list[Description] = []
    roots: list[Description] = []
    unchanged = 0
    for record in plan.updates:
        obj = record.target
        assert obj is not None
        record.obj = obj
        was_public = obj.is_public_on(today)
        before = _derived(obj)
        changed = [
            name
            for name, value in record.values.items()
            if name in DESCRIPTION_FIELDS and getattr(obj, name) != value
        ]
        for name in changed:
            setattr(obj, name, record.values[name])
        parent = plan.by_id.get(obj.parent_id) if obj.parent_id else None
        inherit_from(obj, parent)
        if changed:
            obj.updated_at = now
            changed_rows.append(obj)
        elif _derived(obj) != before:
            derived_rows.append(obj)
        else:
            unchanged += 1
        if _derived(obj)[1:] != before[1:]:
            roots.append(obj)
        _record_visibility(obj, was_public, today)
    in_file = {record.target.pk for record in plan.updates if record.target is not None}
    descendants: dict[int, Description] = {}
    root_ids = {root.pk for root in roots}
    # A subtree query from the topmost changed descriptions covers those below them.
    for root in (r for r in roots if not root_ids.intersection(r.ancestor_ids)):
        rows = (
            Description.objects.filter(archive=archive, path__startswith=root.path)
            .exclude(pk__in=in_file)
            .only(*PROPAGATION_FIELDS)
        )
        for row in rows:
            descendants.setdefault(row.pk, plan.by_id.get(row.pk, row))
    for row in sorted(descendants.values(), key=lambda d: d.depth):
        row.archive = archive
        was_public = row.is_public_on(today)
        before = _derived(row)
        inherit_from(row, plan.by_id[row.parent_id])
        plan.by_id[row.pk] = row
        if _derived(row) != before:
            # A new datestamp, so incremental OAI-PMH harvests see the change of access.
            row.updated_at = now
            derived_rows.append(row)
            _record_visibility(row, was_public, today)
    fields = [name for name in DESCRIPTION_FIELDS if name != "reference_code"]
    _write_fields(changed_rows, [*fields, *DERIVED_FIELDS, "updated_at"])
    _write_fields(derived_rows, [*DERIVED_FIELDS, "updated_at"])
    return changed_rows, unchanged


def _parent_of(record: _Record, by_id: dict[int, Description]) -> Description | None:
    if record.parent_record is not None:
        return record.parent_record.obj
    if record.parent_existing_id is not None:
        return by_id[record.parent_existing_id]
    return None


def _create(
    plan: _Plan, archive: Archive, today: datetime.date, progress: Progress | None
) -> list[Description]:
    """Insert the new descriptions a generation at a time (parents before children), each with
    its depth, effective access and materialised path computed as services compute them."""
    total = sum(len(generation) for generation in plan.new_generations)
    created: list[Description] = []
    public_codes: list[str] = []
    for generation in plan.new_generations:
        for batch in _chunks(generation, WRITE_BATCH):
            ids = _reserve_ids(len(batch))
            objs = []
            for record, pk in zip(batch, ids, strict=True):
                parent = _parent_of(record, plan.by_id)
                obj = record.obj
                assert obj is not None
                obj.pk = pk
                obj.parent = parent
                inherit_from(obj, parent)
                obj.path = path_for(pk, parent)
                objs.append(obj)
            Description.objects.bulk_create(objs, batch_size=INSERT_BATCH)
            public_codes.extend(obj.reference_code for obj in objs if obj.is_public_on(today))
            created.extend(objs)
            if progress is not None:
                progress("saving", len(created), total)
    # A description that comes back into public view is no longer deleted for harvesters.
    if public_codes and DeletedRecord.objects.filter(archive=archive).exists():
        for codes in _chunks(public_codes, LOOKUP_BATCH):
            DeletedRecord.objects.filter(archive=archive, reference_code__in=codes).delete()
    return created


def _reserve_ids(count: int) -> list[int]:
    """Ids for ``count`` new descriptions, taken before inserting so that each row is written
    once, with the path that contains its own id (``tree.path_for``)."""
    table = Description._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite (settings.py accepts no other database). The import's transaction holds
        # SQLite's single write lock (transactions begin IMMEDIATE), so no other writer can take
        # these ids meanwhile; were one to, the insert would fail on the primary key and the
        # whole import would roll back. AUTOINCREMENT never reuses an id: start past both the
        # highest id and the highest ever handed out.
        sql = "SELECT MAX(id), (SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s) FROM "
        cursor.execute(sql + connection.ops.quote_name(table), [table])
        highest, sequence = cursor.fetchone()
        start = max(highest or 0, sequence or 0) + 1
        return list(range(start, start + count))


def _write_fields(objs: Sequence[Description], names: Sequence[str]) -> None:
    """UPDATE the columns ``names`` of each row by primary key: one parameterised statement sent
    as a batch, the values prepared by the model's own fields. (``bulk_update`` builds a CASE
    over every id of a batch for every column, which grows with the square of the batch.)"""
    if not objs:
        return
    fields = [Description._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(Description._meta.db_table)} SET {assignments} "  # noqa: S608 - our names
        f"WHERE {quote(Description._meta.pk.column)} = %s"
    )
    rows = [
        (
            *(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields),
            obj.pk,
        )
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            cursor.executemany(sql, rows[start : start + WRITE_BATCH])


class _Segmenter:
    """The search-index text of new descriptions (jieba segmentation: pure Python, and the
    largest single cost of a big import), shared with a second core.

    The text needs no ids, so a forked worker starts on it, chunk by chunk from the front, as
    soon as the file has been checked, while this process writes the rows. Once the rows are
    written this process segments chunks from the back until the two meet. On an idle second
    core that halves the wait; on a busy machine it is no slower than doing it all here. When
    forking is not safe (no fork, or threads that could hold locks) everything is done here."""

    def __init__(self, descriptions: Sequence[Description]) -> None:
        self.descriptions = descriptions
        self.starts = list(range(0, len(descriptions), SEGMENT_CHUNK))
        self.process: multiprocessing.process.BaseProcess | None = None
        self.results: Any = None
        if len(descriptions) < BACKGROUND_SEGMENT_MIN or threading.active_count() > 1:
            return
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            return
        search.segment("预热")  # load jieba's dictionary once, before the fork
        self.results = context.Queue()
        self.process = context.Process(
            target=_segment_worker, args=(descriptions, self.starts, self.results), daemon=True
        )
        self.process.start()

    def _chunk(self, start: int) -> list[tuple[str, str]]:
        return [_index_text(d) for d in self.descriptions[start : start + SEGMENT_CHUNK]]

    def texts(self) -> list[tuple[str, str]]:
        """Index text of every description, in order."""
        done: dict[int, list[tuple[str, str]]] = {}
        remaining = list(self.starts)
        while remaining:
            while self.results is not None:
                try:
                    start, texts = self.results.get_nowait()
                except queue.Empty:
                    break
                done[start] = texts
            remaining = [start for start in remaining if start not in done]
            if remaining:
                start = remaining.pop()  # the worker works from the front
                done[start] = self._chunk(start)
        self.cancel()
        return [text for start in self.starts for text in done[start]]

    def cancel(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.results.close()
            self.process = None


def _index_text(description: Description) -> tuple[str, str]:
    """Exactly the text ``search.index_descriptions`` writes for a description."""
    return search.index_text(description)


def _segment_worker(descriptions: Sequence[Description], starts: list[int], out: Any) -> None:
    for start in starts:
        out.put((start, [_index_text(d) for d in descriptions[start : start + SEGMENT_CHUNK]]))


def _index(
    descriptions: Sequence[Description],
    texts: Sequence[tuple[str, str]],
    progress: Progress | None,
) -> None:
    """Write the search index rows of ``descriptions`` (their ``texts`` already segmented)."""
    for start in range(0, len(descriptions), WRITE_BATCH):
        rows = [
            (description.pk, title, body)
            for description, (title, body) in zip(
                descriptions[start : start + WRITE_BATCH],
                texts[start : start + WRITE_BATCH],
                strict=True,
            )
        ]
        search.index_rows(rows)
        if progress is not None:
            progress("indexing", start + len(rows), len(descriptions))


# The service ------------------------------------------------------------------------------


def detect_format(data: bytes) -> str:
    """ "ead" for XML content, else "csv"; by content, never by the file's name."""
    return "ead" if _looks_like_xml(data) else "csv"


def catalog_import(
    *,
    actor: User | None,
    archive: Archive,
    file_path_or_fileobj: str | Path | IO[Any],
    format: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV or EAD 2002 file into ``archive``, all or nothing.

    ``format`` is "csv", "ead" or None (decide by content). Without ``update`` a reference code
    that already exists in the archive is a problem; with it, that description's fields are
    changed (absent CSV columns keep their values; descriptions are never moved). Returns a
    report; when ``report.ok`` is False nothing was saved. Raises ``ArchivePermissionDenied``
    when ``actor`` may not edit the catalog (``actor=None`` is the system)."""
    report = _import(
        actor=actor,
        archive=archive,
        file_path_or_fileobj=file_path_or_fileobj,
        format=format,
        update=update,
        progress=progress,
    )
    report.problems.sort(key=lambda problem: problem.order)
    return report


def _import(
    *,
    actor: User | None,
    archive: Archive,
    file_path_or_fileobj: str | Path | IO[Any],
    format: str | None = None,
    update: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    if format not in (None, "csv", "ead"):
        raise ImportFormatError(f"unknown import format {format!r}; use csv or ead")
    if actor is not None:
        archive_check_capability(user=actor, archive=archive, capability=Capability.CATALOG_EDIT)
    try:
        name, data = _read(file_path_or_fileobj)
    except _TooLarge as exc:
        report = ImportReport(file=_name_of(file_path_or_fileobj), format=format or "")
        report.add(
            "file",
            "",
            f"the file is {exc.size // (1024 * 1024):,} MB; the limit is "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it into several files",
        )
        return report
    report = ImportReport(file=name, format=format or "")
    if not data.strip():
        report.add("file", "", "the file is empty")
        return report
    what = _sniff_binary(data)
    if what is not None:
        expected = {"csv": "a CSV file", "ead": "an EAD XML file"}.get(format or "", "CSV or EAD")
        report.add("file", "", f"this is {what}, not {expected}")
        return report
    detected = detect_format(data)
    report.format = format or detected
    if report.format == "csv" and detected == "ead":
        report.add("file", "", "this looks like XML, not CSV; import it as EAD (--format ead)")
        return report
    if report.format == "ead" and detected == "csv":
        report.add("file", "", "this is not an XML document, so not EAD; is it a CSV file?")
        return report

    records = _parse_csv(data, report) if report.format == "csv" else _parse_ead(data, report)
    report.rows = len(records)
    if not records:
        return report
    for done, record in enumerate(records, 1):
        _clean(record, report)
        if progress is not None and (done % 5000 == 0 or done == len(records)):
            progress("checking", done, len(records))

    try:
        with transaction.atomic():
            plan = _resolve(records, archive, update=update, report=report)
            if not report.ok:
                return report
            today = timezone.localdate()
            new = [record for generation in plan.new_generations for record in generation]
            for record in new:
                record.obj = Description(archive=archive, **record.values)
            segmenter = _Segmenter([record.obj for record in new])
            try:
                changed, report.unchanged = _apply_updates(plan, archive, today)
                created = _create(plan, archive, today, progress)
                texts = segmenter.texts()
            finally:
                segmenter.cancel()
            _index(
                [*created, *changed],
                [*texts, *(_index_text(description) for description in changed)],
                progress,
            )
            report.created, report.updated = len(created), len(changed)
            audit_record(
                actor=actor,
                action="catalog.import",
                archive=archive,
                object_type="catalog.import",
                object_repr=name[:300],
                after={"file": name, "created": report.created, "updated": report.updated},
            )
    except IntegrityError as exc:
        report.created = report.updated = report.unchanged = 0
        report.add(
            "file",
            "",
            f"the catalog changed while importing ({exc}); nothing was imported — try again",
        )
    return report
