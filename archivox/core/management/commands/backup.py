from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and media into one .tar file (the site can stay up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="the backup file to write")

    def handle(self, *args, out: Path, **options) -> None:
        try:
            report = backup_create(out=out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(report.tables.values())
        self.stdout.write(
            f"{report.path}: {report.engine} database, {len(report.tables)} tables, {rows} rows, "
            f"{report.media_files} media files, {report.size} bytes"
        )
