"""A demo catalog for the paper's archives: Nanjing's Republican-era buildings, Suzhou's gardens,
Visual Hami and something for every other archive the survey names (paper §4.3, "regional
featured archives").

The content is in ``data/demo/catalog/*.yaml``, one file per archive (its README.md explains the
keys); this module reads and checks those files, then creates every description through
``catalog.services`` as the system, marked ``is_demo=True``; its conditions of access also say it
is demo data. Loading is idempotent: a description whose reference code already exists in its
archive is left alone, and so is a featured collection whose slug exists.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from archivox.catalog import services
from archivox.catalog.models import Access, Description, DigitalObject, FeaturedCollection, Level
from archivox.core.cjk_font import cjk_font
from archivox.core.demo_data import DemoDataError, Entry, demo_data_dir, read_demo_yaml, shown_path
from archivox.core.models import Archive

DEMO_NOTE = "【演示数据】本条目由 Archivox 演示目录生成，依据公开资料编写，并非真实馆藏著录。"
ACCESS_TEXT = {
    Access.OPEN: "开放利用，可在线浏览著录信息及数字化副本。",
    Access.RESTRICTED: "限制利用：著录信息公开，原件及数字化副本须经审批后到馆查阅。",
    Access.CONFIDENTIAL: "控制使用：涉及个人隐私或安全信息，不对外提供利用。",
}


class DemoCatalogError(Exception):
    """The demo catalog cannot be loaded (no demo archives yet)."""


class DemoCatalogFileError(DemoCatalogError, DemoDataError):
    """A file under data/demo/catalog/ is missing, not YAML or holds a malformed entry."""


@dataclasses.dataclass
class Node:
    """One description of the demo tree, with its children."""

    code: str
    level: str
    title: str
    title_en: str = ""
    when: tuple[str, int | None, int | None] = ("", None, None)
    creator: str = ""
    scope: str = ""
    extent: str = ""
    subjects: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    access: str = Access.OPEN
    closed_until: datetime.date | None = None
    language: str = "中文"
    image: bool = False
    children: list[Node] = dataclasses.field(default_factory=list)

    def values(self, position: int) -> dict[str, Any]:
        """The fields ``services.description_create`` takes, as the demo marks them."""
        expression, start, end = self.when
        if self.closed_until is not None:
            conditions = f"封闭期内不提供利用，{self.closed_until:%Y年%m月%d日}起开放。"
        else:
            conditions = ACCESS_TEXT[Access(self.access)]
        return {
            "reference_code": self.code,
            "level": self.level,
            "title": self.title,
            "title_en": self.title_en,
            "date_expression": expression,
            "start_year": start,
            "end_year": end,
            "creator": self.creator,
            "scope_content": self.scope,
            "extent": self.extent,
            "subjects": list(self.subjects),
            "places": list(self.places),
            "people": list(self.people),
            "access_level": self.access,
            "closed_until": self.closed_until,
            "access_conditions": f"{conditions}\n{DEMO_NOTE}",
            "language": self.language,
            "position": position,
            "is_demo": True,
        }

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclasses.dataclass(frozen=True)
class CollectionSpec:
    slug: str
    title: str
    title_en: str
    introduction: str
    codes: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ArchiveSpec:
    slug: str
    nodes: list[Node]
    collections: tuple[CollectionSpec, ...] = ()
    colour: tuple[int, int, int] = (90, 90, 90)


# Reading data/demo/catalog/ --------------------------------------------------------------------

ARCHIVE_KEYS = ("archive", "placeholder_colour", "collections", "descriptions")
COLLECTION_KEYS = ("slug", "title", "title_en", "introduction", "entries")
NODE_KEYS = (
    "code",
    "level",
    "title",
    "title_en",
    "dates",
    "years",
    "creator",
    "scope",
    "extent",
    "subjects",
    "places",
    "people",
    "access",
    "closed_until",
    "language",
    "image",
    "children",
)


def demo_catalog_dir() -> Path:
    return demo_data_dir() / "catalog"


def demo_catalog_specs(directory: Path | None = None) -> list[ArchiveSpec]:
    """Every archive's demo catalog, in file-name order, checked in full before any is loaded."""
    directory = demo_catalog_dir() if directory is None else Path(directory)
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DemoCatalogFileError(f"{shown_path(directory)}: no demo catalog files (*.yaml)")
    specs: list[ArchiveSpec] = []
    seen: dict[str, Path] = {}
    for path in paths:
        spec = read_archive_file(path)
        if spec.slug in seen:
            other = shown_path(seen[spec.slug])
            raise DemoCatalogFileError(
                f"{shown_path(path)}: archive {spec.slug!r} is also in {other}"
            )
        seen[spec.slug] = path
        specs.append(spec)
    return specs


