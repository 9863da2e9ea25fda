"""The judges of 3.2.1 (regional development is uneven) and 3.2.2 (coverage is not large).
Each judge takes the indicators and the actions being gathered, and gives the status (None
when nothing could be measured) and the evidence."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from archivox.survey.diagnosis.findings import PLATFORM_NAMES, Status
from archivox.survey.diagnosis.wording import _Actions, _clauses, _names, _pct, _platform
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.regions import Uncovered
from archivox.survey.indicators.thresholds import (
    COVERAGE_LOW,
    REACH_BELOW_SHARE,
    UNEVEN_GAP,
    level_label,
)
from archivox.survey.models import Platform


def _uneven(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    presence = i.presence
    if not presence.platforms or len(presence.regions) < 2:
        return None, [_("Fewer than two regions were observed: nothing to compare.")]
    total = len(presence.regions)
    evidence = []
    for platform in presence.platforms:
        present = [r.name for r in presence.regions if r.present[platform]]
        missing = [r.name for r in presence.missing(platform)]
        values = {"platform": _platform(platform), "present": len(present), "total": total}
        if missing:
            line = _("%(platform)s: %(present)d of %(total)d regions; none in %(missing)s.") % (
                values | {"missing": _names(missing)}
            )
        else:
            line = _("%(platform)s: %(present)d of %(total)d regions.") % values
        evidence.append(line)
    if presence.not_reported:
        evidence.append(
            _("Named but not reported by the survey: %(names)s.")
            % {"names": _names(presence.not_reported)}
        )
    focus = i.scope.region or (i.scope.institution.region if i.scope.institution else None)
    if focus is None:
        gap = presence.gap or 0.0
        holds = gap >= UNEVEN_GAP
        evidence.append(
            _(
                "Presence differs by %(gap)s of the platforms between the best and the least "
                "present region (threshold %(threshold)s)."
            )
            % {"gap": _pct(gap), "threshold": _pct(UNEVEN_GAP)}
        )
        lacking = [(r, p) for p in presence.platforms for r in presence.missing(p)]
    else:
        mine = next((r for r in presence.regions if r.code == focus.code), None)
        if mine is None:
            return None, [*evidence, _("The survey did not report on this region.")]
        lacking = [
            (mine, p)
            for p in presence.platforms
            if not mine.present[p] and (presence.share(p) or 0) >= 0.5
        ]
        holds = bool(lacking)
        evidence.append(
            ngettext(
                "%(region)s lacks %(count)d platform that at least half the regions have.",
                "%(region)s lacks %(count)d platforms that at least half the regions have.",
                len(lacking),
            )
            % {"region": mine.name, "count": len(lacking)}
        )
    for region, platform in lacking:
        act.fail(f"region:{region.code}")
        act.add(
            "open_accounts",
            _(
                "%(region)s has no %(account)s: open one and link it with the archives' "
                "official website"
            )
            % {"region": region.name, "account": PLATFORM_NAMES[Platform(platform)]},
        )
    return (Status.HOLDS if holds else Status.DOES_NOT_HOLD), evidence


def _coverage(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    c = i.coverage
    if not c.institutions:
        return None, [_("No monitored archive in this scope.")]
    parts = [
        _("%(level)s %(covered)d/%(total)d (%(share)s)")
        % {
            "level": level.label,
            "covered": level.covered,
            "total": level.institutions,
            "share": _pct(level.share),
        }
        for level in c.levels
        if level.institutions
    ]
    evidence = [
        _("Archives known to have an account, by level: %(levels)s.") % {"levels": _clauses(parts)}
    ]
    trips = []
    if (c.share or 0) < COVERAGE_LOW:
        trips.append(
            ngettext(
                "Only %(covered)d of %(total)d monitored archive has an account.",
                "Only %(covered)d of %(total)d monitored archives have an account.",
                c.institutions,
            )
            % {"covered": c.covered, "total": c.institutions}
        )
    lower = c.lower()
    if lower.institutions and (lower.share or 0) < COVERAGE_LOW:
        trips.append(
            ngettext(
                "Only %(covered)d of %(total)d district and county archive has an account.",
                "Only %(covered)d of %(total)d district and county archives have an account.",
                lower.institutions,
            )
            % {"covered": lower.covered, "total": lower.institutions}
        )
    if len(c.regions) >= 2 and (c.reach_share or 0) < REACH_BELOW_SHARE:
        below = [r.name for r in c.regions if r.reaches_below]
        stuck = [r.name for r in c.regions if not r.reaches_below]
        trips.append(
            _(
                "Accounts reach below the main archive's level in only %(below)d of %(total)d "
                "regions (%(below_names)s); in %(stuck_names)s no account below the main "
                "archive is recorded."
            )
            % {
                "below": len(below),
                "total": len(c.regions),
                "below_names": _names(below) or pgettext("no region", "none"),
                "stuck_names": _names(stuck),
            }
        )
    from_table = [r.name for r in c.regions if r.below_from_table]
    if from_table:
        evidence.append(
            _(
                "By the survey's tables, archives below the main one have accounts in "
                "%(names)s (district, county or local archives named in the cells)."
            )
            % {"names": _names(from_table)}
        )
    county = next(level for level in c.levels if level.level == "county")
    counties = [r.name for r in c.regions if r.county_in_table]
    if counties:
        evidence.append(
            _(
                "The survey's tables name county archives with accounts in %(names)s, but "
                "none by name."
            )
            % {"names": _names(counties)}
        )
    elif not county.covered:
        evidence.append(_("No county-level archive with an account was recorded."))
    evidence.extend(trips)
    if lower.institutions and lower.share == 1 and trips:
        evidence.append(
            _(
                "The district archives recorded are those the survey found with an account, so "
                "their share overstates the coverage of districts."
            )
        )
    for region in c.regions:
        if not region.reaches_below and len(c.regions) >= 1 and trips:
            act.add(
                "open_accounts",
                _(
                    "%(region)s: no district or county archive account recorded; help the "
                    "district and county archives open accounts linked from the %(level)s "
                    "archives' website"
                )
                % {"region": region.name, "level": level_label(region.main_level)},
            )
    for region in c.regions:
        for archive in region.uncovered_detail:
            _uncovered_actions(archive, act)
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _uncovered_actions(archive: Uncovered, act: _Actions) -> None:
    """What to do about an archive with no account recorded, by what the tables state: none in
    the region (open one), or not stated (find out first)."""
    if not archive.platforms:
        act.add(
            "open_accounts",
            _("%(name)s has no account: open a WeChat official account and a Weibo account")
            % {"name": archive.name},
        )
        return
    for platform, (table, main) in archive.platforms.items():
        values = {
            "name": archive.name,
            "account": PLATFORM_NAMES[Platform(platform)],
            "table": table,
        }
        if main is False:
            act.add(
                "open_accounts",
                _("%(name)s: Table %(table)d records no %(account)s in the region; open one")
                % values,
            )
        elif main is None:
            act.add(
                "open_accounts",
                _(
                    "%(name)s: whether it has its own %(account)s is unknown (Table %(table)d "
                    "does not say); find out, and open one if it has none"
                )
                % values,
            )
