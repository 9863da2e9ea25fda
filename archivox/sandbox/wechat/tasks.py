"""Background work of the WeChat sandbox: finishing publish jobs and pushing events."""

from huey.contrib.djhuey import db_task

from archivox.sandbox.wechat.services.events import sandbox_event_deliver
from archivox.sandbox.wechat.services.publishing import sandbox_publish_finish


# The sandbox stands in for WeChat, whose publish jobs finish whatever our queue holds: at our
# lowest priority they waited behind every delivery, and each WeChat delivery held a worker thread
# polling for its job (issue 24: 500 deliveries took 30-40 s). They go first instead.
@db_task(priority=20)
def sandbox_publish_finish_task(publish_pk: int) -> int:
    """Finish a publish job (the platform does it a moment after freepublish/submit)."""
    return sandbox_publish_finish(publish_pk=publish_pk).status


@db_task(priority=20)
def sandbox_event_deliver_task(delivery_pk: int) -> bool:
    """Push an event to the account's callback URL; True when it was received."""
    return sandbox_event_deliver(delivery_pk=delivery_pk).delivered_at is not None
