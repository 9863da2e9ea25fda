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

from archivox.survey import indicators as ind
from archivox.survey.models import Finding, Platform, Strategy
from archivox.survey.selectors import Scope

# The paper's findings and strategies, used when a survey recorded none of its own.
FINDINGS: dict[str, str] = {
    "uneven_development": "3.2.1 regional development is uneven",
    "low_coverage": "3.2.2 coverage is not large: mostly city bureaus, few districts and counties",
    "weak_promotion": "3.2.3 promotion is not enough: few followers, large disparities",
    "incomplete_content": "3.2.4 content is not complete: few originals, many forwards, "
    "slow updates",
    "weak_interaction": "3.2.5 interaction with users is weak: few reads, comments, consultations",
    "security_risk": "3.2.6 security risks of third-party platforms",
}
STRATEGIES: dict[str, str] = {
    "open_accounts": "4.1 open self-media accounts, integrated with the official website",
    "promote": "4.2 promote through offline and online channels",
    "regional_features": "4.3 add and improve regional featured archives",
    "interaction_platform": "4.4 rely on a technology platform to enhance interaction "
    "(consultation, topics, email)",
    "service_quality": "4.5 improve service quality: know user needs, respond quickly",
    "security": "4.6 overcome information-technology obstacles: confidentiality, cooperation",
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
PLATFORM_SHORT = {"wechat": "WeChat", "weibo": "Weibo", "website": "website", "other": "other"}
PLATFORM_NAMES = {
    Platform.WECHAT: "WeChat official account",
    Platform.WEIBO: "Weibo account",
    Platform.WEBSITE: "website",
    Platform.OTHER: "account",
}


class Status(enum.StrEnum):
    HOLDS = "holds"
    DOES_NOT_HOLD = "does_not_hold"
    NOT_ENOUGH_DATA = "not_enough_data"


STATUS_LABELS = {
    Status.HOLDS: "holds",
    Status.DOES_NOT_HOLD: "does not hold",
    Status.NOT_ENOUGH_DATA: "not enough data",
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
        return STATUS_LABELS[self.status]


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


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _n(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"


def _names(items: Sequence[str], limit: int = 8) -> str:
    items = list(items)
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)


def _account(a: ind.AccountIndicators) -> str:
    name = a.institution_name
    if a.name and a.name != a.institution_name:
        name = f"{a.institution_name} ({a.name})"
    return f"{name} · {PLATFORM_SHORT.get(a.platform, a.platform)}"


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
                text=f"{text} ({section})",
            )
        )

    def done(self) -> list[Action]:
        if self.left_out and self.items:
            last = self.items[-1]
            self.items.append(
                Action(
                    strategy=last.strategy,
                    strategy_text=last.strategy_text,
                    text=f"… and {self.left_out} more like these (see the indicators)",
                )
            )
        return self.items


# --- the six judges ------------------------------------------------------------------------------


