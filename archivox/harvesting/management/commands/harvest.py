"""Harvest one repository now (its progress printed as it goes), or every scheduled harvest
that is due: ``python manage.py harvest ID [--full]`` · ``python manage.py harvest --due``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archivox.harvesting import services
from archivox.harvesting.models import HarvestRun, Repository


class Command(BaseCommand):
    help = "Harvest a registered OAI-PMH repository into the union catalog (or all that are due)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("repository", nargs="?", type=int, help="the repository's id")
        parser.add_argument("--full", action="store_true", help="everything, not only changes")
        parser.add_argument("--due", action="store_true", help="queue the scheduled harvests")

    def handle(self, *args, repository: int | None, full: bool, due: bool, **options) -> None:
        if due:
            queued = services.harvest_due()
            self.stdout.write(f"queued {len(queued)} harvests")
            return
        if repository is None:
            raise CommandError("name a repository id, or --due")
        try:
            target = Repository.objects.get(pk=repository)
        except Repository.DoesNotExist as exc:
            raise CommandError(f"no repository {repository}") from exc
        # An operator's harvest runs here, in the foreground, as the system.
        run = HarvestRun.objects.create(repository=target, full=full)
        run = services.harvest_run_execute(run.pk, echo=self.stdout.write)
        summary = (
            f"{run.get_status_display()}: seen {run.seen}, added {run.added}, changed "
            f"{run.changed}, deleted {run.deleted}, errors {run.errors}"
        )
        if run.status != HarvestRun.Status.SUCCEEDED:
            raise CommandError(f"{summary}; {run.message}")
        self.stdout.write(summary)
