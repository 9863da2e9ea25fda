"""Background tasks of the desk. State lives in the database: the periodic tasks pick up what
is due (scheduled posts, retries, deliveries whose worker died), so nothing is lost when the
queue or a process is restarted."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.publishing.services.deliveries import deliveries_resume, delivery_run
from archivox.publishing.services.publish import posts_publish_due


# Sending comes before archiving when the queue is long: readers wait for the one, not the other.
@db_task(priority=10)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery (at most once; see services.deliveries.delivery_run)."""
    return delivery_run(delivery_id=delivery_id)


@db_task()
def delivery_archive(delivery_id: int) -> int:
    """Write a sent delivery (as sent, as served, and the platform's answer) to the WARC."""
    from archivox.publishing.warc import delivery_archive_write

    return delivery_archive_write(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def publishing_every_minute() -> int:
    """Publish due scheduled posts; resume deliveries that are due or were stranded."""
    published = posts_publish_due()
    for delivery_id in deliveries_resume():
        delivery_send(delivery_id)
    return published


@db_periodic_task(crontab(minute="40", hour="*/6"))
def publishing_metrics_pull() -> int:
    """Reads, likes, shares and comments of published posts, into the survey's post records."""
    from archivox.publishing.metrics import metrics_pull

    return metrics_pull()
