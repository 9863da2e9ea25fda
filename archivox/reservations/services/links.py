"""Signed links: the WeChat follower's reservations link (a menu reply) and the visitor's
feedback link."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from archivox.core.models import Archive
from archivox.reservations.models import Booking
from archivox.reservations.services.common import BookingRefused

WECHAT_LINK_SALT = "archivox.reservations.wechat-follower"
WECHAT_LINK_MAX_AGE = 7 * 24 * 3600
FEEDBACK_SALT = "archivox.reservations.visit-feedback"
FEEDBACK_MAX_AGE = 60 * 24 * 3600

# A signed token in a link (WeChat follower, feedback) is never longer than this.
TOKEN_MAX = 600


def follower_token_for(*, archive: Archive, openid: str) -> str:
    """The signed ``wx`` token of follower ``openid`` at ``archive``: what the reservations
    pages carry along (also given after a silent WeChat authorisation, ``service_hall``)."""
    return signing.dumps({"a": archive.pk, "o": openid}, salt=WECHAT_LINK_SALT)


def reservation_link_for_follower(*, archive: Archive, openid: str) -> str:
    """The reservations page of ``archive`` for the WeChat follower ``openid`` (a menu reply).

    We cannot use WeChat OAuth here, so the link carries the openid signed (salted, expiring
    after WECHAT_LINK_MAX_AGE); bookings made through it remember the follower, and their
    reminders go back to WeChat."""
    token = follower_token_for(archive=archive, openid=openid)
    path = reverse("reservations:index", kwargs={"slug": archive.slug})
    return f"{settings.BASE_URL}{path}?wx={token}"


def follower_openid_from_token(*, archive: Archive, token: str) -> str:
    """The openid a follower link was made for; BookingRefused when forged, for another
    archive, or expired."""
    try:
        data = signing.loads(token, salt=WECHAT_LINK_SALT, max_age=WECHAT_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BookingRefused(
            "link_expired",
            _("This WeChat link has expired; please open the menu in WeChat again."),
        ) from exc
    except signing.BadSignature as exc:
        raise BookingRefused("link_invalid", _("This WeChat link is not valid.")) from exc
    if not isinstance(data, dict) or data.get("a") != archive.pk or not data.get("o"):
        raise BookingRefused("link_invalid", _("This WeChat link is not valid."))
    return str(data["o"])[:64]


def feedback_token_for(booking: Booking) -> str:
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=FEEDBACK_SALT)


def feedback_link_for(booking: Booking) -> str:
    path = reverse(
        "reservations:feedback",
        kwargs={"slug": booking.archive.slug, "token": feedback_token_for(booking)},
    )
    return f"{settings.BASE_URL}{path}"


def booking_from_feedback_token(token: str) -> Booking:
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=FEEDBACK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BookingRefused("link_expired", _("This feedback link has expired.")) from exc
    except signing.BadSignature as exc:
        raise BookingRefused("link_invalid", _("This feedback link is not valid.")) from exc
    booking = (
        Booking.objects.select_related("slot__resource", "archive")
        .filter(pk=data.get("b"), code=data.get("c"))
        .first()
    )
    if booking is None:
        raise BookingRefused("link_invalid", _("This feedback link is not valid."))
    return booking
