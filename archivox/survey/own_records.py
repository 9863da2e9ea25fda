"""What Archivox itself knows about the archives it serves, for their indicators: the inbox's
consultations (response time, unanswered) and, when the publishing desk holds them, its
screening records. Read through the other apps' selectors; monitored institutions outside
Archivox have none of this, and their measures stay "not enough data"."""

from __future__ import annotations

from typing import Any

from archivox.survey.indicators.compute import Indicators, indicators_compute
from archivox.survey.indicators.posts import Consultation
from archivox.survey.selectors import Scope


def own_records_for(scope: Scope) -> dict[str, Any]:
    """Keyword arguments for ``indicators_compute``: consultations of the scope's archives."""
    from archivox.consultations.selectors import consultation_timings

    archive_ids = [
        archive_id
        for archive_id in scope.institutions().values_list("archive_id", flat=True)
        if archive_id is not None
    ]
    if not archive_ids:
        return {}
    timings = consultation_timings(archive_ids=archive_ids, start=scope.start, end=scope.as_of)
    if not timings:
        return {}
    return {
        "consultations": [
            Consultation(received_at=opened, first_response_at=answered)
            for opened, answered in timings
        ]
    }


def indicators_for(scope: Scope) -> Indicators:
    """The scope's indicators with Archivox's own records of its archives."""
    return indicators_compute(scope, **own_records_for(scope))
