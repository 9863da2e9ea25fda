"""Background tasks of the desk. State lives in the database: the periodic tasks pick up what
is due (scheduled posts, retries, deliveries whose worker died), so nothing is lost when the
queue or a process is restarted."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.publishing.services.deliveries import deliveries_resume, delivery_run
from archivox.publishing.services.publish import post_publish_queued, posts_publish_due
from archivox.publishing.services.recall import recall_copy_run, recalls_detect, recalls_sweep


# Sending comes before archiving when the queue is long: readers wait for the one, not the other.
@db_task(priority=10)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery (at most once; see services.deliveries.delivery_run)."""
    return delivery_run(delivery_id=delivery_id)


# Publishing queued from the desk (services.publish.post_publish_queue): the rendering and the
# deliveries are made here, not in the request.
@db_task(priority=10)
def post_publish(post_id: int, actor_id: int | None, rip: str = "") -> int:
    return post_publish_queued(post_id=post_id, actor_id=actor_id, rip=rip)


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


# Recall: a reclassified item's published copies. A withdrawal waits behind nothing but sends.
@db_task(priority=5)
def recall_detect(archive_id: int) -> int:
    """Recall the copies of an archive's posts that quote an item no longer fit to be shown so
    (queued when the catalog announces a change of access)."""
    return len(recalls_detect(archive_ids=[archive_id]))


@db_task(priority=5)
def recall_withdraw(delivery_id: int) -> str:
    """Ask the platform to delete one recalled copy and record its answer."""
    return recall_copy_run(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*/5"))
def recalls_every_five_minutes() -> int:
    """Recalls no signal announced, and withdrawals whose task was lost or whose worker died."""
    ids = recalls_sweep()
    for delivery_id in ids:
        recall_withdraw(delivery_id)
    return len(ids)


def on_access_changed(sender, *, archive_id: int, **kwargs) -> None:
    """The catalog's ``access_changed`` (connected in ``apps.py``): queue the detection; the
    rule lives in ``services.recall``."""
    recall_detect(archive_id)
