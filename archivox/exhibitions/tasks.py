"""Background work of exhibitions and events."""

import sys

from huey.contrib.djhuey import db_task

from archivox.core.queue import tasks_answer_to_former_module
from archivox.exhibitions import services


@db_task()
def event_cancellation_notify(event_id: int, reason: str = "") -> int:
    """Tell everyone registered for a cancelled event, by the channel they registered through."""
    return services.event_cancellation_notify(event_id=event_id, reason=reason)


tasks_answer_to_former_module("archivox.engagement.exhibitions.tasks", sys.modules[__name__])
