"""A text field stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256) with ARCHIVOX_FIELD_KEY."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


def _fernet() -> Fernet:
    try:
        return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "ARCHIVOX_FIELD_KEY must be 32 url-safe base64-encoded bytes "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def encrypt_text(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt_text(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ImproperlyConfigured("a secret in the database is not encrypted")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "cannot decrypt a stored secret: ARCHIVOX_FIELD_KEY (or var/field_key) changed"
        ) from exc


class EncryptedTextField(models.TextField):
    """Holds a secret; the database only ever sees ciphertext. Never shown back in full."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt_text(value)


def person_digest(value: str) -> str:
    """A keyed digest (HMAC-SHA256, 64 hex characters) of who a person is on a channel, e.g.
    ``wx:<openid>``: equal inputs give equal digests, so unique constraints and look-ups work
    where the value itself is stored only encrypted. The key is derived from
    ARCHIVOX_FIELD_KEY (not SECRET_KEY: rotating sessions must not orphan the digests), and
    without it the digest cannot be reversed by trying every openid or phone number."""
    key = hashlib.sha256(b"archivox.person-digest:" + settings.FIELD_ENCRYPTION_KEY.encode())
    return hmac.new(key.digest(), value.encode(), hashlib.sha256).hexdigest()


def mask_secret(value: str) -> str:
    """What the console may show of a secret: its length and last two characters."""
    if not value:
        return ""
    return "•" * max(4, len(value) - 2) + value[-2:]
