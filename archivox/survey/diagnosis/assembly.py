"""The diagnosis assembled: each finding judged in turn, held on the survey's record when
nothing could be measured, titled in the survey's own words or the paper's."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archivox.survey.diagnosis.findings import (
    ANSWERS,
    FINDINGS,
    STRATEGIES,
    Diagnosis,
    Judgment,
    Status,
)
from archivox.survey.diagnosis.followers import _promotion
from archivox.survey.diagnosis.posts import _content, _interaction
from archivox.survey.diagnosis.regions import _coverage, _uneven
from archivox.survey.diagnosis.risks import _security
from archivox.survey.diagnosis.wording import _Actions, _paper_text
from archivox.survey.indicators.compute import Indicators, indicators_compute
from archivox.survey.indicators.thresholds import platform_label
from archivox.survey.models import Finding, Strategy, Survey
from archivox.survey.selectors import Scope

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


def diagnose(indicators: Indicators) -> Diagnosis:
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
        evidence = [*evidence, *_observations(scope.survey, title.split(" ", 1)[0])]
        judgments.append(
            Judgment(
                code=code,
                section=title.split(" ", 1)[0],
                title=title,
                status=status,
                basis=basis,
                evidence=evidence,
                actions=act.done(),
                failing=act.failing,
            )
        )
    return Diagnosis(scope=scope.label, kind=scope.kind, as_of=scope.as_of, judgments=judgments)


def diagnosis_for(scope: Scope, **data: object) -> Diagnosis:
    """Compute the indicators of ``scope`` (``data`` as for ``indicators_compute``) and judge."""
    return diagnose(indicators_compute(scope, **data))  # type: ignore[arg-type]


# What the paper observes without naming an account, by the words of the data set.
OBSERVED = {
    "comments on an original Weibo post": gettext_lazy("comments on an original Weibo post"),
    "followers": gettext_lazy("followers"),
}


def _observations(survey: Survey, section: str) -> list[str]:
    """The survey's observations made in a finding's own section, quoted as the survey's."""
    lines = []
    chinese = (translation.get_language() or "").startswith("zh")
    for item in survey.observations or []:
        if item.get("source") != section:
            continue
        what = OBSERVED.get(item.get("what", ""))
        value = item.get("value_zh") if chinese and item.get("value_zh") else item.get("value")
        if what is None or not value:
            continue
        lines.append(
            _(
                "The paper observes, without naming an account (%(section)s): %(platform)s "
                "%(what)s, %(value)s."
            )
            % {
                "section": section,
                "platform": platform_label(item.get("platform", "")),
                "what": what,
                "value": value,
            }
        )
    return lines
