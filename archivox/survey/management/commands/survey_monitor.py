import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from archivox.survey.services.monitoring import monitoring_period_open


class Command(BaseCommand):
    help = (
        "Open the monitoring period of a month (default: the current one) over every archive "
        "with an account on Archivox; its report compares it with the month before. Idempotent: "
        "run it daily or monthly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", type=datetime.date.fromisoformat, help="any day of the month, YYYY-MM-DD"
        )
        parser.add_argument("--end", type=datetime.date.fromisoformat, help="a period's last day")

    def handle(self, *args, **options) -> None:
        start = options["month"] or timezone.localdate()
        try:
            survey = monitoring_period_open(actor=None, start=start, end=options["end"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        regions = survey.survey_regions.count()
        self.stdout.write(
            f"{survey.slug}: {survey.starts_on} – {survey.cutoff}, {regions} region(s)"
        )
