from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.survey import selectors
from archivox.survey.imports.entry import survey_import
from archivox.survey.imports.report import SurveyImportError


class Command(BaseCommand):
    help = (
        "Import monitored accounts, metric snapshots and post records from CSV files "
        "(docs/survey-csv.md). All or nothing: any bad row imports nothing and is reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="CSV files, in any order")
        parser.add_argument(
            "--survey", help="add the regions of the imported archives to this survey"
        )

    def handle(self, *args, files: list[Path], survey: str | None = None, **options) -> None:
        target = None
        if survey:
            try:
                target = selectors.survey_get(slug=survey)
            except selectors.SurveyNotFound as exc:
                raise CommandError(str(exc)) from exc
        try:
            report = survey_import(actor=None, sources=files, survey=target)
        except SurveyImportError as exc:
            for line in exc.report.lines():
                self.stderr.write(line)
            raise CommandError(f"{exc}: fix the rows above and run again") from exc
        self.stdout.write(f"imported {', '.join(str(f) for f in files)}: {report.summary()}")
