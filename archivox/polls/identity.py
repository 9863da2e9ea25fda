"""Who is answering or commenting, without accounts.

A WeChat follower arrives through a link the account sent them; the link carries a signed token
naming the archive and their openid (``django.core.signing``, own salt, limited age), so nobody
can vote as another follower by editing the link. A web visitor gets a random id in a signed
cookie. Polls and topics share both, so one person is one person across them.

A follower's ``person_id`` is a keyed digest of the openid (``core.fields.person_digest``), so
responses and comments never hold the openid in plain text; the openid itself rides along in
``Person.openid`` for what must reach the follower (interest labels keep it encrypted)."""

from __future__ import annotations

import dataclasses
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from archivox.core.fields import person_digest
from archivox.core.models import Archive
from archivox.polls.models import Channel

TOKEN_SALT = "archivox.consultations.person-token"  # noqa: S105 (a salt, not a secret)
COOKIE_SALT = "archivox.consultations.person-cookie"
COOKIE_NAME = "archivox_person"
COOKIE_MAX_AGE = 365 * 24 * 3600
# A link sent in a WeChat reply stays good for a week; after that the follower asks again.
TOKEN_MAX_AGE = 7 * 24 * 3600


class IdentityError(Exception):
    """The link's token is forged, for another archive, or too old; the message says what to do."""


@dataclasses.dataclass(frozen=True)
class Person:
    channel: str
    person_id: str
    # Set when the id is new and must be sent back in a cookie.
    new_cookie: bool = False
    # A WeChat follower's openid (never stored in plain text; ``person_id`` is its digest).
    openid: str = ""

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.person_id}"


def person_token_for(*, archive: Archive, openid: str) -> str:
    """A signed token naming a WeChat follower of ``archive``."""
    return signing.dumps({"a": archive.pk, "o": openid}, salt=TOKEN_SALT, compress=True)


def person_from_token(*, archive: Archive, token: str, max_age: int | None = None) -> Person:
    try:
        data = signing.loads(
            token, salt=TOKEN_SALT, max_age=max_age if max_age is not None else TOKEN_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise IdentityError(
            _("This link has expired. Send any message to the account to get a new one.")
        ) from exc
    except signing.BadSignature as exc:
        raise IdentityError(
            _("This link is not valid. Open it again from the account's message.")
        ) from exc
    if not isinstance(data, dict) or data.get("a") != archive.pk or not data.get("o"):
        raise IdentityError(_("This link belongs to another archive."))
    return follower_person(str(data["o"])[:128])


def follower_person(openid: str) -> Person:
    """The WeChat follower ``openid`` as a person of polls and topics."""
    return Person(channel=Channel.WECHAT, person_id=follower_person_id(openid), openid=openid)


def follower_person_id(openid: str) -> str:
    """What responses, labels and comments hold for follower ``openid``."""
    return person_digest(f"wx:{openid}")


def person_from_request(request: HttpRequest, *, archive: Archive, token: str = "") -> Person:
    """The person behind a request: the link's token when there is one, else the browser's
    signed cookie, else a new browser id (to be set with ``person_remember``)."""
    if token:
        return person_from_token(archive=archive, token=token)
    value = request.get_signed_cookie(COOKIE_NAME, default="", salt=COOKIE_SALT)
    if value:
        return Person(channel=Channel.WEB, person_id=value)
    return Person(channel=Channel.WEB, person_id=uuid.uuid4().hex, new_cookie=True)


def person_remember(response: HttpResponse, person: Person) -> HttpResponse:
    """Set the browser's cookie when ``person`` is new to it."""
    if person.new_cookie:
        response.set_signed_cookie(
            COOKIE_NAME,
            person.person_id,
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def link_with_token(url: str, *, archive: Archive, openid: str) -> str:
    return f"{url}?{urlencode({'t': person_token_for(archive=archive, openid=openid)})}"
