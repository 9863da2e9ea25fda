"""Background work of reservations: reminders before visits, slots ahead, feedback invitations."""

import sys

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.core.queue import tasks_answer_to_former_module
from archivox.reservations.services import reminders, slots


@db_periodic_task(crontab(minute="*/15"))
def reservation_reminders_every_quarter_hour() -> dict:
    """Remind people of tomorrow's visits by the channel they booked through (once each)."""
    return reminders.reservation_reminders_send()


@db_periodic_task(crontab(minute="7", hour="0"))
def reservation_slots_daily() -> int:
    """Generate the slots of every active resource for its booking horizon."""
    return slots.slots_generate_ahead()


@db_task()
def reservation_feedback_invite(booking_id: int) -> bool:
    """Ask a visitor who was just checked in to rate the visit."""
    delivered, _note = reminders.reservation_feedback_invite(booking_id=booking_id)
    return delivered


@db_task()
def reservation_confirm(booking_id: int) -> bool:
    """Confirm a booking made by a known WeChat follower, in WeChat (or by e-mail)."""
    delivered, _note = reminders.reservation_confirmation_send(booking_id=booking_id)
    return delivered


tasks_answer_to_former_module("archivox.engagement.reservations.tasks", sys.modules[__name__])
