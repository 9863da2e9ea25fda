"""Fixed-window rate limits shared by every process (the public endpoints, comment areas,
spam floods on the inbox). Usage::

    if not ratelimit_hit(f"topic-comment:{archive.pk}:{person}", limit=5, window=60):
        ...  # refuse with a clear message; nothing is stored

Each call counts one hit; it answers False once ``limit`` hits were already counted in the
current window.
"""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from archivox.core.models import RateLimitWindow


def ratelimit_hit(key: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one hit for ``key``; True when it is within ``limit`` hits per ``window`` seconds."""
    start = int(now if now is not None else time.time()) // window * window
    key = key[:200]
    with transaction.atomic():
        # One UPDATE takes the row lock, so concurrent hits are counted exactly.
        updated = RateLimitWindow.objects.filter(key=key, window_start=start).update(
            hits=F("hits") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitWindow.objects.create(key=key, window_start=start, hits=1)
            except IntegrityError:
                RateLimitWindow.objects.filter(key=key, window_start=start).update(
                    hits=F("hits") + 1
                )
        hits = RateLimitWindow.objects.filter(key=key, window_start=start).values_list(
            "hits", flat=True
        )[0]
    return hits <= limit


def ratelimit_prune(*, older_than: int = 86400, now: float | None = None) -> int:
    """Delete windows that ended more than ``older_than`` seconds ago; the number deleted."""
    cutoff = int(now if now is not None else time.time()) - older_than
    deleted, _ = RateLimitWindow.objects.filter(window_start__lt=cutoff).delete()
    return deleted
