"""Diagnosis: the paper's six findings (§3.2) judged from the indicators, with the evidence, and
answered by its strategies (§4) turned into concrete actions. Thresholds are in
``archivox.survey.indicators.thresholds`` and explained in docs/indicators.md.

A finding *holds* when any of its measured criteria trips, *does not hold* when it could be
measured and none trips, and is *not enough data* when nothing could be measured. When nothing
could be measured but the survey itself recorded the finding (the paper's qualitative 3.2.6),
it holds on the survey's record, and the evidence says so.

One module per stage: ``findings`` (the paper's findings and strategies, the shape of a
diagnosis), ``wording`` (numbers, lists and actions worded), the judges by group of findings —
``regions`` (3.2.1, 3.2.2), ``followers`` (3.2.3), ``posts`` (3.2.4, 3.2.5), ``risks`` (3.2.6),
as in ``archivox.survey.indicators`` — and ``assembly`` (``diagnose``). This package re-exports
their public names, so ``from archivox.survey.diagnosis import diagnose`` keeps working; code
inside the app imports from the stage module.
"""

from archivox.survey.diagnosis.assembly import (
    JUDGES,
    RECORDED_ACTIONS,
    diagnose,
    diagnosis_for,
)
from archivox.survey.diagnosis.findings import (
    ANSWERS,
    BASIS_LABELS,
    FINDINGS,
    MAX_ACTIONS,
    PLATFORM_NAMES,
    PLATFORM_SHORT,
    STATUS_LABELS,
    STRATEGIES,
    Action,
    Diagnosis,
    Judgment,
    Status,
)

__all__ = [
    "ANSWERS",
    "BASIS_LABELS",
    "FINDINGS",
    "JUDGES",
    "MAX_ACTIONS",
    "PLATFORM_NAMES",
    "PLATFORM_SHORT",
    "RECORDED_ACTIONS",
    "STATUS_LABELS",
    "STRATEGIES",
    "Action",
    "Diagnosis",
    "Judgment",
    "Status",
    "diagnose",
    "diagnosis_for",
]
