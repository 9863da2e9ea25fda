"""The survey's indicators (docs/indicators.md): presence, coverage, reach, content, interaction
and security, the WeChat and Weibo communication indices, and activity by period and region.

Records are aggregated in the database (``values()``/``annotate()``), a handful of queries per
report whatever the number of posts; Python only combines the per-account and per-period rows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import math
import os
import statistics
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections, models
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import pgettext_lazy

from archivox.core.models import Membership, PlatformAccount, Role
from archivox.survey.models import (
    Account,
    FollowersBand,
    MetricSnapshot,
    MonitoredInstitution,
    Platform,
    PostRecord,
    SurveyRegion,
    TableEntry,
)
from archivox.survey.selectors import Scope, display_name

# Thresholds (docs/indicators.md says why each is where it is).
STALE_DAYS = 30  # no original post for longer than this: the account is stale
STALE_SHARE = 0.10  # 3.2.4 holds when at least this share of measured accounts is stale
ORIGINALITY_LOW = 0.5  # 3.2.4 holds when fewer than half the posts are originals
CONFINED_SHARE = 0.10  # … or this share of accounts keeps its originals to a single column
UNEVEN_GAP = 0.5  # 3.2.1 holds when presence differs by half the platforms between regions
COVERAGE_LOW = 0.5  # 3.2.2 holds when under half the archives (or of the lower levels) have one
REACH_BELOW_SHARE = 0.5  # … or under half the regions reach below their main archive's level
FOLLOWERS_LOW = 10_000  # 3.2.3: a median under ten thousand followers is "not high"
DISPARITY_RATIO = 2.0  # 3.2.3: the top account has at least twice the followers of the bottom
BAND_LOW_SHARE = 0.5  # 3.2.3: half the band observations under ten thousand
READS_PER_POST_LOW = 100  # 3.2.5: fewer reads per post than this is weak
REACTIONS_PER_POST_LOW = 5  # 3.2.5: likes + comments per post under this is weak
READS_PER_FOLLOWER_LOW = 0.01  # 3.2.5: a post read by under 1 % of the followers is weak
RESPONSE_HOURS_HIGH = 48  # 3.2.5: WeChat lets an archive answer by message for 48 hours only
MIN_ADMINISTRATORS = 2  # 3.2.6: an account run by fewer administrators depends on one person

LEVEL_ORDER = ("province", "city", "district", "county")
BAND_ORDER = (
    FollowersBand.FEW.value,
    FollowersBand.HUNDREDS.value,
    FollowersBand.THOUSANDS.value,
    FollowersBand.TEN_THOUSANDS.value,
)
BAND_LABELS_ZH = {"few": "少量", "hundreds": "数百", "thousands": "数千", "ten_thousands": "数万"}
PLATFORM_LABELS_ZH = {"wechat": "微信", "weibo": "微博", "website": "网站", "other": "其他"}
# Labels in the active language (zh-hans by default, English when the browser asks); lazy so
# that the language of the request, not of the import, applies.
BAND_LABELS = {
    "few": pgettext_lazy("followers band", "few"),
    "hundreds": pgettext_lazy("followers band", "hundreds"),
    "thousands": pgettext_lazy("followers band", "thousands"),
    "ten_thousands": pgettext_lazy("followers band", "ten thousands"),
}
PLATFORM_LABELS = {
    "wechat": pgettext_lazy("platform", "WeChat"),
    "weibo": pgettext_lazy("platform", "Weibo"),
    "website": pgettext_lazy("platform", "website"),
    "other": pgettext_lazy("platform", "other"),
}
LEVEL_LABELS = {
    "province": pgettext_lazy("administrative level", "province"),
    "city": pgettext_lazy("administrative level", "city"),
    "district": pgettext_lazy("administrative level", "district"),
    "county": pgettext_lazy("administrative level", "county"),
    "district+county": pgettext_lazy("administrative level", "district+county"),
}


def platform_label(platform: str) -> str:
    return str(PLATFORM_LABELS.get(platform, platform))


def band_label(band: str) -> str:
    return str(BAND_LABELS.get(band, band))


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


PERIODS = ("week", "month", "year")


# --- the published indices ----------------------------------------------------------------------


def _component(total: float, average: float, peak: float) -> float:
    return 0.4 * math.log(total + 1) + 0.45 * math.log(average + 1) + 0.15 * math.log(peak + 1)


def wci_from_averages(
    *,
    reads: float,
    reads_per_post: float,
    reads_max: float,
    likes: float,
    likes_per_post: float,
    likes_max: float,
) -> float:
    """WCI 2.0 = (0.8·Read + 0.2·Like)² × 10, Read = 0.4·ln(R+1) + 0.45·ln(R/n+1) +
    0.15·ln(Rmax+1), Like the same on likes (Z, Z/n, Zmax)."""
    read = _component(reads, reads_per_post, reads_max)
    like = _component(likes, likes_per_post, likes_max)
    return (0.8 * read + 0.2 * like) ** 2 * 10


def wci(
    *, posts: int, reads: float, reads_max: float, likes: float, likes_max: float
) -> float | None:
    """WCI 2.0 of ``posts`` articles with ``reads`` reads and ``likes`` likes in all; None when
    there is no article."""
    if posts <= 0:
        return None
    return wci_from_averages(
        reads=reads,
        reads_per_post=reads / posts,
        reads_max=reads_max,
        likes=likes,
        likes_per_post=likes / posts,
        likes_max=likes_max,
    )


def bci(*, posts: float, reposts: float, comments: float, likes: float) -> float:
    """BCI = (0.2·ln(posts+1) + 0.8·(0.4·ln(reposts+1) + 0.4·ln(comments+1) +
    0.2·ln(likes+1))) × 160."""
    spread = 0.4 * math.log(reposts + 1) + 0.4 * math.log(comments + 1) + 0.2 * math.log(likes + 1)
    return (0.2 * math.log(posts + 1) + 0.8 * spread) * 160


def followers_band(followers: int | None) -> str:
    """The paper's band of a follower count: few (<10), hundreds (10–999), thousands, tens of
    thousands (≥10,000); the paper has no "tens" band, so 10–99 counts as hundreds."""
    if followers is None:
        return ""
    if followers < 10:
        return FollowersBand.FEW.value
    if followers < 1_000:
        return FollowersBand.HUNDREDS.value
    if followers < 10_000:
        return FollowersBand.THOUSANDS.value
    return FollowersBand.TEN_THOUSANDS.value


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- per account ---------------------------------------------------------------------------------


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
        posts = posts.filter(is_original=True)
    return Subquery(posts.order_by("-published_on").values("published_on")[:1])


def account_period_rows(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> list[dict[str, Any]]:
    """One row per account and period (week, month or year) of the window: counts, sums and
    maxima of its posts. The one scan of post records that every indicator is computed from.

    The filter on the scope's accounts makes the database walk the (account, day, counters)
    index, which covers every column read here, so no table row is visited and only the
    period grouping sorts. Each aggregate costs a call per post: only what the indicators use
    is computed (the last post and last original of an account come from its index instead,
    see ``account_indicators``).

    A large scope is scanned in ranges of accounts on ``SCAN_THREADS`` connections at once:
    the database does the work with Python's lock released, so every core counts (see
    ``_scan_ranges``)."""
    ranges = _scan_ranges(scope)
    if len(ranges) <= 1:
        with _sort_in_memory():
            return _plain_rows(_period_rows(scope, period, start, end))

    def scan(bounds: tuple[int, int]) -> list[dict[str, Any]]:
        try:
            rows = _period_rows(scope, period, start, end).filter(
                account_id__gte=bounds[0], account_id__lte=bounds[1]
            )
            with _sort_in_memory():
                return _plain_rows(rows)
        finally:
            connections.close_all()  # this thread's own connections

    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="survey-scan") as pool:
        return [row for part in pool.map(scan, ranges) for row in part]


# Threads for the post scan: one per core, at most 4 (``ARCHIVOX_SURVEY_SCAN_THREADS``; 1 turns
# it off). Below PARALLEL_MIN_ACCOUNTS a single scan is faster than opening connections.
SCAN_THREADS = max(
    1, int(os.environ.get("ARCHIVOX_SURVEY_SCAN_THREADS", "0") or 0) or min(os.cpu_count() or 1, 4)
)
PARALLEL_MIN_ACCOUNTS = 200


def _scan_ranges(scope: Scope) -> list[tuple[int, int]]:
    """Ranges of account ids with about the same number of accounts each, one per scan thread;
    a single range when threads cannot help or cannot see the same data: inside a transaction
    (other connections would not see its uncommitted rows), on an in-memory SQLite database
    (one per connection), or for a small scope."""
    if (
        SCAN_THREADS <= 1
        or connection.in_atomic_block
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())
    ):
        return []
    ids = list(scope.accounts().order_by("pk").values_list("pk", flat=True))
    if len(ids) < PARALLEL_MIN_ACCOUNTS:
        return []
    size = math.ceil(len(ids) / SCAN_THREADS)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _period_rows(
    scope: Scope, period: str, start: datetime.date | None, end: datetime.date | None
) -> models.QuerySet:
    return (
        PostRecord.objects.filter(
            account_id__in=scope.accounts().values("pk"),
            published_on__gte=start or scope.start,
            published_on__lte=end or scope.as_of,
        )
        .annotate(period=PeriodStart("published_on", period))
        .values("account_id", "period")
        .annotate(
            posts=Count("*"),
            # Counted without FILTER clauses (a tenth of the scan on SQLite): the originals are
            # the sum of the flag, the forwards the flagged posts that are not originals.
            originals=Coalesce(Sum(Cast("is_original", models.IntegerField())), 0),
            forwards=Count("is_original")
            - Coalesce(Sum(Cast("is_original", models.IntegerField())), 0),
            reads_posts=Count("reads"),
            reads_sum=Sum("reads"),
            reads_max=Max("reads"),
            likes_posts=Count("likes"),
            likes_sum=Sum("likes"),
            likes_max=Max("likes"),
            comments_posts=Count("comments"),
            comments_sum=Sum("comments"),
            shares_sum=Sum("shares"),
        )
        .order_by()
    )


def _plain_rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query of counts and sums by account and period, as
    dicts, without Django's per-value converters (a dozen calls a row, a tenth of the time):
    the database gives integers already, except PostgreSQL's sums (numeric), and the period as
    a date, except SQLite (ISO text, parsed once per distinct period)."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    names = [alias for _, _, alias in compiler.select]
    period = names.index("period")
    sums = [i for i, name in enumerate(names) if name.endswith("_sum")]
    days: dict[Any, datetime.date] = {}
    rows = []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            values = list(row)
            day = values[period]
            if not isinstance(day, datetime.date):
                if day not in days:
                    days[day] = datetime.date.fromisoformat(day)
                values[period] = days[day]
            for i in sums:
                if values[i] is not None and type(values[i]) is not int:
                    values[i] = int(values[i])
            rows.append(dict(zip(names, values, strict=True)))
    return rows


SORT_MEMORY_KIB = 64 * 1024
SCAN_MMAP_BYTES = 1 << 30


@contextlib.contextmanager
def _sort_in_memory() -> Iterator[None]:
    """On SQLite, the GROUP BY sorter spills to temporary files once its rows outgrow the page
    cache (2 MB by default), and merging them back costs about a fifth of the scan: the cache is
    raised for the scan only, then put back as it was."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA mmap_size")
        (previous_mmap,) = cursor.fetchone() or (0,)
        cursor.execute(f"PRAGMA cache_size = -{SORT_MEMORY_KIB}")
        # Pages read from the file's mapping rather than copied in by a read() each.
        cursor.execute(f"PRAGMA mmap_size = {SCAN_MMAP_BYTES}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
            cursor.execute(f"PRAGMA mmap_size = {int(previous_mmap)}")


SUMMED = (
    "posts",
    "originals",
    "forwards",
    "reads_posts",
    "reads_sum",
    "likes_posts",
    "likes_sum",
    "comments_posts",
    "comments_sum",
    "shares_sum",
)
MAXED = ("reads_max", "likes_max")


def _combine(rows: Iterable[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """Period rows added up by ``key`` (sums summed, maxima maximised)."""
    combined: dict[Any, dict[str, Any]] = {}
    for row in rows:
        total = combined.get(row[key])
        if total is None:
            combined[row[key]] = {name: row[name] for name in (*SUMMED, *MAXED)}
            continue
        for name in SUMMED:
            total[name] = (total[name] or 0) + (row[name] or 0)
        for name in MAXED:
            if row[name] is not None and (total[name] is None or row[name] > total[name]):
                total[name] = row[name]
    return combined


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
                last_original=Max("published_on", filter=Q(is_original=True)),
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
    aggregates = _combine(period_rows, "account_id")
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


# --- presence and coverage (3.2.1, 3.2.2) -------------------------------------------------------


@dataclasses.dataclass
class RegionPresence:
    region_id: int
    code: str
    name: str
    tier: int | None
    present: dict[str, bool]
    accounts: dict[str, int]
    from_table: dict[str, bool | None]

    @property
    def score(self) -> float:
        return sum(self.present.values()) / len(self.present) if self.present else 0.0


@dataclasses.dataclass
class Presence:
    platforms: list[str]
    regions: list[RegionPresence]
    not_reported: list[str]

    def share(self, platform: str) -> float | None:
        return _share(sum(r.present[platform] for r in self.regions), len(self.regions))

    def missing(self, platform: str) -> list[RegionPresence]:
        return [region for region in self.regions if not region.present[platform]]

    @property
    def gap(self) -> float | None:
        if len(self.regions) < 2:
            return None
        scores = [region.score for region in self.regions]
        return max(scores) - min(scores)


def _opened_accounts(scope_accounts: models.QuerySet, as_of: datetime.date) -> models.QuerySet:
    return scope_accounts.filter(opened=True).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=as_of)
    )


def presence(scope: Scope) -> Presence:
    """Which regions of the survey have an opened account on which platform (the survey's whole
    set of regions, so that one region is seen beside the others)."""
    links = list(
        SurveyRegion.objects.filter(survey=scope.survey)
        .select_related("region")
        .order_by("position", "region__code")
    )
    everywhere = Account.objects.filter(region_in_survey(scope))
    counts: dict[tuple[int, str], int] = {
        (row["institution__region_id"], row["platform"]): row["n"]
        for row in _opened_accounts(everywhere, scope.as_of)
        .values("institution__region_id", "platform")
        .annotate(n=Count("id"))
    }
    table: dict[tuple[int, str], bool | None] = {
        (entry["region_id"], entry["platform"]): entry["opened"]
        for entry in TableEntry.objects.filter(survey=scope.survey).values(
            "region_id", "platform", "opened"
        )
    }
    platforms = sorted(
        {platform for _, platform in counts} | {platform for _, platform in table},
        key=lambda p: list(Platform.values).index(p),
    )
    any_account = {region_id for region_id, _ in counts} | set(
        Account.objects.filter(region_in_survey(scope))
        .values_list("institution__region_id", flat=True)
        .distinct()
    )
    regions, not_reported = [], []
    for link in links:
        region = link.region
        if not link.reported and region.pk not in any_account:
            not_reported.append(display_name(region))
            continue
        regions.append(
            RegionPresence(
                region_id=region.pk,
                code=region.code,
                name=display_name(region),
                tier=region.tier,
                present={
                    p: counts.get((region.pk, p), 0) > 0 or table.get((region.pk, p)) is True
                    for p in platforms
                },
                accounts={p: counts.get((region.pk, p), 0) for p in platforms},
                from_table={p: table.get((region.pk, p)) for p in platforms},
            )
        )
    return Presence(platforms=platforms, regions=regions, not_reported=not_reported)


def region_in_survey(scope: Scope) -> Q:
    return Q(institution__region__survey_links__survey=scope.survey)


@dataclasses.dataclass
class LevelCoverage:
    level: str
    institutions: int
    covered: int

    @property
    def label(self) -> str:
        return level_label(self.level)

    @property
    def share(self) -> float | None:
        return _share(self.covered, self.institutions)


@dataclasses.dataclass
class RegionReach:
    code: str
    name: str
    main_level: str
    levels_covered: list[str]
    reaches_below: bool
    uncovered: list[str]


@dataclasses.dataclass
class Coverage:
    levels: list[LevelCoverage]
    regions: list[RegionReach]

    @property
    def institutions(self) -> int:
        return sum(level.institutions for level in self.levels)

    @property
    def covered(self) -> int:
        return sum(level.covered for level in self.levels)

    @property
    def share(self) -> float | None:
        return _share(self.covered, self.institutions)

    def lower(self) -> LevelCoverage:
        lower = [level for level in self.levels if level.level in ("district", "county")]
        return LevelCoverage(
            level="district+county",
            institutions=sum(level.institutions for level in lower),
            covered=sum(level.covered for level in lower),
        )

    @property
    def reach_share(self) -> float | None:
        return _share(sum(region.reaches_below for region in self.regions), len(self.regions))


def coverage(scope: Scope, presence_: Presence | None = None) -> Coverage:
    """Share of monitored archives at each administrative level that have an opened account,
    and whether each region's accounts reach below the level of its main archive."""
    opened = _opened_accounts(Account.objects.all(), scope.as_of).filter(institution=OuterRef("pk"))
    rows = list(
        scope.institutions()
        .annotate(has_account=Exists(opened))
        .values("slug", "name", "name_zh", "level", "region_id", "has_account")
        .order_by("region_id", "slug")
    )
    # A region the survey names but does not report on says nothing about its archives.
    reported = {region.region_id for region in (presence_ or presence(scope)).regions}
    rows = [row for row in rows if row["region_id"] in reported]
    levels = []
    for level in LEVEL_ORDER:
        at_level = [row for row in rows if row["level"] == level]
        levels.append(
            LevelCoverage(
                level=level,
                institutions=len(at_level),
                covered=sum(row["has_account"] for row in at_level),
            )
        )
    links = SurveyRegion.objects.filter(survey=scope.survey).select_related("region")
    if scope.region is not None:
        links = links.filter(region=scope.region)
    if scope.institution is not None:
        links = links.filter(region_id=scope.institution.region_id)
    regions = []
    for link in links.order_by("position", "region__code"):
        if link.region_id not in reported:
            continue
        mine = [row for row in rows if row["region_id"] == link.region_id]
        if not mine:
            continue
        main = min(LEVEL_ORDER.index(row["level"]) for row in mine)
        covered_levels = sorted(
            {row["level"] for row in mine if row["has_account"]}, key=LEVEL_ORDER.index
        )
        regions.append(
            RegionReach(
                code=link.region.code,
                name=display_name(link.region),
                main_level=LEVEL_ORDER[main],
                levels_covered=covered_levels,
                reaches_below=any(LEVEL_ORDER.index(level) > main for level in covered_levels),
                uncovered=[row["name_zh"] or row["name"] for row in mine if not row["has_account"]],
            )
        )
    return Coverage(levels=levels, regions=regions)


# --- reach (3.2.3) ----------------------------------------------------------------------------


@dataclasses.dataclass
class BandMention:
    code: str
    region: str
    platform: str
    band: str


@dataclasses.dataclass
class Reach:
    accounts_with_figures: list[AccountIndicators]
    accounts_with_bounds: list[AccountIndicators]
    median: float | None
    top: AccountIndicators | None
    bottom: AccountIndicators | None
    ratio: float | None
    ratio_is_lower_bound: bool
    bands: dict[str, int]
    table_bands: list[BandMention]

    @property
    def band_observations(self) -> int:
        return sum(self.bands.values()) + len(self.table_bands)

    @property
    def band_low_share(self) -> float | None:
        low = sum(n for band, n in self.bands.items() if band != "ten_thousands")
        low += sum(1 for mention in self.table_bands if mention.band != "ten_thousands")
        return _share(low, self.band_observations)


def reach(scope: Scope, accounts: Sequence[AccountIndicators]) -> Reach:
    """Followers and their spread: exact figures, upper bounds, the paper's bands, and the bands
    the survey's Table 1 impact cells name."""
    figures = sorted(
        (a for a in accounts if a.followers is not None), key=lambda a: a.followers or 0
    )
    bounds = [a for a in accounts if a.followers is None and a.followers_below is not None]
    top = figures[-1] if figures else None
    candidates = [(a.followers, a, False) for a in figures] + [
        (a.followers_below, a, True) for a in bounds
    ]
    bottom_value, bottom, bottom_is_bound = (
        min(candidates, key=lambda item: item[0]) if candidates else (None, None, False)
    )
    ratio = None
    if top is not None and bottom is not None and bottom is not top and bottom_value:
        if len(figures) >= 10 and not bottom_is_bound:
            # Many accounts: top and bottom deciles, not two outliers.
            values = [a.followers for a in figures]
            deciles = statistics.quantiles(values, n=10)
            ratio = deciles[-1] / deciles[0] if deciles[0] else None
        else:
            ratio = (top.followers or 0) / bottom_value
    bands = {band: 0 for band in BAND_ORDER}
    for account in accounts:
        if account.followers_band:
            bands[account.followers_band] += 1
    mentions = []
    entries = TableEntry.objects.filter(survey=scope.survey).exclude(impact_bands="")
    if scope.region is not None:
        entries = entries.filter(region=scope.region)
    if scope.institution is not None:
        entries = entries.none()  # the tables speak of regions, not of one archive
    for entry in entries.select_related("region").order_by("platform", "position"):
        for band in entry.impact_bands.split(","):
            mentions.append(
                BandMention(
                    code=entry.region.code,
                    region=display_name(entry.region),
                    platform=entry.platform,
                    band=band,
                )
            )
    return Reach(
        accounts_with_figures=figures,
        accounts_with_bounds=bounds,
        median=_median(a.followers for a in figures),
        top=top,
        bottom=bottom,
        ratio=ratio,
        ratio_is_lower_bound=bottom_is_bound,
        bands=bands,
        table_bands=mentions,
    )


# --- content (3.2.4) and interaction (3.2.5) -----------------------------------------------------


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

    @property
    def has_posts(self) -> bool:
        return bool(self.measured)


def interaction(
    accounts: Sequence[AccountIndicators],
    consultations: Sequence[Consultation] | None = None,
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
    )


# --- security (3.2.6) -------------------------------------------------------------------------


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


# --- by period ---------------------------------------------------------------------------------


class PeriodStart(models.Func):
    """The first day of the week (Monday), month or year a date falls in, with the database's
    own date functions (no per-row Python on SQLite)."""

    output_field = models.DateField()

    def __init__(self, expression: Any, kind: str) -> None:
        if kind not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        self.kind = kind
        super().__init__(expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        # Dates are stored as YYYY-MM-DD text: cutting the text is several times cheaper per
        # row than date() for months and years.
        if self.kind == "month":
            return f"substr({sql}, 1, 8) || '01'", params
        if self.kind == "year":
            return f"substr({sql}, 1, 5) || '01-01'", params
        return f"date({sql}, 'weekday 0', '-6 days')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(date_trunc('{self.kind}', {sql}) AS date)", params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        from django.db.models.functions import Trunc

        return Trunc(self.source_expressions[0], self.kind, output_field=models.DateField()).as_sql(
            compiler, connection
        )


def _account_regions(scope: Scope) -> dict[int, dict[str, Any]]:
    return {
        row["pk"]: row
        for row in scope.accounts().values(
            "pk",
            "platform",
            "institution__slug",
            "institution__name",
            "institution__name_zh",
            "institution__region__code",
        )
    }


ACTIVITY_SOURCES = (
    ("posts", "posts"),
    ("originals", "originals"),
    ("forwards", "forwards"),
    ("reads", "reads_sum"),
    ("likes", "likes_sum"),
    ("comments", "comments_sum"),
    ("shares", "shares_sum"),
)


def activity_by_period(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Posts, originals, forwards, reads, likes, comments and shares by period and region (and
    how many accounts posted). ``period_rows`` of the same period may be passed in."""
    if period_rows is None:
        period_rows = account_period_rows(scope, period=period, start=start, end=end)
    regions = {
        pk: account["institution__region__code"] for pk, account in _account_regions(scope).items()
    }
    totals: dict[tuple[datetime.date, str], dict[str, Any]] = {}
    for row in period_rows:
        key = (row["period"], regions[row["account_id"]])
        total = totals.get(key)
        if total is None:
            total = totals[key] = {
                "period": key[0],
                "region": key[1],
                "accounts": 0,
                "posts": 0,
                "originals": 0,
                "forwards": 0,
                "reads": 0,
                "likes": 0,
                "comments": 0,
                "shares": 0,
            }
        total["accounts"] += 1
        for name, source in ACTIVITY_SOURCES:
            total[name] += row[source] or 0
    result = []
    for key in sorted(totals):
        row = totals[key]
        known = row["originals"] + row["forwards"]
        row["originality"] = row["originals"] / known if known else None
        result.append(row)
    return result


def indices_by_period(
    scope: Scope,
    *,
    period: str = "month",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    period_rows: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """WCI 2.0 of every WeChat account and BCI of every Weibo account, period by period."""
    if period_rows is None:
        period_rows = account_period_rows(scope, period=period, start=start, end=end)
    labels = _account_regions(scope)
    result = []
    for row in sorted(period_rows, key=lambda r: (r["period"], r["account_id"])):
        account = labels[row["account_id"]]
        if account["platform"] == Platform.WECHAT:
            index = wci(
                posts=row["reads_posts"],
                reads=row["reads_sum"] or 0,
                reads_max=row["reads_max"] or 0,
                likes=row["likes_sum"] or 0,
                likes_max=row["likes_max"] or 0,
            )
            name = "WCI"
        elif account["platform"] == Platform.WEIBO:
            index = bci(
                posts=row["posts"],
                reposts=row["shares_sum"] or 0,
                comments=row["comments_sum"] or 0,
                likes=row["likes_sum"] or 0,
            )
            name = "BCI"
        else:
            continue
        result.append(
            {
                "period": row["period"],
                "account_id": row["account_id"],
                "institution": account["institution__slug"],
                "institution_name": account["institution__name_zh"] or account["institution__name"],
                "region": account["institution__region__code"],
                "platform": account["platform"],
                "posts": row["posts"],
                "index": name,
                "value": index,
            }
        )
    return result


# --- everything for a scope ---------------------------------------------------------------------


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
        interaction=interaction(accounts, consultations),
        security=security(
            scope,
            accounts,
            restricted_published=restricted_published,
            screening_overrides=screening_overrides,
        ),
    )


def institution_list(scope: Scope) -> list[MonitoredInstitution]:
    return list(scope.institutions().select_related("region", "archive"))
