"""Security (3.2.6): accounts operated through Archivox and their administrators, and the
publishing desk's records of restricted items and screening overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.db.models import Count

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.thresholds import MIN_ADMINISTRATORS
from archivox.survey.models import PostRecord
from archivox.survey.post_flags import OVERRIDE, RESTRICTED
from archivox.survey.selectors import Scope


@dataclasses.dataclass
class OperatedAccount:
    account: str
    archive_id: int
    administrators: int


@dataclasses.dataclass
class FlaggedAccount:
    """An account whose posts in the window carry security risks: flag code → posts."""

    account: AccountIndicators
    flags: dict[str, int]


@dataclasses.dataclass
class Security:
    operated: list[OperatedAccount]
    restricted_published: int | None
    screening_overrides: int | None
    # Whether posts of the window were screened (their titles, or their source's records), and
    # the accounts whose posts carry risks.
    screened_posts: bool = False
    flagged: list[FlaggedAccount] = dataclasses.field(default_factory=list)

    @property
    def under_administered(self) -> list[OperatedAccount]:
        return [a for a in self.operated if a.administrators < MIN_ADMINISTRATORS]

    @property
    def measured(self) -> bool:
        return (
            bool(self.operated)
            or bool(self.screened_posts)
            or (self.restricted_published is not None or self.screening_overrides is not None)
        )


def security(
    scope: Scope,
    accounts: Sequence[AccountIndicators],
    *,
    restricted_published: int | None = None,
    screening_overrides: int | None = None,
) -> Security:
    """Accounts operated through Archivox (the archive had linked its account on that platform by
    the scope's day) whose archive has fewer than two administrators; items published and later
    found restricted, and screening overrides: given by the caller, else counted from the flags
    the publishing desk put on the operated accounts' posts."""
    archive_ids = {a.archive_id for a in accounts if a.archive_id}
    # Operated through Archivox by the scope's day: an account linked later (the paper's 2016
    # accounts on today's demo) was not operated through it then.
    operated_pairs = set(
        PlatformAccount.objects.filter(
            archive_id__in=archive_ids, is_active=True, created_at__date__lte=scope.as_of
        ).values_list("archive_id", "platform")
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
    screened, flagged = _flagged_posts(scope, accounts)
    # The desk's records reach the survey as its posts' flags: for the accounts operated through
    # Archivox they are known, none flagged meaning none (not "not enough data").
    operated_ids = {
        a.id for a in accounts if a.archive_id and (a.archive_id, a.platform) in operated_pairs
    }
    if operated_ids:
        desk = [item for item in flagged if item.account.id in operated_ids]
        if restricted_published is None:
            restricted_published = sum(item.flags.get(RESTRICTED, 0) for item in desk)
        if screening_overrides is None:
            screening_overrides = sum(item.flags.get(OVERRIDE, 0) for item in desk)
    return Security(
        operated=operated,
        restricted_published=restricted_published,
        screening_overrides=screening_overrides,
        screened_posts=screened,
        flagged=flagged,
    )


def _flagged_posts(
    scope: Scope, accounts: Sequence[AccountIndicators]
) -> tuple[bool, list[FlaggedAccount]]:
    """Whether posts of the window were screened, and per account the risks they carry. Both
    read little: the first screened post ends the one, the partial index of flagged posts
    serves the other."""
    window = PostRecord.objects.filter(
        account__in=scope.accounts(), published_on__gte=scope.start, published_on__lte=scope.as_of
    )
    if not window.filter(flags__isnull=False).exists():
        return False, []
    by_account: dict[int, dict[str, int]] = {}
    rows = window.filter(flags__gt="").values("account_id", "flags").annotate(n=Count("id"))
    for account_id, flags, n in rows.order_by().values_list("account_id", "flags", "n"):
        counts = by_account.setdefault(account_id, {})
        for code in filter(None, flags.split(",")):
            counts[code] = counts.get(code, 0) + n
    known = {a.id: a for a in accounts}
    flagged = [
        FlaggedAccount(account=known[account_id], flags=counts)
        for account_id, counts in sorted(by_account.items())
        if account_id in known
    ]
    return True, flagged
