"""Screening of text before it leaves the archive: a post, a public answer, a comment.

``screen_text`` finds sensitive words (the archive's list and the default list that applies to
every archive) and personal data (resident ID numbers, mobile numbers, emails, street
addresses), each with its exact span. Sensitive words block or warn as listed; personal data
warns, because a reviewer may know it is fine to publish (a public office's address, say).

Words are matched with an Aho–Corasick automaton (``WordMatcher``): one pass over the text
whatever the number of words, every occurrence reported, overlapping ones too. It is written
here in plain Python rather than taken from pyahocorasick (not a dependency of the project): at
about 0.15 µs a character a 5,000-character post is screened in under a millisecond against
thousands of words, and a regex alternation, the other option, is tried branch by branch at
every position by Python's engine and cannot report overlapping words.

The list itself is changed through ``sensitive_word_add``, ``sensitive_word_remove`` and
``sensitive_words_set`` (services: permission checked, audited).
"""

from __future__ import annotations

import datetime
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from archivox.core.models import Archive, SensitiveWord, User
from archivox.core.selectors import (
    ArchivePermissionDenied,
    Capability,
    archive_check_capability,
)
from archivox.core.services import audit_record

Kind = Literal["sensitive_word", "resident_id", "mobile", "email", "address"]
FindingSeverity = Literal["block", "warn"]


@dataclass(frozen=True)
class Finding:
    kind: Kind
    severity: FindingSeverity
    field: str  # key of the ``fields`` mapping screened
    start: int  # character offsets in that field's text: text[start:end] == self.text
    end: int
    text: str
    message: str

    @property
    def blocks(self) -> bool:
        return self.severity == "block"


# Full-width ASCII (ＡＢＣ１２３＠) is common in Chinese text, and Latin letters come in two cases:
# fold both one character for one, so offsets into the folded text are offsets into the original.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD |= {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_FOLD = {code: _FOLD.get(folded, folded) for code, folded in _FOLD.items()}  # Ａ -> A -> a


def _fold(text: str) -> str:
    return text.translate(_FOLD)


# --------------------------------------------------------------------------------------------
# Sensitive words


class WordMatcher:
    """An Aho–Corasick automaton: every occurrence of a fixed set of words in one pass over the
    text, overlapping and nested words included (档案 and 档案馆 in 档案馆), Latin letters and
    full-width forms folded. Built once per word list (cached by ``_matcher_for``)."""

    def __init__(self, words: Mapping[str, tuple[str, str]]) -> None:
        # words: folded key -> (severity, word as listed)
        self.words = dict(words)
        goto: list[dict[str, int]] = [{}]
        outputs: list[tuple[str, ...]] = [()]
        for key in self.words:
            state = 0
            for char in key:
                following = goto[state].get(char)
                if following is None:
                    goto.append({})
                    outputs.append(())
                    following = goto[state][char] = len(goto) - 1
                state = following
            outputs[state] = (key,)
        # Failure links, breadth first: the longest proper suffix that is also in the trie.
        fail = [0] * len(goto)
        queue = deque(goto[0].values())
        while queue:
            state = queue.popleft()
            for char, following in goto[state].items():
                queue.append(following)
                back = fail[state]
                while back and char not in goto[back]:
                    back = fail[back]
                target = goto[back].get(char, 0)
                fail[following] = target if target != following else 0
                outputs[following] = outputs[following] + outputs[fail[following]]
        self._goto, self._fail, self._outputs = goto, fail, outputs

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of every word in ``text``, ordered by end."""
        if not self.words or not text:
            return []
        goto, fail, outputs = self._goto, self._fail, self._outputs
        found: list[tuple[int, int, str]] = []
        state = 0
        for index, char in enumerate(_fold(text)):
            while True:
                following = goto[state].get(char)
                if following is not None:
                    state = following
                    break
                if state == 0:
                    break
                state = fail[state]
            if outputs[state]:
                end = index + 1
                found.extend((end - len(key), end, key) for key in outputs[state])
        return found


def _word_key(word: str) -> str:
    return _fold(word).strip()


@lru_cache(maxsize=64)
def _matcher_for(entries: tuple[tuple[str, str, str], ...]) -> WordMatcher:
    words: dict[str, tuple[str, str]] = {}
    for key, severity, word in entries:
        previous = words.get(key)
        # The same word in both lists: the stricter listing wins.
        if previous is None or (severity == "block" and previous[0] != "block"):
            words[key] = (severity, word)
    return WordMatcher(words)


def sensitive_word_matcher(*, archive: Archive | None) -> WordMatcher:
    """The matcher for ``archive``'s list together with the default list."""
    rows = SensitiveWord.objects.filter(archive__isnull=True)
    if archive is not None:
        rows = SensitiveWord.objects.filter(archive=archive) | rows
    entries = tuple(
        sorted(
            (_word_key(word), severity, word)
            for word, severity in rows.values_list("word", "severity")
            if _word_key(word)
        )
    )
    return _matcher_for(entries)


