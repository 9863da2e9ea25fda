"""Background work of exhibitions and events."""

from huey.contrib.djhuey import db_task

from archivox.engagement.exhibitions import services


@db_task()
def event_cancellation_notify(event_id: int, reason: str = "") -> int:
    """Tell everyone registered for a cancelled event, by the channel they registered through."""
    return services.event_cancellation_notify(event_id=event_id, reason=reason)
