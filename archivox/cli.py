"""Run a management command, turning expected operational mistakes into one-line errors.

A user who mistypes DATABASE_URL or forgot to start PostgreSQL should read what to fix, not a
traceback. Unexpected errors still show their traceback.
"""

from __future__ import annotations

import sys


def describe_operational_error(exc: BaseException) -> str | None:
    """Return a one-line explanation for an expected operational failure, or None."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import utils as db_utils

    if isinstance(exc, ImproperlyConfigured):
        return str(exc).splitlines()[0]
    if isinstance(exc, db_utils.OperationalError | db_utils.InterfaceError):
        from django.conf import settings
        from django.db import connection

        first_line = (str(exc).strip().splitlines() or ["no details"])[0].rstrip(".")
        where = connection.settings_dict.get("HOST") or connection.settings_dict.get("NAME")
        return (
            f"cannot use the database at {where}: {first_line}. "
            f"Is it running, and is DATABASE_URL right? (now: {_redact(settings.DATABASE_URL)})"
        )
    try:
        import redis.exceptions
    except ImportError:  # pragma: no cover - redis is a dependency
        return None
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        from django.conf import settings

        return (
            f"cannot reach Redis at {_redact(settings.REDIS_URL)}: {str(exc).rstrip('.')}. "
            "Start Redis or unset REDIS_URL to use the embedded SQLite queue."
        )
    return None


def _redact(url: str) -> str:
    """Hide a password inside a URL before printing it."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def run_management_command(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        message = describe_operational_error(exc)
        if message is None:
            raise
        print(f"archivox: error: {message}", file=sys.stderr)
        return 2
    return 0
