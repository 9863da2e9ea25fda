"""What Archivox itself knows about the archives it serves, for their indicators: the inbox's
consultations (response time, unanswered) and, when the publishing desk holds them, its
screening records. Read through the other apps' selectors; monitored institutions outside
Archivox have none of this, and their measures stay "not enough data"."""

from __future__ import annotations

from typing import Any

from archivox.survey.indicators.compute import Indicators, indicators_compute
from archivox.survey.indicators.posts import ArchiveDemand, ArchiveService, Consultation
from archivox.survey.selectors import Scope, display_name


def own_records_for(scope: Scope) -> dict[str, Any]:
    """Keyword arguments for ``indicators_compute``: consultations and records-use requests
    of the scope's archives in the scope's window."""
    from archivox.consultations.selectors import consultation_timings

    institutions = [
        i for i in scope.institutions().select_related("archive") if i.archive_id is not None
    ]
    archive_ids = [i.archive_id for i in institutions]
    if not archive_ids:
        return {}
    data: dict[str, Any] = {}
    timings = consultation_timings(archive_ids=archive_ids, start=scope.start, end=scope.as_of)
    if timings:
        data["consultations"] = [
            Consultation(received_at=opened, first_response_at=answered)
            for opened, answered in timings
        ]
    services = records_requests_for(institutions, scope)
    if services:
        data["services"] = services
    demand = demand_for(institutions, scope)
    if demand:
        data["demand"] = demand
    return data


def demand_for(institutions: list, scope: Scope) -> list[ArchiveDemand]:
    """Each archive's most searched terms and the searched terms that found nothing, counted by
    the catalog in the scope's window, small counts left out (two queries in all)."""
    from archivox.catalog.models import PublicDemand
    from archivox.catalog.selectors import public_demand_top_by_archive

    ids = [i.archive_id for i in institutions]
    counted = {
        kind: public_demand_top_by_archive(
            archive_ids=ids, kind=kind, since=scope.start, until=scope.as_of
        )
        for kind in (PublicDemand.Kind.SEARCH, PublicDemand.Kind.ZERO_HITS)
    }
    demand = []
    for institution in sorted(institutions, key=lambda i: i.slug):
        searched = counted[PublicDemand.Kind.SEARCH].get(institution.archive_id, [])
        zero = counted[PublicDemand.Kind.ZERO_HITS].get(institution.archive_id, [])
        if searched or zero:
            demand.append(
                ArchiveDemand(
                    archive=institution.archive.slug,
                    name=display_name(institution),
                    searched=tuple(searched),
                    zero_hits=tuple(zero),
                )
            )
    return demand


def records_requests_for(institutions: list, scope: Scope) -> list[ArchiveService]:
    """Each archive's records-use requests made in the scope's window, read in a fixed number
    of queries (archives that received none are left out: nothing to judge)."""
    from archivox.records_requests.selectors import survey_service_indicators_many

    rows = survey_service_indicators_many(
        archive_ids=[i.archive_id for i in institutions], start=scope.start, end=scope.as_of
    )
    services = []
    for institution in sorted(institutions, key=lambda i: i.slug):
        row = rows[institution.archive_id]
        if not row["records_requests"]:
            continue
        services.append(
            ArchiveService(
                archive=institution.archive.slug,
                name=display_name(institution),
                requests=row["records_requests"],
                closed=row["records_requests_closed"],
                median_working_days=row["records_requests_median_working_days"],
                p90_working_days=row["records_requests_p90_working_days"],
                share_on_time=row["records_requests_share_on_time"],
            )
        )
    return services


def indicators_for(scope: Scope) -> Indicators:
    """The scope's indicators with Archivox's own records of its archives."""
    return indicators_compute(scope, **own_records_for(scope))
