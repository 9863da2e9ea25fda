"""Every indicator of a scope at once, from one scan of its post records."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from archivox.survey.indicators.accounts import AccountIndicators, account_indicators
from archivox.survey.indicators.followers import Reach, reach
from archivox.survey.indicators.periods import account_period_rows
from archivox.survey.indicators.posts import (
    ArchiveDemand,
    ArchiveService,
    Consultation,
    Content,
    Interaction,
    content,
    interaction,
)
from archivox.survey.indicators.regions import Coverage, Presence, coverage, presence
from archivox.survey.indicators.risks import Security, security
from archivox.survey.models import MonitoredInstitution
from archivox.survey.selectors import Scope


@dataclasses.dataclass
class Indicators:
    scope: Scope
    monthly: list[dict[str, Any]]
    accounts: list[AccountIndicators]
    presence: Presence
    coverage: Coverage
    reach: Reach
    content: Content
    interaction: Interaction
    security: Security

    @property
    def ranking(self) -> list[AccountIndicators]:
        """Accounts by their communication index (WCI for WeChat, BCI for Weibo), best first."""
        ranked = [a for a in self.accounts if a.index is not None]
        return sorted(ranked, key=lambda a: a.index or 0, reverse=True)


def indicators_compute(
    scope: Scope,
    *,
    consultations: Sequence[Consultation] | None = None,
    services: Sequence[ArchiveService] | None = None,
    demand: Sequence[ArchiveDemand] | None = None,
    restricted_published: int | None = None,
    screening_overrides: int | None = None,
) -> Indicators:
    """All indicators of a scope. Data the survey app does not hold (consultations, publishing's
    screening records) is passed in by the caller; without it those measures say "not enough
    data"."""
    monthly = account_period_rows(scope, period="month")
    accounts = account_indicators(scope, monthly)
    presence_ = presence(scope)
    return Indicators(
        scope=scope,
        monthly=monthly,
        accounts=accounts,
        presence=presence_,
        coverage=coverage(scope, presence_),
        reach=reach(scope, accounts),
        content=content(accounts),
        interaction=interaction(accounts, consultations, services, demand),
        security=security(
            scope,
            accounts,
            restricted_published=restricted_published,
            screening_overrides=screening_overrides,
        ),
    )


def institution_list(scope: Scope) -> list[MonitoredInstitution]:
    return list(scope.institutions().select_related("region", "archive"))
