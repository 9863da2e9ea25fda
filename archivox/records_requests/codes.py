"""Tracking and verification codes, and the ID-number check (pure functions, used by reads and
writes alike)."""

from __future__ import annotations

import datetime
import re
import secrets

# Readable codes without 0/O, 1/I/L; 16 of 31 symbols are ~79 bits: not guessable.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(code: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-_.]", "", (code or "")[:60]).upper()[:20]


def code_display(code: str) -> str:
    """Groups of four, easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_normalise(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()[:30]


def id_number_valid(value: str) -> bool:
    """A resident identity number by GB 11643-1999: 17 digits, a birth date that exists, and
    the ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1880 or born > datetime.date.today():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == value[17]


def id_number_complete(body: str) -> str:
    """The 17 digits ``body`` with their check character (demo data, tests)."""
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def id_number_mask(value: str) -> str:
    """What others see: the region's first digits and the check character."""
    if len(value) < 8:
        return "•" * len(value)
    return value[:3] + "•" * (len(value) - 5) + value[-2:]
