import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.region_setup import COLUMNS, RegionSetupError
from archivox.survey.imports.setup import survey_period_setup


class Command(BaseCommand):
    help = (
        "Set up a province's own survey: its regions and archives from a CSV (columns: "
        f"{', '.join(COLUMNS)}), then a survey period over them. All or nothing; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="slug of the survey period")
        parser.add_argument("--title", required=True, help="its title")
        parser.add_argument(
            "--cutoff", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD"
        )
        parser.add_argument("--csv", type=Path, help="regions and archives, one archive a row")
        parser.add_argument("--region", action="append", default=[], help="a region code")

    def handle(self, *args, **options) -> None:
        text = None
        if options["csv"] is not None:
            try:
                text = options["csv"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    f"{options['csv']}: cannot be read as UTF-8 text ({exc})"
                ) from exc
        try:
            report = survey_period_setup(
                actor=None,
                slug=options["survey"],
                title=options["title"],
                cutoff=options["cutoff"],
                csv_text=text,
                region_codes=options["region"],
            )
        except RegionSetupError as exc:
            raise CommandError("\n".join([str(exc), *exc.problems])) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if report.setup is not None:
            self.stdout.write(f"regions: {report.setup.regions}; archives: {report.setup.archives}")
        verb = "created" if report.created else "updated"
        self.stdout.write(
            f"survey {report.survey.slug} {verb}: {report.regions_added} region(s) added, "
            f"{report.institutions} archive(s) monitored"
        )
