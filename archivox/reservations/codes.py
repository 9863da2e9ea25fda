"""Booking codes: what a person is given and types back (pure functions, used by reads and
writes alike)."""

from __future__ import annotations

import re
import secrets

# Readable codes: no 0/O, 1/I (nor L, easily read as 1). 31 symbols, 8 of them: ~40 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def code_generate() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(code: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-_.]", "", (code or "")[:40]).upper()
