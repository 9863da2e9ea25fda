"""Content (3.2.4) and interaction (3.2.5): what the accounts post, how fresh and original it
is, and how readers respond, consultations included."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.indices import _median, _share


@dataclasses.dataclass
class Content:
    measured: list[AccountIndicators]
    stale: list[AccountIndicators]
    originals: int
    forwards: int
    confined: list[AccountIndicators]
    posts_per_week_median: float | None
    days_since_original_median: float | None

    @property
    def stale_share(self) -> float | None:
        return _share(len(self.stale), len(self.measured))

    @property
    def originality(self) -> float | None:
        return _share(self.originals, self.originals + self.forwards)

    @property
    def confined_share(self) -> float | None:
        measurable = len({a.id for a in self.measured} | {a.id for a in self.confined})
        return _share(len(self.confined), measurable)


def content(accounts: Sequence[AccountIndicators]) -> Content:
    opened = [a for a in accounts if a.opened]
    measured = [a for a in opened if a.stale is not None]
    return Content(
        measured=measured,
        stale=[a for a in measured if a.stale],
        originals=sum(a.originals for a in opened),
        forwards=sum(a.forwards for a in opened),
        confined=[a for a in opened if a.originals_confined],
        posts_per_week_median=_median(a.posts_per_week for a in opened if a.posts_per_week),
        days_since_original_median=_median(
            a.days_since_original for a in measured if a.days_since_original is not None
        ),
    )


@dataclasses.dataclass(frozen=True)
class Consultation:
    """A question put to an archive through one of its accounts, and its first answer."""

    received_at: datetime.datetime
    first_response_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class ArchiveService:
    """One archive's records-use requests (查档) in the period, read from Archivox's own
    records: how many, how many closed, working days to close and the share on time."""

    archive: str  # the archive's slug
    name: str
    requests: int
    closed: int
    median_working_days: float | None
    p90_working_days: float | None
    share_on_time: float | None


@dataclasses.dataclass(frozen=True)
class ArchiveDemand:
    """What the public searched for most in one archive's catalog in the period, and what found
    nothing, read from Archivox's own counts (only counts large enough to name no one)."""

    archive: str  # the archive's slug
    name: str
    searched: tuple[tuple[str, int], ...]
    zero_hits: tuple[tuple[str, int], ...]


@dataclasses.dataclass
class Interaction:
    measured: list[AccountIndicators]
    reads_per_post_median: float | None
    likes_per_post_median: float | None
    comments_per_post_median: float | None
    reactions_per_post_median: float | None
    reads_per_follower_median: float | None
    consultations: int | None
    unanswered: int | None
    response_hours_median: float | None
    # Records-use requests per archive that runs them on Archivox (None: none supplied).
    services: list[ArchiveService] | None = None
    # Public demand per archive on Archivox (§4.1 what the public is most concerned with, §4.5
    # user needs); None: none supplied.
    demand: list[ArchiveDemand] | None = None

    @property
    def has_posts(self) -> bool:
        return bool(self.measured)


def interaction(
    accounts: Sequence[AccountIndicators],
    consultations: Sequence[Consultation] | None = None,
    services: Sequence[ArchiveService] | None = None,
    demand: Sequence[ArchiveDemand] | None = None,
) -> Interaction:
    """Reads, likes and comments per post and per follower; consultations and the median first
    response time when the caller has them (the engagement inbox), else "not enough data"."""
    measured = [a for a in accounts if a.reads_posts or a.likes_posts or a.comments_posts]
    reactions = []
    for account in measured:
        parts = [v for v in (account.likes_per_post, account.comments_per_post) if v is not None]
        if parts:
            reactions.append(sum(parts))
    volume = unanswered = hours = None
    if consultations:
        volume = len(consultations)
        answered = [c for c in consultations if c.first_response_at is not None]
        unanswered = volume - len(answered)
        hours = _median(
            (c.first_response_at - c.received_at).total_seconds() / 3600 for c in answered
        )
    return Interaction(
        measured=measured,
        reads_per_post_median=_median(
            a.reads_per_post for a in measured if a.reads_per_post is not None
        ),
        likes_per_post_median=_median(
            a.likes_per_post for a in measured if a.likes_per_post is not None
        ),
        comments_per_post_median=_median(
            a.comments_per_post for a in measured if a.comments_per_post is not None
        ),
        reactions_per_post_median=_median(reactions),
        reads_per_follower_median=_median(
            a.reads_per_follower for a in measured if a.reads_per_follower is not None
        ),
        consultations=volume,
        unanswered=unanswered,
        response_hours_median=hours,
        services=list(services) if services else None,
        demand=list(demand) if demand else None,
    )
