"""The judge of 3.2.3 (promotion is not enough: few followers, large disparities).
Each judge takes the indicators and the actions being gathered, and gives the status (None
when nothing could be measured) and the evidence."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from archivox.survey.diagnosis.findings import Status
from archivox.survey.diagnosis.wording import _account, _Actions, _clauses, _join, _n, _pct
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.followers import Reach
from archivox.survey.indicators.thresholds import (
    BAND_LOW_SHARE,
    DISPARITY_RATIO,
    FOLLOWERS_LOW,
    band_label,
)
from archivox.survey.models import Platform


def _promotion(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
    r = i.reach
    if not r.accounts_with_figures and not r.accounts_with_bounds and not r.band_observations:
        return None, [_("No follower figures, bounds or bands were recorded.")]
    evidence, trips = [], []
    if len(r.accounts_with_figures) == 1:
        # One account is no statistic: say whose figure it is.
        only = r.accounts_with_figures[0]
        evidence.append(
            _("One account with a follower figure: %(account)s, %(followers)s.")
            % {"account": _account(only), "followers": f"{only.followers:,}"}
        )
        if r.median is not None and r.median < FOLLOWERS_LOW:
            trips.append(
                _("Its figure is under %(threshold)s followers.")
                % {"threshold": f"{FOLLOWERS_LOW:,}"}
            )
    elif r.accounts_with_figures:
        evidence.append(
            ngettext(
                "Median followers of %(count)d account with a figure: %(median)s.",
                "Median followers of %(count)d accounts with a figure: %(median)s.",
                len(r.accounts_with_figures),
            )
            % {"count": len(r.accounts_with_figures), "median": _n(r.median)}
        )
        if r.median is not None and r.median < FOLLOWERS_LOW:
            trips.append(
                _("The median is under %(threshold)s followers.")
                % {"threshold": f"{FOLLOWERS_LOW:,}"}
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
            # A lower bound is rounded down: 20,000 / 7,000 = 2.857… is "more than 2.8×".
            "ratio": f"{math.floor(r.ratio * 10) / 10:.1f}"
            if r.ratio_is_lower_bound
            else f"{r.ratio:.1f}",
        }
        if r.ratio >= DISPARITY_RATIO:
            trips.append(line)
        else:
            evidence.append(line)
    if r.band_observations:
        low = r.band_low_share or 0
        counts = _join(
            [
                _("%(band)s %(count)d") % {"band": band_label(band), "count": n}
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
        (trips if low >= BAND_LOW_SHARE else evidence).append(line)
    below = [a for a in r.accounts_with_figures + r.accounts_with_bounds if a.below_ten_thousand]
    if below:
        # Judged per account too: a healthy median does not hide an account few follow.
        trips.append(
            ngettext(
                "%(count)d account under %(threshold)s followers: %(details)s.",
                "%(count)d accounts under %(threshold)s followers: %(details)s.",
                len(below),
            )
            % {
                "count": len(below),
                "threshold": f"{FOLLOWERS_LOW:,}",
                "details": _clauses(
                    [
                        _("%(account)s %(followers)s")
                        % {
                            "account": _account(a),
                            "followers": f"{a.followers:,}"
                            if a.followers is not None
                            else f"< {a.followers_below:,}",
                        }
                        for a in below[:8]
                    ]
                ),
            }
        )
        for a in below:
            act.fail_account(a)
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
        low_regions: dict[str, tuple[str, list[str]]] = {}
        for mention in r.table_bands:
            if mention.code in done:
                continue
            name, bands = low_regions.setdefault(mention.code, (mention.region, []))
            if mention.band not in bands:
                bands.append(mention.band)
        for name, bands in low_regions.values():
            if all(band == "ten_thousands" for band in bands):
                continue
            act.add(
                "promote",
                _(
                    "%(region)s: the table records followers in the %(bands)s; promote the "
                    "accounts under ten thousand through exhibitions, posters and the "
                    "government's website"
                )
                % {"region": name, "bands": _join([band_label(b) for b in bands])},
            )
    return (Status.HOLDS if trips else Status.DOES_NOT_HOLD), evidence


def _band_counts(r: Reach) -> dict[str, int]:
    counts = dict(r.bands)
    for mention in r.table_bands:
        counts[mention.band] = counts.get(mention.band, 0) + 1
    return counts
