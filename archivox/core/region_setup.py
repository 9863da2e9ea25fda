"""A province sets up its own regions and archives from one CSV, without the Django shell:
one row per archive, with its region. Every row is checked first; one bad row refuses the whole
file with its line and column, and nothing is written.

Columns: region, region_name, region_name_zh, region_level, province, archive, archive_name,
archive_name_zh, archive_level, parent (the slug of the archive above it, in the file or
already loaded). ``region_*`` may be left empty on the rows after a region's first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from typing import Any

from django.db import transaction

from archivox.core.models import Archive, Region
from archivox.core.paper_survey import LoadReport, _upsert_archive, _upsert_region

COLUMNS = (
    "region",
    "region_name",
    "region_name_zh",
    "region_level",
    "province",
    "archive",
    "archive_name",
    "archive_name_zh",
    "archive_level",
    "parent",
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class RegionSetupError(ValueError):
    """The file was refused; ``problems`` lists each as "line N, column: message"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was written")
        self.problems = problems


@dataclasses.dataclass
class SetupReport:
    regions: LoadReport
    archives: LoadReport
    archive_slugs: list[str]
    region_codes: list[str]


def _rows(text: str) -> tuple[list[dict[str, str]], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    problems = []
    unknown = [name for name in header if name not in COLUMNS]
    missing = [
        name
        for name in ("region", "archive", "archive_name", "archive_level")
        if name not in header
    ]
    if unknown:
        problems.append(f"line 1: unknown column(s) {', '.join(unknown)}")
    if missing:
        problems.append(f"line 1: missing column(s) {', '.join(missing)}")
    if problems:
        return [], problems
    rows = []
    for row in reader:
        rows.append({key.strip(): (value or "").strip() for key, value in row.items() if key})
    if not rows:
        problems.append("the file has no rows")
    return rows, problems


def _check(rows: list[dict[str, str]]) -> tuple[dict[str, dict[str, Any]], list[dict], list[str]]:
    """The regions and archives the rows describe, and every problem with its line."""
    problems: list[str] = []
    regions: dict[str, dict[str, Any]] = {}
    archives: list[dict] = []
    slugs_in_file: set[str] = set()
    for line, row in enumerate(rows, start=2):

        def fail(column: str, message: str, line: int = line) -> None:
            problems.append(f"line {line}, {column}: {message}")

        code = row.get("region", "")
        if not SLUG.match(code):
            fail("region", f"{code!r} is not a code (lowercase letters, digits, hyphens)")
        elif code not in regions:
            level = row.get("region_level", "")
            if Region.objects.filter(code=code).exists() and not level:
                regions[code] = {}  # already loaded, kept as it is
            elif level not in Region.Level.values:
                fail("region_level", f"{level!r} is not one of {', '.join(Region.Level.values)}")
            elif not row.get("region_name"):
                fail("region_name", "is required for a new region")
            else:
                regions[code] = {
                    "code": code,
                    "name": row["region_name"],
                    "name_zh": row.get("region_name_zh", ""),
                    "level": level,
                    "province": row.get("province", ""),
                }
        slug = row.get("archive", "")
        if not SLUG.match(slug):
            fail("archive", f"{slug!r} is not a slug (lowercase letters, digits, hyphens)")
        elif slug in slugs_in_file:
            fail("archive", f"{slug!r} appears twice")
        slugs_in_file.add(slug)
        if not row.get("archive_name"):
            fail("archive_name", "is required")
        level = row.get("archive_level", "")
        if level not in Archive.Level.values:
            fail("archive_level", f"{level!r} is not one of {', '.join(Archive.Level.values)}")
        parent = row.get("parent", "")
        if (
            parent
            and parent not in slugs_in_file
            and not Archive.objects.filter(slug=parent).exists()
        ):
            fail("parent", f"no archive {parent!r} above it (in the file or loaded)")
        archives.append({**row, "line": line})
    return regions, archives, problems


@transaction.atomic
def regions_and_archives_load(*, text: str) -> SetupReport:
    """Create or update the regions and archives of the CSV ``text``; all or nothing. Run by an
    operator (a command), so the archives are created as the system."""
    rows, problems = _rows(text)
    if problems:
        raise RegionSetupError(problems)
    regions, archives, problems = _check(rows)
    if problems:
        raise RegionSetupError(problems)
    region_report, archive_report = LoadReport(), LoadReport()
    loaded = {}
    for code, spec in regions.items():
        loaded[code] = (
            _upsert_region(spec, region_report) if spec else Region.objects.get(code=code)
        )
    for spec in archives:
        parent = Archive.objects.get(slug=spec["parent"]) if spec.get("parent") else None
        _upsert_archive(
            slug=spec["archive"],
            values={
                "name": spec["archive_name"],
                "name_zh": spec.get("archive_name_zh", ""),
                "level": spec["archive_level"],
                "region": loaded[spec["region"]],
                "parent": parent,
            },
            report=archive_report,
        )
    return SetupReport(
        regions=region_report,
        archives=archive_report,
        archive_slugs=[spec["archive"] for spec in archives],
        region_codes=list(regions),
    )
