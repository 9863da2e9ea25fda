"""Fields of a union-catalog record from a harvested metadata element: ``oai_dc`` or EAD 2002
(``oai_ead``, as AtoM and ArchivesSpace publish it, with or without its namespace).

A record that cannot give a title raises ``ValueError``: the harvest reports it and goes on."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from xml.etree.ElementTree import Element

DC_NS = "http://purl.org/dc/elements/1.1/"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
SPACES = re.compile(r"\s+")


@dataclasses.dataclass
class Fields:
    title: str
    reference_code: str = ""
    level: str = ""
    date_expression: str = ""
    creator: str = ""
    holder: str = ""
    scope_content: str = ""
    extent: str = ""
    subjects: list[str] = dataclasses.field(default_factory=list)
    places: list[str] = dataclasses.field(default_factory=list)
    language: str = ""
    rights: str = ""
    source_url: str = ""
    manifest_url: str = ""

    def content_hash(self) -> str:
        """Tells a changed record from one harvested again unchanged."""
        data = json.dumps(dataclasses.asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def bounded(self) -> Fields:
        """The fields cut to the columns' sizes (a source may send anything)."""
        limits = {
            "title": 1000,
            "reference_code": 300,
            "level": 50,
            "date_expression": 300,
            "creator": 500,
            "holder": 300,
            "extent": 500,
            "language": 100,
        }
        values = dataclasses.asdict(self)
        for name, limit in limits.items():
            values[name] = values[name][:limit]
        for name in ("source_url", "manifest_url"):
            if len(values[name]) > 1000:
                values[name] = ""
        values["subjects"] = [s[:200] for s in values["subjects"][:50]]
        values["places"] = [p[:200] for p in values["places"][:50]]
        return Fields(**values)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return SPACES.sub(" ", "".join(element.itertext())).strip()


def is_manifest_url(url: str) -> bool:
    """Whether a URL a record carries names a IIIF Presentation manifest (how Archivox, AtoM
    plugins and ArchivesSpace plugins name them: …/iiif/…/manifest[.json])."""
    lowered = url.lower()
    return bool(URL.match(url)) and "iiif" in lowered and "manifest" in lowered


def from_oai_dc(element: Element) -> Fields:
    values: dict[str, list[tuple[str, str]]] = {}
    for child in element:
        if not child.tag.startswith(f"{{{DC_NS}}}"):
            continue
        text = _text(child)
        if text:
            values.setdefault(_local(child.tag), []).append((text, child.get(XML_LANG, "")))

    def first(name: str) -> str:
        entries = values.get(name, [])
        # A title in the record's own language before its English one.
        preferred = [text for text, lang in entries if not lang.lower().startswith("en")]
        return (preferred or [text for text, _ in entries] or [""])[0]

    def all_of(name: str) -> list[str]:
        return [text for text, _ in values.get(name, [])]

    title = first("title")
    if not title:
        raise ValueError("oai_dc record without dc:title")
    links = [*all_of("identifier"), *all_of("relation"), *all_of("source")]
    manifest = next((url for url in links if is_manifest_url(url)), "")
    source = next(
        (url for url in all_of("identifier") if URL.match(url) and not is_manifest_url(url)), ""
    )
    codes = [text for text in all_of("identifier") if not URL.match(text)]
    return Fields(
        title=title,
        reference_code=codes[0] if codes else "",
        level=first("type"),
        date_expression=first("date"),
        creator="; ".join(all_of("creator")),
        holder=first("publisher"),
        scope_content="\n\n".join(all_of("description")),
        extent=first("format"),
        subjects=all_of("subject"),
        places=all_of("coverage"),
        language=first("language"),
        rights=first("rights"),
        source_url=source,
        manifest_url=manifest,
    )


def _find(element: Element, *path: str) -> Element | None:
    """The first descendant along ``path`` of local names, whatever the namespace."""
    current: Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((child for child in current if _local(child.tag) == name), None)
    return current


def _descendants(element: Element, name: str) -> list[Element]:
    return [node for node in element.iter() if _local(node.tag) == name]


def _href(element: Element) -> str:
    return (element.get(f"{{{XLINK_NS}}}href") or element.get("href") or "").strip()


def from_ead(element: Element) -> Fields:
    if _local(element.tag) != "ead":
        raise ValueError(f"oai_ead record whose root is <{_local(element.tag)}>, not <ead>")
    archdesc = _find(element, "archdesc")
    did = _find(element, "archdesc", "did")
    if archdesc is None or did is None:
        raise ValueError("EAD without archdesc/did")
    title = _text(_find(did, "unittitle"))
    if not title:
        raise ValueError("EAD without a unittitle")
    eadid = _find(element, "eadheader", "eadid")
    links = [_href(dao) for dao in _descendants(archdesc, "dao")]
    links += [_href(link) for link in _descendants(archdesc, "extref")]
    manifest = next((url for url in links if is_manifest_url(url)), "")
    source = ""
    if eadid is not None:
        candidate = (eadid.get("url") or _text(eadid)).strip()
        source = candidate if URL.match(candidate) else ""
    controlaccess = [node for node in _descendants(archdesc, "controlaccess") if node is not None]
    subjects, places = [], []
    for block in controlaccess:
        for child in block:
            name = _local(child.tag)
            if name in {"subject", "persname", "corpname", "famname", "genreform", "occupation"}:
                subjects.append(_text(child))
            elif name == "geogname":
                places.append(_text(child))
    scope = _find(archdesc, "scopecontent")
    scope_text = (
        "\n\n".join(_text(p) for p in scope if _local(p.tag) == "p") if scope is not None else ""
    )
    return Fields(
        title=title,
        reference_code=_text(_find(did, "unitid")),
        level=(archdesc.get("level") or "").strip(),
        date_expression=_text(_find(did, "unitdate")),
        creator=_text(_find(did, "origination")),
        holder=_text(_find(did, "repository")),
        scope_content=scope_text,
        extent=_text(_find(did, "physdesc")),
        subjects=[s for s in subjects if s],
        places=[p for p in places if p],
        language=_text(_find(did, "langmaterial")),
        rights=_text(_find(archdesc, "accessrestrict")),
        source_url=source,
        manifest_url=manifest,
    )


def fields_from(metadata_prefix: str, element: Element) -> Fields:
    if metadata_prefix == "oai_ead":
        return from_ead(element).bounded()
    return from_oai_dc(element).bounded()
