"""Background tasks of consultations: deferred replies to inbound messages, the inbox's polls."""

import logging
import sys

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.consultations import kept_answers
from archivox.consultations.services import callback, deferred, intake
from archivox.core.queue import tasks_answer_to_former_module

logger = logging.getLogger(__name__)


@db_task()
def inbound_message_reply_deferred(message_id: int) -> str:
    """Send the reply the callback could not give in time, as a customer-service message."""
    return deferred.inbound_message_reply_send(message_id=message_id).reply_state


@db_task()
def inbound_message_thread(message_id: int) -> None:
    """Thread a WeChat message into the consultation inbox after the callback answered."""
    callback.inbound_message_thread(message_id=message_id)


@db_periodic_task(crontab(minute="*/5"))
def inbound_message_replies_resume_every_five_minutes() -> int:
    """Pick up deferred replies whose task was lost, and messages stranded mid-request."""
    return deferred.inbound_message_replies_resume()


@db_periodic_task(crontab(minute="*/5"))
def consultation_ingest_sweep_every_five_minutes() -> int:
    """Thread WeChat messages that the callback stored but could not thread."""
    return intake.consultation_ingest_sweep()


@db_periodic_task(crontab(minute="*/2"))
def weibo_poll_every_two_minutes() -> int:
    """New Weibo comments and mentions of every active account into the inbox."""
    return intake.weibo_poll_all()


@db_periodic_task(crontab(minute="17"))
def kept_answers_purge_every_hour() -> int:
    """Drop the catalog rule's kept answers that have expired."""
    return kept_answers.purge()


@db_periodic_task(crontab(minute="*/5"))
def imap_poll_every_five_minutes() -> int:
    """Unseen mail of the configured IMAP mailbox into the inbox (when one is configured)."""
    return intake.imap_poll()


tasks_answer_to_former_module("archivox.engagement.tasks", sys.modules[__name__])
