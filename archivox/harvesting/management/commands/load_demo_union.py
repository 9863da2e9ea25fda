"""The union-catalog demo: Nanjing registers Suzhou's garden archives, harvests them, and shows
a shared collection of their Republican-era buildings on its home (idempotent: an existing
registration is harvested again).

By default (``make demo``) the repository is the sandbox's, answering at
``BASE_URL/sandbox/oai/suzhou-gardens/oai`` in our own server as an independent repository would
(pyoai's provider). When nothing listens there yet (``make demo`` runs before the server), the
command serves that same repository at that same address for the harvest's duration, so the
records' links work once ``make run`` serves the site. ``--base-url`` names any other provider,
e.g. ``serve_demo_oai``'s: ``python manage.py load_demo_union --base-url http://127.0.0.1:8201/oai``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from archivox.core.models import Archive
from archivox.harvesting import services
from archivox.harvesting.demo_provider import DemoProvider, load_yaml
from archivox.harvesting.models import HarvestRun, Repository, SharedCollection

DEMO_NAME = "suzhou-gardens"


def sandbox_base_url() -> str:
    return f"{settings.BASE_URL}/sandbox/oai/{DEMO_NAME}/oai"


@contextlib.contextmanager
def sandbox_answering(base_url: str, echo) -> Iterator[None]:
    """Make sure the sandbox repository at ``base_url`` answers while the block runs."""
    try:
        httpx.get(base_url, params={"verb": "Identify"}, timeout=5).raise_for_status()
        yield  # our server is up and serves it
        return
    except httpx.HTTPError:
        pass
    parts = urlsplit(base_url)
    path = Path(settings.DEMO_DATA_DIR) / "union" / f"{DEMO_NAME}.yaml"
    try:
        provider = DemoProvider(
            load_yaml(path),
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 80,
            prefix=parts.path.removesuffix("/oai"),
        ).start()
    except OSError as exc:
        raise CommandError(
            f"{base_url} does not answer and its address is taken ({exc}); is the server "
            "running without ARCHIVOX_SANDBOX=1?"
        ) from exc
    echo(f"serving the sandbox repository at {provider.base_url} for the harvest")
    try:
        yield
    finally:
        provider.stop()


class Command(BaseCommand):
    help = "Register and harvest the demo Suzhou garden repository for Nanjing's union catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url", default="", help="default: the sandbox's Suzhou repository"
        )
        parser.add_argument("--archive", default="nanjing")

    def handle(self, *args, base_url: str, archive: str, **options) -> None:
        in_sandbox = not base_url
        if in_sandbox:
            if not settings.SANDBOX:
                raise CommandError("name a provider with --base-url (or set ARCHIVOX_SANDBOX=1)")
            base_url = sandbox_base_url()
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
        serving = (
            sandbox_answering(base_url, self.stdout.write)
            if in_sandbox
            else contextlib.nullcontext()
        )
        with serving:
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
