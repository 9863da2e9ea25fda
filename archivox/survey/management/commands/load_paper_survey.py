from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from archivox.core.paper_survey import (
    PaperSurveyError,
    default_paper_survey_path,
    paper_survey_load_archives,
    read_paper_survey,
)
from archivox.survey.services import paper_survey_load


class Command(BaseCommand):
    help = (
        "Load the regions and archives of the 2016 survey (survey-2016-paper-v2.yaml). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", nargs="?", type=Path, help="the YAML file (default: ../shared/data/…)"
        )

    def handle(self, *args, path: Path | None = None, **options) -> None:
        path = path or default_paper_survey_path()
        try:
            data = read_paper_survey(path)
        except PaperSurveyError as exc:
            raise CommandError(str(exc)) from exc
        try:
            with transaction.atomic():
                regions, archives = paper_survey_load_archives(data=data)
                survey = paper_survey_load(data=data, source=Path(path).name)
        except PaperSurveyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path}: regions {regions}; archives {archives}")
        self.stdout.write(f"{path}: survey {survey}")
