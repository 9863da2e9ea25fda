"""The judges of 3.2.4 (content is not complete) and 3.2.5 (interaction with users is weak).
Each judge takes the indicators and the actions being gathered, and gives the status (None
when nothing could be measured) and the evidence."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from archivox.survey.diagnosis.demand import demand_evidence_and_actions
from archivox.survey.diagnosis.findings import Status
from archivox.survey.diagnosis.wording import (
    _account,
    _Actions,
    _clauses,
    _column_text,
    _n,
    _pct,
    _source_text,
)
from archivox.survey.indicators.accounts import AccountIndicators
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.posts import Interaction
from archivox.survey.indicators.thresholds import (
    CONFINED_SHARE,
    ORIGINALITY_LOW,
    REACTIONS_PER_POST_LOW,
    READS_PER_FOLLOWER_LOW,
    READS_PER_POST_LOW,
    RECORDS_ON_TIME_LOW,
    RESPONSE_HOURS_HIGH,
    STALE_DAYS,
    STALE_SHARE,
)


def _content(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    c = i.content
    known = c.originals + c.forwards
    if not c.measured and not known and not c.confined:
        return None, [_("No post records, freshness or originality was recorded.")]
    evidence, trips = [], []
    if c.measured:
        details = [_stale_detail(a, i.scope.survey.cutoff) for a in c.stale[:6]]
        values = {
            "stale": len(c.stale),
            "measured": len(c.measured),
            "days": STALE_DAYS,
            "date": i.scope.as_of.isoformat(),
            "details": _clauses(details),
        }
        if details:
            line = (
                ngettext(
                    "%(stale)d of %(measured)d account measured had not been updated (forwards "
                    "aside) for more than %(days)d days on %(date)s: %(details)s.",
                    "%(stale)d of %(measured)d accounts measured had not been updated (forwards "
                    "aside) for more than %(days)d days on %(date)s: %(details)s.",
                    len(c.measured),
                )
                % values
            )
        else:
            line = (
                ngettext(
                    "%(stale)d of %(measured)d account measured had not been updated (forwards "
                    "aside) for more than %(days)d days on %(date)s.",
                    "%(stale)d of %(measured)d accounts measured had not been updated (forwards "
                    "aside) for more than %(days)d days on %(date)s.",
                    len(c.measured),
                )
                % values
            )
        # Judged per account too: one stale account is a finding about that account, however
        # healthy the others.
        if c.stale or (c.stale_share or 0) >= STALE_SHARE:
            trips.append(line)
        else:
            evidence.append(line)
        for a in c.stale:
            act.fail_account(a)
    if known:
        line = _("%(share)s of %(count)s posts of known origin are originals.") % {
            "share": _pct(c.originality),
            "count": f"{known:,}",
        }
        (trips if (c.originality or 0) < ORIGINALITY_LOW else evidence).append(line)
    forwarding = [
        a for a in i.accounts if a.originality is not None and a.originality < ORIGINALITY_LOW
    ]
    if forwarding:
        trips.append(
            ngettext(
                "%(count)d account posts fewer originals than %(threshold)s of its posts of "
                "known origin: %(details)s.",
                "%(count)d accounts post fewer originals than %(threshold)s of their posts of "
                "known origin: %(details)s.",
                len(forwarding),
            )
            % {
                "count": len(forwarding),
                "threshold": _pct(ORIGINALITY_LOW),
                "details": _clauses(
                    [
                        _("%(account)s %(share)s")
                        % {"account": _account(a), "share": _pct(a.originality)}
                        for a in forwarding[:8]
                    ]
                ),
            }
        )
        for a in forwarding:
            act.fail_account(a)
    if c.confined:
        for a in c.confined:
            act.fail_account(a)
        details = [
            (
                _("%(account)s: originals only in the '%(column)s' column (%(notes)s)")
                if a.notes
                else _("%(account)s: originals only in the '%(column)s' column")
            )
            % {
                "account": _account(a),
                "column": _column_text(a.column),
                "notes": _source_text(a.notes),
            }
            for a in c.confined
        ]
        line = ngettext(
            "%(count)d account recorded with one column of originals: %(details)s.",
            "%(count)d accounts recorded with one column of originals: %(details)s.",
            len(c.confined),
        ) % {"count": len(c.confined), "details": _clauses(details)}
        (trips if (c.confined_share or 0) >= CONFINED_SHARE else evidence).append(line)
    evidence.extend(_superseded_claims(i))
    posting = [a for a in i.accounts if a.opened and a.posts]
    if len(posting) == 1:
        # One account is no statistic: say what it posted.
        evidence.append(
            ngettext(
                "One account posted in the window (%(start)s to %(end)s): %(account)s, "
                "%(posts)d post.",
                "One account posted in the window (%(start)s to %(end)s): %(account)s, "
                "%(posts)d posts.",
                posting[0].posts,
            )
            % {
                "account": _account(posting[0]),
                "posts": posting[0].posts,
                "start": i.scope.start.isoformat(),
                "end": i.scope.as_of.isoformat(),
            }
        )
    elif c.posts_per_week_median is not None:
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
                text = (
                    _("%(account)s has not been updated (forwards aside) for %(days)s: %(todo)s")
                    % values
                )
            else:
                text = _("%(account)s has posted only forwards: %(todo)s") % values
            act.add("regional_features", text)
        for a in c.confined:
            act.add(
                "regional_features",
                _(
                    "%(account)s keeps its originals to '%(column)s': add a second column of "
                    "regional featured archives and forward less"
                )
                % {"account": _account(a), "column": _column_text(a.column)},
            )
        stale = {a.id for a in c.stale}
        for a in i.accounts:
            if a.id in stale and not a.originals:
                continue  # "has posted only forwards" already says it
            if a.originality is not None and a.originality < ORIGINALITY_LOW:
                act.add(
                    "regional_features",
                    _(
                        "%(account)s posts %(share)s originals: replace forwards of local news "
                        "with posts from its own featured collections"
                    )
                    % {"account": _account(a), "share": _pct(a.originality)},
                )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _days(a: AccountIndicators) -> str:
    if a.days_since_original is not None:
        days = a.days_since_original
        if a.last_original_is_bound:
            return ngettext("at least %(days)d day", "at least %(days)d days", days) % {
                "days": days
            }
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    if a.days_since_post is not None and not a.posts:
        days = a.days_since_post
        return ngettext("%(days)d day (no post at all)", "%(days)d days (no post at all)", days) % {
            "days": days
        }
    return ""


def _stale_detail(a: AccountIndicators, cutoff: datetime.date | None = None) -> str:
    detail = _("%(account)s %(days)s") % {
        "account": _account(a),
        "days": _days(a) or _("no update recorded"),
    }
    if a.last_original_is_bound and a.last_update_before:
        # The survey's own claim, dated by its cut-off and quoted, not restated as measured.
        values = {
            "detail": detail,
            "date": a.last_update_before.isoformat(),
            "cutoff": cutoff.isoformat() if cutoff else "—",
            "notes": a.notes,
        }
        if a.notes:
            detail = _(
                "%(detail)s (the paper, survey cut-off %(cutoff)s: no update since before "
                "%(date)s; English edition: “%(notes)s”)"
            )
        else:
            detail = _(
                "%(detail)s (the paper, survey cut-off %(cutoff)s: no update since before %(date)s)"
            )
        detail = detail % values
    return detail


def _superseded_claims(i: Indicators) -> list[str]:
    """The survey's claims of no update that a later post in the post list answers: quoted as
    the survey's dated claim beside the post, never as a measurement."""
    cutoff = i.scope.survey.cutoff
    lines = []
    for a in i.accounts:
        if not a.last_update_before or a.last_original_is_bound or a.last_post is None:
            continue
        if a.last_post < a.last_update_before:
            continue
        values = {
            "account": _account(a),
            "date": a.last_update_before.isoformat(),
            "cutoff": cutoff.isoformat() if cutoff else "—",
            "notes": a.notes,
            "post": a.last_post.isoformat(),
        }
        if a.notes:
            line = _(
                "The paper (survey cut-off %(cutoff)s) says %(account)s was not updated after "
                "%(date)s (English edition: “%(notes)s”); the post list shows a post of "
                "%(post)s, so it has been updated since."
            )
        else:
            line = _(
                "The paper (survey cut-off %(cutoff)s) says %(account)s was not updated after "
                "%(date)s; the post list shows a post of %(post)s, so it has been updated since."
            )
        lines.append(line % values)
    return lines


