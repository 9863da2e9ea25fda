"""Security (3.2.6): accounts operated through Archivox and their administrators, and the
publishing desk's records of restricted items and screening overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.db.models import Count

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.thresholds import MIN_ADMINISTRATORS
from archivox.survey.selectors import Scope


@dataclasses.dataclass
class OperatedAccount:
    account: str
    archive_id: int
    administrators: int


@dataclasses.dataclass
class Security:
    operated: list[OperatedAccount]
    restricted_published: int | None
    screening_overrides: int | None

    @property
    def under_administered(self) -> list[OperatedAccount]:
        return [a for a in self.operated if a.administrators < MIN_ADMINISTRATORS]

    @property
    def measured(self) -> bool:
        return bool(self.operated) or (
            self.restricted_published is not None or self.screening_overrides is not None
        )


def security(
    scope: Scope,
    accounts: Sequence[AccountIndicators],
    *,
    restricted_published: int | None = None,
    screening_overrides: int | None = None,
) -> Security:
    """Accounts operated through Archivox (the archive has a platform account there on that
    platform) whose archive has fewer than two administrators; items published and later found
    restricted, and screening overrides, when the publishing desk supplies them."""
    archive_ids = {a.archive_id for a in accounts if a.archive_id}
    operated_pairs = set(
        PlatformAccount.objects.filter(archive_id__in=archive_ids, is_active=True).values_list(
            "archive_id", "platform"
        )
    )
    admins = dict(
        Membership.objects.filter(
            archive_id__in={archive for archive, _ in operated_pairs},
            role=Role.ADMINISTRATOR,
            user__is_active=True,
        )
        .values("archive_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("archive_id", "n")
    )
    operated = [
        OperatedAccount(
            account=a.label, archive_id=a.archive_id, administrators=admins.get(a.archive_id, 0)
        )
        for a in accounts
        if a.archive_id and (a.archive_id, a.platform) in operated_pairs
    ]
    return Security(
        operated=operated,
        restricted_published=restricted_published,
        screening_overrides=screening_overrides,
    )
