from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.catalog import search
from archivox.core import selectors as core_selectors
from archivox.core.models import Archive


class Command(BaseCommand):
    help = "Rewrite the catalog's full-text index (all archives, or one). Safe to run any time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", nargs="?", help="slug of one archive (default: all)")

    def handle(self, *args, archive: str | None = None, **options) -> None:
        archive_id = None
        if archive:
            try:
                archive_id = core_selectors.archive_get(slug=archive).pk
            except Archive.DoesNotExist as exc:
                raise CommandError(f"no archive with slug {archive!r}") from exc
        count = search.rebuild_index(archive_id=archive_id)
        self.stdout.write(f"indexed {count} descriptions")
