"""Reach (3.2.3): followers and their spread, from exact figures, upper bounds, the paper's
bands and the bands the survey's tables name."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Sequence

from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.indices import _median, _share
from archivox.survey.indicators.thresholds import BAND_ORDER, FOLLOWERS_LOW
from archivox.survey.models import TableEntry
from archivox.survey.selectors import Scope, display_name

# The least a band means (a band fits an upper bound when it starts below it).
BAND_FLOOR = {"few": 1, "hundreds": 100, "thousands": 1_000, "ten_thousands": 10_000}
# An account known only to have fewer than ten thousand followers, its band unknown.
UNDER_TEN_THOUSAND = "under_ten_thousand"


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
        """Accounts with a band or an upper bound under ten thousand, and the tables' bands that
        no such account already gives."""
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
    # One observation per account: a table's band that an account of the region already gives
    # (Shijingshan's 20,000 is Table 1's "ten thousands") is that account, not a second one; an
    # upper bound under ten thousand (Dongcheng's "less than 7,000") takes the band the table
    # names below it, else counts as under ten thousand.
    unmatched = list(mentions)

    def take(account: AccountIndicators, fits: Callable[[str], bool]) -> str | None:
        for mention in unmatched:
            if (
                mention.code == account.region
                and mention.platform == account.platform
                and fits(mention.band)
            ):
                unmatched.remove(mention)
                return mention.band
        return None

    for account in accounts:
        if account.followers_band:
            bands[account.followers_band] += 1
            take(account, lambda band, own=account.followers_band: band == own)
    for account in bounds:
        if account.followers_band or (account.followers_below or 0) > FOLLOWERS_LOW:
            continue
        limit = account.followers_below or 0
        band = take(account, lambda band, limit=limit: 0 < BAND_FLOOR.get(band, 0) < limit)
        bands[band or UNDER_TEN_THOUSAND] = bands.get(band or UNDER_TEN_THOUSAND, 0) + 1
    mentions = unmatched
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
