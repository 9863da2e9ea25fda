"""Ids: status and comment ids that grow with time, handed out in commit order."""

from __future__ import annotations

import time

from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from archivox.sandbox.weibo.models import WeiboIdSequence


def next_id() -> int:
    """A new status or comment id, larger than every id handed out before.

    Call it inside the transaction that inserts the row: the sequence row stays locked until
    that transaction commits, so rows become visible in id order and a client polling with
    ``since_id`` never skips one. Ids grow with time (milliseconds × 1000), like the platform's,
    and stay below 2**53."""
    floor = int(time.time() * 1000) * 1000
    for _ in range(3):
        updated = WeiboIdSequence.objects.filter(name="weibo").update(
            value=Greatest(F("value") + 1, Value(floor, output_field=models.BigIntegerField()))
        )
        if updated:
            return WeiboIdSequence.objects.values_list("value", flat=True).get(name="weibo")
        try:
            with transaction.atomic():
                WeiboIdSequence.objects.create(name="weibo", value=floor)
        except IntegrityError:
            continue
        return floor
    raise RuntimeError("could not allocate a Weibo sandbox id")
