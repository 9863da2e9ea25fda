from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.personal_data import personal_data_purge, personal_data_sources, retention_days


class Command(BaseCommand):
    help = (
        "Remove or anonymise personal data (consultations, reservations, responses, comments, "
        "messages) older than its retention period (ARCHIVOX_RETENTION_DAYS, default 1095)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go, change nothing"
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        try:
            purged = personal_data_purge(dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would purge" if dry_run else "purged"
        for source in personal_data_sources():
            days = retention_days(source.name)
            self.stdout.write(
                f"{source.name}: {verb} {purged[source.name]} (kept {days} days) — "
                f"{source.description}"
            )
