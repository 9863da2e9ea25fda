"""The request log and the hourly rate limits (all calls, posts, comments) of each account."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from archivox.core.queries import counter_add
from archivox.sandbox.weibo.errors import SandboxWeiboError
from archivox.sandbox.weibo.models import WeiboAuthorization, WeiboRateCounter, WeiboRequestLog


def sandbox_weibo_request_record(
    *, authorization: WeiboAuthorization | None, method: str, path: str, fault: str = ""
) -> WeiboRequestLog:
    return WeiboRequestLog.objects.create(
        authorization=authorization, method=method, path=path[:100], fault=fault
    )


def _window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).replace(minute=0, second=0, microsecond=0)


def _counter_hit(grant: WeiboAuthorization, bucket: str, window: datetime.datetime) -> int:
    key = {"authorization": grant, "bucket": bucket, "window_start": window}
    return counter_add(WeiboRateCounter, key) or 0


@transaction.atomic
def sandbox_weibo_rate_limit_hit(
    *, authorization: WeiboAuthorization, path: str, bucket: str | None = None
) -> None:
    """Count one request in this clock hour; over the limit → HTTP 403, 10023 or 10024."""
    window = _window_start()
    if _counter_hit(authorization, "all", window) > authorization.hourly_limit:
        raise SandboxWeiboError(10023, "User requests out of rate limit!", 403)
    limits = {
        "post": authorization.hourly_post_limit,
        "comment": authorization.hourly_comment_limit,
    }
    if bucket and _counter_hit(authorization, bucket, window) > limits[bucket]:
        raise SandboxWeiboError(10024, f"User requests for ({path}) out of rate limit!", 403)


def sandbox_weibo_rate_limit_status(authorization: WeiboAuthorization) -> dict[str, Any]:
    """``account/rate_limit_status``: the user's remaining hits in this hour and the reset."""
    now = timezone.now()
    window = _window_start(now)
    used = (
        WeiboRateCounter.objects.filter(
            authorization=authorization, bucket="all", window_start=window
        )
        .values_list("count", flat=True)
        .first()
        or 0
    )
    reset = window + datetime.timedelta(hours=1)
    return {
        "ip_limit": 10000,
        "limit_time_unit": "HOURS",
        "remaining_ip_hits": 10000,
        "remaining_user_hits": max(0, authorization.hourly_limit - used),
        "reset_time": timezone.localtime(reset).strftime("%Y-%m-%d %H:%M:%S"),
        "reset_time_in_seconds": int((reset - now).total_seconds()),
        "user_limit": authorization.hourly_limit,
    }
