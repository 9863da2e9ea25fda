"""Faults: make an account's next calls fail on purpose, clear them, use one up."""

from __future__ import annotations

from django.db import transaction

from archivox.sandbox.wechat.models import Account, Fault
from archivox.sandbox.wechat.services.common import SandboxError


@transaction.atomic
def sandbox_fault_set(
    *,
    appid: str,
    mode: str,
    remaining: int = 1,
    api: str = "",
    seconds: float | None = None,
) -> Fault:
    """Make the account's next ``remaining`` calls (of ``api``, or of any API) fail this way."""
    if mode not in Fault.Mode.values:
        raise SandboxError(f"unknown fault mode {mode!r}; use one of {', '.join(Fault.Mode)}")
    if remaining < 1:
        raise SandboxError("remaining must be at least 1")
    account = Account.objects.get(appid=appid)
    return Fault.objects.create(
        account=account, mode=mode, remaining=remaining, api=api.strip("/"), seconds=seconds
    )


@transaction.atomic
def sandbox_faults_clear(*, appid: str) -> int:
    deleted, _ = Fault.objects.filter(account__appid=appid).delete()
    return deleted


def sandbox_fault_take(
    *, account: Account, api: str, mode: str | None = None, waiting: bool | None = None
) -> Fault | None:
    """Use up one call of the oldest fault matching ``api`` (and ``mode``); None if none.
    ``waiting``: whether the account has faults, when the caller knows already."""
    if waiting is None:
        waiting = Fault.objects.filter(account=account, remaining__gt=0).exists()
    if not waiting:
        return None  # the usual case, answered without taking a write lock
    with transaction.atomic():
        faults = Fault.objects.select_for_update().filter(account=account, remaining__gt=0)
        if mode is not None:
            faults = faults.filter(mode=mode)
        else:
            faults = faults.exclude(mode=Fault.Mode.PUBLISH_FAIL)
        for fault in faults.order_by("id"):
            if fault.api in ("", api):
                fault.remaining -= 1
                if fault.remaining:
                    fault.save(update_fields=["remaining"])
                else:
                    fault.delete()
                return fault
    return None