def _interaction(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    x = i.interaction
    if not x.has_posts and x.consultations is None and not x.services and not x.demand:
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
        if len(x.measured) == 1:
            # One account is no statistic: its own figures, named as such.
            checks = (
                (
                    x.reads_per_post_median,
                    READS_PER_POST_LOW,
                    _(
                        "Reads per post of the one account measured: %(value)s (weak under "
                        "%(threshold)d)."
                    ),
                ),
                (
                    x.reactions_per_post_median,
                    REACTIONS_PER_POST_LOW,
                    _(
                        "Likes and comments per post of the one account measured: %(value)s "
                        "(weak under %(threshold)d)."
                    ),
                ),
            )
        else:
            checks = (
                (
                    x.reads_per_post_median,
                    READS_PER_POST_LOW,
                    _("Median reads per post: %(value)s (weak under %(threshold)d)."),
                ),
                (
                    x.reactions_per_post_median,
                    REACTIONS_PER_POST_LOW,
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
                "threshold": _pct(READS_PER_FOLLOWER_LOW),
            }
            (trips if x.reads_per_follower_median < READS_PER_FOLLOWER_LOW else evidence).append(
                line
            )
        weak = [(a, _weak_interaction(a)) for a in x.measured]
        weak = [(a, reason) for a, reason in weak if reason]
        if weak:
            # Judged per account too: healthy medians do not hide an account nobody answers.
            trips.append(
                ngettext(
                    "%(count)d account under the interaction thresholds: %(details)s.",
                    "%(count)d accounts under the interaction thresholds: %(details)s.",
                    len(weak),
                )
                % {
                    "count": len(weak),
                    "details": _clauses(
                        [
                            _("%(account)s (%(reason)s)") % {"account": _account(a), "reason": r}
                            for a, r in weak[:8]
                        ]
                    ),
                }
            )
            for a, _reason in weak:
                act.fail_account(a)
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
        if x.response_hours_median is not None and x.response_hours_median > RESPONSE_HOURS_HIGH:
            trips.append(
                _("%(line)s WeChat allows an answer by message for %(hours)d h.")
                % {"line": line, "hours": RESPONSE_HOURS_HIGH}
            )
        else:
            evidence.append(line)
    _records_requests(x, evidence, trips, act)
    demand_evidence_and_actions(x, evidence, act)
    evidence.extend(trips)
    if trips:
        for a in x.measured:
            weak = (a.reads_per_post or 0) < READS_PER_POST_LOW or sum(
                v for v in (a.likes_per_post, a.comments_per_post) if v is not None
            ) < REACTIONS_PER_POST_LOW
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
            % {"hours": RESPONSE_HOURS_HIGH},
        )
    if not x.has_posts and x.consultations is None and not x.services:
        return None, evidence  # searches alone say what people want, not how they interact
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _records_requests(x: Interaction, evidence: list, trips: list, act: _Actions) -> list:
    """Records-use requests (§4.5) judged per archive: each archive's figures, and a finding
    naming every archive that closes too few within its promise, with the threshold."""
    late = []
    for s in x.services or []:
        values = {
            "archive": s.name,
            "count": s.requests,
            "closed": s.closed,
            "median": _n(s.median_working_days),
            "p90": _n(s.p90_working_days),
            "share": _pct(s.share_on_time),
            "threshold": _pct(RECORDS_ON_TIME_LOW),
        }
        if s.share_on_time is None:
            line = ngettext(
                "%(archive)s: %(count)d records-use request, none closed yet.",
                "%(archive)s: %(count)d records-use requests, none closed yet.",
                s.requests,
            )
        else:
            line = ngettext(
                "%(archive)s: %(count)d records-use request, %(closed)d closed; working days "
                "to close: median %(median)s, 90th percentile %(p90)s; %(share)s closed on time.",
                "%(archive)s: %(count)d records-use requests, %(closed)d closed; working days "
                "to close: median %(median)s, 90th percentile %(p90)s; %(share)s closed on time.",
                s.requests,
            )
        if s.share_on_time is not None and s.share_on_time < RECORDS_ON_TIME_LOW:
            late.append(s)
            trips.append(
                line % values
                + " "
                + _(
                    "%(archive)s closes %(share)s of records-use requests on time, under "
                    "%(threshold)s."
                )
                % values
            )
            act.fail(f"archive:{s.archive}")
            act.add(
                "service_quality",
                _(
                    "%(archive)s closes %(share)s of records-use requests on time (threshold "
                    "%(threshold)s): check the holiday calendar and the promised days of each "
                    "request kind, and work the overdue queue first"
                )
                % values,
            )
        else:
            evidence.append(line % values)
    return late


def _weak_interaction(a: AccountIndicators) -> str:
    """Why an account's interaction is weak, with the threshold ("" when it is not)."""
    reasons = []
    if a.reads_per_post is not None and a.reads_per_post < READS_PER_POST_LOW:
        reasons.append(
            _("%(value)s reads per post, under %(threshold)d")
            % {"value": _n(a.reads_per_post), "threshold": READS_PER_POST_LOW}
        )
    parts = [v for v in (a.likes_per_post, a.comments_per_post) if v is not None]
    if parts and sum(parts) < REACTIONS_PER_POST_LOW:
        reasons.append(
            _("%(value)s likes and comments per post, under %(threshold)d")
            % {"value": _n(sum(parts)), "threshold": REACTIONS_PER_POST_LOW}
        )
    return pgettext("figures separator", ", ").join(reasons)
