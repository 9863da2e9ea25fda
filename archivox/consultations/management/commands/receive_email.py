"""``manage.py receive_email ARCHIVE_SLUG < message.eml``: an MTA pipe into the inbox.

Exit status as MTAs understand it (sysexits): 0 stored (or already stored), 65 (EX_DATAERR) the
message has no sender we could answer (the MTA bounces it), 67 (EX_NOUSER) no such archive,
75 (EX_TEMPFAIL) the database is unavailable (the MTA keeps the message and tries again)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from archivox.consultations.services import intake
from archivox.core.models import Archive
from archivox.platforms.mail.parse import MAX_MESSAGE_BYTES, MailError


class Command(BaseCommand):
    help = "Read one email from standard input into the archive's consultation inbox."
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", help="the archive's slug")

    def handle(self, *args, archive: str, **options) -> None:
        # ``stdin`` (a binary stream) lets tests and callers pass the message in.
        stream = options.get("stdin") or sys.stdin.buffer
        # Read a little past the limit: the parser cuts, and the cut is recorded.
        raw = stream.read(MAX_MESSAGE_BYTES * 2)
        found = Archive.objects.filter(slug=archive).first()
        if found is None:
            raise CommandError(f"no archive {archive!r}", returncode=67)
        try:
            message, consultation, created = intake.email_receive(archive=found, raw=raw)
        except MailError as exc:
            raise CommandError(f"message refused: {exc}", returncode=65) from exc
        except DatabaseError as exc:
            raise CommandError(f"database unavailable, try again: {exc}", returncode=75) from exc
        state = "stored" if created else "already stored"
        extra = " (truncated)" if message.truncated else ""
        self.stdout.write(f"{state}: message {message.pk} in consultation {consultation.pk}{extra}")