def _uneven(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    presence = i.presence
    if not presence.platforms or len(presence.regions) < 2:
        return None, ["Fewer than two regions were observed: nothing to compare."]
    total = len(presence.regions)
    evidence = []
    for platform in presence.platforms:
        present = [r.name for r in presence.regions if r.present[platform]]
        missing = [r.name for r in presence.missing(platform)]
        line = f"{PLATFORM_SHORT[platform]}: {len(present)} of {total} regions"
        if missing:
            line += f"; none in {_names(missing)}"
        evidence.append(line + ".")
    if presence.not_reported:
        evidence.append(f"Named but not reported by the survey: {_names(presence.not_reported)}.")
    focus = i.scope.region or (i.scope.institution.region if i.scope.institution else None)
    if focus is None:
        gap = presence.gap or 0.0
        holds = gap >= ind.UNEVEN_GAP
        evidence.append(
            f"Presence differs by {gap:.0%} of the platforms between the best and the least "
            f"present region (threshold {ind.UNEVEN_GAP:.0%})."
        )
        lacking = [(r, p) for p in presence.platforms for r in presence.missing(p)]
    else:
        mine = next((r for r in presence.regions if r.code == focus.code), None)
        if mine is None:
            return None, [*evidence, "The survey did not report on this region."]
        lacking = [
            (mine, p)
            for p in presence.platforms
            if not mine.present[p] and (presence.share(p) or 0) >= 0.5
        ]
        holds = bool(lacking)
        evidence.append(
            f"{mine.name} lacks {len(lacking)} platform(s) that at least half the regions have."
        )
    for region, platform in lacking:
        act.add(
            "open_accounts",
            f"{region.name} has no {PLATFORM_NAMES[Platform(platform)]}: open one and link it "
            "with the archives' official website",
        )
    return (Status.HOLDS if holds else Status.DOES_NOT_HOLD), evidence


def _coverage(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    c = i.coverage
    if not c.institutions:
        return None, ["No monitored archive in this scope."]
    parts = [
        f"{level.level} {level.covered}/{level.institutions} ({_pct(level.share)})"
        for level in c.levels
        if level.institutions
    ]
    evidence = [f"Archives with an account, by level: {'; '.join(parts)}."]
    trips = []
    if (c.share or 0) < ind.COVERAGE_LOW:
        trips.append(f"Only {c.covered} of {c.institutions} monitored archives have an account.")
    lower = c.lower()
    if lower.institutions and (lower.share or 0) < ind.COVERAGE_LOW:
        trips.append(
            f"Only {lower.covered} of {lower.institutions} district and county archives have "
            "an account."
        )
    if len(c.regions) >= 2 and (c.reach_share or 0) < ind.REACH_BELOW_SHARE:
        below = [r.name for r in c.regions if r.reaches_below]
        stuck = [r.name for r in c.regions if not r.reaches_below]
        trips.append(
            f"Accounts reach below the main archive's level in only {len(below)} of "
            f"{len(c.regions)} regions ({_names(below) or 'none'}); in {_names(stuck)} they stop "
            "at the main archive."
        )
    county = next(level for level in c.levels if level.level == "county")
    if not county.covered:
        evidence.append("No county-level archive with an account was recorded.")
    evidence.extend(trips)
    if lower.institutions and lower.share == 1 and trips:
        evidence.append(
            "The district archives recorded are those the survey found with an account, so "
            "their share overstates the coverage of districts."
        )
    for region in c.regions:
        if not region.reaches_below and len(c.regions) >= 1 and trips:
            act.add(
                "open_accounts",
                f"{region.name}: no district or county archive account recorded; help the "
                "district and county archives open accounts linked from the "
                f"{region.main_level} archives' website",
            )
    for region in c.regions:
        for name in region.uncovered:
            act.add(
                "open_accounts",
                f"{name} has no account: open a WeChat official account and a Weibo account",
            )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _promotion(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    r = i.reach
    if not r.accounts_with_figures and not r.accounts_with_bounds and not r.band_observations:
        return None, ["No follower figures, bounds or bands were recorded."]
    evidence, trips = [], []
    if r.accounts_with_figures:
        evidence.append(
            f"Median followers of {len(r.accounts_with_figures)} account(s) with a figure: "
            f"{_n(r.median)}."
        )
        if r.median is not None and r.median < ind.FOLLOWERS_LOW:
            trips.append(f"The median is under {ind.FOLLOWERS_LOW:,} followers.")
    if r.ratio is not None and r.top is not None and r.bottom is not None:
        bottom = (
            f"fewer than {r.bottom.followers_below:,}"
            if r.ratio_is_lower_bound
            else f"{r.bottom.followers:,}"
        )
        line = (
            f"{_account(r.top)} has {r.top.followers:,} followers, {_account(r.bottom)} "
            f"{bottom}: a gap of {'more than ' if r.ratio_is_lower_bound else ''}{r.ratio:.1f}×."
        )
        if r.ratio >= ind.DISPARITY_RATIO:
            trips.append(line)
        else:
            evidence.append(line)
    if r.band_observations:
        low = r.band_low_share or 0
        counts = ", ".join(
            f"{band.replace('_', ' ')} {n}" for band, n in _band_counts(r).items() if n
        )
        line = (
            f"{_pct(low)} of {r.band_observations} follower observations are under ten "
            f"thousand ({counts})"
            + (" — including the impact cells of the survey's tables" if r.table_bands else "")
            + "."
        )
        (trips if low >= ind.BAND_LOW_SHARE else evidence).append(line)
    wechat_unknown = [
        a for a in i.accounts if a.platform == Platform.WECHAT and a.followers is None
    ]
    if wechat_unknown:
        evidence.append(
            f"{len(wechat_unknown)} WeChat account(s) without a follower figure (WeChat does not "
            "publish follower numbers)."
        )
    evidence.extend(trips)
    if trips:
        weak = [a for a in r.accounts_with_figures + r.accounts_with_bounds if a.below_ten_thousand]
        for a in weak:
            figure = f"{a.followers:,}" if a.followers is not None else f"< {a.followers_below:,}"
            act.add(
                "promote",
                f"{_account(a)} has {figure} followers: announce it in newspapers, at bus stops "
                "and on government notice boards, and on the official website with its QR code",
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
                f"{region}: followers in the hundreds or thousands; promote the accounts through "
                "exhibitions, posters and the government's website",
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
        return None, ["No post records, freshness or originality was recorded."]
    evidence, trips = [], []
    if c.measured:
        line = (
            f"{len(c.stale)} of {len(c.measured)} account(s) measured had no original post for "
            f"more than {ind.STALE_DAYS} days on {i.scope.as_of.isoformat()}"
        )
        details = [_stale_detail(a) for a in c.stale[:6]]
        line += (": " + "; ".join(details)) if details else ""
        if (c.stale_share or 0) >= ind.STALE_SHARE:
            trips.append(line + ".")
        else:
            evidence.append(line + ".")
    if known:
        line = f"{_pct(c.originality)} of {known:,} posts of known origin are originals."
        (trips if (c.originality or 0) < ind.ORIGINALITY_LOW else evidence).append(line)
    if c.confined:
        details = [
            f"{_account(a)}: originals only in the '{a.column}' column"
            + (f" ({a.notes})" if a.notes else "")
            for a in c.confined
        ]
        line = f"{len(c.confined)} account(s) recorded with one column of originals: " + "; ".join(
            details
        )
        (trips if (c.confined_share or 0) >= ind.CONFINED_SHARE else evidence).append(line + ".")
    if c.posts_per_week_median is not None:
        evidence.append(
            f"Median posting frequency: {c.posts_per_week_median:.2g} posts a week "
            f"({i.scope.start.isoformat()} to {i.scope.as_of.isoformat()})."
        )
    evidence.extend(trips)
    if trips:
        for a in c.stale:
            days = _days(a)
            what = f"has had no original post for {days}" if days else "has no original post"
            if a.column:
                todo = f"schedule the '{a.column}' column weekly"
            else:
                todo = "plan at least one original post a week from the regional featured archives"
            act.add("regional_features", f"{_account(a)} {what}: {todo}")
        for a in c.confined:
            act.add(
                "regional_features",
                f"{_account(a)} keeps its originals to '{a.column}': add a second column of "
                "regional featured archives and forward less",
            )
        for a in i.accounts:
            if a.originality is not None and a.originality < ind.ORIGINALITY_LOW:
                act.add(
                    "regional_features",
                    f"{_account(a)} posts {_pct(a.originality)} originals: replace forwards of "
                    "local news with posts from its own featured collections",
                )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _days(a: ind.AccountIndicators) -> str:
    if a.days_since_original is not None:
        prefix = "at least " if a.last_original_is_bound else ""
        return f"{prefix}{a.days_since_original} days"
    if a.days_since_post is not None:
        return f"{a.days_since_post} days (no post at all)"
    return ""


def _stale_detail(a: ind.AccountIndicators) -> str:
    detail = f"{_account(a)} {_days(a) or 'no original post recorded'}"
    if a.last_original_is_bound and a.last_update_before:
        detail += f" (the survey saw no update since before {a.last_update_before.isoformat()}"
        detail += f": {a.notes})" if a.notes else ")"
    return detail


def _interaction(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    x = i.interaction
    if not x.has_posts and x.consultations is None:
        return None, [
            "No post reads, likes or comments were measured and no consultations were supplied."
        ]
    evidence, trips = [], []
    if x.has_posts:
        for a in x.measured[:6]:
            figures = [
                f"{_n(value)} {name}"
                for name, value in (
                    ("reads", a.reads_per_post),
                    ("likes", a.likes_per_post),
                    ("comments", a.comments_per_post),
                )
                if value is not None
            ]
            evidence.append(
                f"{_account(a)}: {', '.join(figures)} per post over {a.posts} post(s)"
                + (f", {a.reads_per_follower:.1%} of followers" if a.reads_per_follower else "")
                + "."
            )
        checks = (
            (x.reads_per_post_median, ind.READS_PER_POST_LOW, "reads per post"),
            (
                x.reactions_per_post_median,
                ind.REACTIONS_PER_POST_LOW,
                "likes and comments per post",
            ),
        )
        for value, threshold, what in checks:
            if value is not None:
                line = f"Median {what}: {_n(value)} (weak under {threshold})."
                (trips if value < threshold else evidence).append(line)
        if x.reads_per_follower_median is not None:
            line = (
                f"Median share of followers reading a post: {x.reads_per_follower_median:.1%} "
                f"(weak under {ind.READS_PER_FOLLOWER_LOW:.0%})."
            )
            (
                trips if x.reads_per_follower_median < ind.READS_PER_FOLLOWER_LOW else evidence
            ).append(line)
    if x.consultations is None:
        evidence.append("Consultations: not enough data (none supplied by the inbox).")
    else:
        line = (
            f"{x.consultations} consultation(s), {x.unanswered} unanswered; median first response "
            f"{_n(x.response_hours_median)} h."
        )
        if (
            x.response_hours_median is not None
            and x.response_hours_median > ind.RESPONSE_HOURS_HIGH
        ):
            trips.append(
                line + f" WeChat allows an answer by message for {ind.RESPONSE_HOURS_HIGH} h."
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
                topic = f"'{a.column}'" if a.column else "its featured archives"
                act.add(
                    "interaction_platform",
                    f"{_account(a)} gets {_n(a.reads_per_post)} reads and "
                    f"{_n(a.likes_per_post)} likes per post: open a consultation menu and run a "
                    f"topic (#…#) or poll on {topic}",
                )
        act.add(
            "service_quality",
            f"Answer every consultation within {ind.RESPONSE_HOURS_HIGH} hours and ask readers "
            "what they want to see; publish the answers that concern many",
        )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _security(i: ind.Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    s = i.security
    if not s.measured:
        return None, [
            "Not measured: no account here is operated through Archivox, and no publishing "
            "records (restricted items, screening overrides) were supplied."
        ]
    evidence, trips = [], []
    if s.operated:
        weak = s.under_administered
        line = (
            f"{len(weak)} of {len(s.operated)} account(s) operated through Archivox have fewer "
            f"than {ind.MIN_ADMINISTRATORS} administrators"
        )
        if weak:
            trips.append(
                line + ": " + "; ".join(f"{w.account} ({w.administrators})" for w in weak) + "."
            )
        else:
            evidence.append(line + ".")
    for value, what in (
        (s.restricted_published, "published item(s) later found restricted"),
        (s.screening_overrides, "screening override(s)"),
    ):
        if value is None:
            evidence.append(f"{what[0].upper()}{what[1:]}: not enough data.")
        elif value:
            trips.append(f"{value} {what}.")
        else:
            evidence.append(f"No {what}.")
    evidence.extend(trips)
    for weak in s.under_administered:
        act.add(
            "security",
            f"{weak.account} has {weak.administrators} administrator(s): grant a second "
            "administrator so the account never depends on one person",
        )
    if s.restricted_published:
        act.add(
            "security",
            "Withdraw the published items later found restricted and review why screening "
            "passed them",
        )
    if s.screening_overrides:
        act.add("security", "Review every screening override with the reviewer who made it")
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
    "uneven_development": "Open accounts where the survey found none",
    "low_coverage": "Bring the district and county archives onto the platforms",
    "weak_promotion": "Promote the accounts offline and online",
    "incomplete_content": "Add regional featured archives as original columns",
    "weak_interaction": "Open consultation and topics; answer quickly",
    "security_risk": "Screen every post against the catalog's access levels before publishing, "
    "keep two administrators per account and agree the use of third-party platforms with the "
    "information-technology department",
}


def diagnose(indicators: ind.Indicators) -> Diagnosis:
    """Judge the six findings for the scope of ``indicators``."""
    scope = indicators.scope
    recorded = {f.code: f.text for f in Finding.objects.filter(survey=scope.survey)}
    strategies = dict(STRATEGIES)
    strategies.update({s.code: s.text for s in Strategy.objects.filter(survey=scope.survey)})
    judgments = []
    for code, judge in JUDGES.items():
        act = _Actions(strategies)
        status, evidence = judge(indicators, act)
        basis = "measured"
        title = recorded.get(code) or FINDINGS[code]
        if status is None:
            if code in recorded:
                status, basis = Status.HOLDS, "recorded"
                evidence = [
                    *evidence,
                    f"The survey recorded this finding: “{recorded[code]}”. It holds on the "
                    "survey's record, not on measurement.",
                ]
                for strategy in ANSWERS[code]:
                    act.add(strategy, RECORDED_ACTIONS[code])
            else:
                status, basis = Status.NOT_ENOUGH_DATA, ""
        elif code in recorded:
            evidence = [*evidence, f"The survey recorded: “{recorded[code]}”."]
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
