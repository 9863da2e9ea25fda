"""Background tasks of the core app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.core.services import worker_heartbeat_record


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
