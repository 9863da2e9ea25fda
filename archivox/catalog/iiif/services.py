"""What the IIIF endpoints change: the counter of pictures cut anew for an address."""

from __future__ import annotations

from django.conf import settings

from archivox.core.ratelimit import ratelimit_hit


def iiif_render_allowed(*, client: str) -> bool:
    """Count one picture cut anew (not served from the cache) for ``client``; False once the
    address is over ``IIIF_RENDER_RATE``. Cached pictures are never counted."""
    limit, window = settings.IIIF_RENDER_RATE
    return ratelimit_hit(f"iiif:render:{client}", limit=limit, window=window)
