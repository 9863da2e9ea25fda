"""What the public asks of the archives on Archivox, turned into the survey's actions: §4.1 asks
archives to know "the most concentrated archives" (what the public looks for most) and §4.5 to
learn user needs (what they looked for and did not find). The figures are the catalog's counts,
small ones already left out, so no person can be picked out."""

from __future__ import annotations

from django.utils.translation import gettext as _

from archivox.survey.diagnosis.wording import _Actions, _names
from archivox.survey.indicators.posts import Interaction

TERMS = 3


def _terms(pairs) -> str:
    return _names(
        [_("“%(term)s” (%(count)d)") % {"term": term, "count": n} for term, n in pairs[:TERMS]]
    )


def demand_evidence_and_actions(x: Interaction, evidence: list, act: _Actions) -> None:
    """For each archive with counted demand: a line of evidence, and the §4.1 and §4.5 actions
    it suggests."""
    for d in x.demand or []:
        values = {"archive": d.name}
        if d.searched:
            values["terms"] = _terms(d.searched)
            evidence.append(_("%(archive)s: the public searched most for %(terms)s.") % values)
            act.add(
                "open_accounts",
                _(
                    "%(archive)s: the public looks most for %(terms)s: make them featured "
                    "collections and columns of the account and its menu"
                )
                % values,
            )
        if d.zero_hits:
            values["terms"] = _terms(d.zero_hits)
            evidence.append(_("%(archive)s: searches that found nothing: %(terms)s.") % values)
            act.add(
                "service_quality",
                _(
                    "%(archive)s: searches for %(terms)s found nothing: add descriptions or "
                    "subjects for them, or a canned answer saying where to look"
                )
                % values,
            )
