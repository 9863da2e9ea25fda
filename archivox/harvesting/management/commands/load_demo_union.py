"""The union-catalog demo: Nanjing registers Suzhou's garden archives (served apart by
``serve_demo_oai``), harvests them, and shows a shared collection of their Republican-era
buildings on its home. ``python manage.py load_demo_union --base-url http://127.0.0.1:8201/oai``
(idempotent: an existing registration is harvested again)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archivox.core.models import Archive
from archivox.harvesting import services
from archivox.harvesting.models import HarvestRun, Repository, SharedCollection


class Command(BaseCommand):
    help = "Register and harvest the demo Suzhou garden repository for Nanjing's union catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8201/oai")
        parser.add_argument("--archive", default="nanjing")

    def handle(self, *args, base_url: str, archive: str, **options) -> None:
        owner = Archive.objects.filter(slug=archive).first()
        if owner is None:
            raise CommandError(f"no archive {archive}; run load_paper_survey first")
        repository = Repository.objects.filter(base_url=base_url).first()
        if repository is None:
            # The demo acts as the installation (actor None is the system).
            repository = services.repository_create(
                actor=None,
                archive=owner,
                name="苏州园林档案（演示）",
                base_url=base_url,
                schedule=Repository.Schedule.DAILY,
            )
        run = HarvestRun.objects.create(repository=repository, full=True)
        run = services.harvest_run_execute(run.pk, echo=self.stdout.write)
        if run.status != HarvestRun.Status.SUCCEEDED:
            raise CommandError(f"harvest failed: {run.message}")
        if not SharedCollection.objects.filter(archive=owner, repository=repository).exists():
            services.shared_collection_create(
                actor=None,
                archive=owner,
                repository=repository,
                title="宁苏民国建筑（苏州园林档案）",
                introduction="与苏州园林档案馆合作：苏州园林中的民国建筑，与本馆南京民国建筑档案对照阅读。",
                query="民国建筑",
            )
        self.stdout.write(f"{repository.name}: {repository.records.count()} records")
