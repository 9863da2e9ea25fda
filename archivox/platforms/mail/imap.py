"""Fetch unseen messages from an IMAP mailbox (optional; configured by environment only).

ARCHIVOX_INBOX_IMAP_HOST, _PORT (993), _USER, _PASSWORD, _FOLDER (INBOX) and
ARCHIVOX_INBOX_IMAP_ARCHIVE (the slug of the archive the mailbox belongs to). Without a host,
nothing is polled."""

from __future__ import annotations

import imaplib
import os
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    archive: str

    @classmethod
    def from_environment(cls) -> ImapSettings | None:
        host = os.environ.get("ARCHIVOX_INBOX_IMAP_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(os.environ.get("ARCHIVOX_INBOX_IMAP_PORT", "993")),
            user=os.environ.get("ARCHIVOX_INBOX_IMAP_USER", ""),
            password=os.environ.get("ARCHIVOX_INBOX_IMAP_PASSWORD", ""),
            folder=os.environ.get("ARCHIVOX_INBOX_IMAP_FOLDER", "INBOX"),
            archive=os.environ.get("ARCHIVOX_INBOX_IMAP_ARCHIVE", ""),
        )

    def __repr__(self) -> str:  # never shows the password
        return f"ImapSettings({self.user}@{self.host}:{self.port}/{self.folder})"


def fetch_unseen(
    config: ImapSettings, *, limit: int = 100, timeout: float = 30.0
) -> Iterator[tuple[bytes, callable]]:
    """Yield ``(raw message, mark_seen)`` for unseen messages; call ``mark_seen()`` only after
    the message is stored, so that a crash leaves it unseen for the next poll."""
    with imaplib.IMAP4_SSL(config.host, config.port, timeout=timeout) as connection:
        connection.login(config.user, config.password)
        connection.select(config.folder)
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            return
        for uid in (data[0] or b"").split()[:limit]:
            status, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            if status != "OK" or not parts or not isinstance(parts[0], tuple):
                continue
            raw = parts[0][1]

            def mark_seen(uid: bytes = uid) -> None:
                connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")

            yield raw, mark_seen
