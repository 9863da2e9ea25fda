"""The survey's periodic work: the current month's monitoring period, opened (or brought up to
date with the archives and accounts added since) once a day."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from archivox.survey.services.monitoring import monitoring_period_open


@db_periodic_task(crontab(minute="17", hour="1"))
def monitoring_period_daily() -> None:
    monitoring_period_open(actor=None, start=timezone.localdate())
