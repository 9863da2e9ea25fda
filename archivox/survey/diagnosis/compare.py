"""Two periods compared: which findings appeared or were resolved, which accounts (or regions)
began or stopped failing them, and how each account's main figures moved (↑ ↓ →)."""

from __future__ import annotations

import dataclasses

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archivox.survey.diagnosis.findings import Diagnosis, Status
from archivox.survey.indicators.accounts import AccountIndicators

ARROWS = {1: "↑", -1: "↓", 0: "→"}
FIGURE_LABELS = {
    "posts": gettext_lazy("posts"),
    "originals": gettext_lazy("originals"),
    "reads_per_post": gettext_lazy("reads per post"),
    "likes_per_post": gettext_lazy("likes per post"),
    "followers": gettext_lazy("followers"),
    "days_since_original": gettext_lazy("days since last original"),
}
# The figures followed from period to period, and whether a rise is good.
TREND_FIGURES = (
    ("posts", True),
    ("originals", True),
    ("reads_per_post", True),
    ("likes_per_post", True),
    ("followers", True),
    ("days_since_original", False),
)


@dataclasses.dataclass
class FindingChange:
    code: str
    title: str
    before: Status
    after: Status
    appeared: list[str]  # accounts or regions that began to fail it
    resolved: list[str]  # … that stopped failing it

    @property
    def change(self) -> str:
        """ "appeared", "resolved", "persists" or "none"."""
        was, now = self.before == Status.HOLDS, self.after == Status.HOLDS
        if now and not was:
            return "appeared"
        if was and not now:
            return "resolved"
        return "persists" if now else "none"

    @property
    def change_label(self) -> str:
        return {
            "appeared": _("appeared"),
            "resolved": _("resolved"),
            "persists": _("persists"),
            "none": _("does not hold in either"),
        }[self.change]


@dataclasses.dataclass
class Trend:
    account: str
    figure: str
    before: float | None
    after: float | None
    arrow: str
    better: bool | None  # None: unchanged or not comparable

    @property
    def figure_label(self) -> str:
        return str(FIGURE_LABELS.get(self.figure, self.figure))


@dataclasses.dataclass
class Comparison:
    previous_label: str
    findings: list[FindingChange]
    trends: list[Trend]

    def get(self, code: str) -> FindingChange:
        return next(change for change in self.findings if change.code == code)


def compare(
    previous: Diagnosis,
    current: Diagnosis,
    previous_accounts: list[AccountIndicators],
    current_accounts: list[AccountIndicators],
    *,
    previous_label: str,
    names: dict[str, str] | None = None,
) -> Comparison:
    """What changed from ``previous`` to ``current``; ``names`` shows a failing key ("account:
    nanjing:wechat") by a name."""
    names = names or {}
    changes = []
    for judgment in current.judgments:
        before = previous.get(judgment.code)
        was, now = set(before.failing), set(judgment.failing)
        changes.append(
            FindingChange(
                code=judgment.code,
                title=judgment.title,
                before=before.status,
                after=judgment.status,
                appeared=[names.get(key, key) for key in judgment.failing if key not in was],
                resolved=[names.get(key, key) for key in before.failing if key not in now],
            )
        )
    earlier = {(a.institution, a.platform): a for a in previous_accounts}
    trends = []
    for account in current_accounts:
        old = earlier.get((account.institution, account.platform))
        if old is None:
            continue
        for figure, rise_is_good in TREND_FIGURES:
            before, after = getattr(old, figure), getattr(account, figure)
            if before is None or after is None:
                continue
            sign = (after > before) - (after < before)
            trends.append(
                Trend(
                    account=account.label,
                    figure=figure,
                    before=before,
                    after=after,
                    arrow=ARROWS[sign],
                    better=None if sign == 0 else (sign > 0) == rise_is_good,
                )
            )
    return Comparison(previous_label=previous_label, findings=changes, trends=trends)


def account_names(accounts: list[AccountIndicators]) -> dict[str, str]:
    return {f"account:{a.institution}:{a.platform}": a.label for a in accounts}
