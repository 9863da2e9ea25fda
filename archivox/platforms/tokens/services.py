"""The shared token store: one fetch serves every process, and fetches are capped per day.

A process that needs a token reads the row. If the token is missing, about to expire, or was just
refused by the platform, the process takes a short *lease* on the row (in a transaction that locks
it: ``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), commits, fetches over
the network with no database lock held, and stores the result. Processes that find a live lease
wait for the result instead of fetching too; a lease left by a crashed process runs out.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from archivox.core.queries import found
from archivox.platforms.tokens.models import PlatformToken

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchedToken:
    """What a platform answered: the token and its lifetime in seconds."""

    value: str
    expires_in: int


@dataclass(frozen=True)
class StoredToken:
    value: str
    expires_at: datetime.datetime


class TokenFetchCapReached(Exception):
    """The day's fetches for this key are used up; no request was made."""

    def __init__(self, platform: str, key: str, cap: int) -> None:
        super().__init__(f"{platform} token for {key}: the {cap} fetches allowed today are used up")
        self.platform = platform
        self.key = key
        self.cap = cap


class TokenWaitTimeout(Exception):
    """Another process held the fetch lease for longer than we were willing to wait."""


def _row_create(platform: str, key: str) -> None:
    """The key's row, which the lookup just did not find."""
    try:
        with transaction.atomic():
            PlatformToken.objects.create(platform=platform, key=key)
    except IntegrityError:  # created by a concurrent process a moment ago
        pass


def _live(row: PlatformToken, reject: str, refresh_margin: float, now: datetime.datetime) -> bool:
    """Whether the stored token may be used: there, not the one just refused, and not within
    ``refresh_margin`` seconds of its expiry."""
    return bool(
        row.value
        and row.value != reject
        and row.expires_at
        and row.expires_at - now > _seconds(refresh_margin)
    )


def shared_token_get(
    *,
    platform: str,
    key: str,
    fetch: Callable[[], FetchedToken],
    reject: str = "",
    refresh_margin: float = 300,
    daily_cap: int = 2000,
    lease_seconds: float = 30,
    wait_seconds: float = 40,
) -> StoredToken:
    """The live token for ``(platform, key)``, fetching it (once for all processes) when needed.

    A token within ``refresh_margin`` seconds of its expiry counts as expired, so it is renewed
    before the platform refuses it. ``reject`` is a token the platform has just refused: it is
    dropped if it is still the stored one (if another process already replaced it, the new one
    is returned without a fetch). Raises ``TokenFetchCapReached`` when ``daily_cap`` fetches were
    made today (the platform's day: local time), and whatever ``fetch`` raises.
    """
    # The usual case, a live token, in one read without a lock or a transaction (issue 24:
    # every delivery to a platform asks); anything else goes through the locked row below.
    current = found(PlatformToken.objects.filter(platform=platform, key=key))
    if current is None:
        _row_create(platform, key)
    elif _live(current, reject, refresh_margin, timezone.now()):
        return StoredToken(current.value, current.expires_at)
    owner = f"{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    deadline = time.monotonic() + wait_seconds
    pause = 0.02
    while True:
        with transaction.atomic():
            row = PlatformToken.objects.select_for_update().get(platform=platform, key=key)
            now = timezone.now()
            if reject and row.value == reject:
                row.value = ""
                row.expires_at = None
                row.save(update_fields=["value", "expires_at", "updated_at"])
            if _live(row, "", refresh_margin, now):
                return StoredToken(row.value, row.expires_at)
            leased = row.lease_until is not None and row.lease_until > now
            if not leased:
                today = timezone.localdate(now)
                if row.fetch_day != today:
                    row.fetch_day = today
                    row.fetches_today = 0
                if row.fetches_today >= daily_cap:
                    row.save(update_fields=["fetch_day", "fetches_today", "updated_at"])
                    raise TokenFetchCapReached(platform, key, daily_cap)
                row.fetches_today += 1
                row.lease_owner = owner
                row.lease_until = now + _seconds(lease_seconds)
                row.save(
                    update_fields=[
                        "fetch_day",
                        "fetches_today",
                        "lease_owner",
                        "lease_until",
                        "updated_at",
                    ]
                )
        if not leased:
            return _fetch_and_store(platform, key, fetch, owner)
        if time.monotonic() > deadline:
            raise TokenWaitTimeout(
                f"{platform} token for {key}: another process has been fetching it "
                f"for more than {wait_seconds:.0f} s"
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def _fetch_and_store(
    platform: str, key: str, fetch: Callable[[], FetchedToken], owner: str
) -> StoredToken:
    started = time.monotonic()
    try:
        fetched = fetch()
    except BaseException:
        with transaction.atomic():
            PlatformToken.objects.filter(platform=platform, key=key, lease_owner=owner).update(
                lease_owner="", lease_until=None
            )
        raise
    with transaction.atomic():
        row = PlatformToken.objects.select_for_update().get(platform=platform, key=key)
        now = timezone.now()
        row.value = fetched.value
        row.expires_at = now + _seconds(fetched.expires_in)
        row.fetched_at = now
        if row.lease_owner == owner:
            row.lease_owner = ""
            row.lease_until = None
        row.save()
    logger.info(
        "fetched a new access token",
        extra={
            "platform": platform,
            "key": key,
            "fetches_today": row.fetches_today,
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return StoredToken(row.value, row.expires_at)


def shared_token_forget(*, platform: str, key: str) -> None:
    """Drop the stored token (e.g. after the AppSecret changed); the day's count stays."""
    PlatformToken.objects.filter(platform=platform, key=key).update(value="", expires_at=None)


def _seconds(value: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=value)
