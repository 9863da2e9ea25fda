"""The entry point: every file read in order (accounts, snapshots, posts) in one transaction,
rolled back when any problem was found; the monthly roll-up of the accounts posted rebuilt; the
regions joined to the survey; the import audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from archivox.core.models import Region, User
from archivox.core.services import audit_record
from archivox.survey.imports.checking import _Importer
from archivox.survey.imports.reading import Source, _header_kind
from archivox.survey.imports.report import ImportReport, SurveyImportError
from archivox.survey.models import Survey
from archivox.survey.services import _require_staff, survey_region_add
from archivox.survey.services.post_months import post_months_refresh


class _Abort(Exception):
    pass


def survey_import(
    *,
    actor: User | None,
    sources: Iterable[Source | Path | str],
    survey: Survey | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Import CSV files of accounts, snapshots and posts, all or nothing.

    Raises SurveyImportError (with the report) when any row has a problem; nothing is saved.
    With ``survey``, the regions of the imported institutions join that survey."""
    _require_staff(actor)
    sources = [s if isinstance(s, Source) else Source.from_path(s) for s in sources]
    report = ImportReport()
    order = {"accounts": 0, "snapshots": 1, "posts": 2}
    kinds = [(_header_kind(source, report), index, source) for index, source in enumerate(sources)]
    ordered = sorted(kinds, key=lambda item: (order.get(item[0] or "", 3), item[1]))
    try:
        with transaction.atomic():
            importer = _Importer(report, today or timezone.localdate())
            try:
                for _, _, source in ordered:
                    importer.read(source)
                importer.flush()
                importer.quiet()
            finally:
                # Whatever happened, the writer is done before the transaction ends.
                importer.writer.stop()
            if not report.ok:
                raise _Abort
            post_months_refresh(importer.posted)
            if survey is not None:
                regions = Region.objects.filter(pk__in=importer.touched_regions).order_by("code")
                for region in regions:
                    survey_region_add(survey=survey, region=region)
            audit_record(
                actor=actor,
                action="survey.import",
                object_type="survey.import",
                object_repr=", ".join(source.name for source in sources)[:300],
                after={
                    "files": [source.name for source in sources],
                    "institutions_created": report.institutions_created,
                    "accounts_created": report.accounts_created,
                    "accounts_updated": report.accounts_updated,
                    "snapshots": report.snapshots,
                    "posts": report.posts,
                    "survey": survey.slug if survey else None,
                },
            )
    except _Abort:
        raise SurveyImportError(report) from None
    return report
