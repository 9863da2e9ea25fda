from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archivox.core.paper_survey import (
    PaperSurveyError,
    default_paper_survey_path,
    paper_survey_load_archives,
    read_paper_survey,
)


class Command(BaseCommand):
    help = "Load the regions and archives of the 2016 survey (survey-2016-paper.yaml). Idempotent."

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
        regions, archives = paper_survey_load_archives(data=data)
        self.stdout.write(f"{path}: regions {regions}; archives {archives}")
