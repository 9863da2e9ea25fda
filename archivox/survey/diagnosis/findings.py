"""The paper's six findings (§3.2) and strategies (§4), which strategies answer which finding,
and the shape of a diagnosis: a judgment per finding, its status, evidence and actions."""

from __future__ import annotations

import dataclasses
import datetime
import enum

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, pgettext_lazy

from archivox.survey.models import Platform

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
    # What fails the finding's thresholds one by one: "account:<archive>:<platform>",
    # "region:<code>", "archive:<name>" (the evidence names them with the threshold).
    failing: list[str] = dataclasses.field(default_factory=list)

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
