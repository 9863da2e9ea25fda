"""Fixed-window rate limits shared by every process (the public endpoints, comment areas,
spam floods on the inbox). Usage::

    if not ratelimit_hit(f"topic-comment:{archive.pk}:{person}", limit=5, window=60):
        ...  # refuse with a clear message; nothing is stored

Each call counts one hit; it answers False once ``limit`` hits were already counted in the
current window.
"""

from __future__ import annotations

import time

from archivox.core.models import RateLimitWindow
from archivox.core.queries import counter_add


def ratelimit_hit(key: str, *, limit: int, window: int, now: float | None = None) -> bool:
    """Count one hit for ``key``; True when it is within ``limit`` hits per ``window`` seconds."""
    start = int(now if now is not None else time.time()) // window * window
    # One statement counts the hit and creates the window's row (issue 24: BEGIN, an UPDATE, on
    # a window's first hit an INSERT, a SELECT of the count and COMMIT before); concurrent hits
    # are counted exactly.
    hits = counter_add(RateLimitWindow, {"key": key[:200], "window_start": start}, field="hits")
    return (hits or 0) <= limit


def ratelimit_prune(*, older_than: int = 86400, now: float | None = None) -> int:
    """Delete windows that ended more than ``older_than`` seconds ago; the number deleted."""
    cutoff = int(now if now is not None else time.time()) - older_than
    deleted, _ = RateLimitWindow.objects.filter(window_start__lt=cutoff).delete()
    return deleted
