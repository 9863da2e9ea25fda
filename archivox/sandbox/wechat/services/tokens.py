"""Access tokens and quotas: ``/cgi-bin/token``, checking a token on each call, and the daily and
per-minute limits of each API."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from archivox.core.queries import counter_add, found
from archivox.sandbox.wechat import rules
from archivox.sandbox.wechat.models import AccessToken, Account, Fault, QuotaUsage
from archivox.sandbox.wechat.selectors import account_now, beijing_date, beijing_midnight
from archivox.sandbox.wechat.services.common import SandboxApiError, SandboxError


@transaction.atomic
def token_issue(*, appid: str, secret: str, grant_type: str) -> dict[str, Any]:
    """``/cgi-bin/token``: a new access_token; the previous one keeps working for 5 minutes."""
    if grant_type != "client_credential":
        raise SandboxApiError(40002)
    if not appid:
        raise SandboxApiError(41002)
    if not secret:
        raise SandboxApiError(41004)
    account = Account.objects.select_for_update().filter(appid=appid).first()
    if account is None:
        raise SandboxApiError(40013)
    if not secrets.compare_digest(secret, account.app_secret):
        raise SandboxApiError(40001)
    now = account_now(account)
    quota_consume(account=account, api="token")
    AccessToken.objects.filter(
        account=account, superseded_at__isnull=True, expires_at__gt=now
    ).update(superseded_at=now)
    token = AccessToken.objects.create(
        account=account,
        value=secrets.token_urlsafe(96),
        issued_at=now,
        expires_at=now + datetime.timedelta(seconds=rules.TOKEN_LIFETIME),
    )
    return {"access_token": token.value, "expires_in": rules.TOKEN_LIFETIME}


_LOOK_UP: Any = object()


def token_find(value: str) -> AccessToken | None:
    """The access_token row (with its account), valid or not; None for an unknown one.

    ``faulted`` on the row says whether the account has faults waiting: every platform call
    asks, and asking here saves each call a query (issue 24)."""
    if not value:
        return None
    waiting = Fault.objects.filter(account=OuterRef("account_id"), remaining__gt=0)
    return found(
        AccessToken.objects.select_related("account")
        .annotate(faulted=Exists(waiting))
        .filter(value=value)
    )


def token_account(value: str) -> Account | None:
    """The account an access_token belongs to, valid or not (to pick its faults)."""
    token = token_find(value)
    return token.account if token else None


def token_check(value: str, *, found: AccessToken | None = _LOOK_UP) -> Account:
    """The account of a valid access_token, or the platform's refusal. ``found``: the row
    ``token_find`` already returned for ``value`` (one query a call, not two)."""
    if not value:
        raise SandboxApiError(41001)
    token = token_find(value) if found is _LOOK_UP else found
    if token is None:
        raise SandboxApiError(40014)
    now = account_now(token.account)
    if now >= token.expires_at:
        raise SandboxApiError(42001)
    overlap = datetime.timedelta(seconds=rules.TOKEN_OVERLAP)
    if token.superseded_at is not None and now >= token.superseded_at + overlap:
        raise SandboxApiError(40001)
    return token.account


def quota_consume(*, account: Account, api: str) -> None:
    """Count one call of ``api``; refuse it over the daily quota (45009) or the per-minute
    frequency limit (45011)."""
    now = account_now(account)
    limits = [
        (period, limit, start, errcode)
        for period, limit, start, errcode in (
            ("day", rules.DAILY_QUOTA.get(api), beijing_midnight(beijing_date(now)), 45009),
            ("minute", rules.MINUTE_QUOTA.get(api), now.replace(second=0, microsecond=0), 45011),
        )
        if limit is not None
    ]
    if len(limits) > 1:
        # A call refused by its second limit must not have used up the first.
        with transaction.atomic():
            _quota_count(account, api, limits)
    else:
        # One limit: its one statement is atomic by itself, and most APIs have only the daily one
        # (issue 24: a transaction around it was two more round trips a call).
        _quota_count(account, api, limits)


def _quota_count(account: Account, api: str, limits: list[tuple[str, int, Any, int]]) -> None:
    for period, limit, start, errcode in limits:
        key = {"account": account, "api": api, "period": period, "period_start": start}
        if counter_add(QuotaUsage, key, below=limit) is None:
            raise SandboxApiError(errcode)


@transaction.atomic
def sandbox_quota_use(*, appid: str, api: str, count: int, period: str = "day") -> None:
    """Record that ``count`` calls of ``api`` were made already this day (or this minute),
    to reach a quota without making them."""
    if period not in ("day", "minute"):
        raise SandboxError("period must be day or minute")
    account = Account.objects.get(appid=appid)
    now = account_now(account)
    if period == "day":
        start = beijing_midnight(beijing_date(now))
    else:
        start = now.replace(second=0, microsecond=0)
    QuotaUsage.objects.update_or_create(
        account=account, api=api, period=period, period_start=start, defaults={"count": count}
    )