# --------------------------------------------------------------------------------------------
# Personal data

# Digits or Latin letters either side mean the digits belong to something longer (a reference
# code like "B0001-001-0123", a serial number, a URL token), not to an ID or a phone number.
_NOT_AFTER = r"(?<![0-9A-Za-z])(?<![0-9A-Za-z][-/.])"
_NOT_BEFORE = r"(?![0-9A-Za-z])(?![-/.][0-9A-Za-z])"

_RESIDENT_ID = re.compile(_NOT_AFTER + r"(\d{17}[\dXx]|\d{15})" + _NOT_BEFORE)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of a resident ID: the province-level division (GB/T 2260).
_PROVINCES_TEXT = (
    "11 12 13 14 15  21 22 23  31 32 33 34 35 36 37  41 42 43 44 45 46  50 51 52 53 54"
)
_PROVINCES = frozenset((_PROVINCES_TEXT + "  61 62 63 64 65  71  81 82 83  91").split())

_MOBILE = re.compile(
    _NOT_AFTER + r"(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:\d{8}|([ -])\d{4}\1\d{4})" + _NOT_BEFORE
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)

_HAN = r"\u4e00-\u9fff"
_NUMBER = r"[0-9一二三四五六七八九十百千零〇两]{1,6}"
# Anchored on a street and a house number (中山路18号, 汉中门大街1-3号), optionally led by the
# divisions above it (江苏省南京市玄武区) and followed by building, unit and room. A place name
# alone (南京市玄武区) is public knowledge and is not flagged.
_DIVISION = re.compile(rf"[{_HAN}]{{1,7}}?(?:省|自治区|特别行政区|市|区|县|镇|乡|街道)")
_ADDRESS = re.compile(
    rf"(?P<divisions>(?:{_DIVISION.pattern})*)"
    rf"(?P<street>[{_HAN}0-9]{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同|里))"
    rf"{_NUMBER}(?:[-之]{_NUMBER})?号(?!线|文|令|称|召|码|角|人)"
    rf"(?:院|大院)?(?:{_NUMBER}(?:栋|幢|座|号楼|楼))?(?:{_NUMBER}单元)?(?:{_NUMBER}(?:室|房|户))?"
)
# Words that lead into an address in running text (他住在…, 寄至…, 地址：…), not part of it.
# Cheap tests that let most texts skip the costlier patterns: an ID or a phone number needs a run
# of digits; an address needs a street, a number and 号 (then only the 40 characters before it are
# searched, rather than trying the address pattern at every position of a long text).
_DIGIT_RUN = re.compile(r"\d{3}")
_HOUSE_NUMBER = re.compile(rf"(?:大道|大街|路|街|巷|弄|胡同|里){_NUMBER}(?:[-之]{_NUMBER})?号")
_ADDRESS_REACH = 40
_ADDRESS_LEAD = re.compile(r".*(?:住在|位于|地址|寄往|寄至|寄到|来到|搬到|在|于|至|到|往|是|的)")


def _resident_id_problem(digits: str) -> str | None:
    """None when ``digits`` is a plausible resident ID number, else why not."""
    if digits[:2] not in _PROVINCES:
        return "area"
    if len(digits) == 18:
        total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
        if _ID_CHECK[total % 11] != digits[17].upper():
            return "checksum"
        year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    else:
        # The 15-digit form (issued until 1999): two-digit year of the 1900s, no check digit.
        year, month, day = 1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return "date"
    if not (datetime.date(1890, 1, 1) <= born <= datetime.date.today()):
        return "date"
    return None


def _personal_data(field: str, text: str) -> list[Finding]:
    folded = _fold(text)
    findings: list[Finding] = []
    emails: list[tuple[int, int]] = []
    for match in _EMAIL.finditer(folded):
        emails.append(match.span())
        findings.append(
            Finding(
                "email",
                "warn",
                field,
                match.start(),
                match.end(),
                text[match.start() : match.end()],
                _("An email address: personal data; publish it only if it is meant to be public."),
            )
        )

    def in_email(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in emails)

    has_digits = _DIGIT_RUN.search(folded) is not None
    for match in _RESIDENT_ID.finditer(folded) if has_digits else ():
        digits = match.group(1)
        if in_email(*match.span()) or _resident_id_problem(digits) is not None:
            continue
        findings.append(
            Finding(
                "resident_id",
                "warn",
                field,
                match.start(),
                match.end(),
                text[match.start() : match.end()],
                _(
                    "A resident ID number (valid check digit and birth date): personal data "
                    "that should not be published."
                )
                if len(digits) == 18
                else _(
                    "An old 15-digit resident ID number (plausible birth date): personal data "
                    "that should not be published."
                ),
            )
        )
    for match in _MOBILE.finditer(folded) if has_digits else ():
        if in_email(*match.span()):
            continue
        findings.append(
            Finding(
                "mobile",
                "warn",
                field,
                match.start(),
                match.end(),
                text[match.start() : match.end()],
                _("A mobile phone number: personal data; publish it only if it is an office line."),
            )
        )
    for match in _addresses(folded):
        start = _address_start(folded, match)
        if start is None:
            continue
        findings.append(
            Finding(
                "address",
                "warn",
                field,
                start,
                match.end(),
                text[start : match.end()],
                _(
                    "A street address with a house number: personal data unless it is a "
                    "public place's address."
                ),
            )
        )
    return findings


