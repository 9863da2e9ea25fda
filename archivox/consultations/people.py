"""Who sent a message, as the inbox keeps it: a WeChat follower's openid and a Weibo uid only as
a keyed digest (``core.fields.person_digest``, the same ``wx:<openid>`` digest bookings, polls
and topics hold), an e-mail address as it is (it is where the answer goes). The digest finds
"one open consultation per person" and threads messages; the openid an answer must reach is
kept beside it, encrypted (``InboundMessage.sender_openid``, ``Consultation.person_openid``)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from archivox.core.fields import person_digest

# What a digest looks like (64 hex digits); an openid (28 characters of base64) or a Weibo uid
# (digits) never does.
DIGEST = re.compile(r"[0-9a-f]{64}")

# The channels whose identities are kept only as a digest, with the digest's prefix.
_DIGESTED = {"wechat": "wx:", "weibo": "wb:"}


def sender_key(channel: str, identity: str) -> str:
    """What ``InboundMessage.sender`` and ``Consultation.person`` hold for ``identity`` (an
    openid, a Weibo uid, an e-mail address) on ``channel``."""
    prefix = _DIGESTED.get(channel)
    return person_digest(prefix + identity) if prefix else identity


def sender_keys_for(identity: str) -> list[str]:
    """Every key ``identity`` may be held under, whatever the channel (export, look-ups)."""
    return [identity, *(person_digest(prefix + identity) for prefix in _DIGESTED.values())]


def person_label(channel: str, key: str, name: str = "") -> str:
    """How staff see a person: the name they gave, the e-mail address, or for a follower a
    short pseudonym from the digest (the same person, the same pseudonym; never the openid)."""
    if name:
        return name
    if key.startswith("purged-"):
        return _("personal data removed")
    if channel not in _DIGESTED:
        return key
    if channel == "wechat":
        return _("WeChat follower %(tag)s") % {"tag": key[:6]}
    return _("Weibo user %(tag)s") % {"tag": key[:6]}
