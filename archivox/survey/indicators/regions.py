"""Presence (3.2.1) and coverage (3.2.2): which regions have an opened account on which
platform, and which archives, at which administrative levels."""

from __future__ import annotations

import dataclasses
import datetime
import re

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q

from archivox.survey.indicators.indices import _share
from archivox.survey.indicators.thresholds import LEVEL_ORDER, level_label
from archivox.survey.models import Account, Platform, SurveyRegion, TableEntry
from archivox.survey.selectors import Scope, display_name


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
    # A region the tables leave out is observed when an account of it was recorded (opened or
    # not) by the scope's day: one that Archivox made later says nothing of that time.
    any_account = {region_id for region_id, _ in counts} | set(
        Account.objects.filter(region_in_survey(scope))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=scope.as_of))
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


# Words of a table's cells (as printed) that name archives below a region's main archive, or
# the main archive itself ("Kunming City, District Archives Bureau": both).
BELOW_MAIN_WORDS = re.compile(r"\b(district|county|local archives)", re.IGNORECASE)
MAIN_WORDS = re.compile(r"\b(city|provincial|municipal)\b", re.IGNORECASE)


@dataclasses.dataclass
class TableStatement:
    """What one column of the survey's tables states of a region on one platform: whether its
    main archive has an account there, whether archives below it do (None: not stated)."""

    platform: str
    table: int
    main: bool | None
    below: bool | None
    county: bool = False  # the cells name county archives


def table_statements(scope: Scope) -> dict[int, list[TableStatement]]:
    """Region id → what the survey's tables state of it, platform by platform. A column the
    table marks "not opened" states that no archive of the region has an account there."""
    numbers = {Platform.WEIBO: 1, Platform.WECHAT: 2}
    statements: dict[int, list[TableStatement]] = {}
    entries = TableEntry.objects.filter(survey=scope.survey).select_related("region")
    for entry in entries.order_by("platform", "position"):
        if entry.opened is False:
            main = below = False
        elif entry.opened:
            text = " ".join((entry.label, entry.basic_situation, entry.impact))
            name = re.escape(entry.region.name.split()[0]) if entry.region.name else "$^"
            named = MAIN_WORDS.search(text) or re.search(rf"\b{name} archives", text, re.I)
            main = True if named else None
            below = True if BELOW_MAIN_WORDS.search(text) else None
        else:
            continue
        statements.setdefault(entry.region_id, []).append(
            TableStatement(
                platform=entry.platform,
                table=numbers.get(entry.platform, 0),
                main=main,
                below=below,
                county=bool(entry.opened and re.search(r"\bcounty", entry.basic_situation, re.I)),
            )
        )
    return statements


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
class Uncovered:
    """A monitored archive without an account of its own, and what the tables state of its
    platforms: False (none in the region), None (not stated)."""

    name: str
    platforms: dict[str, tuple[int, bool | None]]


@dataclasses.dataclass
class RegionReach:
    code: str
    name: str
    main_level: str
    levels_covered: list[str]
    reaches_below: bool
    uncovered: list[str]
    # Below the main archive by the survey's tables only (no account of its own recorded).
    below_from_table: bool = False
    county_in_table: bool = False
    uncovered_detail: list[Uncovered] = dataclasses.field(default_factory=list)


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
    # What the tables state counts as evidence: a main archive they name on a platform has
    # an account there; archives below it that they name reach below.
    stated = table_statements(scope)
    mains = {}
    for row in rows:
        level = LEVEL_ORDER.index(row["level"])
        mains[row["region_id"]] = min(level, mains.get(row["region_id"], level))
    for row in rows:
        said = stated.get(row["region_id"], [])
        is_main = LEVEL_ORDER.index(row["level"]) == mains[row["region_id"]]
        row["from_table"] = bool(not row["has_account"] and is_main and any(s.main for s in said))
        row["has_account"] = row["has_account"] or row["from_table"]
        row["stated"] = {s.platform: (s.table, s.main) for s in said} if is_main else {}
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
        by_accounts = any(LEVEL_ORDER.index(level) > main for level in covered_levels)
        by_table = any(s.below for s in stated.get(link.region_id, []))
        uncovered = [row for row in mine if not row["has_account"]]
        regions.append(
            RegionReach(
                code=link.region.code,
                name=display_name(link.region),
                main_level=LEVEL_ORDER[main],
                levels_covered=covered_levels,
                reaches_below=by_accounts or by_table,
                uncovered=[row["name_zh"] or row["name"] for row in uncovered],
                below_from_table=by_table and not by_accounts,
                county_in_table=any(s.county for s in stated.get(link.region_id, [])),
                uncovered_detail=[
                    Uncovered(name=row["name_zh"] or row["name"], platforms=row["stated"])
                    for row in uncovered
                ],
            )
        )
    return Coverage(levels=levels, regions=regions)
