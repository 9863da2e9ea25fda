"""``manage.py import_catalog ARCHIVE_SLUG FILE``: import a CSV or EAD 2002 file, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from archivox.catalog.imports.pipeline import catalog_import
from archivox.core.models import Archive, User
from archivox.core.selectors import ArchivePermissionDenied


class ProgressBar:
    """``stage [#####.....]  45% 45,000/100,000`` redrawn in place on stderr."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if self.shown == (stage, percent):
            return
        if self.shown is not None and self.shown[0] != stage:
            self.stream.write("", ending="\n")
        self.shown = (stage, percent)
        filled = percent * self.WIDTH // 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\r{stage:<9} [{bar}] {percent:3d}% {done:,}/{total:,}",
            style_func=lambda text: text,
            ending="",
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.shown is not None:
            self.stream.write("", ending="\n")
            self.shown = None


class Command(BaseCommand):
    help = (
        "Import descriptions from a CSV or EAD 2002 file into an archive's catalog. Nothing is "
        "saved unless the whole file is right; problems are listed one per line. "
        "See docs/catalog-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive's slug, e.g. nanjing")
        parser.add_argument("file", type=Path, help="the CSV or EAD XML file")
        parser.add_argument(
            "--format",
            choices=["csv", "ead"],
            help="the file's format (default: decided by its content)",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="change descriptions whose reference code already exists (default: an error)",
        )
        parser.add_argument(
            "--user",
            help="the staff member doing the import, for the permission check and the audit "
            "log (default: the system)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            archive = Archive.objects.get(slug=options["archive"])
        except Archive.DoesNotExist:
            raise CommandError(f"no archive with the slug {options['archive']!r}") from None
        actor = None
        if options["user"]:
            try:
                actor = User.objects.get(username=options["user"])
            except User.DoesNotExist:
                raise CommandError(f"no user {options['user']!r}") from None
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        progress = None
        if not options["no_progress"] and options["verbosity"] > 0:
            progress = ProgressBar(self.stderr)
        try:
            report = catalog_import(
                actor=actor,
                archive=archive,
                file_path_or_fileobj=path,
                format=options["format"],
                update=options["update"],
                progress=progress,
            )
        except ArchivePermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if progress is not None:
                progress.finish()
        if not report.ok:
            for line in report.lines():
                self.stderr.write(f"{path.name}: {line}")
            raise CommandError(
                f"{path.name}: {len(report.problems):,} problem(s); nothing was imported"
            )
        self.stdout.write(
            f"{path.name} ({report.format}): {report.created:,} created, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged in {archive.slug}"
        )
