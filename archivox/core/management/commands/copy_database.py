from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from archivox.core.backup import BackupError, database_copy, table_counts
from archivox.settings import ConfigurationError, _database


class Command(BaseCommand):
    help = (
        "Copy this installation's database into another one, e.g. from SQLite to PostgreSQL: "
        "the target is migrated, filled with every row (same ids) and compared table by table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to", required=True, help="DATABASE_URL of the target, e.g. postgres://…/archivox"
        )

    def handle(self, *args, to: str, **options) -> None:
        try:
            config = _database(to)
        except ConfigurationError as exc:
            raise CommandError(str(exc)) from exc
        # Django fills in the defaults of every alias; it insists on seeing "default" too.
        configured = connections.configure_settings(
            {"default": dict(connections.settings["default"]), "copy_target": config}
        )
        connections.settings["copy_target"] = configured["copy_target"]
        try:
            connections["copy_target"].ensure_connection()
        except Exception as exc:
            raise CommandError(f"cannot connect to the target database: {exc}") from exc
        call_command("migrate", database="copy_target", verbosity=0, interactive=False)
        try:
            copied = database_copy(target_alias="copy_target")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        source, target = table_counts("default"), table_counts("copy_target")
        different = [table for table in source if source[table] != target.get(table)]
        if different:
            raise CommandError(f"row counts differ after the copy: {', '.join(different)}")
        total = sum(copied.values())
        self.stdout.write(f"copied {total} rows in {len(copied)} tables; counts match")
