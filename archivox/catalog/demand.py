"""Writes: counting what the public asks of the catalog (``PublicDemand``), for the demand
analytics of issue 23. Called by the portal's search, description and collection pages after
they answered; a failure to count never fails the page.

Search terms are normalised (lower case, spaces collapsed) and a term that looks like a personal
number (an ID card, a phone) is not kept at all.

Counting stays off the request path (issue 24): an upsert per public request serialised every
public page on SQLite's one write lock. Each process adds its hits up in memory and writes them
in one transaction, from a background thread, once ``ARCHIVOX_DEMAND_FLUSH_HITS`` hits are
pending or the oldest is ``ARCHIVOX_DEMAND_FLUSH_SECONDS`` old, and when the process exits.
Processes add to the same rows (an increment, never an overwrite), so any number of web
processes count correctly. What can be lost: the pending hits of a process killed without an
exit (SIGKILL, a power cut), at most those few seconds' or that many hits of that process; a
flush the database refuses is kept and tried again with the next one."""

from __future__ import annotations

import atexit
import datetime
import logging
import os
import re
import threading
import time
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from archivox.catalog.models import PublicDemand
from archivox.core.models import Archive

logger = logging.getLogger(__name__)

KEY_MAX = 100
PERSONAL_NUMBER = re.compile(r"\d{6,}|[\w.+-]+@[\w-]+\.")
# Distinct rows a process keeps while the database refuses its flushes; past it, new keys are
# dropped (and logged) rather than growing without bound.
PENDING_KEYS_MAX = 50_000

# (archive id or None, kind, key, day) -> hits not yet written
Key = tuple[int | None, str, str, datetime.date]


def search_term_normalise(query: str) -> str:
    return " ".join((query or "").lower().split())[:KEY_MAX]


def _flush_hits() -> int:
    return int(getattr(settings, "ARCHIVOX_DEMAND_FLUSH_HITS", 200))


def _flush_seconds() -> float:
    return float(getattr(settings, "ARCHIVOX_DEMAND_FLUSH_SECONDS", 10.0))


class _Pending:
    """This process's hits not yet written, and the thread that writes them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[Key] = Counter()
        self.hits = 0
        self.oldest = 0.0  # monotonic time of the oldest pending hit
        self.pid = os.getpid()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None

    def add(self, key: Key, n: int = 1) -> bool:
        """Count ``n`` hits; True when it is time to write them."""
        with self.lock:
            self._after_fork()
            if key not in self.counts and len(self.counts) >= PENDING_KEYS_MAX:
                logger.warning("demand counts are not being written; a hit was dropped")
                return True
            if not self.counts:
                self.oldest = time.monotonic()
            self.counts[key] += n
            self.hits += n
            return self.hits >= _flush_hits()

    def take(self) -> Counter[Key]:
        with self.lock:
            self._after_fork()
            counts, self.counts, self.hits = self.counts, Counter(), 0
            return counts

    def give_back(self, counts: Counter[Key]) -> None:
        with self.lock:
            if not self.counts:
                self.oldest = time.monotonic()
            for key, n in counts.items():
                if key in self.counts or len(self.counts) < PENDING_KEYS_MAX:
                    self.counts[key] += n
                    self.hits += n

    def due(self) -> bool:
        with self.lock:
            return bool(self.counts) and (
                self.hits >= _flush_hits() or time.monotonic() - self.oldest >= _flush_seconds()
            )

    def _after_fork(self) -> None:
        # A forked web worker starts with its parent's memory: those hits are the parent's to
        # write, and the parent's thread did not come along.
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.counts, self.hits, self.thread = Counter(), 0, None
            self.wake = threading.Event()

    def writer_start(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=_writer, name="demand-writer", daemon=True)
            self.thread.start()


_pending = _Pending()


def _writer() -> None:
    while True:
        # At least once a second, so that a setting changed at run time (tests) takes effect.
        _pending.wake.wait(timeout=min(1.0, max(0.05, _flush_seconds() / 4)))
        _pending.wake.clear()
        if _pending.due():
            try:
                demand_flush()
            finally:
                connection.close()  # this thread's own connection; the next flush opens one


def _count(
    archive_id: int | None, kind: str, key: str, day: datetime.date | None = None, n: int = 1
) -> None:
    day = day or timezone.localdate()
    rows = PublicDemand.objects.filter(archive_id=archive_id, kind=kind, key=key, day=day)
    if rows.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            PublicDemand.objects.create(archive_id=archive_id, kind=kind, key=key, day=day, count=n)
    except IntegrityError:  # another process made the day's row first
        rows.update(count=F("count") + n)


def demand_flush() -> int:
    """Write this process's pending hits in one transaction; the number of hits written.

    Rows are written in one order in every process, so two processes flushing at once wait for
    each other instead of deadlocking (PostgreSQL)."""
    counts = _pending.take()
    if not counts:
        return 0
    try:
        with transaction.atomic():
            for (archive_id, kind, key, day), n in sorted(
                counts.items(), key=lambda item: (item[0][0] or 0, *item[0][1:])
            ):
                _count(archive_id, kind, key, day, n)
    except DatabaseError as exc:
        _pending.give_back(counts)
        logger.warning("demand counts were not written, kept for the next try: %s", exc)
        return 0
    return sum(counts.values())


def demand_discard_pending() -> None:
    """Forget this process's unwritten hits (tests: nothing carries over to the next test)."""
    _pending.take()


def _hit(archive: Archive | None, kind: str, key: str) -> None:
    due = _pending.add((archive.pk if archive else None, kind, key, timezone.localdate()))
    if _flush_hits() <= 1:  # counting as it happens (tests that read counts at once)
        demand_flush()
        return
    _pending.writer_start()
    if due:
        _pending.wake.set()


def demand_record_search(*, archive: Archive | None, query: str, total: int) -> None:
    """Count one search for ``query`` (and one search that found nothing, if so)."""
    term = search_term_normalise(query)
    if not term or PERSONAL_NUMBER.search(term):
        return
    _hit(archive, PublicDemand.Kind.SEARCH, term)
    if total == 0:
        _hit(archive, PublicDemand.Kind.ZERO_HITS, term)


def demand_record_view(*, archive: Archive, kind: str, key: str) -> None:
    """Count one look at a description (its reference code) or a collection (its slug)."""
    _hit(archive, kind, key[:KEY_MAX])


def demand_add_demo(
    *, archive: Archive, query: str, total: int, day: datetime.date, searches: int
) -> None:
    """Demo data: ``searches`` searches for ``query`` on ``day`` that found ``total`` results."""
    term = search_term_normalise(query)
    _count(archive.pk, PublicDemand.Kind.SEARCH, term, day, searches)
    if total == 0:
        _count(archive.pk, PublicDemand.Kind.ZERO_HITS, term, day, searches)


def _flush_at_exit() -> None:
    try:
        demand_flush()
    except Exception as exc:  # the process is ending; say what was lost, do not raise
        logger.warning("demand counts lost at exit: %s", exc)


atexit.register(_flush_at_exit)