def read_archive_file(path: Path) -> ArchiveSpec:
    """One archive's file as an ArchiveSpec; a DemoCatalogFileError names any bad entry."""
    try:
        stat = Path(path).stat()
    except OSError:
        return _parse_archive_file(Path(path))  # reports the missing file
    # Parsing the YAML takes a good part of a second; tests load the demo many times over.
    return _read_archive_file_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_archive_file_cached(path: str, mtime_ns: int, size: int) -> ArchiveSpec:
    return _parse_archive_file(Path(path))


def _parse_archive_file(path: Path) -> ArchiveSpec:
    try:
        top = Entry(read_demo_yaml(path), path=path, where="top level", keys=ARCHIVE_KEYS)
        slug = top.text("archive", required=True)
        colour = top.integers("placeholder_colour", 3, low=0, high=255) or [90, 90, 90]
        codes: set[str] = set()
        nodes = [
            _read_node(raw, path, codes, parent=None, number=number)
            for number, raw in enumerate(top.entries("descriptions", required=True), start=1)
        ]
        collections = tuple(
            _read_collection(raw, path, codes, number)
            for number, raw in enumerate(top.entries("collections"), start=1)
        )
    except DemoDataError as exc:
        raise DemoCatalogFileError(str(exc)) from exc
    return ArchiveSpec(slug, nodes, collections, (colour[0], colour[1], colour[2]))


def _read_node(raw: Any, path: Path, codes: set[str], *, parent: Node | None, number: int) -> Node:
    # Until the code is read, the entry is named by where it stands.
    where = f"description #{number}" + (f" under {parent.code}" if parent else "")
    entry = Entry(raw, path=path, where=where, keys=NODE_KEYS)
    code = entry.text("code", required=True)
    entry.where = f"description {code}"
    if code in codes:
        raise entry.error("this reference code is used twice in the file")
    codes.add(code)
    level = entry.choice("level", Level.values, required=True)
    if parent is not None and not services.level_allowed_below(parent.level, level):
        raise entry.error(f"a {level} cannot stand below the {parent.level} {parent.code}")
    years = entry.integers("years", 2, low=-9999, high=9999)
    if years is not None and years[0] > years[1]:
        raise entry.error(f"'years' {years}: the start comes after the end")
    node = Node(
        code=code,
        level=level,
        title=entry.text("title", required=True),
        title_en=entry.text("title_en"),
        when=(entry.text("dates"), *(years or (None, None))),
        creator=entry.text("creator"),
        scope=entry.text("scope"),
        extent=entry.text("extent"),
        subjects=tuple(entry.texts("subjects")),
        places=tuple(entry.texts("places")),
        people=tuple(entry.texts("people")),
        access=entry.choice("access", Access.values) or Access.OPEN,
        closed_until=entry.date("closed_until"),
        language=entry.text("language", default="中文"),
        image=entry.flag("image"),
    )
    node.children = [
        _read_node(child, path, codes, parent=node, number=child_number)
        for child_number, child in enumerate(entry.entries("children"), start=1)
    ]
    return node