def _addresses(text: str) -> list[re.Match[str]]:
    """Matches of the address pattern, searched only just before each house number."""
    found: list[re.Match[str]] = []
    searched_to = 0
    for number in _HOUSE_NUMBER.finditer(text):
        if number.end() <= searched_to:
            continue  # inside an address already found
        start = max(searched_to, number.start() - _ADDRESS_REACH)
        # endpos past the number lets building, unit and room follow it.
        match = _ADDRESS.search(text, start, min(len(text), number.end() + _ADDRESS_REACH))
        if match is not None and match.end() >= number.end():
            found.append(match)
            searched_to = match.end()
    return found


def _address_start(text: str, match: re.Match[str]) -> int | None:
    """Where the address really begins: the regex starts as early as it can, so running text
    before it (他住在…) is cut off at the last word that leads into an address, keeping at
    least two characters of the first place or street name."""
    start = match.start()
    first_end = match.start("street")
    if match.group("divisions"):
        # The first division's own suffix ends the first name: find it.
        division = _DIVISION.match(match.group("divisions"))
        assert division is not None
        first_end = start + division.end()
        suffix = re.search(r"(?:自治区|特别行政区|街道|省|市|区|县|镇|乡)$", division.group())
    else:
        suffix = re.search(r"(?:大道|大街|路|街|巷|弄|胡同|里)$", match.group("street"))
    assert suffix is not None
    name = text[start : first_end - len(suffix.group())]
    lead = _ADDRESS_LEAD.match(name)
    if lead is not None and len(name) - lead.end() >= 2:
        start += lead.end()
    elif lead is not None and match.group("divisions") == "" and len(name) - lead.end() < 1:
        return None  # "在路3号" is no address
    return start


# --------------------------------------------------------------------------------------------
# The entry point


def screen_text(*, archive: Archive | None, fields: Mapping[str, str]) -> list[Finding]:
    """Everything in ``fields`` (name -> text) that should stop or make a reviewer look,
    ordered by field (as given), then position. ``archive`` None: the default list only."""
    matcher = sensitive_word_matcher(archive=archive)
    findings: list[Finding] = []
    for field, text in fields.items():
        if not text:
            continue
        field_findings: list[Finding] = []
        for start, end, key in matcher.find(text):
            severity, word = matcher.words[key]
            field_findings.append(
                Finding(
                    "sensitive_word",
                    "block" if severity == "block" else "warn",
                    field,
                    start,
                    end,
                    text[start:end],
                    (
                        _("“%(word)s” is on the sensitive-word list: it cannot be published.")
                        if severity == "block"
                        else _("“%(word)s” is on the sensitive-word list: a reviewer must check.")
                    )
                    % {"word": word},
                )
            )
        field_findings.extend(_personal_data(field, text))
        field_findings.sort(key=lambda f: (f.start, f.end, f.kind))
        findings.extend(field_findings)
    return findings


# --------------------------------------------------------------------------------------------
# Services: the lists


def sensitive_word_list(*, archive: Archive | None) -> list[SensitiveWord]:
    """The words listed for ``archive`` (None: the default list), alphabetically."""
    return list(SensitiveWord.objects.filter(archive=archive).order_by("word"))


def _check_may_manage(actor: User | None, archive: Archive | None) -> None:
    if actor is None:
        return  # the system (loaders, migrations of data)
    if archive is None:
        # The default list applies to every archive: only an installation administrator.
        if not (actor.is_active and actor.is_superuser):
            raise ArchivePermissionDenied(actor, None, Capability.SCREENING_MANAGE)
        return
    archive_check_capability(user=actor, archive=archive, capability=Capability.SCREENING_MANAGE)


