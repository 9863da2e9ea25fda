"""Indicators per account: followers, posts, originality, freshness, reads and the account's
index, from its latest snapshot, its period rows, its latest column and its history before
the window."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, Subquery

from archivox.survey.indicators.indices import bci, followers_band, wci
from archivox.survey.indicators.periods import account_period_rows
from archivox.survey.indicators.sql import combine
from archivox.survey.indicators.thresholds import (
    FOLLOWERS_LOW,
    STALE_DAYS,
    band_label,
    platform_label,
)
from archivox.survey.models import FollowersBand, MetricSnapshot, Platform, PostRecord
from archivox.survey.selectors import Scope


@dataclasses.dataclass
class AccountIndicators:
    id: int
    institution: str
    institution_name: str
    archive_id: int | None
    region: str
    region_name: str
    level: str
    platform: str
    name: str
    opened: bool
    followers: int | None
    followers_below: int | None
    followers_band: str
    followers_source: str
    posts: int
    originals: int
    forwards: int
    reads_total: int
    reads_posts: int
    reads_max: int | None
    likes_total: int
    likes_posts: int
    likes_max: int | None
    comments_total: int
    comments_posts: int
    shares_total: int
    last_post: datetime.date | None
    last_original: datetime.date | None
    last_original_is_bound: bool
    days_since_post: int | None
    days_since_original: int | None
    stale: bool | None
    originality: float | None
    originals_confined: bool
    column: str
    posts_per_week: float | None
    reads_per_post: float | None
    likes_per_post: float | None
    comments_per_post: float | None
    reads_per_follower: float | None
    wci: float | None
    bci: float | None
    notes: str
    last_update_before: datetime.date | None

    @property
    def label(self) -> str:
        return f"{self.institution_name} · {platform_label(self.platform)}"

    @property
    def unknown_origin(self) -> int:
        """Posts neither known original nor known forward (the paper's own post): they count as
        updates, not as originals."""
        return max(0, self.posts - self.originals - self.forwards)

    @property
    def followers_band_label(self) -> str:
        return band_label(self.followers_band) if self.followers_band else ""

    @property
    def below_ten_thousand(self) -> bool | None:
        if self.followers is not None:
            return self.followers < FOLLOWERS_LOW
        if self.followers_band:
            return self.followers_band != FollowersBand.TEN_THOUSANDS.value
        if self.followers_below is not None and self.followers_below <= FOLLOWERS_LOW:
            return True
        return None

    @property
    def index(self) -> float | None:
        return self.wci if self.platform == Platform.WECHAT else self.bci


def _latest_followers(as_of: datetime.date) -> Subquery:
    return Subquery(
        MetricSnapshot.objects.filter(
            account=OuterRef("pk"), date__lte=as_of, followers__isnull=False
        )
        .order_by("-date")
        .values("followers")[:1]
    )


def _last_post(scope: Scope, *, original: bool = False) -> Subquery:
    """The day of the account's last post (or last original) in the window: a walk back along
    its (account, day) index that stops at the first match, not a maximum over every post."""
    posts = PostRecord.objects.filter(
        account=OuterRef("pk"), published_on__gte=scope.start, published_on__lte=scope.as_of
    )
    if original:
        # A post of unknown origin may be original: it shows the account was updated. Only a
        # known forward does not count.
        posts = posts.filter(Q(is_original=True) | Q(is_original__isnull=True))
    return Subquery(posts.order_by("-published_on").values("published_on")[:1])


def _history(scope: Scope, account_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Before the window, for the accounts with no original post in it: their last post, last
    original and whether they ever posted originals or forwards."""
    history: dict[int, dict[str, Any]] = {}
    for offset in range(0, len(account_ids), 500):
        rows = (
            PostRecord.objects.filter(
                account_id__in=account_ids[offset : offset + 500],
                published_on__lt=scope.start,
            )
            .values("account_id")
            .annotate(
                last_post=Max("published_on"),
                last_original=Max(
                    "published_on", filter=Q(is_original=True) | Q(is_original__isnull=True)
                ),
                originals_ever=Count("id", filter=Q(is_original=True)),
                forwards_ever=Count("id", filter=Q(is_original=False)),
            )
            .order_by()
        )
        history.update({row.pop("account_id"): row for row in rows})
    return history


def _latest_columns(scope: Scope) -> dict[int, str]:
    """The column of each account's latest post that has one (its regular original feature)."""
    latest = (
        PostRecord.objects.filter(account=OuterRef("pk"), published_on__lte=scope.as_of)
        .exclude(column="")
        .order_by("-published_on")
        .values("column")[:1]
    )
    return dict(
        scope.accounts()
        .annotate(latest_column=Subquery(latest))
        .filter(latest_column__isnull=False)
        .values_list("pk", "latest_column")
    )


def account_indicators(
    scope: Scope, period_rows: list[dict[str, Any]] | None = None
) -> list[AccountIndicators]:
    """One row of indicators per account in scope: the accounts with their latest snapshot,
    the period rows (``account_period_rows``, computed here when not given), each account's
    latest column, and the history before the window of accounts without an original in it."""
    accounts = (
        scope.accounts()
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=scope.as_of))
        .annotate(
            latest_followers=_latest_followers(scope.as_of),
            window_last_post=_last_post(scope),
            window_last_original=_last_post(scope, original=True),
        )
        .values(
            "pk",
            "platform",
            "name",
            "opened",
            "followers",
            "followers_band",
            "followers_below",
            "last_update_before",
            "originals_column",
            "notes",
            "latest_followers",
            "window_last_post",
            "window_last_original",
            "institution__slug",
            "institution__name",
            "institution__name_zh",
            "institution__archive_id",
            "institution__level",
            "institution__region__code",
            "institution__region__name",
            "institution__region__name_zh",
        )
        .order_by("institution__region__code", "institution__slug", "platform", "handle")
    )
    accounts = list(accounts)
    if period_rows is None:
        period_rows = account_period_rows(scope)
    aggregates = combine(period_rows, lambda row: row["account_id"])
    history = _history(
        scope,
        [a["pk"] for a in accounts if not a["window_last_original"]],
    )
    columns = _latest_columns(scope)
    weeks = ((scope.as_of - scope.start).days + 1) / 7
    rows = []
    for account in accounts:
        agg = aggregates.get(account["pk"], {})
        past = history.get(account["pk"], {})
        posts = agg.get("posts") or 0
        originals = agg.get("originals") or 0
        forwards = agg.get("forwards") or 0
        followers = account["latest_followers"]
        source = "snapshot" if followers is not None else ""
        if followers is None and account["followers"] is not None:
            followers, source = account["followers"], "survey"
        band = followers_band(followers) if followers is not None else account["followers_band"]
        last_post = account["window_last_post"] or past.get("last_post")
        last_original = account["window_last_original"] or past.get("last_original")
        bound = False
        if last_original is None and account["last_update_before"] is not None:
            # "Content still stays in March 2016": no post on or after that day.
            last_original = account["last_update_before"] - datetime.timedelta(days=1)
            bound = True
        days_post = (scope.as_of - last_post).days if last_post else None
        days_original = (scope.as_of - last_original).days if last_original else None
        if days_original is not None:
            stale = days_original > STALE_DAYS
        elif days_post is not None and days_post > STALE_DAYS:
            stale = True  # silent: no post at all, so no original either
        elif (forwards or past.get("forwards_ever")) and not past.get("originals_ever"):
            stale = True  # posts, but none of them original
        else:
            stale = None
        known = originals + forwards
        reads_posts = agg.get("reads_posts") or 0
        likes_posts = agg.get("likes_posts") or 0
        comments_posts = agg.get("comments_posts") or 0
        reads_total = agg.get("reads_sum") or 0
        likes_total = agg.get("likes_sum") or 0
        comments_total = agg.get("comments_sum") or 0
        shares_total = agg.get("shares_sum") or 0
        reads_per_post = reads_total / reads_posts if reads_posts else None
        platform = account["platform"]
        rows.append(
            AccountIndicators(
                id=account["pk"],
                institution=account["institution__slug"],
                institution_name=account["institution__name_zh"] or account["institution__name"],
                archive_id=account["institution__archive_id"],
                region=account["institution__region__code"],
                region_name=account["institution__region__name_zh"]
                or account["institution__region__name"],
                level=account["institution__level"],
                platform=platform,
                name=account["name"],
                opened=account["opened"],
                followers=followers,
                followers_below=account["followers_below"],
                followers_band=band,
                followers_source=source,
                posts=posts,
                originals=originals,
                forwards=forwards,
                reads_total=reads_total,
                reads_posts=reads_posts,
                reads_max=agg.get("reads_max"),
                likes_total=likes_total,
                likes_posts=likes_posts,
                likes_max=agg.get("likes_max"),
                comments_total=comments_total,
                comments_posts=comments_posts,
                shares_total=shares_total,
                last_post=last_post,
                last_original=last_original,
                last_original_is_bound=bound,
                days_since_post=days_post,
                days_since_original=days_original,
                stale=stale,
                originality=originals / known if known else None,
                originals_confined=bool(account["originals_column"]) and not known,
                column=columns.get(account["pk"]) or account["originals_column"],
                posts_per_week=posts / weeks if posts else None,
                reads_per_post=reads_per_post,
                likes_per_post=likes_total / likes_posts if likes_posts else None,
                comments_per_post=comments_total / comments_posts if comments_posts else None,
                reads_per_follower=(reads_per_post / followers)
                if reads_per_post is not None and followers
                else None,
                wci=wci(
                    posts=reads_posts,
                    reads=reads_total,
                    reads_max=agg.get("reads_max") or 0,
                    likes=likes_total,
                    likes_max=agg.get("likes_max") or 0,
                )
                if platform == Platform.WECHAT and reads_posts
                else None,
                bci=bci(
                    posts=posts, reposts=shares_total, comments=comments_total, likes=likes_total
                )
                if platform == Platform.WEIBO and posts
                else None,
                notes=account["notes"],
                last_update_before=account["last_update_before"],
            )
        )
    return rows
