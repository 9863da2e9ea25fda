"""What a web process loads before its first request, not during it.

Without this, each worker imports every view module (and matplotlib with the survey charts)
on its first request and jieba builds its dictionary on its first search: the first callers
wait seconds (WeChat gives up after 5), and a worker's memory keeps growing for as long as
some page has not been asked for yet, which looks like a leak to whoever watches it."""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


def web_process_warm() -> float:
    """Import every URL's view and load the search dictionary; returns the seconds it took.
    A failure is logged, not raised: the worker then loads what it needs on first use."""
    started = time.monotonic()
    try:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
        import jieba

        jieba.initialize()
    except Exception:
        logger.exception("web process not warmed; it will load what it needs on first use")
    seconds = time.monotonic() - started
    logger.info("web process warmed", extra={"seconds": round(seconds, 2)})
    return seconds
