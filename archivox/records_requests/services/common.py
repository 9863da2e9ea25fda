"""What the stages of records-use requests share."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


class RequestRefused(Exception):
    """An action the person or a staff member asked for cannot be done; ``message`` says why
    in words for people, ``reason`` in a word for programs."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def person_key_for(id_number: str) -> str:
    """A keyed digest of an ID number: finds one person's requests without decrypting them and
    cannot be reversed by trying every ID number without the installation's secret."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"records-id:{id_number}".encode(), hashlib.sha256
    ).hexdigest()
