"""Rate limits on the public's requests (booking, looking a booking up, feedback, registering),
shared by the pages and the API of reservations and exhibitions."""

from __future__ import annotations

from django.conf import settings

from archivox.core.models import Archive
from archivox.core.ratelimit import ratelimit_hit


def booking_rate_limit() -> tuple[int, int]:
    """Bookings (and code look-ups) one address may make per window: (limit, seconds)."""
    return tuple(getattr(settings, "ARCHIVOX_RESERVATION_RATE_LIMIT", (20, 60)))


def public_request_allowed(*, archive: Archive, action: str, client: str) -> bool:
    """Count one public request (``book``, ``manage``, ``feedback``, ``register``) from the
    ``client`` address; False once the address is over its limit. The pages and the API of
    reservations and exhibitions share these counters."""
    limit, window = booking_rate_limit()
    return ratelimit_hit(f"reservations:{action}:{archive.pk}:{client}", limit=limit, window=window)
