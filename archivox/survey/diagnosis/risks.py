"""The judge of 3.2.6 (security risks of third-party platforms).
Each judge takes the indicators and the actions being gathered, and gives the status (None
when nothing could be measured) and the evidence."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archivox.survey.diagnosis.findings import Status
from archivox.survey.diagnosis.wording import _account, _Actions, _clauses, _join
from archivox.survey.indicators.compute import Indicators
from archivox.survey.indicators.thresholds import MIN_ADMINISTRATORS
from archivox.survey.post_flags import flag_label


def _security(i: Indicators, act: _Actions) -> tuple[Status | None, list[str]]:
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
            "minimum": MIN_ADMINISTRATORS,
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
    if s.screened_posts:
        evidence.append(
            _(
                "The posts' titles were screened (resident ID, mobile number, e-mail address, "
                "sensitive words), with the risks their sources declared."
            )
        )
    for item in s.flagged:
        # Judged per account: one post with a resident ID number is a finding about its account.
        trips.append(
            _("%(account)s: %(risks)s.")
            % {
                "account": _account(item.account),
                "risks": _join(
                    [
                        ngettext("%(count)d post with %(risk)s", "%(count)d posts with %(risk)s", n)
                        % {"count": n, "risk": flag_label(code)}
                        for code, n in item.flags.items()
                    ]
                ),
            }
        )
        act.fail_account(item.account)
        act.add(
            "security",
            _(
                "%(account)s: take down or correct the posts that carry %(risks)s, and screen "
                "every post before publishing"
            )
            % {
                "account": _account(item.account),
                "risks": _join([flag_label(code) for code in item.flags]),
            },
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
