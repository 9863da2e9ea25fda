"""The service: ``catalog_import`` runs the stages in order, reading, parsing, cleaning, then
planning, writing and indexing in one transaction, and audits the import."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from archivox.catalog.imports.cleaning import _clean
from archivox.catalog.imports.csv_records import _parse_csv
from archivox.catalog.imports.ead import _parse_ead
from archivox.catalog.imports.indexing import _index, _index_text, _Segmenter
from archivox.catalog.imports.planning import _resolve
from archivox.catalog.imports.reading import (
    MAX_IMPORT_BYTES,
    _name_of,
    _read,
    _sniff_binary,
    _TooLarge,
    detect_format,
)
from archivox.catalog.imports.report import ImportFormatError, ImportReport, Progress
from archivox.catalog.imports.writing import _apply_updates, _create
from archivox.catalog.models import Description
from archivox.core.models import Archive, User
from archivox.core.selectors import Capability, archive_check_capability
from archivox.core.services import audit_record


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
