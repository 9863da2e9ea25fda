"""A province's own survey without the Django shell: its regions and archives from a CSV
(``archivox.core.region_setup``), then a survey period over them, each archive monitored."""

from __future__ import annotations

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from archivox.core.models import Archive, Region, User
from archivox.core.region_setup import SetupReport, regions_and_archives_load
from archivox.core.services import audit_record
from archivox.survey.models import Survey, SurveyRegion
from archivox.survey.services import institution_for_archive, survey_create


@dataclasses.dataclass
class PeriodReport:
    survey: Survey
    created: bool
    regions_added: int
    institutions: int
    setup: SetupReport | None


@transaction.atomic
def survey_period_setup(
    *,
    actor: User | None,
    slug: str,
    title: str,
    cutoff: datetime.date,
    csv_text: str | None = None,
    region_codes: list[str] | None = None,
) -> PeriodReport:
    """Load the regions and archives of ``csv_text`` (when given), then open the survey period
    ``slug`` up to ``cutoff`` over them (and ``region_codes``), every archive of those regions
    monitored. Running it again adds what is new and changes nothing else. Only an installation
    administrator (or the system, ``actor=None``: a command) may: it creates top-level archives."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("only an installation administrator may set up regions and archives")
    setup = regions_and_archives_load(text=csv_text) if csv_text else None
    codes = list(dict.fromkeys([*(setup.region_codes if setup else []), *(region_codes or [])]))
    regions = list(Region.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {region.code for region in regions})
    if unknown:
        raise ValidationError({"region": f"no region {', '.join(unknown)}"})
    if not regions:
        raise ValidationError({"region": "name at least one region (or give a CSV of archives)"})
    regions.sort(key=lambda region: codes.index(region.code))
    survey = Survey.objects.filter(slug=slug).first()
    created = survey is None
    if survey is None:
        survey = survey_create(actor=actor, slug=slug, title=title, cutoff=cutoff, regions=regions)
        added = len(regions)
    else:
        linked = set(survey.survey_regions.values_list("region_id", flat=True))
        position = len(linked)
        added = 0
        for region in regions:
            if region.pk not in linked:
                SurveyRegion.objects.create(survey=survey, region=region, position=position)
                position += 1
                added += 1
        if added:
            audit_record(actor=actor, action="survey.update", obj=survey, after={"regions": added})
    institutions = 0
    for archive in Archive.objects.filter(region__in=regions).order_by("slug"):
        institution_for_archive(archive=archive)
        institutions += 1
    return PeriodReport(
        survey=survey, created=created, regions_added=added, institutions=institutions, setup=setup
    )
