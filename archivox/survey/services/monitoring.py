"""Monitoring, not a one-off: a survey period per month (or any period) over the archives that
run on Archivox, filled from their own accounts. The publishing desk records each post's
counters into the survey's post records (``publishing.metrics``); the inbox's consultations,
the records-use requests (``records_requests.selectors.survey_service_indicators``, §3.2.5/§4.5)
and the posts' risk flags are read for the period's window when the report is built. Opening a
period only frames them: it brings in every archive that runs on Archivox, those that serve
records-use requests without a platform account included."""

from __future__ import annotations

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from archivox.core.models import Archive, PlatformAccount, Region, User
from archivox.core.services import audit_record
from archivox.records_requests.selectors import archives_serving
from archivox.survey.models import Account, Survey, SurveyRegion
from archivox.survey.services import account_create, institution_for_archive

MONITOR_SERIES = "archivox-monitor"


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


@transaction.atomic
def monitoring_period_open(
    *,
    actor: User | None,
    start: datetime.date,
    end: datetime.date | None = None,
    series: str = MONITOR_SERIES,
) -> Survey:
    """The period ``start``…``end`` (a calendar month when ``end`` is None) over every archive
    with an active platform account on Archivox, each of those accounts monitored. Idempotent:
    a second call adds the archives and accounts that appeared since."""
    if end is None:
        start, end = month_bounds(start)
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    slug = f"{series}-{start.isoformat()}"[:60]
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        survey = Survey(
            slug=slug,
            title=f"Self-media monitoring {start.isoformat()} – {end.isoformat()}",
            title_zh=f"自媒体监测（{start.isoformat()} 至 {end.isoformat()}）",
            method="Filled from the archives' own accounts on Archivox.",
            method_zh="由各档案馆在 Archivox 上的账号自动采集。",
            cutoff=end,
            observed_until=end,
            starts_on=start,
            series=series,
        )
        survey.full_clean()
        survey.save()
        audit_record(actor=actor, action="survey.create", obj=survey, after={"slug": slug})
    operated = (
        PlatformAccount.objects.filter(is_active=True, archive__region__isnull=False)
        .select_related("archive")
        .order_by("archive__slug", "platform")
    )
    archives: dict[int, Archive] = {}
    # An archive serving records-use requests runs on Archivox even without an account: its
    # requests are judged per archive in 3.2.5/4.5.
    for archive in archives_serving():
        if archive.region_id is not None:
            archives[archive.pk] = archive
            institution_for_archive(archive=archive)
    for platform_account in operated:
        archive = platform_account.archive
        archives[archive.pk] = archive
        institution = institution_for_archive(archive=archive)
        if not Account.objects.filter(
            institution=institution, platform=platform_account.platform
        ).exists():
            name = platform_account.name or archive.slug
            account_create(
                actor=None,
                institution=institution,
                platform=platform_account.platform,
                handle=name,
                name=name,
                # Known open from the day it was linked to Archivox: a survey of an earlier
                # time (the paper's 2016) must not count it.
                opened_on=timezone.localdate(platform_account.created_at),
                source="archivox",
            )
    linked = set(survey.survey_regions.values_list("region_id", flat=True))
    position = len(linked)
    region_ids = sorted({archive.region_id for archive in archives.values()})
    for region in Region.objects.filter(pk__in=region_ids).order_by("code"):
        if region.pk not in linked:
            SurveyRegion.objects.create(survey=survey, region=region, position=position)
            position += 1
    return survey