def _clean_word(word: str, severity: str) -> str:
    cleaned = " ".join(word.split())
    if not _word_key(cleaned):
        raise ValidationError({"word": _("A sensitive word cannot be empty.")})
    if severity not in SensitiveWord.Severity.values:
        raise ValidationError(
            {
                "severity": _("Unknown severity %(severity)r; choose block or warn.")
                % {"severity": severity}
            }
        )
    return cleaned


@transaction.atomic
def sensitive_word_add(
    *,
    actor: User | None,
    archive: Archive | None,
    word: str,
    severity: str = SensitiveWord.Severity.BLOCK,
    note: str = "",
) -> SensitiveWord:
    """List ``word`` for ``archive`` (None: the default list). Listing it again updates its
    severity and note."""
    _check_may_manage(actor, archive)
    cleaned = _clean_word(word, severity)
    entry = SensitiveWord.objects.filter(archive=archive, word=cleaned).first()
    before = {"word": entry.word, "severity": entry.severity, "note": entry.note} if entry else None
    if entry is None:
        entry = SensitiveWord(archive=archive, word=cleaned)
    entry.severity = severity
    entry.note = note
    entry.full_clean(validate_constraints=False)  # uniqueness: looked up just above
    after = {"word": entry.word, "severity": entry.severity, "note": entry.note}
    if before == after:
        return entry
    entry.save()
    audit_record(
        actor=actor,
        action="sensitive_word.add" if before is None else "sensitive_word.change",
        obj=entry,
        archive=archive,
        before=before,
        after=after,
    )
    return entry


@transaction.atomic
def sensitive_word_remove(*, actor: User | None, archive: Archive | None, word: str) -> bool:
    """Take ``word`` off ``archive``'s list. False when it was not listed."""
    _check_may_manage(actor, archive)
    entry = SensitiveWord.objects.filter(archive=archive, word=" ".join(word.split())).first()
    if entry is None:
        return False
    audit_record(
        actor=actor,
        action="sensitive_word.remove",
        obj=entry,
        archive=archive,
        before={"word": entry.word, "severity": entry.severity, "note": entry.note},
    )
    entry.delete()
    return True


@transaction.atomic
def sensitive_words_set(
    *,
    actor: User | None,
    archive: Archive | None,
    words: Iterable[tuple[str, str] | tuple[str, str, str]],
) -> list[SensitiveWord]:
    """Replace ``archive``'s whole list by ``words``: (word, severity) or (word, severity,
    note). One audit entry says what was added, removed and changed. Bad input (an empty word,
    an unknown severity) raises ValidationError naming it, and the list stays as it was."""
    _check_may_manage(actor, archive)
    wanted: dict[str, tuple[str, str]] = {}
    errors: list[str] = []
    for number, entry in enumerate(words, start=1):
        word, severity, *rest = entry
        note = rest[0] if rest else ""
        try:
            cleaned = _clean_word(word, severity)
        except ValidationError as error:
            errors.append(
                _("entry %(number)d (%(word)r): %(problem)s")
                % {
                    "number": number,
                    "word": word,
                    "problem": "; ".join(m for ms in error.message_dict.values() for m in ms),
                }
            )
            continue
        wanted[cleaned] = (severity, note)
    if errors:
        raise ValidationError(errors)
    current = {entry.word: entry for entry in SensitiveWord.objects.filter(archive=archive)}
    removed = sorted(set(current) - set(wanted))
    added = sorted(set(wanted) - set(current))
    changed = sorted(
        word
        for word in set(wanted) & set(current)
        if (current[word].severity, current[word].note) != wanted[word]
    )
    before = {"removed": removed, "changed": {w: current[w].severity for w in changed}}
    SensitiveWord.objects.filter(archive=archive, word__in=removed).delete()
    for word in changed:
        entry = current[word]
        entry.severity, entry.note = wanted[word]
        entry.full_clean(validate_constraints=False)
        entry.save(update_fields=["severity", "note"])
    new_entries = [
        SensitiveWord(archive=archive, word=word, severity=wanted[word][0], note=wanted[word][1])
        for word in added
    ]
    for entry in new_entries:
        entry.full_clean(validate_constraints=False)
    SensitiveWord.objects.bulk_create(new_entries)
    if removed or added or changed:
        audit_record(
            actor=actor,
            action="sensitive_words.set",
            archive=archive,
            object_type="core.sensitiveword",
            object_repr=_("sensitive words of %(where)s")
            % {"where": archive.slug if archive else _("every archive")},
            before=before,
            after={
                "added": {w: wanted[w][0] for w in added},
                "changed": {w: wanted[w][0] for w in changed},
                "count": len(wanted),
            },
        )
    return sensitive_word_list(archive=archive)


def findings_summary(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each kind: for a console badge or an audit entry."""
    summary: dict[str, int] = {}
    for finding in findings:
        summary[finding.kind] = summary.get(finding.kind, 0) + 1
    return summary
