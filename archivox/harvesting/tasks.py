"""Background harvests: the runs staff start, and the scheduled ones every hour."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from archivox.harvesting import services


@db_task()
def harvest_run_task(run_id: int) -> str:
    return services.harvest_run_execute(run_id).status


@db_periodic_task(crontab(minute="23"))
def harvest_due_every_hour() -> list[int]:
    return services.harvest_due()
