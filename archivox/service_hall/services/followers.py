"""Known followers: a page of the archive's services opened in WeChat's browser learns, by a
silent ``snsapi_base`` authorisation, which follower is there, so that what they do there
(a booking) is tied to them and its messages reach them in WeChat.

The openid is never shown and never kept here: the session holds only the authorisation's
``state`` (checked against CSRF: a code arriving with another state is refused) and the page to
return to; the openid goes, signed, to the service that records the action, which keeps it
with the action's personal data (and purges it with them). Outside WeChat, or when the account
cannot authorise (not a service account), nothing happens and the pages work as before."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from archivox.consultations.services.followers import (
    follower_token_for as ask_follower_token_for,
)
from archivox.core.models import Archive, PlatformAccount
from archivox.platforms.wechat.client import WeChatError, client_for_account
from archivox.platforms.wechat.client.oauth import oauth_authorize_url
from archivox.polls.identity import person_token_for as poll_person_token_for
from archivox.records_requests.services.followers import (
    follower_token_for as records_follower_token_for,
)
from archivox.reservations.services import follower_token_for
from archivox.service_hall.selectors import is_wechat_browser, wechat_account_of_archive

SESSION_KEY = "service_hall_wechat_auth"
STATE_MAX_AGE = 600  # seconds an authorisation may take (WeChat's code lives 5 minutes)
RETRY_AFTER = 600  # after a failed authorisation, the pages are left alone this long


def _reservations_identity(archive: Archive, openid: str) -> dict[str, str]:
    return {"wx": follower_token_for(archive=archive, openid=openid)}


def _records_identity(archive: Archive, openid: str) -> dict[str, str]:
    return {"wx": records_follower_token_for(archive=archive, openid=openid)}


def _ask_identity(archive: Archive, openid: str) -> dict[str, str]:
    return {"wx": ask_follower_token_for(archive=archive, openid=openid)}


def _polls_identity(archive: Archive, openid: str) -> dict[str, str]:
    # The polls' own signed person token (polls.identity), as a follower's link carries it:
    # the response is held under the openid's digest, so one follower answers once, on any
    # device.
    return {"t": poll_person_token_for(archive=archive, openid=openid)}


# The services whose pages learn the follower, by URL namespace (every page of the service) or
# view name (that page only), and how each is told (query parameters added to the page's URL).
IDENTITY_FOR: dict[str, Callable[[Archive, str], dict[str, str]]] = {
    "reservations": _reservations_identity,
    "records:apply": _records_identity,
    "ask:ask": _ask_identity,
    "polls:detail": _polls_identity,
}
# The query parameters those identities arrive in: a page that has one is not authorised again.
IDENTITY_PARAMETERS = ("wx", "t")


class FollowerAuthRefused(Exception):
    """The authorisation's answer cannot be taken (state unknown, expired or forged)."""


def _account_can_authorise(account: PlatformAccount | None) -> bool:
    return (
        account is not None
        and bool(account.app_secret)
        and account.wechat_type == PlatformAccount.WeChatType.SERVICE
    )


def follower_auth_wanted(
    *, archive: Archive, namespace: str, user_agent: str, query: Any, session: Any
) -> bool:
    """Whether this request should first learn who the follower is."""
    if namespace not in IDENTITY_FOR or not is_wechat_browser(user_agent):
        return False
    if "code" in query or any(name in query for name in IDENTITY_PARAMETERS):
        return False
    pending = session.get(SESSION_KEY, {}).get(archive.slug, {})
    if pending.get("failed_at", 0) > time.time() - RETRY_AFTER:
        return False
    return _account_can_authorise(wechat_account_of_archive(archive))


def follower_auth_start(*, archive: Archive, namespace: str, next_path: str, session: Any) -> str:
    """Remember a fresh ``state`` and the page in the session; the authorise URL to go to."""
    account = wechat_account_of_archive(archive)
    assert account is not None
    state = secrets.token_urlsafe(16)
    entries = dict(session.get(SESSION_KEY, {}))
    entries[archive.slug] = {
        "state": state,
        "next": next_path,
        "namespace": namespace,
        "at": time.time(),
    }
    session[SESSION_KEY] = entries
    path = reverse("service_hall:wechat_auth_return", kwargs={"slug": archive.slug})
    return oauth_authorize_url(
        appid=account.appid, redirect_uri=settings.BASE_URL + path, state=state
    )


def follower_auth_finish(*, archive: Archive, code: str, state: str, session: Any) -> str:
    """Check ``state`` (once), exchange ``code`` for the openid, and return the page to go
    back to with the follower's identity for that service. A refused or failed authorisation
    returns the page without it (and is not tried again for a while); a state that is not the
    one this session started raises FollowerAuthRefused."""
    entries = dict(session.get(SESSION_KEY, {}))
    pending = entries.get(archive.slug) or {}
    expected = str(pending.get("state", ""))
    if (
        not expected
        or not state
        or not secrets.compare_digest(expected, state)
        or pending.get("at", 0) < time.time() - STATE_MAX_AGE
    ):
        raise FollowerAuthRefused("the authorisation's state is not this session's")
    next_path = str(pending.get("next") or "/")
    identity = IDENTITY_FOR.get(str(pending.get("namespace", "")))
    entries[archive.slug] = {}  # a state is used once
    openid = ""
    account = wechat_account_of_archive(archive)
    if code and identity is not None and _account_can_authorise(account):
        try:
            with client_for_account(account) as api:
                openid = api.oauth_openid(code)
        except WeChatError:
            openid = ""
    if not openid:
        entries[archive.slug] = {"failed_at": time.time()}
        session[SESSION_KEY] = entries
        return next_path
    session[SESSION_KEY] = entries
    joiner = "&" if "?" in next_path else "?"
    return next_path + joiner + urlencode(identity(archive, openid))
