"""Background tasks of engagement: deferred replies to inbound messages."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.engagement import services


@db_task()
def inbound_message_reply_deferred(message_id: int) -> str:
    """Send the reply the callback could not give in time, as a customer-service message."""
    return services.inbound_message_reply_send(message_id=message_id).reply_state


@db_periodic_task(crontab(minute="*/5"))
def inbound_message_replies_resume_every_five_minutes() -> int:
    """Pick up deferred replies whose task was lost, and messages stranded mid-request."""
    return services.inbound_message_replies_resume()