def _read_collection(raw: Any, path: Path, codes: set[str], number: int) -> CollectionSpec:
    entry = Entry(raw, path=path, where=f"collection #{number}", keys=COLLECTION_KEYS)
    slug = entry.text("slug", required=True)
    entry.where = f"collection {slug}"
    entries = tuple(entry.texts("entries"))
    unknown = [code for code in entries if code not in codes]
    if unknown:
        raise entry.error(f"'entries' names codes not described in the file: {', '.join(unknown)}")
    return CollectionSpec(
        slug=slug,
        title=entry.text("title", required=True),
        title_en=entry.text("title_en"),
        introduction=entry.text("introduction"),
        codes=entries,
    )


def demo_catalog_nodes() -> dict[str, list[Node]]:
    """The whole demo tree, by archive slug (for tests and the benchmark's word lists)."""
    return {spec.slug: spec.nodes for spec in demo_catalog_specs()}


# Loading ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class ArchiveOutcome:
    slug: str
    created: int = 0
    existing: int = 0
    images: int = 0
    collections: int = 0
    by_access: dict[str, int] = dataclasses.field(default_factory=dict)
    closed: int = 0
    conflicts: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        access = ", ".join(f"{count} {level}" for level, count in sorted(self.by_access.items()))
        text = (
            f"{self.slug}: {self.created} descriptions created, {self.existing} already there"
            f" ({access}; {self.closed} under a closure date); {self.collections} featured"
            f" collections created; {self.images} images added"
        )
        if self.conflicts:
            text += f"; left alone (not demo data): {', '.join(self.conflicts)}"
        return text


@dataclasses.dataclass
class DemoCatalogReport:
    archives: list[ArchiveOutcome] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    images_skipped: str = ""

    @property
    def created(self) -> int:
        return sum(outcome.created for outcome in self.archives)

    @property
    def existing(self) -> int:
        return sum(outcome.existing for outcome in self.archives)

    def lines(self) -> list[str]:
        lines = [str(outcome) for outcome in self.archives]
        if self.missing:
            lines.append(f"skipped (no such demo archive): {', '.join(self.missing)}")
        if self.images_skipped:
            lines.append(f"images skipped: {self.images_skipped}")
        lines.append(
            f"total: {self.created} demo descriptions created, {self.existing} already there"
        )
        return lines


def demo_catalog_load(
    *, with_images: bool = True, only: Iterable[str] | None = None
) -> DemoCatalogReport:
    """Create the demo catalog in every demo archive that exists (``only``: these slugs)."""
    wanted = set(only) if only is not None else None
    specs = [spec for spec in demo_catalog_specs() if wanted is None or spec.slug in wanted]
    archives = {
        archive.slug: archive
        for archive in Archive.objects.filter(
            slug__in=[spec.slug for spec in specs], is_demo=True
        ).select_related("region")
    }
    if not archives:
        raise DemoCatalogError(
            "there are no demo archives to fill (nanjing, suzhou, hami, …); "
            "run `python manage.py load_paper_survey` first"
        )
    report = DemoCatalogReport()
    add_image = getattr(services, "digital_object_add", None) if with_images else None
    if with_images and add_image is None:
        report.images_skipped = "catalog.services has no digital_object_add yet"
    elif not with_images:
        report.images_skipped = "--no-images"
    for spec in specs:
        archive = archives.get(spec.slug)
        if archive is None:
            report.missing.append(spec.slug)
            continue
        report.archives.append(_load_archive(spec, archive, add_image))
    return report


@transaction.atomic
def _load_archive(
    spec: ArchiveSpec, archive: Archive, add_image: Callable | None
) -> ArchiveOutcome:
    outcome = ArchiveOutcome(spec.slug)
    existing = {d.reference_code: d for d in Description.objects.filter(archive=archive)}
    images: dict[str, DigitalObject] = {}
    for position, root in enumerate(spec.nodes, start=1):
        _load_node(archive, None, root, position, existing, outcome, spec, add_image, images)
    for position, collection in enumerate(spec.collections, start=1):
        _load_collection(archive, collection, position, existing, images, outcome)
    return outcome


