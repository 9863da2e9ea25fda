import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core import selectors as core_selectors
from archivox.core.models import Archive
from archivox.sandbox.provisioning import SandboxDisabled, sandbox_credentials_ensure


class Command(BaseCommand):
    help = "Print an archive's sandbox WeChat and Weibo credentials as JSON (creating them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the archive's slug, e.g. nanjing")

    def handle(self, *args, slug: str, **options) -> None:
        try:
            archive = core_selectors.archive_get(slug=slug)
        except Archive.DoesNotExist as exc:
            raise CommandError(f"no archive with slug {slug!r}") from exc
        try:
            credentials = sandbox_credentials_ensure(archive)
        except SandboxDisabled as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(credentials, ensure_ascii=False, indent=2))
