"""The wording of evidence and actions. Every sentence is one translatable message with named
placeholders, so that a translation can put the parts in its own order; numbers are formatted
here, the same in every language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from archivox.survey.diagnosis.findings import MAX_ACTIONS, PLATFORM_SHORT, Action
from archivox.survey.indicators.accounts import AccountIndicators


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


def _account(a: AccountIndicators) -> str:
    name = a.institution_name
    chinese = (translation.get_language() or "").startswith("zh")
    if a.name and a.name != a.institution_name and not (chinese and not CJK.search(a.name)):
        name = f"{a.institution_name} ({a.name})"
    return f"{name} · {_platform(a.platform)}"


CJK = re.compile(r"[\u3400-\u9fff]")


def _source_text(text: str) -> str:
    """A note of the survey's data: quoted and labelled as the English edition when it is in
    English (the paper's words), as it is otherwise."""
    if not text or CJK.search(text):
        return text
    return _("English edition: “%(text)s”") % {"text": text}


def _column_text(column: str) -> str:
    """A column's name recorded by the survey: in a Chinese text, an English name (the paper's
    English edition names its columns in English, e.g. "Visual Hami") is labelled as such."""
    chinese = (translation.get_language() or "").startswith("zh")
    if not chinese or not column or CJK.search(column):
        return column
    return _("%(column)s (English edition)") % {"column": column}


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
        self.failing: list[str] = []

    def fail(self, key: str) -> None:
        """Record what fails a threshold on its own (an account, a region, an archive)."""
        if key not in self.failing:
            self.failing.append(key)

    def fail_account(self, account: AccountIndicators) -> None:
        self.fail(f"account:{account.institution}:{account.platform}")

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