def _load_node(
    archive: Archive,
    parent: Description | None,
    node: Node,
    position: int,
    existing: dict[str, Description],
    outcome: ArchiveOutcome,
    spec: ArchiveSpec,
    add_image: Callable | None,
    images: dict[str, DigitalObject],
) -> None:
    description = existing.get(node.code)
    if description is None:
        description = services.description_create(
            actor=None, archive=archive, parent=parent, **node.values(position)
        )
        existing[node.code] = description
        outcome.created += 1
    elif not description.is_demo:
        outcome.conflicts.append(node.code)  # a real description: never build demo data on it
        return
    else:
        outcome.existing += 1
    level = description.effective_access
    outcome.by_access[level] = outcome.by_access.get(level, 0) + 1
    outcome.closed += description.effective_closed_until is not None
    if node.image and add_image is not None and level != Access.CONFIDENTIAL:
        first = description.digital_objects.first()
        if first is None:
            first = add_image(
                actor=None,
                description=description,
                content=placeholder_jpeg(
                    reference_code=node.code, title=node.title or node.code, colour=spec.colour
                ),
                original_name=f"{node.code}.jpg",
                caption=f"{node.title}（演示占位图）",
            )
            outcome.images += 1
        images[node.code] = first
    for child_position, child in enumerate(node.children, start=1):
        _load_node(
            archive, description, child, child_position, existing, outcome, spec, add_image, images
        )


def _load_collection(
    archive: Archive,
    spec: CollectionSpec,
    position: int,
    existing: dict[str, Description],
    images: dict[str, DigitalObject],
    outcome: ArchiveOutcome,
) -> None:
    if FeaturedCollection.objects.filter(archive=archive, slug=spec.slug).exists():
        return
    collection = services.collection_create(
        actor=None,
        archive=archive,
        slug=spec.slug,
        title=spec.title,
        title_en=spec.title_en,
        introduction=f"{spec.introduction}\n{DEMO_NOTE}",
        region=archive.region,
        position=position,
    )
    entries = [existing[code] for code in spec.codes if code in existing]
    services.collection_set_entries(actor=None, collection=collection, descriptions=entries)
    cover = next(
        (
            images[entry.reference_code]
            for entry in entries
            if entry.reference_code in images and entry.effective_access == Access.OPEN
        ),
        None,
    )
    if cover is not None:
        services.collection_update(actor=None, collection=collection, cover=cover)
    outcome.collections += 1


PLACEHOLDER_LABEL = "Archivox 演示占位图"


def placeholder_jpeg(*, reference_code: str, title: str, colour: tuple[int, int, int]) -> bytes:
    """A plainly-labelled placeholder photograph: the item's (Chinese) title, its reference
    code and "演示占位图", drawn with the machine's CJK font; without one, the pattern alone
    (no text, rather than English)."""
    from PIL import Image, ImageDraw

    width, height = 960, 640
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    lighter = tuple(min(255, channel + 24) for channel in colour)
    for offset in range(0, width + height, 48):
        draw.line([(offset, 0), (offset - height, height)], fill=lighter, width=14)
    draw.rectangle([24, 24, width - 25, height - 25], outline=(255, 255, 255), width=4)
    if cjk_font(12) is not None:
        white = (255, 255, 255)
        title_font = cjk_font(52)
        y = 140
        # Chinese breaks between any two characters: 15 to a line of 52 px fits the frame.
        for line in textwrap.wrap(title, width=15)[:3]:
            draw.text((64, y), line, fill=white, font=title_font)
            y += 72
        draw.text((64, y + 24), reference_code, fill=white, font=cjk_font(34))
        draw.text((64, height - 104), PLACEHOLDER_LABEL, fill=white, font=cjk_font(30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
