"""Where each indicator trips (docs/indicators.md says why each threshold is where it is), the
orders of administrative levels and follower bands, and the labels of levels, bands and
platforms."""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from archivox.survey.models import FollowersBand

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
# 4.5: an archive closing fewer of its records-use requests (查档) within its promise is weak
RECORDS_ON_TIME_LOW = 0.9
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
    # An upper bound under ten thousand whose band nothing states ("fewer than 7,000").
    "under_ten_thousand": pgettext_lazy("followers band", "under ten thousand"),
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
