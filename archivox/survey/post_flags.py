"""What a post record carries that is a security risk (3.2.6): personal data or sensitive words
found by core's screening in its title (and an imported post's text), and what its source
declares (a CSV's ``flags`` column, the publishing desk's overrides, recalls and withdrawals).
Stored on the record as comma-separated codes; NULL when it was never screened (the paper's own
posts)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from archivox.core.screening import WordMatcher, screen_text, sensitive_word_matcher

PERSONAL_DATA = "personal_data"
SENSITIVE_WORD = "sensitive_word"
RESTRICTED = "restricted"
OVERRIDE = "override"
WITHDRAWN = "withdrawn"
FLAGS = {
    PERSONAL_DATA: _("personal data (resident ID, mobile number or e-mail address)"),
    SENSITIVE_WORD: _("a word on the sensitive-word list"),
    RESTRICTED: _("restricted material"),
    OVERRIDE: _("a screening override"),
    WITHDRAWN: _("a withdrawal after publication"),
}
PERSONAL_KINDS = {"resident_id", "mobile", "email"}
# Resident IDs and mobile numbers are long runs of digits (also full-width), e-mail has an @:
# only titles with one go through the full screening, the rest through the word matcher alone.
MAY_HOLD_PERSONAL_DATA = re.compile(r"[0-9０-９]{7}|[@＠]")


class FlagError(ValueError):
    """A declared flag that is not one of FLAGS."""


def parse_flags(text: str) -> list[str]:
    """``"personal_data; restricted"`` → the codes; FlagError names an unknown one."""
    codes = [code.strip().lower() for code in re.split(r"[;,，；\s]+", text or "") if code.strip()]
    unknown = [code for code in codes if code not in FLAGS]
    if unknown:
        raise FlagError(f"unknown flag {unknown[0]!r} (known: {', '.join(FLAGS)})")
    return codes


class TitleScreen:
    """Screens many titles with one sensitive-word matcher (one query for a whole import)."""

    def __init__(self) -> None:
        self.matcher: WordMatcher = sensitive_word_matcher(archive=None)

    def flags(self, title: str, declared: Iterable[str] = ()) -> str:
        found = set(declared)
        if any(True for _match in self.matcher.find(title)):
            found.add(SENSITIVE_WORD)
        if MAY_HOLD_PERSONAL_DATA.search(title):
            findings = screen_text(archive=None, fields={"title": title})
            if any(finding.kind in PERSONAL_KINDS for finding in findings):
                found.add(PERSONAL_DATA)
        return ",".join(code for code in FLAGS if code in found)


def screened_text(title: str, text: str) -> str:
    """What is screened of an imported post: its title and, when the CSV gives it, its text (the
    text is screened, not kept)."""
    text = (text or "").strip()
    return f"{title}\n{text}" if text else title


def flag_label(code: str) -> str:
    return str(FLAGS.get(code, code))
