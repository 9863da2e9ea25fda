"""Faults: from the ``X-Sandbox-Fault`` header of a request, or set for an account's next
requests."""

from __future__ import annotations

import dataclasses

from django.db.models import F

from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.models import WeiboAuthorization, WeiboFault
from archivox.sandbox.weibo.services.accounts import _grant_for


@dataclasses.dataclass(frozen=True)
class Fault:
    mode: str
    seconds: float = 0.0


FAULT_DEFAULT_SECONDS = {"delay": 2.0, "timeout": 5.0}


def parse_fault_header(value: str) -> Fault | None:
    """``X-Sandbox-Fault: delay=2 | timeout[=seconds] | http500 | http502 | http503 |
    drop_after_commit``."""
    value = (value or "").strip().lower()
    if not value:
        return None
    mode, _, argument = value.partition("=")
    if mode not in WeiboFault.Mode.values:
        raise SandboxWeiboError(
            10008, f"Param error: unknown X-Sandbox-Fault {value!r}, see doc for more info."
        )
    try:
        seconds = float(argument) if argument else FAULT_DEFAULT_SECONDS.get(mode, 0.0)
    except ValueError as exc:
        raise SandboxWeiboError(
            10008, f"Param error: X-Sandbox-Fault {value!r} needs seconds"
        ) from exc
    return Fault(mode, max(0.0, min(seconds, 120.0)))


def sandbox_weibo_fault_take(
    *, authorization: WeiboAuthorization, header: str, path: str
) -> Fault | None:
    """The fault for this request: the header's, else one of the account's remaining ones."""
    fault = parse_fault_header(header)
    if fault is not None:
        return fault
    row = WeiboFault.objects.filter(authorization=authorization, remaining__gt=0).first()
    if row is None or (row.path and row.path != path):
        return None
    if not WeiboFault.objects.filter(pk=row.pk, remaining__gt=0).update(
        remaining=F("remaining") - 1
    ):
        return None
    return Fault(row.mode, row.seconds)


def sandbox_weibo_fault_set(
    uid: str,
    *,
    mode: str,
    count: int = 1,
    seconds: float | None = None,
    path: str = "",
) -> WeiboFault | None:
    """Inject ``mode`` into the account's next ``count`` API requests (``mode="none"`` clears).

    ``path`` limits it to one call, e.g. ``/2/statuses/share.json``."""
    grant = _grant_for(uid)
    if mode in ("", "none") or count <= 0:
        WeiboFault.objects.filter(authorization=grant).delete()
        return None
    if mode not in WeiboFault.Mode.values:
        raise SandboxWeiboError(10008, f"Param error: unknown fault mode {mode!r}")
    fault, _ = WeiboFault.objects.update_or_create(
        authorization=grant,
        defaults={
            "mode": mode,
            "remaining": int(count),
            "seconds": seconds if seconds is not None else FAULT_DEFAULT_SECONDS.get(mode, 0.0),
            "path": path,
        },
    )
    return fault
