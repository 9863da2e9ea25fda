"""The WeChat follower behind a question asked on the portal inside WeChat's browser: a signed
``wx`` token the ask page carries (given by the service hall after a silent authorisation),
read back into the openid the consultation keeps, so that the answer reaches them in WeChat."""

from __future__ import annotations

from django.core import signing

from archivox.core.models import Archive

FOLLOWER_SALT = "archivox.consultations.wechat-follower"
FOLLOWER_MAX_AGE = 24 * 3600
TOKEN_MAX = 600


def follower_token_for(*, archive: Archive, openid: str) -> str:
    """The signed ``wx`` token of follower ``openid`` at ``archive`` (never the openid shown)."""
    return signing.dumps({"a": archive.pk, "o": openid}, salt=FOLLOWER_SALT)


def follower_openid_from_token(*, archive: Archive, token: str) -> str:
    """The openid a token was made for, or "" when missing, forged, expired or another
    archive's: the question then goes ahead without the follower (answered by e-mail)."""
    if not token or len(token) > TOKEN_MAX:
        return ""
    try:
        data = signing.loads(token, salt=FOLLOWER_SALT, max_age=FOLLOWER_MAX_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("a") != archive.pk or not data.get("o"):
        return ""
    return str(data["o"])[:64]
