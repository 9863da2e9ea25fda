from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore the database and media from a backup made by `backup` (checked first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup file")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds archives"
        )

    def handle(self, *args, path: Path, force: bool, **options) -> None:
        try:
            manifest = backup_restore(path=path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"{path}: restored {rows} rows made {manifest['created']}")
