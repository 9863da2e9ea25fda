"""Cleaning: the strings of each record checked and typed into ``record.values``, with a
problem in the report for every value that is not acceptable."""

from __future__ import annotations

import datetime
import re

from archivox.catalog.imports.report import ImportReport, _Record
from archivox.catalog.models import Access, Description, Level
from archivox.catalog.services import DESCRIPTION_FIELDS

LIST_FIELDS = ("subjects", "places", "people")
MAX_LENGTHS: dict[str, int] = {
    name: Description._meta.get_field(name).max_length
    for name in DESCRIPTION_FIELDS
    if getattr(Description._meta.get_field(name), "max_length", None)
    and name not in ("level", "access_level")
}
YEAR_RANGE = (-9999, 9999)
POSITION_MAX = 2_147_483_647
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
