"""Background tasks of the core app."""

import os
import threading

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from archivox.core.services import worker_heartbeat_record

_warm_lock = threading.Lock()
_warmed = False


@HUEY.on_startup()
def worker_warm() -> None:
    """A worker loads the URLconf (every view module, matplotlib with the survey charts) and the
    search dictionary before its first task, as a web process does (core/warmup.py): rendering a
    post reverses URLs, and the first tasks of each worker waited seconds for those imports
    (issue 24: the first of 500 deliveries appeared 15 s after queueing). Huey calls this in each
    worker thread; the others wait for the first, then go on."""
    from archivox.core.warmup import web_process_warm

    global _warmed
    with _warm_lock:
        if not _warmed and os.environ.get("ARCHIVOX_WARM_START", "1") != "0":
            web_process_warm()
        _warmed = True


@db_task()
def worker_heartbeat(name: str = "huey") -> str:
    """Record that a worker ran; queued by /healthz's checks and by tests."""
    return worker_heartbeat_record(name=name).seen_at.isoformat()


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat_every_minute() -> None:
    worker_heartbeat_record(name="huey")


@db_periodic_task(crontab(minute="17"))
def ratelimit_prune_hourly() -> int:
    from archivox.core.ratelimit import ratelimit_prune

    return ratelimit_prune()
