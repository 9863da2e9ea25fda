"""Diagnosis: the paper's six findings (§3.2) judged from the indicators, with the evidence, and
answered by its strategies (§4) turned into concrete actions. Thresholds are in
``archivox.survey.indicators`` and explained in docs/indicators.md.

A finding *holds* when any of its measured criteria trips, *does not hold* when it could be
measured and none trips, and is *not enough data* when nothing could be measured. When nothing
could be measured but the survey itself recorded the finding (the paper's qualitative 3.2.6),
it holds on the survey's record, and the evidence says so.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Sequence

from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from archivox.survey import indicators as ind
from archivox.survey.models import Finding, Platform, Strategy
from archivox.survey.selectors import Scope

# The paper's findings and strategies, used when a survey recorded none of its own. The section
# number stays outside the translated text; the text follows the active language (lazy: the
# language of the request applies, not that of the import).
_FINDING_TEXTS: dict[str, tuple[str, object]] = {
    "uneven_development": ("3.2.1", gettext_lazy("regional development is uneven")),
    "low_coverage": (
        "3.2.2",
        gettext_lazy("coverage is not large: mostly city bureaus, few districts and counties"),
    ),
    "weak_promotion": (
        "3.2.3",
        gettext_lazy("promotion is not enough: few followers, large disparities"),
    ),
    "incomplete_content": (
        "3.2.4",
        gettext_lazy("content is not complete: few originals, many forwards, slow updates"),
    ),
    "weak_interaction": (
        "3.2.5",
        gettext_lazy("interaction with users is weak: few reads, comments, consultations"),
    ),
    "security_risk": ("3.2.6", gettext_lazy("security risks of third-party platforms")),
}
_STRATEGY_TEXTS: dict[str, tuple[str, object]] = {
    "open_accounts": (
        "4.1",
        gettext_lazy("open self-media accounts, integrated with the official website"),
    ),
    "promote": ("4.2", gettext_lazy("promote through offline and online channels")),
    "regional_features": ("4.3", gettext_lazy("add and improve regional featured archives")),
    "interaction_platform": (
        "4.4",
        gettext_lazy(
            "rely on a technology platform to enhance interaction (consultation, topics, email)"
        ),
    ),
    "service_quality": (
        "4.5",
        gettext_lazy("improve service quality: know user needs, respond quickly"),
    ),
    "security": (
        "4.6",
        gettext_lazy("overcome information-technology obstacles: confidentiality, cooperation"),
    ),
}
FINDINGS: dict[str, str] = {
    code: format_lazy("{} {}", section, text) for code, (section, text) in _FINDING_TEXTS.items()
}
STRATEGIES: dict[str, str] = {
    code: format_lazy("{} {}", section, text) for code, (section, text) in _STRATEGY_TEXTS.items()
}
# Which strategies answer which finding (the paper's §4 read against §3.2).
ANSWERS: dict[str, tuple[str, ...]] = {
    "uneven_development": ("open_accounts",),
    "low_coverage": ("open_accounts",),
    "weak_promotion": ("promote",),
    "incomplete_content": ("regional_features",),
    "weak_interaction": ("interaction_platform", "service_quality"),
    "security_risk": ("security",),
}
MAX_ACTIONS = 12
PLATFORM_SHORT = {
    "wechat": pgettext_lazy("platform", "WeChat"),
    "weibo": pgettext_lazy("platform", "Weibo"),
    "website": pgettext_lazy("platform", "website"),
    "other": pgettext_lazy("platform", "other"),
}
PLATFORM_NAMES = {
    Platform.WECHAT: gettext_lazy("WeChat official account"),
    Platform.WEIBO: gettext_lazy("Weibo account"),
    Platform.WEBSITE: pgettext_lazy("platform", "website"),
    Platform.OTHER: gettext_lazy("account"),
}


class Status(enum.StrEnum):
    HOLDS = "holds"
    DOES_NOT_HOLD = "does_not_hold"
    NOT_ENOUGH_DATA = "not_enough_data"


STATUS_LABELS = {
    Status.HOLDS: pgettext_lazy("finding status", "holds"),
    Status.DOES_NOT_HOLD: pgettext_lazy("finding status", "does not hold"),
    Status.NOT_ENOUGH_DATA: pgettext_lazy("finding status", "not enough data"),
}
BASIS_LABELS = {
    "measured": pgettext_lazy("basis of a finding", "measured"),
    "recorded": pgettext_lazy("basis of a finding", "recorded"),
    "": "",
}


@dataclasses.dataclass
class Action:
    strategy: str
    strategy_text: str
    text: str


@dataclasses.dataclass
class Judgment:
    code: str
    section: str
    title: str
    status: Status
    basis: str  # "measured", "recorded" (the survey's own finding) or ""
    evidence: list[str]
    actions: list[Action]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def basis_label(self) -> str:
        return str(BASIS_LABELS.get(self.basis, self.basis))


@dataclasses.dataclass
class Diagnosis:
    scope: str
    kind: str
    as_of: datetime.date
    judgments: list[Judgment]

    def get(self, code: str) -> Judgment:
        return next(judgment for judgment in self.judgments if judgment.code == code)

    @property
    def holding(self) -> list[str]:
        return [j.code for j in self.judgments if j.status == Status.HOLDS]


# --- wording -----------------------------------------------------------------------------------
# Every sentence is one translatable message with named placeholders, so that a translation can
# put the parts in its own order; numbers are formatted here, the same in every language.


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _n(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"


def _join(items: Sequence[str]) -> str:
    return pgettext("list separator", ", ").join(str(item) for item in items)


def _clauses(items: Sequence[str]) -> str:
    return pgettext("clause separator", "; ").join(str(item) for item in items)


def _names(items: Sequence[str], limit: int = 8) -> str:
    items = list(items)
    if len(items) > limit:
        rest = len(items) - limit
        return ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more", rest) % {
            "names": _join(items[:limit]),
            "count": rest,
        }
    return _join(items)


def _platform(platform: str) -> str:
    return str(PLATFORM_SHORT.get(platform, platform))


def _account(a: ind.AccountIndicators) -> str:
    name = a.institution_name
    if a.name and a.name != a.institution_name:
        name = f"{a.institution_name} ({a.name})"
    return f"{name} · {_platform(a.platform)}"


def _paper_text(recorded: str, default: object) -> str:
    """The survey's own wording of a finding or strategy; when it is the paper's (English) text,
    that text in the active language."""
    with translation.override(None):
        english = str(default)
    return str(default) if recorded == english else recorded


class _Actions:
    def __init__(self, strategies: dict[str, str]) -> None:
        self.strategies = strategies
        self.items: list[Action] = []
        self.left_out = 0

    def add(self, strategy: str, text: str) -> None:
        if len(self.items) >= MAX_ACTIONS:
            self.left_out += 1
            return
        section = self.strategies[strategy].split(" ", 1)[0]
        self.items.append(
            Action(
                strategy=strategy,
                strategy_text=self.strategies[strategy],
                text=_("%(action)s (%(section)s)") % {"action": text, "section": section},
            )
        )

    def done(self) -> list[Action]:
        if self.left_out and self.items:
            last = self.items[-1]
            self.items.append(
                Action(
                    strategy=last.strategy,
                    strategy_text=last.strategy_text,
                    text=ngettext(
                        "… and %(count)d more like these (see the indicators)",
                        "… and %(count)d more like these (see the indicators)",
                        self.left_out,
                    )
                    % {"count": self.left_out},
                )
            )
        return self.items


# --- the six judges ------------------------------------------------------------------------------


def _uneven(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
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
        holds = gap >= ind.UNEVEN_GAP
        evidence.append(
            _(
                "Presence differs by %(gap)s of the platforms between the best and the least "
                "present region (threshold %(threshold)s)."
            )
            % {"gap": _pct(gap), "threshold": _pct(ind.UNEVEN_GAP)}
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
        act.add(
            "open_accounts",
            _(
                "%(region)s has no %(account)s: open one and link it with the archives' "
                "official website"
            )
            % {"region": region.name, "account": PLATFORM_NAMES[Platform(platform)]},
        )
    return (Status.HOLDS if holds else Status.DOES_NOT_HOLD), evidence


def _coverage(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
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
    evidence = [_("Archives with an account, by level: %(levels)s.") % {"levels": _clauses(parts)}]
    trips = []
    if (c.share or 0) < ind.COVERAGE_LOW:
        trips.append(
            ngettext(
                "Only %(covered)d of %(total)d monitored archive has an account.",
                "Only %(covered)d of %(total)d monitored archives have an account.",
                c.institutions,
            )
            % {"covered": c.covered, "total": c.institutions}
        )
    lower = c.lower()
    if lower.institutions and (lower.share or 0) < ind.COVERAGE_LOW:
        trips.append(
            ngettext(
                "Only %(covered)d of %(total)d district and county archive has an account.",
                "Only %(covered)d of %(total)d district and county archives have an account.",
                lower.institutions,
            )
            % {"covered": lower.covered, "total": lower.institutions}
        )
    if len(c.regions) >= 2 and (c.reach_share or 0) < ind.REACH_BELOW_SHARE:
        below = [r.name for r in c.regions if r.reaches_below]
        stuck = [r.name for r in c.regions if not r.reaches_below]
        trips.append(
            _(
                "Accounts reach below the main archive's level in only %(below)d of %(total)d "
                "regions (%(below_names)s); in %(stuck_names)s they stop at the main archive."
            )
            % {
                "below": len(below),
                "total": len(c.regions),
                "below_names": _names(below) or pgettext("no region", "none"),
                "stuck_names": _names(stuck),
            }
        )
    county = next(level for level in c.levels if level.level == "county")
    if not county.covered:
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
                % {"region": region.name, "level": ind.level_label(region.main_level)},
            )
    for region in c.regions:
        for name in region.uncovered:
            act.add(
                "open_accounts",
                _("%(name)s has no account: open a WeChat official account and a Weibo account")
                % {"name": name},
            )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _promotion(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    r = i.reach
    if not r.accounts_with_figures and not r.accounts_with_bounds and not r.band_observations:
        return None, [_("No follower figures, bounds or bands were recorded.")]
    evidence, trips = [], []
    if r.accounts_with_figures:
        evidence.append(
            ngettext(
                "Median followers of %(count)d account with a figure: %(median)s.",
                "Median followers of %(count)d accounts with a figure: %(median)s.",
                len(r.accounts_with_figures),
            )
            % {"count": len(r.accounts_with_figures), "median": _n(r.median)}
        )
        if r.median is not None and r.median < ind.FOLLOWERS_LOW:
            trips.append(
                _("The median is under %(threshold)s followers.")
                % {"threshold": f"{ind.FOLLOWERS_LOW:,}"}
            )
    if r.ratio is not None and r.top is not None and r.bottom is not None:
        if r.ratio_is_lower_bound:
            bottom = _("fewer than %(count)s") % {"count": f"{r.bottom.followers_below:,}"}
            message = _(
                "%(top)s has %(top_followers)s followers, %(bottom)s %(bottom_followers)s: "
                "a gap of more than %(ratio)s×."
            )
        else:
            bottom = pgettext("followers of an account", "%(count)s") % {
                "count": f"{r.bottom.followers:,}"
            }
            message = _(
                "%(top)s has %(top_followers)s followers, %(bottom)s %(bottom_followers)s: "
                "a gap of %(ratio)s×."
            )
        line = message % {
            "top": _account(r.top),
            "top_followers": f"{r.top.followers:,}",
            "bottom": _account(r.bottom),
            "bottom_followers": bottom,
            "ratio": f"{r.ratio:.1f}",
        }
        if r.ratio >= ind.DISPARITY_RATIO:
            trips.append(line)
        else:
            evidence.append(line)
    if r.band_observations:
        low = r.band_low_share or 0
        counts = _join(
            [
                _("%(band)s %(count)d") % {"band": ind.band_label(band), "count": n}
                for band, n in _band_counts(r).items()
                if n
            ]
        )
        values = {"share": _pct(low), "observations": r.band_observations, "counts": counts}
        if r.table_bands:
            line = (
                _(
                    "%(share)s of %(observations)d follower observations are under ten thousand "
                    "(%(counts)s) — including the impact cells of the survey's tables."
                )
                % values
            )
        else:
            line = (
                _(
                    "%(share)s of %(observations)d follower observations are under ten thousand "
                    "(%(counts)s)."
                )
                % values
            )
        (trips if low >= ind.BAND_LOW_SHARE else evidence).append(line)
    wechat_unknown = [
        a for a in i.accounts if a.platform == Platform.WECHAT and a.followers is None
    ]
    if wechat_unknown:
        evidence.append(
            ngettext(
                "%(count)d WeChat account without a follower figure (WeChat does not publish "
                "follower numbers).",
                "%(count)d WeChat accounts without a follower figure (WeChat does not publish "
                "follower numbers).",
                len(wechat_unknown),
            )
            % {"count": len(wechat_unknown)}
        )
    evidence.extend(trips)
    if trips:
        weak = [a for a in r.accounts_with_figures + r.accounts_with_bounds if a.below_ten_thousand]
        for a in weak:
            figure = f"{a.followers:,}" if a.followers is not None else f"< {a.followers_below:,}"
            act.add(
                "promote",
                _(
                    "%(account)s has %(followers)s followers: announce it in newspapers, at bus "
                    "stops and on government notice boards, and on the official website with "
                    "its QR code"
                )
                % {"account": _account(a), "followers": figure},
            )
        done = {a.region for a in weak}
        low_regions = []
        for mention in r.table_bands:
            if mention.band != "ten_thousands" and mention.code not in done:
                done.add(mention.code)
                low_regions.append(mention.region)
        for region in low_regions:
            act.add(
                "promote",
                _(
                    "%(region)s: followers in the hundreds or thousands; promote the accounts "
                    "through exhibitions, posters and the government's website"
                )
                % {"region": region},
            )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _band_counts(r: ind.Reach) -> dict[str, int]:
    counts = dict(r.bands)
    for mention in r.table_bands:
        counts[mention.band] = counts.get(mention.band, 0) + 1
    return counts


def _content(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    c = i.content
    known = c.originals + c.forwards
    if not c.measured and not known and not c.confined:
        return None, [_("No post records, freshness or originality was recorded.")]
    evidence, trips = [], []
    if c.measured:
        details = [_stale_detail(a) for a in c.stale[:6]]
        values = {
            "stale": len(c.stale),
            "measured": len(c.measured),
            "days": ind.STALE_DAYS,
            "date": i.scope.as_of.isoformat(),
            "details": _clauses(details),
        }
        if details:
            line = (
                ngettext(
                    "%(stale)d of %(measured)d account measured had no original post for more "
                    "than %(days)d days on %(date)s: %(details)s.",
                    "%(stale)d of %(measured)d accounts measured had no original post for more "
                    "than %(days)d days on %(date)s: %(details)s.",
                    len(c.measured),
                )
                % values
            )
        else:
            line = (
                ngettext(
                    "%(stale)d of %(measured)d account measured had no original post for more "
                    "than %(days)d days on %(date)s.",
                    "%(stale)d of %(measured)d accounts measured had no original post for more "
                    "than %(days)d days on %(date)s.",
                    len(c.measured),
                )
                % values
            )
        if (c.stale_share or 0) >= ind.STALE_SHARE:
            trips.append(line)
        else:
            evidence.append(line)
    if known:
        line = _("%(share)s of %(count)s posts of known origin are originals.") % {
            "share": _pct(c.originality),
            "count": f"{known:,}",
        }
        (trips if (c.originality or 0) < ind.ORIGINALITY_LOW else evidence).append(line)
    if c.confined:
        details = [
            (
                _("%(account)s: originals only in the '%(column)s' column (%(notes)s)")
                if a.notes
                else _("%(account)s: originals only in the '%(column)s' column")
            )
            % {"account": _account(a), "column": a.column, "notes": a.notes}
            for a in c.confined
        ]
        line = ngettext(
            "%(count)d account recorded with one column of originals: %(details)s.",
            "%(count)d accounts recorded with one column of originals: %(details)s.",
            len(c.confined),
        ) % {"count": len(c.confined), "details": _clauses(details)}
        (trips if (c.confined_share or 0) >= ind.CONFINED_SHARE else evidence).append(line)
    if c.posts_per_week_median is not None:
        evidence.append(
            _("Median posting frequency: %(rate)s posts a week (%(start)s to %(end)s).")
            % {
                "rate": f"{c.posts_per_week_median:.2g}",
                "start": i.scope.start.isoformat(),
                "end": i.scope.as_of.isoformat(),
            }
        )
    evidence.extend(trips)
    if trips:
        for a in c.stale:
            days = _days(a)
            if a.column:
                todo = _("schedule the '%(column)s' column weekly") % {"column": a.column}
            else:
                todo = _(
                    "plan at least one original post a week from the regional featured archives"
                )
            values = {"account": _account(a), "days": days, "todo": todo}
            if days:
                text = _("%(account)s has had no original post for %(days)s: %(todo)s") % values
            else:
                text = _("%(account)s has no original post: %(todo)s") % values
            act.add("regional_features", text)
        for a in c.confined:
            act.add(
                "regional_features",
                _(
                    "%(account)s keeps its originals to '%(column)s': add a second column of "
                    "regional featured archives and forward less"
                )
                % {"account": _account(a), "column": a.column},
            )
        for a in i.accounts:
            if a.originality is not None and a.originality < ind.ORIGINALITY_LOW:
                act.add(
                    "regional_features",
                    _(
                        "%(account)s posts %(share)s originals: replace forwards of local news "
                        "with posts from its own featured collections"
                    )
                    % {"account": _account(a), "share": _pct(a.originality)},
                )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _days(a: ind.AccountIndicators) -> str:
    if a.days_since_original is not None:
        days = a.days_since_original
        if a.last_original_is_bound:
            return ngettext("at least %(days)d day", "at least %(days)d days", days) % {
                "days": days
            }
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    if a.days_since_post is not None:
        days = a.days_since_post
        return ngettext("%(days)d day (no post at all)", "%(days)d days (no post at all)", days) % {
            "days": days
        }
    return ""


def _stale_detail(a: ind.AccountIndicators) -> str:
    detail = _("%(account)s %(days)s") % {
        "account": _account(a),
        "days": _days(a) or _("no original post recorded"),
    }
    if a.last_original_is_bound and a.last_update_before:
        values = {
            "detail": detail,
            "date": a.last_update_before.isoformat(),
            "notes": a.notes,
        }
        if a.notes:
            detail = _("%(detail)s (the survey saw no update since before %(date)s: %(notes)s)")
        else:
            detail = _("%(detail)s (the survey saw no update since before %(date)s)")
        detail = detail % values
    return detail


def _interaction(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    x = i.interaction
    if not x.has_posts and x.consultations is None:
        return None, [
            _("No post reads, likes or comments were measured and no consultations were supplied.")
        ]
    evidence, trips = [], []
    if x.has_posts:
        for a in x.measured[:6]:
            figures = [
                message % {"count": _n(value)}
                for message, value in (
                    (_("%(count)s reads"), a.reads_per_post),
                    (_("%(count)s likes"), a.likes_per_post),
                    (_("%(count)s comments"), a.comments_per_post),
                )
                if value is not None
            ]
            values = {
                "account": _account(a),
                "figures": pgettext("figures separator", ", ").join(figures),
                "posts": a.posts,
                "share": f"{a.reads_per_follower:.1%}" if a.reads_per_follower else "",
            }
            if a.reads_per_follower:
                line = ngettext(
                    "%(account)s: %(figures)s per post over %(posts)d post, %(share)s of "
                    "followers.",
                    "%(account)s: %(figures)s per post over %(posts)d posts, %(share)s of "
                    "followers.",
                    a.posts,
                )
            else:
                line = ngettext(
                    "%(account)s: %(figures)s per post over %(posts)d post.",
                    "%(account)s: %(figures)s per post over %(posts)d posts.",
                    a.posts,
                )
            evidence.append(line % values)
        checks = (
            (
                x.reads_per_post_median,
                ind.READS_PER_POST_LOW,
                _("Median reads per post: %(value)s (weak under %(threshold)d)."),
            ),
            (
                x.reactions_per_post_median,
                ind.REACTIONS_PER_POST_LOW,
                _("Median likes and comments per post: %(value)s (weak under %(threshold)d)."),
            ),
        )
        for value, threshold, message in checks:
            if value is not None:
                line = message % {"value": _n(value), "threshold": threshold}
                (trips if value < threshold else evidence).append(line)
        if x.reads_per_follower_median is not None:
            line = _(
                "Median share of followers reading a post: %(share)s (weak under %(threshold)s)."
            ) % {
                "share": f"{x.reads_per_follower_median:.1%}",
                "threshold": _pct(ind.READS_PER_FOLLOWER_LOW),
            }
            (
                trips if x.reads_per_follower_median < ind.READS_PER_FOLLOWER_LOW else evidence
            ).append(line)
    if x.consultations is None:
        evidence.append(_("Consultations: not enough data (none supplied by the inbox)."))
    else:
        line = ngettext(
            "%(count)d consultation, %(unanswered)d unanswered; median first response %(hours)s h.",
            "%(count)d consultations, %(unanswered)d unanswered; median first response "
            "%(hours)s h.",
            x.consultations,
        ) % {
            "count": x.consultations,
            "unanswered": x.unanswered,
            "hours": _n(x.response_hours_median),
        }
        if (
            x.response_hours_median is not None
            and x.response_hours_median > ind.RESPONSE_HOURS_HIGH
        ):
            trips.append(
                _("%(line)s WeChat allows an answer by message for %(hours)d h.")
                % {"line": line, "hours": ind.RESPONSE_HOURS_HIGH}
            )
        else:
            evidence.append(line)
    evidence.extend(trips)
    if trips:
        for a in x.measured:
            weak = (a.reads_per_post or 0) < ind.READS_PER_POST_LOW or sum(
                v for v in (a.likes_per_post, a.comments_per_post) if v is not None
            ) < ind.REACTIONS_PER_POST_LOW
            if weak:
                if a.column:
                    topic = _("'%(column)s'") % {"column": a.column}
                else:
                    topic = _("its featured archives")
                act.add(
                    "interaction_platform",
                    _(
                        "%(account)s gets %(reads)s reads and %(likes)s likes per post: open a "
                        "consultation menu and run a topic (#…#) or poll on %(topic)s"
                    )
                    % {
                        "account": _account(a),
                        "reads": _n(a.reads_per_post),
                        "likes": _n(a.likes_per_post),
                        "topic": topic,
                    },
                )
        act.add(
            "service_quality",
            _(
                "Answer every consultation within %(hours)d hours and ask readers what they want "
                "to see; publish the answers that concern many"
            )
            % {"hours": ind.RESPONSE_HOURS_HIGH},
        )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _security(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    s = i.security
    if not s.measured:
        return None, [
            _(
                "Not measured: no account here is operated through Archivox, and no publishing "
                "records (restricted items, screening overrides) were supplied."
            )
        ]
    evidence, trips = [], []
    if s.operated:
        weak = s.under_administered
        values = {
            "weak": len(weak),
            "operated": len(s.operated),
            "minimum": ind.MIN_ADMINISTRATORS,
            "details": _clauses([f"{w.account} ({w.administrators})" for w in weak]),
        }
        if weak:
            trips.append(
                ngettext(
                    "%(weak)d of %(operated)d account operated through Archivox has fewer than "
                    "%(minimum)d administrators: %(details)s.",
                    "%(weak)d of %(operated)d accounts operated through Archivox have fewer than "
                    "%(minimum)d administrators: %(details)s.",
                    len(s.operated),
                )
                % values
            )
        else:
            evidence.append(
                ngettext(
                    "%(weak)d of %(operated)d account operated through Archivox has fewer than "
                    "%(minimum)d administrators.",
                    "%(weak)d of %(operated)d accounts operated through Archivox have fewer than "
                    "%(minimum)d administrators.",
                    len(s.operated),
                )
                % values
            )
    restricted = s.restricted_published
    if restricted is None:
        evidence.append(_("Published items later found restricted: not enough data."))
    elif restricted:
        trips.append(
            ngettext(
                "%(count)d published item later found restricted.",
                "%(count)d published items later found restricted.",
                restricted,
            )
            % {"count": restricted}
        )
    else:
        evidence.append(_("No published items later found restricted."))
    overrides = s.screening_overrides
    if overrides is None:
        evidence.append(_("Screening overrides: not enough data."))
    elif overrides:
        trips.append(
            ngettext("%(count)d screening override.", "%(count)d screening overrides.", overrides)
            % {"count": overrides}
        )
    else:
        evidence.append(_("No screening overrides."))
    evidence.extend(trips)
    for weak in s.under_administered:
        act.add(
            "security",
            ngettext(
                "%(account)s has %(count)d administrator: grant a second administrator so the "
                "account never depends on one person",
                "%(account)s has %(count)d administrators: grant a second administrator so the "
                "account never depends on one person",
                weak.administrators,
            )
            % {"account": weak.account, "count": weak.administrators},
        )
    if s.restricted_published:
        act.add(
            "security",
            _(
                "Withdraw the published items later found restricted and review why screening "
                "passed them"
            ),
        )
    if s.screening_overrides:
        act.add("security", _("Review every screening override with the reviewer who made it"))
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


JUDGES = {
    "uneven_development": _uneven,
    "low_coverage": _coverage,
    "weak_promotion": _promotion,
    "incomplete_content": _content,
    "weak_interaction": _interaction,
    "security_risk": _security,
}
RECORDED_ACTIONS = {
    "uneven_development": gettext_lazy("Open accounts where the survey found none"),
    "low_coverage": gettext_lazy("Bring the district and county archives onto the platforms"),
    "weak_promotion": gettext_lazy("Promote the accounts offline and online"),
    "incomplete_content": gettext_lazy("Add regional featured archives as original columns"),
    "weak_interaction": gettext_lazy("Open consultation and topics; answer quickly"),
    "security_risk": gettext_lazy(
        "Screen every post against the catalog's access levels before publishing, keep two "
        "administrators per account and agree the use of third-party platforms with the "
        "information-technology department"
    ),
}


def diagnose(indicators: ind.Indicators) -> Diagnosis:
    """Judge the six findings for the scope of ``indicators``, worded in the active language."""
    scope = indicators.scope
    recorded = {
        f.code: _paper_text(f.text, FINDINGS.get(f.code, f.text))
        for f in Finding.objects.filter(survey=scope.survey)
    }
    strategies = {code: str(text) for code, text in STRATEGIES.items()}
    strategies.update(
        {
            s.code: _paper_text(s.text, STRATEGIES.get(s.code, s.text))
            for s in Strategy.objects.filter(survey=scope.survey)
        }
    )
    judgments = []
    for code, judge in JUDGES.items():
        act = _Actions(strategies)
        status, evidence = judge(indicators, act)
        basis = "measured"
        title = recorded.get(code) or str(FINDINGS[code])
        if status is None:
            if code in recorded:
                status, basis = Status.HOLDS, "recorded"
                evidence = [
                    *evidence,
                    _(
                        "The survey recorded this finding: “%(finding)s”. It holds on the "
                        "survey's record, not on measurement."
                    )
                    % {"finding": recorded[code]},
                ]
                for strategy in ANSWERS[code]:
                    act.add(strategy, str(RECORDED_ACTIONS[code]))
            else:
                status, basis = Status.NOT_ENOUGH_DATA, ""
        elif code in recorded:
            evidence = [
                *evidence,
                _("The survey recorded: “%(finding)s”.") % {"finding": recorded[code]},
            ]
        judgments.append(
            Judgment(
                code=code,
                section=title.split(" ", 1)[0],
                title=title,
                status=status,
                basis=basis,
                evidence=evidence,
                actions=act.done(),
            )
        )
    return Diagnosis(scope=scope.label, kind=scope.kind, as_of=scope.as_of, judgments=judgments)


def diagnosis_for(scope: Scope, **data: object) -> Diagnosis:
    """Compute the indicators of ``scope`` (``data`` as for ``indicators_compute``) and judge."""
    return diagnose(ind.indicators_compute(scope, **data))  # type: ignore[arg-type]
