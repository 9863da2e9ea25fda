"""What a web process loads before its first request, not during it.

Without this, each worker imports every view module (and matplotlib with the survey charts)
on its first request and jieba builds its dictionary on its first search: the first callers
wait seconds (WeChat gives up after 5), and a worker's memory keeps growing for as long as
some page has not been asked for yet, which looks like a leak to whoever watches it."""

from __future__ import annotations

import contextlib
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
        _reverse_warm()
        import jieba

        jieba.initialize()
    except Exception:
        logger.exception("web process not warmed; it will load what it needs on first use")
    seconds = time.monotonic() - started
    logger.info("web process warmed", extra={"seconds": round(seconds, 2)})
    return seconds


def _reverse_warm() -> None:
    """Fill Django's reverse tables for every namespace and language now.

    Django fills them on the first ``reverse()`` of each namespace in each language, and many
    threads arriving at once each fill them again: in a worker with 16 threads rendering posts,
    that was 2,500 fills and 6 s of CPU for the first 30 posts (issue 24); here it is ~0.3 s
    once."""
    from django.conf import settings
    from django.urls import NoReverseMatch, get_resolver, reverse
    from django.utils import translation

    def walk(resolver, prefix: str) -> None:
        for namespace, (_pattern, sub) in list(resolver.namespace_dict.items()):
            path = f"{prefix}{namespace}"
            name = next((key for key in sub.reverse_dict if isinstance(key, str)), None)
            if name is not None:
                # The arguments do not fit most URLs; what is wanted is the lookup, not a URL.
                with contextlib.suppress(NoReverseMatch):
                    reverse(f"{path}:{name}")
            walk(sub, f"{path}:")

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            walk(get_resolver(), "")
