"""The survey's indicators (docs/indicators.md): presence, coverage, reach, content, interaction
and security, the WeChat and Weibo communication indices, and activity by period and region.

Records are aggregated in the database (``values()``/``annotate()``), a handful of queries per
report whatever the number of posts; Python only combines the per-account and per-period rows.

One module per stage: ``thresholds`` (thresholds, orders, labels), ``indices`` (WCI, BCI,
follower bands), ``sql`` and ``periods`` (the scan of post records by account and period, and
activity and indices by period), ``accounts`` (indicators per account), one module per group of
findings — ``regions`` (3.2.1, 3.2.2), ``followers`` (3.2.3), ``posts`` (3.2.4, 3.2.5),
``risks`` (3.2.6) — and ``compute`` (everything for a scope). This package re-exports their
names, so ``from archivox.survey import indicators as ind`` and ``ind.indicators_compute`` keep
working; code inside the app imports from the stage module. A setting such as ``SCAN_THREADS``
is read where it is defined (``periods``): change it there, not here."""

from archivox.survey.indicators.accounts import AccountIndicators, account_indicators
from archivox.survey.indicators.compute import Indicators, indicators_compute, institution_list
from archivox.survey.indicators.followers import BandMention, Reach, reach
from archivox.survey.indicators.indices import bci, followers_band, wci, wci_from_averages
from archivox.survey.indicators.periods import (
    ACTIVITY_SOURCES,
    PARALLEL_MIN_ACCOUNTS,
    SCAN_THREADS,
    _scan_ranges,
    account_period_rows,
    activity_by_period,
    indices_by_period,
)
from archivox.survey.indicators.posts import (
    ArchiveService,
    Consultation,
    Content,
    Interaction,
    content,
    interaction,
)
from archivox.survey.indicators.regions import (
    Coverage,
    LevelCoverage,
    Presence,
    RegionPresence,
    RegionReach,
    coverage,
    presence,
    region_in_survey,
)
from archivox.survey.indicators.risks import OperatedAccount, Security, security
from archivox.survey.indicators.sql import (
    MAXED,
    SCAN_MMAP_BYTES,
    SORT_MEMORY_KIB,
    SUMMED,
    PeriodStart,
)
from archivox.survey.indicators.thresholds import (
    BAND_LABELS,
    BAND_LABELS_ZH,
    BAND_LOW_SHARE,
    BAND_ORDER,
    CONFINED_SHARE,
    COVERAGE_LOW,
    DISPARITY_RATIO,
    FOLLOWERS_LOW,
    LEVEL_LABELS,
    LEVEL_ORDER,
    MIN_ADMINISTRATORS,
    ORIGINALITY_LOW,
    PERIODS,
    PLATFORM_LABELS,
    PLATFORM_LABELS_ZH,
    REACH_BELOW_SHARE,
    REACTIONS_PER_POST_LOW,
    READS_PER_FOLLOWER_LOW,
    READS_PER_POST_LOW,
    RECORDS_ON_TIME_LOW,
    RESPONSE_HOURS_HIGH,
    STALE_DAYS,
    STALE_SHARE,
    UNEVEN_GAP,
    band_label,
    level_label,
    platform_label,
)

__all__ = [
    "ACTIVITY_SOURCES",
    "BAND_LABELS",
    "BAND_LABELS_ZH",
    "BAND_LOW_SHARE",
    "BAND_ORDER",
    "CONFINED_SHARE",
    "COVERAGE_LOW",
    "DISPARITY_RATIO",
    "FOLLOWERS_LOW",
    "LEVEL_LABELS",
    "LEVEL_ORDER",
    "MAXED",
    "MIN_ADMINISTRATORS",
    "ORIGINALITY_LOW",
    "PARALLEL_MIN_ACCOUNTS",
    "PERIODS",
    "PLATFORM_LABELS",
    "PLATFORM_LABELS_ZH",
    "REACH_BELOW_SHARE",
    "REACTIONS_PER_POST_LOW",
    "READS_PER_FOLLOWER_LOW",
    "READS_PER_POST_LOW",
    "RECORDS_ON_TIME_LOW",
    "RESPONSE_HOURS_HIGH",
    "SCAN_MMAP_BYTES",
    "SCAN_THREADS",
    "SORT_MEMORY_KIB",
    "STALE_DAYS",
    "STALE_SHARE",
    "SUMMED",
    "UNEVEN_GAP",
    "AccountIndicators",
    "ArchiveService",
    "BandMention",
    "Consultation",
    "Content",
    "Coverage",
    "Indicators",
    "Interaction",
    "LevelCoverage",
    "OperatedAccount",
    "PeriodStart",
    "Presence",
    "Reach",
    "RegionPresence",
    "RegionReach",
    "Security",
    "_scan_ranges",
    "account_indicators",
    "account_period_rows",
    "activity_by_period",
    "band_label",
    "bci",
    "content",
    "coverage",
    "followers_band",
    "indicators_compute",
    "indices_by_period",
    "institution_list",
    "interaction",
    "level_label",
    "platform_label",
    "presence",
    "reach",
    "region_in_survey",
    "security",
    "wci",
    "wci_from_averages",
]
