import datetime
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from archivox.survey import reports, selectors
from archivox.survey.services import PAPER_SURVEY_SLUG


class Command(BaseCommand):
    help = "Write a survey report (tables, indicators, charts, diagnosis) as HTML, CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", default=PAPER_SURVEY_SLUG, help="survey slug")
        parser.add_argument("--region", help="region code (default: the whole survey)")
        parser.add_argument("--archive", help="slug of one monitored archive")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=["html", "csv", "xlsx"], default="html")
        parser.add_argument("--out", type=Path, help="output file (default: standard output)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the labels, the diagnosis and the charts (default: %(default)s)",
        )

    def handle(self, *args, **options) -> None:
        with translation.override(options["language"]):
            self._write(options)

    def _write(self, options: dict) -> None:
        fmt, out = options["format"], options["out"]
        if fmt == "xlsx" and out is None:
            raise CommandError("--format xlsx needs --out FILE")
        try:
            survey = selectors.survey_get(slug=options["survey"])
            scope = selectors.scope_get(
                survey=survey,
                region=options["region"],
                archive=options["archive"],
                as_of=options["as_of"],
            )
        except (selectors.SurveyNotFound, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        report = reports.report_build(scope, charts=fmt == "html")
        if fmt == "xlsx":
            body: str | bytes = reports.report_xlsx(report)
        elif fmt == "csv":
            body = reports.report_csv(report)
        else:
            body = reports.report_html(report)
        if out is None:
            sys.stdout.write(body if isinstance(body, str) else body.decode())
            return
        try:
            if isinstance(body, bytes):
                out.write_bytes(body)
            else:
                out.write_text(body, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{out}: cannot write ({exc.strerror})") from exc
        holding = ", ".join(report.diagnosis.holding) or "none"
        self.stderr.write(f"{out}: {fmt} report on {scope.label}; findings holding: {holding}")
